"""W3C Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (vc-di-eddsa).

Signing: the document without ``proof`` and the proof configuration (the proof without
``proofValue``, carrying the document's ``@context``) are each canonicalised with RDFC-1.0
and hashed with SHA-256; the Ed25519 signature over ``proofConfigHash || documentHash`` is
the ``proofValue`` (multibase base58btc, ``z…``). Documents with undefined terms are
refused, on signing and on verification, since those terms would not be signed.
"""

import hashlib
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from badge_credentials.contexts import DocumentLoader
from badge_credentials.dates import iso_datetime
from badge_credentials.encoding import multibase_decode, multibase_encode
from badge_credentials.errors import KeyFormatError, SignatureError
from badge_credentials.keys import PublicKey, public_key_from_verification_method
from badge_credentials.linked_data import canonicalize, ensure_terms_defined

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"

KeyResolver = Callable[[str], PublicKey | Mapping[str, Any]]


def _hash_data(
    unsecured: Mapping[str, Any], proof_options: Mapping[str, Any], loader: DocumentLoader
) -> bytes:
    proof_config = {key: value for key, value in proof_options.items() if key != "proofValue"}
    proof_config["@context"] = unsecured["@context"]
    proof_hash = hashlib.sha256(canonicalize(proof_config, loader).encode("utf-8")).digest()
    document_hash = hashlib.sha256(canonicalize(unsecured, loader).encode("utf-8")).digest()
    return proof_hash + document_hash


def add_proof(
    document: Mapping[str, Any],
    key: ed25519.Ed25519PrivateKey,
    *,
    verification_method: str,
    loader: DocumentLoader,
    created: datetime | None = None,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """Return a copy of ``document`` secured with an ``eddsa-rdfc-2022`` proof.

    ``verification_method`` is the URL of the public key (e.g. ``did:web:…#key-1``);
    ``loader`` must serve every context the document uses (see
    :func:`badge_credentials.contexts.document_loader`).
    """
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise SignatureError("eddsa-rdfc-2022 needs an Ed25519 private key")
    if "proof" in document:
        raise SignatureError("the document already has a proof (proof sets are not supported)")
    if "@context" not in document:
        raise SignatureError("the document has no @context")
    unsecured = dict(document)
    ensure_terms_defined(unsecured, loader)
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": iso_datetime(created or datetime.now(UTC)),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    signature = key.sign(_hash_data(unsecured, proof, loader))
    proof["proofValue"] = multibase_encode(signature)
    return {**unsecured, "proof": proof}


def _resolve_public_key(resolver: KeyResolver, method_id: str) -> ed25519.Ed25519PublicKey:
    resolved = resolver(method_id)
    if isinstance(resolved, Mapping):
        resolved = public_key_from_verification_method(resolved)
    if not isinstance(resolved, ed25519.Ed25519PublicKey):
        raise KeyFormatError("the verification method is not an Ed25519 key")
    return resolved


def verify_proof(
    document: Mapping[str, Any],
    *,
    key_resolver: KeyResolver,
    loader: DocumentLoader,
    expected_proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """Verify the ``eddsa-rdfc-2022`` proof of ``document``; return the proof on success.

    ``key_resolver`` maps the proof's ``verificationMethod`` URL to an Ed25519 public key or
    a verification method document (Multikey). Raises :class:`SignatureError` (bad or
    missing proof), :class:`~badge_credentials.errors.UndefinedTermError` or
    :class:`~badge_credentials.errors.ContextLoadError`.
    """
    proof = document.get("proof")
    if isinstance(proof, list):
        candidates = [item for item in proof if isinstance(item, Mapping)]
        proof = next((item for item in candidates if item.get("cryptosuite") == CRYPTOSUITE), None)
    if not isinstance(proof, Mapping):
        raise SignatureError(f"the document has no {CRYPTOSUITE} proof")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise SignatureError(f"the proof is not a {PROOF_TYPE} with {CRYPTOSUITE}")
    if proof.get("proofPurpose") != expected_proof_purpose:
        raise SignatureError(f"the proof purpose is not {expected_proof_purpose}")
    method_id = proof.get("verificationMethod")
    if not isinstance(method_id, str) or not method_id:
        raise SignatureError("the proof has no verificationMethod")
    try:
        signature = multibase_decode(str(proof.get("proofValue", "")))
    except ValueError as error:
        raise SignatureError(f"the proofValue is not multibase base58btc: {error}") from error
    if len(signature) != 64:
        raise SignatureError("the proofValue is not an Ed25519 signature")

    unsecured = {key: value for key, value in document.items() if key != "proof"}
    proof_options = {key: value for key, value in proof.items() if key != "proofValue"}
    if "@context" in proof_options:
        document_contexts = unsecured.get("@context")
        proof_contexts = proof_options["@context"]
        document_list = (
            document_contexts if isinstance(document_contexts, list) else [document_contexts]
        )
        proof_list = proof_contexts if isinstance(proof_contexts, list) else [proof_contexts]
        if document_list[: len(proof_list)] != proof_list:
            raise SignatureError("the proof @context does not match the document @context")
        unsecured["@context"] = proof_contexts
    if "@context" not in unsecured:
        raise SignatureError("the document has no @context")
    ensure_terms_defined(unsecured, loader)
    public_key = _resolve_public_key(key_resolver, method_id)
    try:
        public_key.verify(signature, _hash_data(unsecured, proof_options, loader))
    except InvalidSignature:
        raise SignatureError("the Data Integrity proof does not verify") from None
    return dict(proof)
