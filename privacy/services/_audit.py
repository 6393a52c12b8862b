"""The privacy audit log: one entry per consent, acknowledgement, withdrawal, objection,
export and erasure, written inside the transaction of the change it records."""

from __future__ import annotations

from issuers.models import Institution

from ..models import PrivacyAuditEntry, PrivacyStatement


def privacy_log(
    *,
    action: str,
    actor=None,
    subject=None,
    institution: Institution | None = None,
    badge_type: str = "",
    statement: PrivacyStatement | None = None,
    data: dict | None = None,
) -> PrivacyAuditEntry:
    """Record a privacy event. ``data`` holds counts and codes only, never names or
    addresses: who the entry is about is ``subject``, which erasure anonymises."""
    return PrivacyAuditEntry.objects.create(
        action=action,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        subject=subject,
        institution=institution,
        badge_type=badge_type,
        statement=statement,
        data=data or {},
    )
