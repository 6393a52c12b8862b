"""Open Badges 3.0 documents: ``OpenBadgeCredential`` (VC 2.0), issuer ``Profile`` and the
1EdTech revocation list, built as plain JSON-LD dicts from small frozen input dataclasses.

The credential's ``@context`` is the VC 2.0 context, the OB 3.0.3 context and our extension
context (:mod:`badge_credentials.extension`), whose URL the caller passes in.
"""

from collections.abc import Iterable
from typing import Any

from badge_credentials.contexts import OB_V3P0_3_0_3, VC_V2
from badge_credentials.dates import iso_datetime
from badge_credentials.errors import InvalidInputError
from badge_credentials.extension import (
    ECTS_CREDIT_SYSTEM,
    EQF_LEVEL_CONCEPT,
    PARTICIPATION_FORMS,
)
from badge_credentials.hashing import hash_identity, normalize_identity
from badge_credentials.ob2 import AlignmentInput, EvidenceInput
from badge_credentials.ob3_inputs import (
    ACHIEVEMENT_TYPES,
    AchievementInput,
    BadgeType,
    CredentialInput,
    EndorsementCredentialInput,
    IdentifierInput,
    ProfileInput,
    QualityAssuranceInput,
    ResultDescriptionInput,
    ResultInput,
    RevokedCredential,
    StatusListEntryInput,
)
from badge_credentials.status_list import build_status_entry

OB3_SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
REVOCATION_LIST_STATUS_TYPE = "1EdTechRevocationList"


def _drop_empty(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if value not in (None, [], "")}


def _image(url: str | None) -> dict[str, Any] | None:
    return {"id": url, "type": "Image"} if url else None


def build_profile(data: ProfileInput, *, standalone: bool = False) -> dict[str, Any]:
    """Build an OB 3.0 ``Profile``; ``standalone`` adds ``@context`` for publishing it."""
    profile = _drop_empty(
        {
            "id": data.id,
            "type": ["Profile"],
            "name": data.name,
            "url": data.url,
            "email": data.email,
            "description": data.description,
            "image": _image(data.image),
            "address": (
                {
                    "type": ["Address"],
                    "addressCountry": data.country_code,
                    "addressCountryCode": data.country_code,
                }
                if data.country_code
                else None
            ),
            "endorsement": list(data.endorsements),
        }
    )
    if standalone:
        return {"@context": [VC_V2, OB_V3P0_3_0_3], **profile}
    return profile


def _alignment(alignment: AlignmentInput) -> dict[str, Any]:
    return _drop_empty(
        {
            "type": ["Alignment"],
            "targetName": alignment.target_name,
            "targetUrl": alignment.target_url,
            "targetDescription": alignment.target_description,
            "targetFramework": alignment.target_framework,
            "targetCode": alignment.target_code,
            "targetType": alignment.target_type,
        }
    )


def _evidence(evidence: EvidenceInput) -> dict[str, Any]:
    if not evidence.id and not evidence.narrative:
        raise InvalidInputError("evidence needs a URL (id) or a narrative")
    return _drop_empty(
        {
            "id": evidence.id,
            "type": ["Evidence"],
            "narrative": evidence.narrative,
            "name": evidence.name,
            "description": evidence.description,
        }
    )


def _validate_achievement(data: AchievementInput, badge_type: BadgeType) -> None:
    if badge_type is BadgeType.EXTRACURRICULAR and data.ects_credits is not None:
        raise InvalidInputError("an extra-curricular badge must not carry ECTS credits")
    if data.ects_credits is not None and data.ects_credits < 0:
        raise InvalidInputError("ECTS credits cannot be negative")
    if data.eqf_level is not None and not 1 <= data.eqf_level <= 8:
        raise InvalidInputError("the EQF level must be between 1 and 8")
    if data.participation is not None and data.participation not in PARTICIPATION_FORMS:
        raise InvalidInputError(f"participation must be one of {PARTICIPATION_FORMS}")


def _json_number(value: float | int | None) -> float | int | None:
    """Whole numbers as integers: JavaScript reads ``5.0`` as ``5``, and JSON-LD turns a
    whole JavaScript number into an integer literal, so ``5.0`` would canonicalise
    differently in a JavaScript verifier and break the proof."""
    if value is None:
        return None
    number = float(value)
    return int(number) if number.is_integer() else number


def build_achievement(data: AchievementInput) -> dict[str, Any]:
    """Build an OB 3.0 ``Achievement`` with our extension terms."""
    try:
        badge_type = BadgeType(data.badge_type)
    except ValueError:
        raise InvalidInputError(f"unknown badge type {data.badge_type!r}") from None
    _validate_achievement(data, badge_type)
    quality = data.quality_assurance
    return _drop_empty(
        {
            "id": data.id,
            "type": ["Achievement"],
            "achievementType": data.achievement_type or ACHIEVEMENT_TYPES[badge_type],
            "name": data.name,
            "description": data.description,
            "criteria": _drop_empty(
                {"id": data.criteria_url, "narrative": data.criteria_narrative}
            ),
            "image": _image(data.image),
            "creditsAvailable": _json_number(data.ects_credits),
            "creditPoint": (
                {
                    "type": "CreditPoint",
                    "framework": ECTS_CREDIT_SYSTEM,
                    "point": _json_number(data.ects_credits),
                }
                if data.ects_credits is not None
                else None
            ),
            "resultDescription": [
                _drop_empty(
                    {
                        "id": item.id,
                        "type": ["ResultDescription"],
                        "name": item.name,
                        "resultType": item.result_type,
                        "allowedValue": list(item.allowed_values),
                    }
                )
                for item in data.result_descriptions
            ],
            "alignment": [_alignment(item) for item in data.alignments],
            "otherIdentifier": [
                {
                    "type": "IdentifierEntry",
                    "identifier": item.identifier,
                    "identifierType": item.identifier_type,
                }
                for item in data.other_identifiers
            ],
            "inLanguage": data.in_language,
            "tag": list(data.tags),
            "eqfLevel": EQF_LEVEL_CONCEPT.format(level=data.eqf_level)
            if data.eqf_level is not None
            else None,
            "nlqfLevel": data.nlqf_level,
            "participation": data.participation,
            "assessmentType": data.assessment_type,
            "assessmentSupervised": data.assessment_supervised,
            "assessmentIdentityVerified": data.assessment_identity_verified,
            "qualityAssurance": (
                _drop_empty(
                    {
                        "type": "QualityAssurance",
                        "name": quality.name,
                        "url": quality.url,
                        "description": quality.description,
                    }
                )
                if quality
                else None
            ),
            "studyLoadHours": data.study_load_hours,
            "learningOutcomes": list(data.learning_outcomes),
            "endorsement": list(data.endorsements),
        }
    )


