from datetime import timedelta

import pytest
from conftest import BASE_URL, ISSUED_AT, RECIPIENT, SALT

from badge_credentials import keys, ob2
from badge_credentials.errors import InvalidInputError
from badge_credentials.hashing import hash_identity


def _assertion_input(**overrides) -> ob2.AssertionInput:
    values = {
        "id": f"{BASE_URL}/public/assertions/1",
        "badge_id": f"{BASE_URL}/public/badges/42",
        "recipient_identity": RECIPIENT,
        "salt": SALT,
        "issued_on": ISSUED_AT,
        "narrative": "Did great work",
        "evidence": (ob2.EvidenceInput(id="https://example.org/work", narrative="A project"),),
        "expires": ISSUED_AT + timedelta(days=365),
        "image": f"{BASE_URL}/public/assertions/1/image",
    }
    values.update(overrides)
    return ob2.AssertionInput(**values)


def test_hosted_assertion_has_hashed_recipient_and_hosted_verification() -> None:
    assertion = ob2.build_assertion(_assertion_input())
    assert assertion["@context"] == "https://w3id.org/openbadges/v2"
    assert assertion["type"] == "Assertion"
    assert assertion["recipient"] == {
        "type": "email",
        "hashed": True,
        "salt": SALT,
        "identity": hash_identity(RECIPIENT.lower(), SALT),
    }
    assert assertion["verification"] == {"type": "HostedBadge"}
    assert assertion["issuedOn"] == "2025-03-01T12:00:00Z"
    assert assertion["expires"] == "2026-03-01T12:00:00Z"
    assert assertion["evidence"] == [
        {"type": "Evidence", "id": "https://example.org/work", "narrative": "A project"}
    ]
    assert assertion["narrative"] == "Did great work"
    assert RECIPIENT.lower() not in str(assertion)


def test_signed_assertion_names_its_key() -> None:
    assertion = ob2.build_assertion(_assertion_input(), signing_key_id=f"{BASE_URL}/keys/1")
    assert assertion["verification"] == {"type": "SignedBadge", "creator": f"{BASE_URL}/keys/1"}


def test_url_recipient_is_not_lower_cased() -> None:
    assertion = ob2.build_assertion(
        _assertion_input(recipient_identity="https://Example.org/Me", recipient_type="url")
    )
    assert assertion["recipient"]["type"] == "url"
    assert assertion["recipient"]["identity"] == hash_identity("https://Example.org/Me", SALT)


def test_invalid_assertions_are_refused() -> None:
    with pytest.raises(InvalidInputError):
        ob2.build_assertion(_assertion_input(expires=ISSUED_AT))
    with pytest.raises(InvalidInputError):
        ob2.build_assertion(_assertion_input(recipient_type="fax"))
    with pytest.raises(InvalidInputError):
        ob2.build_assertion(_assertion_input(salt=""))
    with pytest.raises(InvalidInputError):
        ob2.build_assertion(_assertion_input(evidence=(ob2.EvidenceInput(),)))


def test_badge_class_fields() -> None:
    badge = ob2.build_badge_class(
        ob2.BadgeClassInput(
            id=f"{BASE_URL}/public/badges/42",
            issuer_id=f"{BASE_URL}/public/issuers/uni",
            name="Data Science",
            description="Foundations",
            image=f"{BASE_URL}/media/42.png",
            criteria_narrative="Pass the exam",
            criteria_url=f"{BASE_URL}/public/badges/42#criteria",
            alignments=(
                ob2.AlignmentInput("Data analysis", "https://esco.example/1", target_code="S1"),
            ),
            tags=("data",),
        )
    )
    assert badge["type"] == "BadgeClass"
    assert badge["criteria"] == {
        "id": f"{BASE_URL}/public/badges/42#criteria",
        "narrative": "Pass the exam",
    }
    assert badge["alignment"] == [
        {"targetName": "Data analysis", "targetUrl": "https://esco.example/1", "targetCode": "S1"}
    ]
    assert badge["tags"] == ["data"]
    assert badge["issuer"] == f"{BASE_URL}/public/issuers/uni"


def test_issuer_profile_lists_keys_and_revocation_list() -> None:
    profile = ob2.build_issuer_profile(
        ob2.IssuerInput(
            id=f"{BASE_URL}/public/issuers/uni",
            name="Uni",
            url="https://uni.example.nl",
            email="badges@uni.example.nl",
            description="University",
            image=f"{BASE_URL}/media/uni.png",
            public_key_ids=(f"{BASE_URL}/keys/1", f"{BASE_URL}/keys/0"),
            revocation_list=f"{BASE_URL}/public/issuers/uni/revocations",
        )
    )
    assert profile["type"] == "Issuer"
    assert profile["publicKey"] == [f"{BASE_URL}/keys/1", f"{BASE_URL}/keys/0"]
    assert profile["revocationList"] == f"{BASE_URL}/public/issuers/uni/revocations"
    assert "verification" not in profile


def test_cryptographic_key_and_revocation_list(rsa_key) -> None:
    pem = keys.public_key_to_pem(rsa_key.public_key())
    key = ob2.build_cryptographic_key(f"{BASE_URL}/keys/1", f"{BASE_URL}/issuers/uni", pem)
    assert key["type"] == "CryptographicKey"
    assert key["owner"] == f"{BASE_URL}/issuers/uni"
    assert key["publicKeyPem"] == pem
    assert "revoked" not in key
    assert ob2.build_cryptographic_key("k", "o", pem, revoked=True)["revoked"] is True
    revocations = ob2.build_revocation_list(
        f"{BASE_URL}/revocations", f"{BASE_URL}/issuers/uni", [ob2.RevokedAssertion("a1", "fraud")]
    )
    assert revocations["type"] == "RevocationList"
    assert revocations["revokedAssertions"] == [{"id": "a1", "revocationReason": "fraud"}]
