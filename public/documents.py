"""The public JSON-LD documents of issuers, keys and revocation lists."""

from __future__ import annotations

from badge_credentials import did, ob2, ob3
from badge_credentials.contexts import MULTIKEY_V1
from badge_credentials.dates import iso_datetime
from badge_credentials.keys import ed25519_public_key_to_multibase, load_public_key_pem
from badges import links
from badges.models import Assertion
from issuers.models import Issuer, SigningKey


def did_document(issuer: Issuer) -> dict:
    """Every key the issuer ever had: retired ones keep earlier credentials verifiable."""
    issuer_did = links.issuer_did(issuer)
    keys = [
        did.VerificationKey(
            fragment=key.fragment, public_key=load_public_key_pem(key.public_key_pem)
        )
        for key in issuer.signing_keys.order_by("created_at")
    ]
    return did.build_did_document(issuer_did, keys, also_known_as=[links.issuer_url(issuer)])


def key_document(key: SigningKey) -> dict:
    if key.algorithm == SigningKey.Algorithm.RS256:
        document = ob2.build_cryptographic_key(
            links.key_url(key), links.issuer_url(key.issuer), key.public_key_pem
        )
    else:
        document = {
            "@context": MULTIKEY_V1,
            "id": links.verification_method(key),
            "type": "Multikey",
            "controller": links.issuer_did(key.issuer),
            "publicKeyMultibase": ed25519_public_key_to_multibase(
                load_public_key_pem(key.public_key_pem)
            ),
        }
    if key.retired_at:
        document["expires"] = iso_datetime(key.retired_at)
    return document


def _revoked(issuer: Issuer):
    return (
        Assertion.objects.filter(badge_class__issuer=issuer, status=Assertion.Status.REVOKED)
        .order_by("revoked_at", "pk")
        .only("public_id", "uuid", "revocation_reason")
    )


def revocation_list(issuer: Issuer) -> dict:
    """OB 2.0 revocation list: both the hosted URL and the signed (urn:uuid) id of each badge."""
    entries = []
    for assertion in _revoked(issuer):
        entries.append(
            ob2.RevokedAssertion(
                id=links.assertion_url(assertion), reason=assertion.revocation_reason
            )
        )
        entries.append(
            ob2.RevokedAssertion(
                id=f"urn:uuid:{assertion.uuid}", reason=assertion.revocation_reason
            )
        )
    return ob2.build_revocation_list(
        links.revocation_list_url(issuer), links.issuer_url(issuer), entries
    )


def status_list(issuer: Issuer) -> dict:
    """OB 3.0 1EdTech revocation list for ``credentialStatus``."""
    entries = [
        ob3.RevokedCredential(
            id=links.credential_url(assertion), reason=assertion.revocation_reason
        )
        for assertion in _revoked(issuer)
    ]
    return ob3.build_credential_revocation_list(
        links.status_list_url(issuer), links.issuer_did(issuer), entries
    )


def revoked_assertion(assertion: Assertion) -> dict:
    return {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": links.assertion_url(assertion),
        "revoked": True,
        "revocationReason": assertion.revocation_reason,
    }
