"""What the awarding entries of the audit trail are called (written by ``issuers.audit``).

Entries name the badge and the object, never the recipient: the trail outlives erasure of a
student's account, so it must hold nothing that identifies them. The staff audit page looks
the recipient up live, as long as the award exists.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

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
    "assertion_delete_by_recipient": _("Badge deleted by its recipient"),
    "assertion_revoke": _("Badge revoked"),
    "assertion_expire": _("Badge expired"),
    "badge_class_create": _("Badge defined"),
    "badge_class_update": _("Badge changed"),
}


def award_summary(award) -> str:
    return f"{award.badge_class} · award {award.public_id}"
