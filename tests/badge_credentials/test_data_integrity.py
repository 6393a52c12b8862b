import copy
from datetime import UTC, datetime

import pytest
from conftest import BASE_URL, ISSUER_DID, make_credential_input
from cryptography.hazmat.primitives.asymmetric import ed25519

from badge_credentials import data_integrity, ob3
from badge_credentials.contexts import document_loader
from badge_credentials.encoding import multibase_decode
from badge_credentials.errors import SignatureError, UndefinedTermError
from badge_credentials.extension import extension_context_url, extension_documents
from badge_credentials.keys import multibase_to_ed25519_public_key

VERIFICATION_METHOD = f"{ISSUER_DID}#ed-1"

# Test vector of W3C "Data Integrity EdDSA Cryptosuites v1.0", eddsa-rdfc-2022 (B.1).
W3C_PUBLIC_KEY = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_SECRET_KEY = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
W3C_EXAMPLES_CONTEXT = {
    "https://www.w3.org/ns/credentials/examples/v2": {
        "@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}
    }
}
W3C_SIGNED = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://www.w3.org/ns/credentials/examples/v2",
    ],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
    "proof": {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2023-02-24T23:36:38Z",
        "verificationMethod": "https://vc.example/issuers/5678#" + W3C_PUBLIC_KEY,
        "proofPurpose": "assertionMethod",
        "proofValue": "z21EVs3eXERqTn4acNHT9viboqgzUaQ3kTmhPT3eA8qrVPE7CrQq78WkzctnMX5W4CrzcKnHw8V"
        "6dvy5pgWYCU5e9",
    },
}


def test_w3c_test_vector_verifies() -> None:
    public_key = multibase_to_ed25519_public_key(W3C_PUBLIC_KEY)
    proof = data_integrity.verify_proof(
        W3C_SIGNED, key_resolver=lambda _: public_key, loader=document_loader(W3C_EXAMPLES_CONTEXT)
    )
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"


def test_w3c_test_vector_is_reproduced_exactly() -> None:
    secret = multibase_decode(W3C_SECRET_KEY)
    assert secret[:2] == b"\x80\x26"  # Ed25519 private key multicodec
    key = ed25519.Ed25519PrivateKey.from_private_bytes(secret[2:])
    unsigned = {name: value for name, value in W3C_SIGNED.items() if name != "proof"}
    signed = data_integrity.add_proof(
        unsigned,
        key,
        verification_method=W3C_SIGNED["proof"]["verificationMethod"],
        loader=document_loader(W3C_EXAMPLES_CONTEXT),
        created=datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC),
    )
    assert signed["proof"] == W3C_SIGNED["proof"]


@pytest.fixture
def signed(ed25519_key, loader) -> dict:
    credential = ob3.build_credential(make_credential_input())
    return data_integrity.add_proof(
        credential, ed25519_key, verification_method=VERIFICATION_METHOD, loader=loader
    )


