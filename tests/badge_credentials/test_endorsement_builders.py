"""OB 2.0 Endorsement and OB 3.0 EndorsementCredential builders."""

import pytest
from conftest import BASE_URL, ISSUED_AT, ISSUER_DID

from badge_credentials import data_integrity, ob2, ob3
from badge_credentials.errors import InvalidInputError, SignatureError


def _credential_input(**overrides) -> ob3.EndorsementCredentialInput:
    values = {
        "id": f"{BASE_URL}/endorsements/1/credential",
        "name": "Endorsement of Data analysis by ICT programme",
        "issuer": ob3.ProfileInput(id=ISSUER_DID, name="ICT programme", url=BASE_URL),
        "subject_id": f"{BASE_URL}/badges/data",
        "comment": "A rigorous module.",
        "valid_from": ISSUED_AT,
        "status_url": f"{BASE_URL}/issuers/ict/status",
    }
    return ob3.EndorsementCredentialInput(**(values | overrides))


def test_ob2_endorsement_claims_the_endorsed_thing_with_the_comment() -> None:
    endorsement = ob2.build_endorsement(
        ob2.EndorsementInput(
            id=f"{BASE_URL}/endorsements/1",
            issuer_id=f"{BASE_URL}/issuers/ict",
            claim_id=f"{BASE_URL}/badges/data",
            comment="A rigorous module.",
            issued_on=ISSUED_AT,
        )
    )
    assert endorsement["type"] == "Endorsement"
    assert endorsement["claim"] == {
        "id": f"{BASE_URL}/badges/data",
        "endorsementComment": "A rigorous module.",
    }
    assert endorsement["verification"] == {"type": "HostedBadge"}
    assert endorsement["issuedOn"] == "2025-03-01T12:00:00Z"


def test_an_endorsement_without_a_comment_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        ob3.build_endorsement_credential(_credential_input(comment="  "))


def test_endorsement_credential_is_signed_and_verified_and_tampering_shows(
    ed25519_key, loader
) -> None:
    credential = ob3.build_endorsement_credential(_credential_input())
    assert credential["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert credential["credentialSubject"]["type"] == ["EndorsementSubject"]
    assert credential["credentialStatus"]["type"] == "1EdTechRevocationList"
    signed = data_integrity.add_proof(
        credential, ed25519_key, verification_method=f"{ISSUER_DID}#key-1", loader=loader
    )
    data_integrity.verify_proof(
        signed, key_resolver=lambda _: ed25519_key.public_key(), loader=loader
    )
    forged = {
        **signed,
        "credentialSubject": {**signed["credentialSubject"], "endorsementComment": "Other."},
    }
    with pytest.raises(SignatureError):
        data_integrity.verify_proof(
            forged, key_resolver=lambda _: ed25519_key.public_key(), loader=loader
        )
