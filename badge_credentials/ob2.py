"""Open Badges 2.0 documents: Assertion, BadgeClass, Issuer Profile, CryptographicKey and
RevocationList, built as plain JSON-LD dicts from small frozen input dataclasses.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from badge_credentials.contexts import OB_V2
from badge_credentials.dates import iso_datetime
from badge_credentials.errors import InvalidInputError
from badge_credentials.hashing import hash_identity, normalize_identity

RECIPIENT_TYPES = ("email", "url", "telephone", "id")


@dataclass(frozen=True)
class AlignmentInput:
    """An alignment to an external framework (OB 2.0 AlignmentObject / OB 3.0 Alignment).

    ``target_type`` is used by OB 3.0 only (e.g. ``ext:ESCO``, ``CFItem``).
    """

    target_name: str
    target_url: str
    target_description: str | None = None
    target_framework: str | None = None
    target_code: str | None = None
    target_type: str | None = None


@dataclass(frozen=True)
class EvidenceInput:
    """Evidence of an award: a URL (``id``) and/or a ``narrative``; optional name/description."""

    id: str | None = None
    narrative: str | None = None
    name: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class IssuerInput:
    """An OB 2.0 issuer profile. ``public_key_ids`` lists CryptographicKey URLs (all keys
    that verifiers may meet, retired ones included); ``revocation_list`` its list URL;
    ``allowed_origins`` the hosts that may serve its hosted assertions (by default the host
    of ``id``)."""

    id: str
    name: str
    url: str
    email: str | None = None
    description: str | None = None
    image: str | None = None
    public_key_ids: tuple[str, ...] = ()
    revocation_list: str | None = None
    allowed_origins: tuple[str, ...] = ()
    endorsements: tuple[str, ...] = ()


@dataclass(frozen=True)
class BadgeClassInput:
    """An OB 2.0 BadgeClass; ``criteria_url`` is the public criteria page (optional)."""

    id: str
    issuer_id: str
    name: str
    description: str
    image: str
    criteria_narrative: str
    criteria_url: str | None = None
    alignments: tuple[AlignmentInput, ...] = ()
    tags: tuple[str, ...] = ()
    endorsements: tuple[str, ...] = ()


@dataclass(frozen=True)
class EndorsementInput:
    """An OB 2.0 Endorsement: ``issuer_id`` (the endorser's profile) vouches for the
    BadgeClass or Issuer ``claim_id`` with ``comment`` (Markdown)."""

    id: str
    issuer_id: str
    claim_id: str
    comment: str
    issued_on: datetime


@dataclass(frozen=True)
class AssertionInput:
    """An OB 2.0 Assertion for one recipient.

    The recipient's identity is hashed with ``salt``; ``recipient_type`` is ``email`` (the
    identity is normalised to lower case) or ``url``/``telephone``/``id``.
    """

    id: str
    badge_id: str
    recipient_identity: str
    salt: str
    issued_on: datetime
    recipient_type: str = "email"
    evidence: tuple[EvidenceInput, ...] = ()
    narrative: str | None = None
    expires: datetime | None = None
    image: str | None = None


@dataclass(frozen=True)
class RevokedAssertion:
    """One entry of an OB 2.0 RevocationList."""

    id: str
    reason: str = ""


def _drop_empty(document: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in document.items() if value not in (None, [], "")}


def _alignment(alignment: AlignmentInput) -> dict[str, Any]:
    return _drop_empty(
        {
            "targetName": alignment.target_name,
            "targetUrl": alignment.target_url,
            "targetDescription": alignment.target_description,
            "targetFramework": alignment.target_framework,
            "targetCode": alignment.target_code,
        }
    )


def _evidence(evidence: EvidenceInput) -> dict[str, Any]:
    if not evidence.id and not evidence.narrative:
        raise InvalidInputError("evidence needs a URL (id) or a narrative")
    return _drop_empty(
        {
            "type": "Evidence",
            "id": evidence.id,
            "narrative": evidence.narrative,
            "name": evidence.name,
            "description": evidence.description,
        }
    )


def build_recipient(identity: str, salt: str, recipient_type: str = "email") -> dict[str, Any]:
    """Return an OB 2.0 IdentityObject with a salted SHA-256 identity."""
    if recipient_type not in RECIPIENT_TYPES:
        raise InvalidInputError(f"recipient type must be one of {RECIPIENT_TYPES}")
    if not salt:
        raise InvalidInputError("a salt is required for a hashed recipient")
    normalized = normalize_identity(identity, recipient_type)
    return {
        "type": recipient_type,
        "hashed": True,
        "salt": salt,
        "identity": hash_identity(normalized, salt),
    }


def build_assertion(data: AssertionInput, *, signing_key_id: str | None = None) -> dict[str, Any]:
    """Build an OB 2.0 Assertion.

    Without ``signing_key_id`` the verification is ``HostedBadge`` (the assertion must be
    served at its ``id``). With it, ``SignedBadge`` and ``creator`` = that key's URL; sign the
    result with :func:`badge_credentials.jws.sign_badge`.
    """
    if data.expires is not None and data.expires <= data.issued_on:
        raise InvalidInputError("expires must be after issuedOn")
    verification: dict[str, Any] = (
        {"type": "SignedBadge", "creator": signing_key_id}
        if signing_key_id
        else {"type": "HostedBadge"}
    )
    return _drop_empty(
        {
            "@context": OB_V2,
            "type": "Assertion",
            "id": data.id,
            "recipient": build_recipient(data.recipient_identity, data.salt, data.recipient_type),
            "badge": data.badge_id,
            "issuedOn": iso_datetime(data.issued_on),
            "expires": iso_datetime(data.expires) if data.expires else None,
            "verification": verification,
            "image": data.image,
            "narrative": data.narrative,
            "evidence": [_evidence(item) for item in data.evidence],
        }
    )


def build_badge_class(data: BadgeClassInput) -> dict[str, Any]:
    """Build an OB 2.0 BadgeClass."""
    criteria = _drop_empty({"id": data.criteria_url, "narrative": data.criteria_narrative})
    return _drop_empty(
        {
            "@context": OB_V2,
            "type": "BadgeClass",
            "id": data.id,
            "name": data.name,
            "description": data.description,
            "image": data.image,
            "criteria": criteria,
            "issuer": data.issuer_id,
            "alignment": [_alignment(item) for item in data.alignments],
            "tags": list(data.tags),
            "endorsement": list(data.endorsements),
        }
    )


def build_endorsement(
    data: EndorsementInput, *, signing_key_id: str | None = None
) -> dict[str, Any]:
    """Build an OB 2.0 Endorsement, hosted at its ``id`` or, with ``signing_key_id``, to be
    signed with :func:`badge_credentials.jws.sign_badge`."""
    if not data.comment.strip():
        raise InvalidInputError("an endorsement needs a comment")
    verification: dict[str, Any] = (
        {"type": "SignedBadge", "creator": signing_key_id}
        if signing_key_id
        else {"type": "HostedBadge"}
    )
    return {
        "@context": OB_V2,
        "type": "Endorsement",
        "id": data.id,
        "claim": {"id": data.claim_id, "endorsementComment": data.comment},
        "issuer": data.issuer_id,
        "issuedOn": iso_datetime(data.issued_on),
        "verification": verification,
    }


def build_issuer_profile(data: IssuerInput) -> dict[str, Any]:
    """Build an OB 2.0 Issuer profile listing its public keys and revocation list."""
    return _drop_empty(
        {
            "@context": OB_V2,
            "type": "Issuer",
            "id": data.id,
            "name": data.name,
            "url": data.url,
            "email": data.email,
            "description": data.description,
            "image": data.image,
            "publicKey": list(data.public_key_ids),
            "revocationList": data.revocation_list,
            "endorsement": list(data.endorsements),
            "verification": (
                {"type": "VerificationObject", "allowedOrigins": list(data.allowed_origins)}
                if data.allowed_origins
                else None
            ),
        }
    )


def build_cryptographic_key(
    key_id: str,
    owner: str,
    public_key_pem: str,
    *,
    expires: datetime | None = None,
    revoked: bool = False,
) -> dict[str, Any]:
    """Build an OB 2.0 CryptographicKey document.

    ``expires`` (``sec:expiration``) is the end of the key's validity: a retired key
    verifies only badges issued before it. ``revoked=True`` marks a compromised key, whose
    ``expires`` is the moment of compromise; verifiers that cannot compare dates should
    reject everything it signed.
    """
    document: dict[str, Any] = {
        "@context": OB_V2,
        "type": "CryptographicKey",
        "id": key_id,
        "owner": owner,
        "publicKeyPem": public_key_pem,
    }
    if expires is not None:
        document["expires"] = iso_datetime(expires)
    if revoked:
        document["revoked"] = True
    return document


def build_revocation_list(
    list_id: str, issuer_id: str, revoked: Iterable[RevokedAssertion] = ()
) -> dict[str, Any]:
    """Build an OB 2.0 RevocationList; each entry has ``id`` and ``revocationReason``."""
    return {
        "@context": OB_V2,
        "type": "RevocationList",
        "id": list_id,
        "issuer": issuer_id,
        "revokedAssertions": [
            {"id": entry.id, "revocationReason": entry.reason} for entry in revoked
        ],
    }


__all__ = [
    "AlignmentInput",
    "AssertionInput",
    "BadgeClassInput",
    "EndorsementInput",
    "EvidenceInput",
    "IssuerInput",
    "RevokedAssertion",
    "build_assertion",
    "build_badge_class",
    "build_cryptographic_key",
    "build_issuer_profile",
    "build_recipient",
    "build_revocation_list",
]
