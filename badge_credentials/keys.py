"""Key generation, serialisation (PEM, JWK, Multikey) and sealing of private keys at rest.

Issuers hold two keys: an RSA-2048 key for JWS RS256 (OB 2.0 signed badges and OB 3.0
VC-JWT) and an Ed25519 key for the OB 3.0 Data Integrity proof ``eddsa-rdfc-2022``.
Private keys are stored sealed with a key-encryption key (KEK) supplied by the caller.
"""

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from badge_credentials.encoding import (
    ED25519_PUBLIC_KEY_MULTICODEC,
    b64url_decode,
    b64url_encode,
    multibase_decode,
    multibase_encode,
)
from badge_credentials.errors import KeyFormatError, SealedKeyError

PrivateKey = rsa.RSAPrivateKey | ed25519.Ed25519PrivateKey
PublicKey = rsa.RSAPublicKey | ed25519.Ed25519PublicKey

_SEAL_VERSION = "v1"
_SEAL_AAD = b"badge_credentials.sealed-private-key.v1"
_SEAL_INFO = b"badge_credentials key sealing v1"


def generate_rsa_key() -> rsa.RSAPrivateKey:
    """Generate an RSA-2048 key (public exponent 65537) for RS256."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def generate_ed25519_key() -> ed25519.Ed25519PrivateKey:
    """Generate an Ed25519 key for ``eddsa-rdfc-2022`` proofs."""
    return ed25519.Ed25519PrivateKey.generate()


def private_key_to_pem(key: PrivateKey) -> bytes:
    """Serialise a private key as unencrypted PKCS#8 PEM (seal it before storing)."""
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_key_pem(pem: bytes | str, *, trusted: bool = False) -> PrivateKey:
    """Load an RSA or Ed25519 private key from unencrypted PEM.

    ``trusted`` skips OpenSSL's RSA consistency check (tens of milliseconds): only for keys
    this package generated and sealed, whose authenticated seal already proves them intact.
    """
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(
            data, password=None, unsafe_skip_rsa_key_validation=trusted
        )
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise KeyFormatError(f"not a readable private key: {error}") from error
    if not isinstance(key, (rsa.RSAPrivateKey, ed25519.Ed25519PrivateKey)):
        raise KeyFormatError("only RSA and Ed25519 private keys are supported")
    return key


def public_key_to_pem(key: PublicKey) -> str:
    """Serialise a public key as SubjectPublicKeyInfo PEM (OB 2.0 ``publicKeyPem``)."""
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_public_key_pem(pem: bytes | str) -> PublicKey:
    """Load an RSA or Ed25519 public key from PEM."""
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise KeyFormatError(f"not a readable public key: {error}") from error
    if not isinstance(key, (rsa.RSAPublicKey, ed25519.Ed25519PublicKey)):
        raise KeyFormatError("only RSA and Ed25519 public keys are supported")
    return key


def _int_to_b64url(number: int) -> str:
    return b64url_encode(number.to_bytes((number.bit_length() + 7) // 8, "big"))


def public_key_to_jwk(key: PublicKey, *, kid: str | None = None) -> dict[str, str]:
    """Return the public JWK (RFC 7517) of an RSA or Ed25519 key; never contains ``d``."""
    jwk: dict[str, str]
    if isinstance(key, rsa.RSAPublicKey):
        numbers = key.public_numbers()
        jwk = {"kty": "RSA", "n": _int_to_b64url(numbers.n), "e": _int_to_b64url(numbers.e)}
    elif isinstance(key, ed25519.Ed25519PublicKey):
        raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw)}
    else:
        raise KeyFormatError("only RSA and Ed25519 public keys are supported")
    if kid is not None:
        jwk["kid"] = kid
    return jwk


def jwk_to_public_key(jwk: Mapping[str, Any]) -> PublicKey:
    """Read a public RSA or Ed25519 JWK; a JWK carrying private material is refused."""
    if "d" in jwk:
        raise KeyFormatError("the JWK contains private key material ('d')")
    try:
        if jwk.get("kty") == "RSA":
            n = int.from_bytes(b64url_decode(jwk["n"]), "big")
            e = int.from_bytes(b64url_decode(jwk["e"]), "big")
            return rsa.RSAPublicNumbers(e, n).public_key()
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            return ed25519.Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
    except (KeyError, TypeError, ValueError) as error:
        raise KeyFormatError(f"malformed JWK: {error}") from error
    raise KeyFormatError("only RSA and Ed25519 (OKP) JWKs are supported")


def jwk_thumbprint(jwk: Mapping[str, Any]) -> str:
    """Return the RFC 7638 SHA-256 thumbprint of a public JWK, base64url encoded."""
    required = {"RSA": ("e", "kty", "n"), "OKP": ("crv", "kty", "x")}.get(str(jwk.get("kty")))
    if required is None:
        raise KeyFormatError("thumbprints are supported for RSA and OKP keys only")
    members = {name: jwk[name] for name in required}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True)
    return b64url_encode(hashlib.sha256(canonical.encode("utf-8")).digest())


