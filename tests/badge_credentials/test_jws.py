import json

import pytest

from badge_credentials.encoding import b64url_decode, b64url_encode
from badge_credentials.errors import SignatureError
from badge_credentials.jws import (
    decode_unverified,
    sign_badge,
    sign_compact,
    verify_badge_signature,
    verify_compact,
)

ASSERTION = {
    "@context": "https://w3id.org/openbadges/v2",
    "type": "Assertion",
    "id": "urn:uuid:5c3f1a52-7d44-4d0c-9b3c-7a7c1d1f0c11",
    "recipient": {"type": "email", "hashed": True, "salt": "s", "identity": "sha256$ab"},
    "badge": "https://badges.example.nl/badges/1",
    "verification": {"type": "SignedBadge", "creator": "https://badges.example.nl/keys/1"},
    "issuedOn": "2025-03-01T12:00:00Z",
}


def _tamper_payload(token: str, **changes) -> str:
    header, payload, signature = token.split(".")
    document = json.loads(b64url_decode(payload))
    document.update(changes)
    return ".".join([header, b64url_encode(json.dumps(document).encode()), signature])


def test_signed_badge_round_trip(rsa_key) -> None:
    token = sign_badge(ASSERTION, rsa_key)
    header, _ = decode_unverified(token)
    assert header == {"alg": "RS256"}
    assert verify_badge_signature(token, rsa_key.public_key()) == ASSERTION


def test_tampered_signed_badge_fails(rsa_key) -> None:
    token = sign_badge(ASSERTION, rsa_key)
    with pytest.raises(SignatureError, match="does not verify"):
        verify_badge_signature(
            _tamper_payload(token, badge="https://evil.example/b"), rsa_key.public_key()
        )
    flipped = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(SignatureError):
        verify_badge_signature(flipped, rsa_key.public_key())


def test_signed_badge_with_another_key_fails(rsa_key, other_rsa_key) -> None:
    with pytest.raises(SignatureError):
        verify_badge_signature(sign_badge(ASSERTION, rsa_key), other_rsa_key.public_key())


def test_signed_badge_needs_signed_verification_and_rsa(rsa_key, ed25519_key) -> None:
    with pytest.raises(SignatureError):
        sign_badge({**ASSERTION, "verification": {"type": "HostedBadge"}}, rsa_key)
    with pytest.raises(SignatureError):
        sign_badge(ASSERTION, ed25519_key)


def test_alg_none_and_alg_confusion_are_refused(rsa_key, ed25519_key) -> None:
    token = sign_badge(ASSERTION, rsa_key)
    _, payload, _ = token.split(".")
    unsigned = b64url_encode(b'{"alg":"none"}') + "." + payload + "."
    with pytest.raises(SignatureError, match="not accepted"):
        verify_compact(unsigned, rsa_key.public_key())
    eddsa = sign_compact(ASSERTION, ed25519_key, {"alg": "EdDSA"})
    with pytest.raises(SignatureError, match="does not match"):
        verify_compact(eddsa, rsa_key.public_key())
    assert verify_compact(eddsa, ed25519_key.public_key())[1] == ASSERTION


def test_garbage_is_not_a_jws(rsa_key) -> None:
    for value in ("", "a.b", "not base64!.x.y", "e30.e30"):
        with pytest.raises(SignatureError):
            verify_compact(value, rsa_key.public_key())
