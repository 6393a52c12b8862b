"""Revoking issued badges (one or many, with a reason) and the end of a badge's validity.

Revocation goes through ``badges.issuing.assertion_revoke``: the public page, the JSON-LD
and the issuer's revocation lists read its status and reason. The recipient is told.

A badge class may give its badges a validity (``expiry_amount``/``expiry_unit``); the
credential carries that date (``expires``/``validUntil``) and the public page shows
"expired" from then on. ``assertions_expire`` tells the recipient once and records it.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from issuers.audit import audit_log

from .. import issuing
from ..models import Assertion
from .notifications import Kind, notification_queue

BATCH_SIZE = 500


@transaction.atomic
def assertions_revoke(*, actor, assertions, reason: str) -> int:
    """Revoke every one of ``assertions`` with ``reason`` and tell each recipient. Badges
    already revoked are left alone. Returns how many were revoked now."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the revocation.")})
    revoked = 0
    for assertion in assertions:
        current = Assertion.objects.select_for_update().get(pk=assertion.pk)
        if current.status == Assertion.Status.REVOKED:
            continue
        revoked_assertion = issuing.assertion_revoke(actor=actor, assertion=current, reason=reason)
        notification_queue(Kind.ASSERTION_REVOKED, assertion=revoked_assertion)
        revoked += 1
    return revoked


def assertions_expire(*, now: datetime | None = None) -> int:
    """Record and tell the recipients of badges whose validity ended. Returns how many."""
    now = now or timezone.now()
    due = Assertion.objects.filter(
        status=Assertion.Status.ISSUED, expires_at__lte=now, expiry_notified_at__isnull=True
    )
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                due.select_for_update(skip_locked=True)
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH_SIZE]
            )
            if not ids:
                return total
            Assertion.objects.filter(pk__in=ids, expiry_notified_at__isnull=True).update(
                expiry_notified_at=now
            )
            for assertion in Assertion.objects.filter(pk__in=ids).select_related(
                "badge_class__issuer__faculty__institution"
            ):
                audit_log(
                    actor=None,
                    action="assertion_expire",
                    obj=assertion,
                    institution=assertion.badge_class.issuer.faculty.institution,
                    summary=f"{assertion.badge_class} #{assertion.public_id}",
                )
                notification_queue(Kind.ASSERTION_EXPIRED, assertion=assertion)
            total += len(ids)
