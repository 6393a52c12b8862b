"""Compact JWS (RFC 7515) with RS256 and EdDSA, and OB 2.0 signed badges.

An OB 2.0 ``SignedBadge`` is the compact JWS of the assertion JSON with header
``{"alg": "RS256"}``; its ``verification.creator`` names the key that verifies it.
"""

import json
from collections.abc import Collection, Mapping
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from badge_credentials import jsontext
from badge_credentials.encoding import b64url_decode, b64url_encode
from badge_credentials.errors import SignatureError
from badge_credentials.keys import PrivateKey, PublicKey

SUPPORTED_ALGORITHMS = ("RS256", "EdDSA")


def algorithm_for(key: PrivateKey | PublicKey) -> str:
    """Return the JWS ``alg`` of a key: ``RS256`` for RSA, ``EdDSA`` for Ed25519."""
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return "RS256"
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        return "EdDSA"
    raise SignatureError("only RSA and Ed25519 keys can sign")


def _json_bytes(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _sign(key: PrivateKey, signing_input: bytes) -> bytes:
    if isinstance(key, rsa.RSAPrivateKey):
        if key.key_size < 2048:
            raise SignatureError("RSA keys must have at least 2048 bits")
        return key.sign(signing_input, padding.PKCS1v15(), hashes.SHA256())
    return key.sign(signing_input)


def sign_compact(payload: Mapping[str, Any], key: PrivateKey, header: Mapping[str, Any]) -> str:
    """Sign a JSON payload and return the compact JWS. ``header["alg"]`` must match the key."""
    if header.get("alg") != algorithm_for(key):
        raise SignatureError(f"header alg {header.get('alg')!r} does not match the key")
    signing_input = b64url_encode(_json_bytes(header)) + "." + b64url_encode(_json_bytes(payload))
    signature = _sign(key, signing_input.encode("ascii"))
    return signing_input + "." + b64url_encode(signature)


def decode_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a compact JWS and return its header and JSON payload WITHOUT verifying it."""
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise SignatureError("not a compact JWS (three base64url parts)")
    try:
        header = jsontext.loads(b64url_decode(parts[0]))
        payload = jsontext.loads(b64url_decode(parts[1]))
    except (ValueError, UnicodeDecodeError) as error:
        raise SignatureError(f"the JWS header or payload is not base64url JSON: {error}") from error
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise SignatureError("the JWS header and payload must be JSON objects")
    return header, payload


def verify_compact(
    token: str,
    key: PublicKey,
    *,
    algorithms: Collection[str] = SUPPORTED_ALGORITHMS,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Verify a compact JWS with ``key`` and return ``(header, payload)``.

    The ``alg`` must be in ``algorithms`` and fit the key type ("none" and HMAC are never
    accepted). Raises :class:`SignatureError` otherwise or when the signature is wrong.
    """
    header, payload = decode_unverified(token)
    alg = header.get("alg")
    if alg not in algorithms or alg not in SUPPORTED_ALGORITHMS:
        raise SignatureError(f"JWS algorithm {alg!r} is not accepted")
    if alg != algorithm_for(key):
        raise SignatureError(f"JWS algorithm {alg!r} does not match the verification key")
    if header.get("crit"):
        raise SignatureError("JWS critical header parameters are not supported")
    encoded_header, encoded_payload, encoded_signature = token.strip().split(".")
    try:
        signature = b64url_decode(encoded_signature)
    except ValueError as error:
        raise SignatureError("the JWS signature is not base64url") from error
    signing_input = f"{encoded_header}.{encoded_payload}".encode("ascii")
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        else:
            key.verify(signature, signing_input)
    except InvalidSignature:
        raise SignatureError("the JWS signature does not verify") from None
    return header, payload


def sign_badge(assertion: Mapping[str, Any], key: rsa.RSAPrivateKey) -> str:
    """Sign an OB 2.0 assertion (``verification.type`` SignedBadge) as a compact JWS RS256."""
    verification = assertion.get("verification") or {}
    if verification.get("type") not in ("SignedBadge", "signed"):
        raise SignatureError("the assertion's verification type must be SignedBadge")
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SignatureError("OB 2.0 signed badges use RS256: an RSA key is required")
    return sign_compact(assertion, key, {"alg": "RS256"})


def verify_badge_signature(token: str, key: rsa.RSAPublicKey) -> dict[str, Any]:
    """Verify an OB 2.0 signed badge with the issuer's RSA key; return the assertion."""
    _, payload = verify_compact(token, key, algorithms=("RS256",))
    return payload
