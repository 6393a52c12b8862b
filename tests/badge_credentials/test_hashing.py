import hashlib

from badge_credentials.hashing import hash_identity, identity_matches, new_salt, normalize_identity


def test_hash_is_sha256_of_identity_plus_salt() -> None:
    expected = hashlib.sha256(b"alice@example.nl" + b"pepper").hexdigest()
    assert hash_identity("alice@example.nl", "pepper") == f"sha256${expected}"


def test_emails_are_normalised_before_hashing() -> None:
    assert normalize_identity("  Alice@Example.NL ", "email") == "alice@example.nl"
    assert normalize_identity(" Alice@Example.NL", "emailAddress") == "alice@example.nl"
    assert normalize_identity(" urn:Student:1 ", "id") == "urn:Student:1"


def test_identity_matches_is_case_insensitive_for_email() -> None:
    recorded = hash_identity("alice@example.nl", "s1")
    assert identity_matches("ALICE@example.nl", recorded, "s1")
    assert not identity_matches("bob@example.nl", recorded, "s1")
    assert not identity_matches("alice@example.nl", recorded, "other-salt")


def test_identity_matches_accepts_md5_and_plain_identities() -> None:
    md5 = "md5$" + hashlib.md5(b"alice@example.nl" + b"s").hexdigest()  # noqa: S324
    assert identity_matches("alice@example.nl", md5, "s")
    assert identity_matches("alice@example.nl", "alice@example.nl", None, hashed=False)
    assert not identity_matches("alice@example.nl", "sha1$abc", "s")


def test_salts_are_random_and_long() -> None:
    salts = {new_salt() for _ in range(20)}
    assert len(salts) == 20
    assert all(len(salt) == 32 for salt in salts)