def ed25519_public_key_to_multibase(key: ed25519.Ed25519PublicKey) -> str:
    """Return the Multikey ``publicKeyMultibase`` ("z6Mk…") of an Ed25519 public key."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return multibase_encode(ED25519_PUBLIC_KEY_MULTICODEC + raw)


def multibase_to_ed25519_public_key(value: str) -> ed25519.Ed25519PublicKey:
    """Read a Multikey ``publicKeyMultibase`` holding an Ed25519 public key."""
    try:
        decoded = multibase_decode(value)
    except ValueError as error:
        raise KeyFormatError(str(error)) from error
    if not decoded.startswith(ED25519_PUBLIC_KEY_MULTICODEC) or len(decoded) != 34:
        raise KeyFormatError("publicKeyMultibase is not an Ed25519 public key (0xed01)")
    return ed25519.Ed25519PublicKey.from_public_bytes(decoded[2:])


def public_key_from_verification_method(method: Mapping[str, Any]) -> PublicKey:
    """Extract the public key from a verification method or key document.

    Understands Multikey / Ed25519VerificationKey2020 (``publicKeyMultibase``),
    JsonWebKey / JsonWebKey2020 (``publicKeyJwk``) and OB 2.0 CryptographicKey
    (``publicKeyPem``).
    """
    if "publicKeyMultibase" in method:
        return multibase_to_ed25519_public_key(str(method["publicKeyMultibase"]))
    if "publicKeyJwk" in method:
        return jwk_to_public_key(method["publicKeyJwk"])
    if "publicKeyPem" in method:
        return load_public_key_pem(str(method["publicKeyPem"]))
    if "kty" in method:
        return jwk_to_public_key(method)
    raise KeyFormatError("the verification method carries no supported public key")


def new_key_encryption_key() -> str:
    """Return a fresh random key-encryption key (32 bytes, base64url) for configuration."""
    return b64url_encode(os.urandom(32))


def _derive_sealing_key(key_encryption_key: bytes | str) -> bytes:
    material = (
        key_encryption_key.encode("utf-8")
        if isinstance(key_encryption_key, str)
        else key_encryption_key
    )
    if len(material) < 16:
        raise SealedKeyError("the key-encryption key is too short (at least 16 bytes)")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SEAL_INFO).derive(material)


def seal_private_key(key: PrivateKey, key_encryption_key: bytes | str) -> str:
    """Encrypt a private key for storage (AES-256-GCM under a key derived from the KEK).

    The KEK must be high-entropy (e.g. from :func:`new_key_encryption_key`); it is stretched
    with HKDF, not a password hash. The result is ``v1.<base64url(nonce || ciphertext)>``.
    """
    nonce = os.urandom(12)
    sealed = AESGCM(_derive_sealing_key(key_encryption_key)).encrypt(
        nonce, private_key_to_pem(key), _SEAL_AAD
    )
    return f"{_SEAL_VERSION}.{b64url_encode(nonce + sealed)}"


def _open_sealed(
    sealed: str, key_encryption_keys: bytes | str | Sequence[bytes | str]
) -> tuple[int, bytes]:
    candidates: Sequence[bytes | str] = (
        [key_encryption_keys]
        if isinstance(key_encryption_keys, (bytes, str))
        else key_encryption_keys
    )
    version, _, body = sealed.partition(".")
    if version != _SEAL_VERSION or not body:
        raise SealedKeyError("not a sealed key of a known version")
    try:
        blob = b64url_decode(body)
    except ValueError as error:
        raise SealedKeyError("the sealed key is not valid base64url") from error
    if len(blob) < 12 + 16:
        raise SealedKeyError("the sealed key is truncated")
    nonce, ciphertext = blob[:12], blob[12:]
    for index, candidate in enumerate(candidates):
        try:
            return index, AESGCM(_derive_sealing_key(candidate)).decrypt(
                nonce, ciphertext, _SEAL_AAD
            )
        except InvalidTag:
            continue
    raise SealedKeyError(
        "the sealed key could not be opened: wrong key-encryption key or tampered data"
    )


def unseal_private_key(
    sealed: str, key_encryption_keys: bytes | str | Sequence[bytes | str]
) -> PrivateKey:
    """Decrypt a key sealed by :func:`seal_private_key`.

    ``key_encryption_keys`` may be a list, newest first, so that a KEK can be rotated: each
    is tried in turn. Raises :class:`SealedKeyError` when no KEK opens it or it was altered.
    """
    _index, pem = _open_sealed(sealed, key_encryption_keys)
    # AES-GCM authenticated the key we sealed ourselves: no need to re-validate it.
    return load_private_key_pem(pem, trusted=True)


def sealing_key_index(sealed: str, key_encryption_keys: Sequence[bytes | str]) -> int | None:
    """Which of ``key_encryption_keys`` opens ``sealed`` (its index), or None when none does.
    Decrypts only; cheap enough to check every stored key at start-up."""
    try:
        return _open_sealed(sealed, key_encryption_keys)[0]
    except SealedKeyError:
        return None


def reseal_private_key(sealed: str, key_encryption_keys: Sequence[bytes | str]) -> str:
    """``sealed`` opened with any of ``key_encryption_keys`` and sealed again with the first."""
    _index, pem = _open_sealed(sealed, key_encryption_keys)
    return seal_private_key(load_private_key_pem(pem, trusted=True), key_encryption_keys[0])
