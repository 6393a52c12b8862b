import pytest
from conftest import ISSUER_DID

from badge_credentials.did import (
    did_web_document_url,
    did_web_for,
    find_verification_method,
)
from badge_credentials.errors import InvalidInputError
from badge_credentials.keys import ed25519_public_key_to_multibase, public_key_to_jwk


def test_did_web_encodes_the_port_colon() -> None:
    assert did_web_for("example.org") == "did:web:example.org"
    assert did_web_for("localhost:8000", ["issuers", "7"]) == "did:web:localhost%3A8000:issuers:7"
    assert did_web_for("Example.org", ["a b"]) == "did:web:example.org:a%20b"
    with pytest.raises(InvalidInputError):
        did_web_for("example.org/path")


def test_did_web_document_url() -> None:
    assert did_web_document_url("did:web:example.org") == "https://example.org/.well-known/did.json"
    assert (
        did_web_document_url("did:web:localhost%3A8000:issuers:7#key-1")
        == "https://localhost:8000/issuers/7/did.json"
    )
    with pytest.raises(InvalidInputError):
        did_web_document_url("did:key:z6Mk")


def test_did_document_lists_multikey_and_jwk(did_document, ed25519_key, rsa_key) -> None:
    assert did_document["id"] == ISSUER_DID
    assert did_document["@context"][0] == "https://www.w3.org/ns/did/v1"
    multikey, jwk = did_document["verificationMethod"]
    assert multikey == {
        "id": f"{ISSUER_DID}#ed-1",
        "type": "Multikey",
        "controller": ISSUER_DID,
        "publicKeyMultibase": ed25519_public_key_to_multibase(ed25519_key.public_key()),
    }
    assert jwk["type"] == "JsonWebKey"
    assert jwk["publicKeyJwk"] == public_key_to_jwk(rsa_key.public_key())
    assert did_document["assertionMethod"] == [f"{ISSUER_DID}#ed-1", f"{ISSUER_DID}#rsa-1"]


def test_find_verification_method_requires_the_relationship(did_document) -> None:
    assert find_verification_method(did_document, f"{ISSUER_DID}#ed-1")["type"] == "Multikey"
    assert find_verification_method(did_document, f"{ISSUER_DID}#nope") is None
    assert (
        find_verification_method(did_document, f"{ISSUER_DID}#ed-1", relationship="authentication")
        is None
    )
