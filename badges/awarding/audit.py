"""The awarding entries of the institution's audit trail (``issuers.AuditEntry``).

Entries name the badge and the object, never the recipient: the trail outlives erasure of a
student's account, so it must hold nothing that identifies them. The staff audit page looks
the recipient up live, as long as the award exists.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from issuers.models import AuditEntry, Institution
from issuers.services import audit_log

ACTION_LABELS = {
    "award_create": _("Badge awarded"),
    "award_schedule": _("Award scheduled"),
    "award_release": _("Scheduled award sent"),
    "award_issue_direct": _("Badge issued directly on award"),
    "award_claim": _("Badge claimed"),
    "award_decline": _("Badge declined"),
    "award_withdraw": _("Award withdrawn"),
    "award_expire": _("Unclaimed award expired"),
    "prerequisites_override": _("Prerequisites overridden"),
    "enrollment_request": _("Enrolment requested"),
    "enrollment_approve": _("Enrolment approved"),
    "enrollment_deny": _("Enrolment denied"),
    "enrollment_withdraw": _("Enrolment request withdrawn"),
    "bulk_award_start": _("Bulk award started"),
    "bulk_award_finish": _("Bulk award finished"),
    "bulk_award_cancel": _("Bulk award cancelled"),
    "assertion_create": _("Badge created, waiting for signature"),
    "assertion_issue": _("Badge signed and issued"),
    "assertion_revoke": _("Badge revoked"),
    "assertion_expire": _("Badge expired"),
    "badge_class_create": _("Badge defined"),
    "badge_class_update": _("Badge changed"),
    "institution_update": _("Institution changed"),
    "faculty_create": _("Faculty created"),
    "faculty_update": _("Faculty changed"),
    "issuer_create": _("Issuer created"),
    "issuer_update": _("Issuer changed"),
    "membership_grant": _("Role granted"),
    "membership_revoke": _("Role removed"),
    "invitation_create": _("Invitation sent"),
    "invitation_accept": _("Invitation accepted"),
}


def label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


def award_summary(award) -> str:
    return f"{award.badge_class} · award {award.public_id}"


def log(*, actor, action: str, obj, institution: Institution, summary: str, data=None) -> None:
    audit_log(
        actor=actor,
        action=action,
        obj=obj,
        institution=institution,
        summary=summary,
        data=data or {},
    )


def log_many(
    *,
    actor,
    action: str,
    objects: Iterable,
    institution: Institution,
    summary,
    data=None,
) -> int:
    """One entry per object in a single INSERT, for batches (bulk awards, expiry runs).
    Call inside the transaction that makes the change. ``summary`` maps an object to text."""
    entries = [
        AuditEntry(
            institution=institution,
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=action,
            object_type=obj._meta.label,
            object_id=str(obj.pk),
            summary=summary(obj),
            data=data or {},
        )
        for obj in objects
    ]
    AuditEntry.objects.bulk_create(entries, batch_size=500)
    return len(entries)
