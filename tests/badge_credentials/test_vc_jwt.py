import json
from datetime import timedelta

import pytest
from conftest import ISSUED_AT, ISSUER_DID, make_credential_input
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import RSAKey

from badge_credentials import ob3
from badge_credentials.encoding import b64url_decode, b64url_encode
from badge_credentials.errors import SignatureError, VerificationError
from badge_credentials.jws import decode_unverified, sign_compact
from badge_credentials.keys import public_key_to_jwk, public_key_to_pem
from badge_credentials.vc_jwt import sign_vc_jwt, verify_vc_jwt

KID = f"{ISSUER_DID}#rsa-1"


@pytest.fixture
def credential() -> dict:
    return ob3.build_credential(
        make_credential_input(
            valid_until=ISSUED_AT + timedelta(days=365), subject_id="did:example:s"
        )
    )


def test_header_and_claims_follow_ob_3_0_3(credential, rsa_key) -> None:
    token = sign_vc_jwt(credential, rsa_key, kid=KID)
    header, payload = decode_unverified(token)
    assert header == {"alg": "RS256", "typ": "JWT", "kid": KID}
    assert payload["iss"] == ISSUER_DID
    assert payload["jti"] == credential["id"]
    assert payload["sub"] == "did:example:s"
    assert payload["nbf"] == int(ISSUED_AT.timestamp())
    assert payload["exp"] == int((ISSUED_AT + timedelta(days=365)).timestamp())
    assert "vc" not in payload
    assert {key: payload[key] for key in credential} == credential


def test_round_trip(credential, rsa_key) -> None:
    token = sign_vc_jwt(credential, rsa_key, kid=KID)
    header, verified = verify_vc_jwt(token, rsa_key.public_key(), now=ISSUED_AT + timedelta(days=1))
    assert verified == credential
    assert header["kid"] == KID


def test_embedded_jwk_never_contains_private_material(credential, rsa_key) -> None:
    header, _ = decode_unverified(sign_vc_jwt(credential, rsa_key, include_jwk=True))
    assert header["jwk"] == public_key_to_jwk(rsa_key.public_key())
    assert "d" not in header["jwk"]
    with pytest.raises(SignatureError):
        sign_vc_jwt(credential, rsa_key)


def test_an_independent_jose_library_verifies_our_token(credential, rsa_key) -> None:
    token = sign_vc_jwt(credential, rsa_key, kid=KID)
    key = RSAKey.import_key(public_key_to_pem(rsa_key.public_key()))
    decoded = jwt.decode(token, key, algorithms=["RS256"])
    assert decoded.header["alg"] == "RS256"
    assert decoded.header["kid"] == KID
    assert decoded.claims["iss"] == ISSUER_DID
    assert decoded.claims["credentialSubject"] == credential["credentialSubject"]


def test_independent_library_rejects_a_tampered_token(credential, rsa_key) -> None:
    header, payload, signature = sign_vc_jwt(credential, rsa_key, kid=KID).split(".")
    forged = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1]
    key = RSAKey.import_key(public_key_to_pem(rsa_key.public_key()))
    with pytest.raises((BadSignatureError, ValueError)):
        jwt.decode(f"{header}.{forged}.{signature}", key, algorithms=["RS256"])


def _resign_with_payload_change(token: str, key, **changes) -> str:
    header, payload = decode_unverified(token)
    payload.update(changes)
    return sign_compact(payload, key, header)


def test_tampered_token_fails(credential, rsa_key) -> None:
    header, payload, signature = sign_vc_jwt(credential, rsa_key, kid=KID).split(".")
    document = json.loads(b64url_decode(payload))
    document["name"] = "Forged badge"
    forged = b64url_encode(json.dumps(document).encode())
    with pytest.raises(SignatureError):
        verify_vc_jwt(f"{header}.{forged}.{signature}", rsa_key.public_key())


def test_wrong_key_fails(credential, rsa_key, other_rsa_key) -> None:
    with pytest.raises(SignatureError):
        verify_vc_jwt(sign_vc_jwt(credential, rsa_key, kid=KID), other_rsa_key.public_key())


@pytest.mark.parametrize(
    ("claim", "value"),
    [("iss", "did:web:evil.example"), ("jti", "urn:other"), ("sub", "did:example:x"), ("nbf", 1)],
)
def test_claims_must_agree_with_the_credential(credential, rsa_key, claim, value) -> None:
    token = _resign_with_payload_change(
        sign_vc_jwt(credential, rsa_key, kid=KID), rsa_key, **{claim: value}
    )
    with pytest.raises(VerificationError, match=claim):
        verify_vc_jwt(token, rsa_key.public_key())


def test_extra_jose_headers_are_refused(credential, rsa_key) -> None:
    token = sign_vc_jwt(credential, rsa_key, kid=KID)
    header, payload = decode_unverified(token)
    with pytest.raises(VerificationError, match="not allowed"):
        verify_vc_jwt(
            sign_compact(payload, rsa_key, {**header, "x5u": "https://x"}), rsa_key.public_key()
        )


def test_time_window_is_enforced(credential, rsa_key) -> None:
    token = sign_vc_jwt(credential, rsa_key, kid=KID)
    with pytest.raises(VerificationError, match="not valid yet"):
        verify_vc_jwt(token, rsa_key.public_key(), now=ISSUED_AT - timedelta(days=1))
    with pytest.raises(VerificationError, match="expired"):
        verify_vc_jwt(token, rsa_key.public_key(), now=ISSUED_AT + timedelta(days=400))


def test_vcdm_1_1_vc_claim_is_accepted(credential, rsa_key) -> None:
    legacy = {
        "vc": credential,
        "iss": ISSUER_DID,
        "jti": credential["id"],
        "sub": "did:example:s",
        "nbf": int(ISSUED_AT.timestamp()),
        "exp": int((ISSUED_AT + timedelta(days=365)).timestamp()),
    }
    token = sign_compact(legacy, rsa_key, {"alg": "RS256", "typ": "JWT", "kid": KID})
    assert verify_vc_jwt(token, rsa_key.public_key())[1] == credential