def test_proof_shape(signed) -> None:
    proof = signed["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == VERIFICATION_METHOD
    assert proof["proofValue"].startswith("z")
    assert len(multibase_decode(proof["proofValue"])) == 64
    datetime.fromisoformat(proof["created"])


def test_round_trip_with_key_and_with_multikey_document(
    signed, ed25519_key, loader, did_document
) -> None:
    data_integrity.verify_proof(
        signed, key_resolver=lambda _: ed25519_key.public_key(), loader=loader
    )
    methods = {method["id"]: method for method in did_document["verificationMethod"]}
    data_integrity.verify_proof(signed, key_resolver=methods.__getitem__, loader=loader)


@pytest.mark.parametrize(
    "path",
    [
        ("name",),
        ("validFrom",),
        ("issuer", "name"),
        ("credentialSubject", "identifier", 0, "identityHash"),
        ("credentialSubject", "achievement", "description"),
        ("credentialSubject", "achievement", "creditsAvailable"),
        ("credentialSubject", "achievement", "eqfLevel"),
        ("credentialSubject", "achievement", "participation"),
        ("credentialSubject", "achievement", "qualityAssurance", "url"),
        ("credentialSubject", "achievement", "learningOutcomes", 0),
        ("credentialStatus", "id"),
        ("proof", "created"),
    ],
)
def test_tampering_with_any_field_breaks_the_proof(signed, ed25519_key, loader, path) -> None:
    tampered = copy.deepcopy(signed)
    target = tampered
    for step in path[:-1]:
        target = target[step]
    original = target[path[-1]]
    if isinstance(original, bool):
        replacement = not original
    elif isinstance(original, (int, float)):
        replacement = original + 1
    elif path[-1] in ("validFrom", "created"):
        replacement = "2030-01-01T00:00:00Z"
    elif path[-1] in ("url", "id"):
        replacement = "https://evil.example/x"
    else:
        replacement = original + " (forged)"
    target[path[-1]] = replacement
    with pytest.raises(SignatureError, match="does not verify"):
        data_integrity.verify_proof(
            tampered, key_resolver=lambda _: ed25519_key.public_key(), loader=loader
        )


def test_reordering_learning_outcomes_breaks_the_proof(signed, ed25519_key, loader) -> None:
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["learningOutcomes"].reverse()
    with pytest.raises(SignatureError):
        data_integrity.verify_proof(
            tampered, key_resolver=lambda _: ed25519_key.public_key(), loader=loader
        )


def test_adding_an_undefined_term_is_refused(signed, ed25519_key, loader) -> None:
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["grade"] = "A+"
    with pytest.raises(UndefinedTermError, match="grade"):
        data_integrity.verify_proof(
            tampered, key_resolver=lambda _: ed25519_key.public_key(), loader=loader
        )


def test_signing_refuses_undefined_terms(ed25519_key, loader) -> None:
    credential = ob3.build_credential(make_credential_input())
    credential["unknownProperty"] = 1
    with pytest.raises(UndefinedTermError):
        data_integrity.add_proof(
            credential, ed25519_key, verification_method=VERIFICATION_METHOD, loader=loader
        )


def test_wrong_key_fails(signed, loader) -> None:
    stranger = ed25519.Ed25519PrivateKey.generate().public_key()
    with pytest.raises(SignatureError, match="does not verify"):
        data_integrity.verify_proof(signed, key_resolver=lambda _: stranger, loader=loader)


def test_non_ed25519_key_is_refused(signed, rsa_key, loader) -> None:
    with pytest.raises(Exception, match="Ed25519"):
        data_integrity.verify_proof(
            signed, key_resolver=lambda _: rsa_key.public_key(), loader=loader
        )


def test_proof_fields_are_checked(signed, ed25519_key, loader) -> None:
    resolver = lambda _: ed25519_key.public_key()  # noqa: E731
    for field, value in (
        ("cryptosuite", "eddsa-jcs-2022"),
        ("proofPurpose", "authentication"),
        ("proofValue", "uABC"),
        ("proofValue", "z123"),
    ):
        tampered = copy.deepcopy(signed)
        tampered["proof"][field] = value
        with pytest.raises(SignatureError):
            data_integrity.verify_proof(tampered, key_resolver=resolver, loader=loader)
    unsigned = {key: value for key, value in signed.items() if key != "proof"}
    with pytest.raises(SignatureError, match="no eddsa-rdfc-2022 proof"):
        data_integrity.verify_proof(unsigned, key_resolver=resolver, loader=loader)


def test_already_signed_documents_are_not_signed_again(signed, ed25519_key, loader) -> None:
    with pytest.raises(SignatureError, match="already has a proof"):
        data_integrity.add_proof(
            signed, ed25519_key, verification_method=VERIFICATION_METHOD, loader=loader
        )


def test_the_versioned_vocabulary_needs_no_document_from_the_site(signed, ed25519_key) -> None:
    data_integrity.verify_proof(
        signed, key_resolver=lambda _: ed25519_key.public_key(), loader=document_loader()
    )


def test_credentials_with_the_legacy_context_need_the_sites_context_document(
    ed25519_key,
) -> None:
    """Credentials issued before the versioned vocabulary name the site's own context."""
    legacy = ob3.build_credential(
        make_credential_input(extension_context_url=extension_context_url(BASE_URL))
    )
    achievement = legacy["credentialSubject"]["achievement"]
    achievement["eqfLevel"] = 6
    del achievement["creditPoint"]
    loader = document_loader(extension_documents(BASE_URL))
    signed = data_integrity.add_proof(
        legacy, ed25519_key, verification_method=VERIFICATION_METHOD, loader=loader
    )
    with pytest.raises(Exception, match="refusing to load"):
        data_integrity.verify_proof(
            signed, key_resolver=lambda _: ed25519_key.public_key(), loader=document_loader()
        )
    data_integrity.verify_proof(
        signed, key_resolver=lambda _: ed25519_key.public_key(), loader=loader
    )
