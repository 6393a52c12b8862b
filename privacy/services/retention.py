"""Retention, run by Celery beat: nothing personal is kept longer than its purpose needs.

- awards that never became a badge (offered, expired, declined, withdrawn), past the
  statement's retention or ``PRIVACY_UNCLAIMED_AWARD_RETENTION_DAYS`` (through the apps'
  registered ``purge``);
- data exports past their expiry;
- invitations past their expiry plus ``PRIVACY_INVITATION_GRACE_DAYS``.

Each job is idempotent and claims rows with ``select_for_update(skip_locked=True)`` in small
batches, so two beat runs or two workers never fight over the same rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from issuers.audit import audit_log
from issuers.models import Invitation

from .. import registry
from ..models import DataExport, PrivacyAction

BATCH_SIZE = 500
# An export nobody picked up (a lost message) or whose worker died is queued again.
EXPORT_PENDING_GRACE = timedelta(minutes=10)
EXPORT_BUILDING_TIMEOUT = timedelta(minutes=30)


def delete_in_batches(
    queryset: models.QuerySet, *, before_delete: Callable[[list], None] | None = None
) -> int:
    """Delete ``queryset`` batch by batch, each batch claimed with SKIP LOCKED in its own
    transaction. Rows another worker holds are left for the next run."""
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                queryset.select_for_update(skip_locked=True, of=("self",))
                .order_by("pk")
                .values_list("pk", flat=True)[:BATCH_SIZE]
            )
            if not ids:
                return total
            batch = queryset.model.objects.filter(pk__in=ids)
            if before_delete is not None:
                before_delete(list(batch))
            batch.delete()
            total += len(ids)


def _log_purge(kind: str, count: int) -> None:
    if count:
        audit_log(actor=None, action=PrivacyAction.RETENTION_PURGE, data={kind: count})


def retention_purge_awards(*, now: datetime | None = None) -> int:
    """Every app's data past retention (badges: awards that never became a badge)."""
    now = now or timezone.now()
    total = 0
    for handler in registry.handlers():
        if handler.purge is None:
            continue
        count = handler.purge(now)
        with transaction.atomic():
            _log_purge(handler.name, count)
        total += count
    return total


def retention_purge_exports(*, now: datetime | None = None) -> int:
    """Exports past their expiry, and failed ones older than the validity period."""
    now = now or timezone.now()
    validity = timedelta(days=settings.PRIVACY_EXPORT_VALIDITY_DAYS)
    expired = DataExport.objects.filter(
        models.Q(expires_at__lte=now)
        | models.Q(status=DataExport.Status.FAILED, created_at__lte=now - validity)
    )
    count = delete_in_batches(expired)
    with transaction.atomic():
        _log_purge("exports", count)
    return count


def retention_purge_invitations(*, now: datetime | None = None) -> int:
    """Invitations past their expiry plus a grace period, used or not: the role they gave
    is recorded in the membership and the staff audit log."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PRIVACY_INVITATION_GRACE_DAYS)
    count = delete_in_batches(Invitation.objects.filter(expires_at__lte=cutoff))
    with transaction.atomic():
        _log_purge("invitations", count)
    return count


def data_exports_requeue(*, now: datetime | None = None) -> int:
    """Queue again exports that a lost message or a crashed worker left unfinished."""
    from ..tasks import build_data_export

    now = now or timezone.now()
    DataExport.objects.filter(
        status=DataExport.Status.BUILDING, started_at__lte=now - EXPORT_BUILDING_TIMEOUT
    ).update(status=DataExport.Status.PENDING)
    stuck = list(
        DataExport.objects.filter(
            status=DataExport.Status.PENDING, created_at__lte=now - EXPORT_PENDING_GRACE
        ).values_list("pk", flat=True)
    )
    for export_id in stuck:
        build_data_export.delay(export_id)
    return len(stuck)
