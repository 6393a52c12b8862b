from datetime import timedelta

import pytest
from conftest import (
    BASE_URL,
    ISSUED_AT,
    ISSUER_DID,
    RECIPIENT,
    SALT,
    make_achievement,
    make_credential_input,
)

from badge_credentials import ob3
from badge_credentials.errors import InvalidInputError
from badge_credentials.extension import CONTEXT_V1
from badge_credentials.hashing import hash_identity


def test_credential_envelope() -> None:
    credential = ob3.build_credential(make_credential_input())
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://w3id.org/edubadges/ns/v1",
    ]
    assert CONTEXT_V1 == "https://w3id.org/edubadges/ns/v1"
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["validFrom"] == "2025-03-01T12:00:00Z"
    assert credential["awardedDate"] == "2025-03-01T12:00:00Z"
    assert "validUntil" not in credential
    assert credential["credentialStatus"] == {
        "id": f"{BASE_URL}/public/issuers/uni/revocations",
        "type": "1EdTechRevocationList",
    }
    assert credential["issuer"] == {
        "id": ISSUER_DID,
        "type": ["Profile"],
        "name": "Universiteit Voorbeeld",
        "url": "https://www.uni.example.nl",
        "email": "badges@uni.example.nl",
        "description": "A Dutch university",
        "image": {"id": f"{BASE_URL}/media/issuers/uni.png", "type": "Image"},
    }
    assert credential["evidence"] == [
        {"id": f"{BASE_URL}/evidence/1", "type": ["Evidence"], "narrative": "Final project"}
    ]


def test_subject_is_a_salted_hashed_identity() -> None:
    subject = ob3.build_credential(make_credential_input())["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert "id" not in subject
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "hashed": True,
            "identityHash": hash_identity(RECIPIENT.lower(), SALT),
            "identityType": "emailAddress",
            "salt": SALT,
        }
    ]


def test_eppn_identity_type_is_kept() -> None:
    credential = ob3.build_credential(
        make_credential_input(
            recipient_identity="s123@uni.nl", identity_type="eduPersonPrincipalName"
        )
    )
    assert credential["credentialSubject"]["identifier"][0]["identityType"] == (
        "eduPersonPrincipalName"
    )


def test_microcredential_achievement_carries_all_eu_elements() -> None:
    achievement = ob3.build_achievement(make_achievement("microcredential"))
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["creditsAvailable"] == 5.0
    assert achievement["creditPoint"] == {
        "type": "CreditPoint",
        "framework": "http://data.europa.eu/snb/education-credit/6fcec5c5af",
        "point": 5,
    }
    assert achievement["eqfLevel"] == "http://data.europa.eu/snb/eqf/6"
    assert achievement["nlqfLevel"] == 6
    assert achievement["participation"] == "blended"
    assert achievement["assessmentType"] == "written exam"
    assert achievement["assessmentSupervised"] is True
    assert achievement["assessmentIdentityVerified"] is True
    assert achievement["qualityAssurance"] == {
        "type": "QualityAssurance",
        "name": "NVAO",
        "url": "https://www.nvao.net",
        "description": "Accredited programme",
    }
    assert achievement["studyLoadHours"] == 140
    assert achievement["learningOutcomes"] == ["Clean a data set", "Fit a linear model"]
    assert achievement["criteria"] == {
        "id": f"{BASE_URL}/public/badges/42#criteria",
        "narrative": "Pass the final assessment.",
    }
    assert achievement["image"] == {"id": f"{BASE_URL}/media/badges/42.png", "type": "Image"}
    assert achievement["alignment"] == [
        {
            "type": ["Alignment"],
            "targetName": "Data analysis",
            "targetUrl": "https://esco.ec.europa.eu/skill/123",
            "targetFramework": "ESCO",
            "targetCode": "S1.2.3",
            "targetType": "ext:ESCO",
        }
    ]
    assert achievement["tag"] == ["data", "python"]
    assert achievement["inLanguage"] == "en"


def test_digital_education_is_a_course_with_programme_identifier() -> None:
    achievement = ob3.build_achievement(make_achievement("digital_education"))
    assert achievement["achievementType"] == "Course"
    assert achievement["creditsAvailable"] == 3.0
    assert achievement["otherIdentifier"] == [
        {"type": "IdentifierEntry", "identifier": "34479", "identifierType": "identifier"}
    ]
    certificate = ob3.build_achievement(
        make_achievement("digital_education", achievement_type="Certificate")
    )
    assert certificate["achievementType"] == "Certificate"


def test_extracurricular_is_cocurricular_without_credits() -> None:
    achievement = ob3.build_achievement(make_achievement("extracurricular"))
    assert achievement["achievementType"] == "CoCurricular"
    assert "creditsAvailable" not in achievement
    assert "creditPoint" not in achievement
    assert "eqfLevel" not in achievement
    with pytest.raises(InvalidInputError, match="must not carry ECTS"):
        ob3.build_achievement(make_achievement("extracurricular", ects_credits=1.0))


def test_invalid_achievements_are_refused() -> None:
    with pytest.raises(InvalidInputError):
        ob3.build_achievement(make_achievement(badge_type="hobby"))
    with pytest.raises(InvalidInputError):
        ob3.build_achievement(make_achievement(eqf_level=9))
    with pytest.raises(InvalidInputError):
        ob3.build_achievement(make_achievement(participation="by post"))
    with pytest.raises(InvalidInputError):
        ob3.build_credential(make_credential_input(valid_until=ISSUED_AT - timedelta(days=1)))


def test_results_and_validity_end() -> None:
    achievement = make_achievement(
        result_descriptions=(
            ob3.ResultDescriptionInput(
                id=f"{BASE_URL}/badges/42#grade",
                name="Grade",
                result_type="LetterGrade",
                allowed_values=("A", "B"),
            ),
        )
    )
    credential = ob3.build_credential(
        make_credential_input(
            achievement=achievement,
            results=(ob3.ResultInput("A", f"{BASE_URL}/badges/42#grade"),),
            valid_until=ISSUED_AT + timedelta(days=30),
            status_url=None,
        )
    )
    assert credential["validUntil"] == "2025-03-31T12:00:00Z"
    assert "credentialStatus" not in credential
    assert credential["credentialSubject"]["result"] == [
        {"type": ["Result"], "value": "A", "resultDescription": f"{BASE_URL}/badges/42#grade"}
    ]
    description = credential["credentialSubject"]["achievement"]["resultDescription"][0]
    assert description["resultType"] == "LetterGrade"
    assert description["allowedValue"] == ["A", "B"]


def test_standalone_profile_and_revocation_list() -> None:
    profile = ob3.build_profile(ob3.ProfileInput(id=ISSUER_DID, name="Uni"), standalone=True)
    assert profile["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert profile["type"] == ["Profile"]
    revocations = ob3.build_credential_revocation_list(
        f"{BASE_URL}/revocations", ISSUER_DID, [ob3.RevokedCredential("urn:a", "fraud")]
    )
    assert revocations == {
        "id": f"{BASE_URL}/revocations",
        "issuer": ISSUER_DID,
        "revokedCredentials": [{"id": "urn:a", "revoked": True, "revocationReason": "fraud"}],
    }


def test_the_issuer_profile_names_its_country() -> None:
    credential = ob3.build_credential(
        make_credential_input(
            issuer=ob3.ProfileInput(id="did:web:uni.example.nl", name="Uni", country_code="NL")
        )
    )
    assert credential["issuer"]["address"] == {
        "type": ["Address"],
        "addressCountry": "NL",
        "addressCountryCode": "NL",
    }
