"""Input dataclasses of the OB 3.0 builders (see :mod:`badge_credentials.ob3`)."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from badge_credentials.extension import CONTEXT_V1
from badge_credentials.ob2 import AlignmentInput, EvidenceInput


class BadgeType(StrEnum):
    """The portal's three badge types."""

    DIGITAL_EDUCATION = "digital_education"
    MICROCREDENTIAL = "microcredential"
    EXTRACURRICULAR = "extracurricular"


ACHIEVEMENT_TYPES: dict[BadgeType, str] = {
    BadgeType.DIGITAL_EDUCATION: "Course",
    BadgeType.MICROCREDENTIAL: "MicroCredential",
    BadgeType.EXTRACURRICULAR: "CoCurricular",
}


@dataclass(frozen=True)
class ProfileInput:
    """An OB 3.0 issuer Profile; ``id`` is a ``did:web`` or an https URL; ``country_code``
    (ISO 3166-1 alpha-2) becomes ``address.addressCountry``/``addressCountryCode``."""

    id: str
    name: str
    url: str | None = None
    email: str | None = None
    image: str | None = None
    description: str | None = None
    country_code: str | None = None
    endorsements: tuple[dict, ...] = ()


@dataclass(frozen=True)
class QualityAssuranceInput:
    """The quality assurance framework of a micro-credential (name, url, description)."""

    name: str
    url: str
    description: str | None = None


@dataclass(frozen=True)
class IdentifierInput:
    """An OB 3.0 IdentifierEntry, e.g. a CROHO/CREBO programme code with type ``identifier``
    (or an extension type such as ``ext:CROHO``)."""

    identifier: str
    identifier_type: str = "identifier"


@dataclass(frozen=True)
class ResultDescriptionInput:
    """A possible result of the achievement, e.g. a grade (``result_type`` ``LetterGrade``,
    ``Percent``, ``Status`` …) with optional allowed values."""

    id: str
    name: str
    result_type: str
    allowed_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResultInput:
    """A result the recipient obtained, optionally pointing at a ResultDescription id."""

    value: str
    result_description_id: str | None = None


@dataclass(frozen=True)
class AchievementInput:
    """The badge class as an OB 3.0 Achievement.

    ``achievement_type`` overrides the type derived from ``badge_type`` (e.g.
    ``Certificate`` for digital education). ``ects_credits`` becomes ``creditsAvailable``
    and is refused for extra-curricular badges. The remaining fields are our extension
    terms and are omitted when empty.
    """

    id: str
    badge_type: BadgeType | str
    name: str
    description: str
    criteria_narrative: str
    image: str
    criteria_url: str | None = None
    achievement_type: str | None = None
    ects_credits: float | None = None
    study_load_hours: int | None = None
    eqf_level: int | None = None
    nlqf_level: int | str | None = None
    participation: str | None = None
    assessment_type: str | None = None
    assessment_supervised: bool | None = None
    assessment_identity_verified: bool | None = None
    quality_assurance: QualityAssuranceInput | None = None
    learning_outcomes: tuple[str, ...] = ()
    alignments: tuple[AlignmentInput, ...] = ()
    other_identifiers: tuple[IdentifierInput, ...] = ()
    result_descriptions: tuple[ResultDescriptionInput, ...] = ()
    in_language: str | None = None
    tags: tuple[str, ...] = ()
    endorsements: tuple[dict, ...] = ()


@dataclass(frozen=True)
class EndorsementCredentialInput:
    """An OB 3.0 ``EndorsementCredential``: ``issuer`` vouches for the Achievement or Profile
    ``subject_id`` with ``comment``; ``status_url`` adds a ``1EdTechRevocationList`` status,
    through which a withdrawn endorsement is revoked."""

    id: str
    name: str
    issuer: ProfileInput
    subject_id: str
    comment: str
    valid_from: datetime
    extension_context_url: str = CONTEXT_V1
    status_url: str | None = None


@dataclass(frozen=True)
class CredentialInput:
    """An awarded badge as an OB 3.0 OpenBadgeCredential.

    The recipient is identified by a salted SHA-256 ``IdentityObject`` (``identity_type``
    ``emailAddress``, ``eduPersonPrincipalName``, …); ``subject_id`` (e.g. the student's DID)
    is optional. ``status_url`` adds a ``1EdTechRevocationList`` credentialStatus,
    ``status_list`` a W3C ``BitstringStatusListEntry`` (listed first, for verifiers that look
    at the first status only); with both, ``credentialStatus`` is a list.
    """

    id: str
    name: str
    issuer: ProfileInput
    achievement: AchievementInput
    recipient_identity: str
    salt: str
    valid_from: datetime
    extension_context_url: str = CONTEXT_V1
    identity_type: str = "emailAddress"
    valid_until: datetime | None = None
    awarded_date: datetime | None = None
    subject_id: str | None = None
    evidence: tuple[EvidenceInput, ...] = ()
    results: tuple[ResultInput, ...] = ()
    status_url: str | None = None
    status_list: "StatusListEntryInput | None" = None
    include_schema: bool = True


@dataclass(frozen=True)
class StatusListEntryInput:
    """A credential's bit in a Bitstring Status List: the list credential's URL and index."""

    list_credential_url: str
    index: int


@dataclass(frozen=True)
class RevokedCredential:
    """One entry of a 1EdTech revocation list."""

    id: str
    reason: str = ""
