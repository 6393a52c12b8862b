"""Open Badges 2.0 / 3.0 credentials, framework-free (no Django import anywhere).

Modules and their main functions (import them from their modules):

- ``hashing``: ``new_salt()``, ``hash_identity(identity, salt)`` → ``sha256$<hex>``,
  ``identity_matches(identity, recorded, salt, hashed=, identity_type=)``.
- ``keys``: ``generate_rsa_key()``, ``generate_ed25519_key()``, PEM/JWK/Multikey
  conversions (``public_key_to_pem``, ``public_key_to_jwk``, ``jwk_to_public_key``,
  ``ed25519_public_key_to_multibase``), ``seal_private_key(key, kek)`` /
  ``unseal_private_key(sealed, kek_or_keks)``, ``reseal_private_key(sealed, keks)``,
  ``sealing_key_index(sealed, keks)`` and ``new_key_encryption_key()``.
- ``ob2``: input dataclasses (``AssertionInput``, ``BadgeClassInput``, ``IssuerInput``,
  ``AlignmentInput``, ``EvidenceInput``, ``RevokedAssertion``) and ``build_assertion``,
  ``build_badge_class``, ``build_issuer_profile``, ``build_cryptographic_key``,
  ``build_revocation_list``.
- ``ob3``: ``BadgeType``, ``ProfileInput``, ``AchievementInput``, ``CredentialInput`` (…)
  and ``build_credential``, ``build_achievement``, ``build_profile``,
  ``build_credential_revocation_list``.
- ``extension``: our JSON-LD extension context: ``extension_context_url(base_url)``,
  ``extension_context_document(base_url)``, ``extension_documents(base_url)``.
- ``did``: ``did_web_for(host_with_port, path_segments)``, ``did_web_document_url(did)``,
  ``build_did_document(did, keys)`` with ``VerificationKey(fragment, public_key)``.
- ``jws``: ``sign_badge(assertion, rsa_key)`` / ``verify_badge_signature(jws, public_key)``
  (OB 2.0 SignedBadge), plus generic ``sign_compact`` / ``verify_compact``.
- ``vc_jwt``: ``sign_vc_jwt(credential, key, kid=, include_jwk=)`` /
  ``verify_vc_jwt(token, public_key, now=)`` (OB 3.0.3 VC-JWT).
- ``data_integrity``: ``add_proof(document, ed25519_key, verification_method=, loader=)`` /
  ``verify_proof(document, key_resolver=, loader=)`` (``eddsa-rdfc-2022``).
- ``contexts``: bundled JSON-LD contexts and ``document_loader(extra)`` (never fetches);
  ``linked_data``: ``canonicalize`` (RDFC-1.0), ``expand``, ``find_undefined_terms``.
- ``baking``: ``bake(image, payload, ob_version=)`` / ``unbake(image)`` for PNG and SVG.
- ``verify``: ``verify_badge(data, fetch=, recipient=, now=, documents=)`` →
  ``VerificationReport`` (``valid``, ``format``, ``checks``, ``to_dict()``).
- ``errors``: ``CredentialError`` and its subclasses.
"""
