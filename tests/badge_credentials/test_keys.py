import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from badge_credentials import keys
from badge_credentials.encoding import base58btc_decode, base58btc_encode, multibase_decode
from badge_credentials.errors import KeyFormatError, SealedKeyError


def test_base58_round_trip_keeps_leading_zeros() -> None:
    for data in (b"", b"\x00", b"\x00\x00abc", bytes(range(40))):
        assert base58btc_decode(base58btc_encode(data)) == data
    assert base58btc_encode(b"hello world") == "StV1DL6CwTryKyV"


def test_generated_keys_have_the_expected_types(rsa_key, ed25519_key) -> None:
    assert isinstance(rsa_key, rsa.RSAPrivateKey)
    assert rsa_key.key_size == 2048
    assert isinstance(ed25519_key, ed25519.Ed25519PrivateKey)


def test_pem_round_trip(rsa_key, ed25519_key) -> None:
    for key in (rsa_key, ed25519_key):
        pem = keys.public_key_to_pem(key.public_key())
        assert pem.startswith("-----BEGIN PUBLIC KEY-----")
        assert keys.load_public_key_pem(pem) == key.public_key()
        assert keys.load_private_key_pem(keys.private_key_to_pem(key)).public_key() == (
            key.public_key()
        )


def test_jwk_round_trip_and_no_private_material(rsa_key, ed25519_key) -> None:
    rsa_jwk = keys.public_key_to_jwk(rsa_key.public_key(), kid="k1")
    assert rsa_jwk["kty"] == "RSA" and rsa_jwk["kid"] == "k1" and "d" not in rsa_jwk
    assert keys.jwk_to_public_key(rsa_jwk) == rsa_key.public_key()
    ed_jwk = keys.public_key_to_jwk(ed25519_key.public_key())
    assert ed_jwk["crv"] == "Ed25519"
    assert keys.jwk_to_public_key(ed_jwk) == ed25519_key.public_key()
    with pytest.raises(KeyFormatError):
        keys.jwk_to_public_key({**rsa_jwk, "d": "secret"})


def test_multikey_has_ed25519_multicodec_prefix(ed25519_key) -> None:
    value = keys.ed25519_public_key_to_multibase(ed25519_key.public_key())
    assert value.startswith("z6Mk")
    assert multibase_decode(value)[:2] == b"\xed\x01"
    assert keys.multibase_to_ed25519_public_key(value) == ed25519_key.public_key()
    with pytest.raises(KeyFormatError):
        keys.multibase_to_ed25519_public_key("z" + base58btc_encode(b"\x12\x00" + b"1" * 32))


def test_jwk_thumbprint_agrees_with_joserfc(rsa_key, ed25519_key) -> None:
    from joserfc.jwk import OKPKey, RSAKey

    rsa_jwk = keys.public_key_to_jwk(rsa_key.public_key())
    assert keys.jwk_thumbprint(rsa_jwk) == RSAKey.import_key(rsa_jwk).thumbprint()
    ed_jwk = keys.public_key_to_jwk(ed25519_key.public_key())
    assert keys.jwk_thumbprint(ed_jwk) == OKPKey.import_key(ed_jwk).thumbprint()


def test_sealed_key_opens_with_the_right_kek(ed25519_key, rsa_key) -> None:
    kek = keys.new_key_encryption_key()
    for key in (ed25519_key, rsa_key):
        sealed = keys.seal_private_key(key, kek)
        assert sealed.startswith("v1.")
        assert b"PRIVATE" not in sealed.encode()
        assert keys.unseal_private_key(sealed, kek).public_key() == key.public_key()


def test_sealed_key_refuses_the_wrong_kek(ed25519_key) -> None:
    sealed = keys.seal_private_key(ed25519_key, keys.new_key_encryption_key())
    with pytest.raises(SealedKeyError, match="wrong key-encryption key or tampered"):
        keys.unseal_private_key(sealed, keys.new_key_encryption_key())


def test_tampered_sealed_key_is_refused(ed25519_key) -> None:
    kek = b"0123456789abcdef0123456789abcdef"
    sealed = keys.seal_private_key(ed25519_key, kek)
    body = sealed[3:]
    flipped = body[:-5] + ("A" if body[-5] != "A" else "B") + body[-4:]
    with pytest.raises(SealedKeyError):
        keys.unseal_private_key("v1." + flipped, kek)
    with pytest.raises(SealedKeyError):
        keys.unseal_private_key("v2." + body, kek)
    with pytest.raises(SealedKeyError):
        keys.unseal_private_key("v1.abc", kek)


def test_kek_rotation_tries_each_kek(ed25519_key) -> None:
    old, new = keys.new_key_encryption_key(), keys.new_key_encryption_key()
    sealed = keys.seal_private_key(ed25519_key, old)
    opened = keys.unseal_private_key(sealed, [new, old])
    assert opened.public_key() == ed25519_key.public_key()


def test_short_kek_is_refused(ed25519_key) -> None:
    with pytest.raises(SealedKeyError, match="too short"):
        keys.seal_private_key(ed25519_key, "short")