def build_identity_object(
    identity: str, salt: str, identity_type: str = "emailAddress"
) -> dict[str, Any]:
    """Return an OB 3.0 ``IdentityObject`` with a salted SHA-256 identity hash."""
    if not salt:
        raise InvalidInputError("a salt is required for a hashed identity")
    return {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": hash_identity(normalize_identity(identity, identity_type), salt),
        "identityType": identity_type,
        "salt": salt,
    }


def _credential_status(data: CredentialInput) -> dict[str, Any] | list[dict[str, Any]] | None:
    statuses = []
    if data.status_list is not None:
        statuses.append(
            build_status_entry(data.status_list.list_credential_url, data.status_list.index)
        )
    if data.status_url:
        statuses.append({"id": data.status_url, "type": REVOCATION_LIST_STATUS_TYPE})
    if not statuses:
        return None
    return statuses[0] if len(statuses) == 1 else statuses


def build_credential(data: CredentialInput) -> dict[str, Any]:
    """Build an unsigned OB 3.0 ``OpenBadgeCredential``.

    Secure it with :func:`badge_credentials.data_integrity.add_proof` and/or
    :func:`badge_credentials.vc_jwt.sign_vc_jwt`.
    """
    if data.valid_until is not None and data.valid_until <= data.valid_from:
        raise InvalidInputError("validUntil must be after validFrom")
    subject = _drop_empty(
        {
            "id": data.subject_id,
            "type": ["AchievementSubject"],
            "identifier": [
                build_identity_object(data.recipient_identity, data.salt, data.identity_type)
            ],
            "achievement": build_achievement(data.achievement),
            "result": [
                _drop_empty(
                    {
                        "type": ["Result"],
                        "value": result.value,
                        "resultDescription": result.result_description_id,
                    }
                )
                for result in data.results
            ],
        }
    )
    credential = _drop_empty(
        {
            "@context": [VC_V2, OB_V3P0_3_0_3, data.extension_context_url],
            "id": data.id,
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": data.name,
            "issuer": build_profile(data.issuer),
            "validFrom": iso_datetime(data.valid_from),
            "validUntil": iso_datetime(data.valid_until) if data.valid_until else None,
            "awardedDate": iso_datetime(data.awarded_date) if data.awarded_date else None,
            "credentialSubject": subject,
            "evidence": [_evidence(item) for item in data.evidence],
            "credentialStatus": _credential_status(data),
            "credentialSchema": (
                [{"id": OB3_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}]
                if data.include_schema
                else None
            ),
        }
    )
    return credential


def build_endorsement_credential(data: EndorsementCredentialInput) -> dict[str, Any]:
    """Build an unsigned OB 3.0 ``EndorsementCredential``; secure it with
    :func:`badge_credentials.data_integrity.add_proof`."""
    if not data.comment.strip():
        raise InvalidInputError("an endorsement needs a comment")
    return _drop_empty(
        {
            "@context": [VC_V2, OB_V3P0_3_0_3, data.extension_context_url],
            "id": data.id,
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "name": data.name,
            "issuer": build_profile(data.issuer),
            "validFrom": iso_datetime(data.valid_from),
            "credentialSubject": {
                "id": data.subject_id,
                "type": ["EndorsementSubject"],
                "endorsementComment": data.comment,
            },
            "credentialStatus": (
                {"id": data.status_url, "type": REVOCATION_LIST_STATUS_TYPE}
                if data.status_url
                else None
            ),
        }
    )


def build_credential_revocation_list(
    list_id: str, issuer_id: str, revoked: Iterable[RevokedCredential] = ()
) -> dict[str, Any]:
    """Build a 1EdTech revocation list (the document a ``1EdTechRevocationList``
    credentialStatus ``id`` points at): ``{id, issuer, revokedCredentials: [{id, revoked,
    revocationReason}]}``."""
    return {
        "id": list_id,
        "issuer": issuer_id,
        "revokedCredentials": [
            _drop_empty({"id": entry.id, "revoked": True, "revocationReason": entry.reason})
            for entry in revoked
        ],
    }


__all__ = [
    "ACHIEVEMENT_TYPES",
    "AchievementInput",
    "BadgeType",
    "CredentialInput",
    "EndorsementCredentialInput",
    "IdentifierInput",
    "ProfileInput",
    "QualityAssuranceInput",
    "ResultDescriptionInput",
    "ResultInput",
    "RevokedCredential",
    "StatusListEntryInput",
    "build_achievement",
    "build_credential",
    "build_credential_revocation_list",
    "build_endorsement_credential",
    "build_identity_object",
    "build_profile",
]
