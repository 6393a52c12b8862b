"""Processing a started bulk award: the awards are created batch by batch, each batch one
transaction that marks its lines, so a crashed or repeated run resumes where it stopped and
never awards a line twice; a sweep queues again what a lost message left waiting, and a
purge removes the lines of old uploads."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from edubadges.bulk import update_columns
from issuers.audit import audit_log

from ...models import Award, BadgeClass, BulkAward, BulkAwardRow
from .. import audit
from ..awards import (
    awards_issue_prepared,
    awards_prepare_direct,
    issues_directly,
    offer_expiry,
)
from ..notifications import Kind, notifications_queue_many
from ..rules import held_assertions, identities, open_awards

logger = logging.getLogger(__name__)

# A running upload records every batch (a few seconds each); one without a batch for this
# long was stopped by a worker that died. The sweep runs every minute.
STALE_AFTER = timedelta(seconds=45)
# A processing message not acted on after this (lost, or a broker that was down) is sent again.
REQUEUE_AFTER = timedelta(minutes=2)


def bulk_award_process(*, bulk_id: int) -> bool:
    """Create the awards of a started upload, batch by batch. Returns False when another
    worker has it or it is not waiting."""
    claimed = BulkAward.objects.filter(pk=bulk_id, status=BulkAward.Status.QUEUED).update(
        status=BulkAward.Status.PROCESSING,
        started_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if not claimed:
        return False
    try:
        while _process_batch(bulk_id):
            pass
    except OperationalError:
        # A passing database problem: queue it again and let the task retry.
        BulkAward.objects.filter(pk=bulk_id, status=BulkAward.Status.PROCESSING).update(
            status=BulkAward.Status.QUEUED, updated_at=timezone.now()
        )
        raise
    except Exception:
        logger.exception("Bulk award %s failed", bulk_id)
        bulk = BulkAward.objects.get(pk=bulk_id)
        BulkAward.objects.filter(pk=bulk_id, status=BulkAward.Status.PROCESSING).update(
            status=BulkAward.Status.FAILED,
            failure=_("An unexpected error stopped the processing after %(count)s lines.")
            % {"count": bulk.processed_rows},
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        raise
    with transaction.atomic():
        finished = BulkAward.objects.filter(pk=bulk_id, status=BulkAward.Status.PROCESSING).update(
            status=BulkAward.Status.DONE, finished_at=timezone.now(), updated_at=timezone.now()
        )
        if finished:
            bulk = BulkAward.objects.select_related(
                "badge_class__issuer__faculty__institution"
            ).get(pk=bulk_id)
            audit_log(
                actor=None,
                action="bulk_award_finish",
                obj=bulk,
                institution=bulk.badge_class.issuer.faculty.institution,
                summary=f"{bulk.badge_class} · {bulk.filename}",
                data={"awarded": bulk.created_awards, "skipped": bulk.skipped_rows},
            )
    return True


def _process_batch(bulk_id: int) -> bool:
    """Award the next batch of lines; False when nothing is left (or it was cancelled)."""
    with transaction.atomic():
        bulk = (
            BulkAward.objects.select_for_update(of=("self",))
            .select_related("badge_class__issuer__faculty__institution", "created_by")
            .get(pk=bulk_id)
        )
        if bulk.status != BulkAward.Status.PROCESSING:
            return False
        rows = list(
            bulk.rows.filter(status=BulkAwardRow.Status.VALID).order_by("line")[
                : settings.BULK_AWARD_BATCH_SIZE
            ]
        )
        if not rows:
            return False
        created, skipped = _award_rows(bulk, rows)
        BulkAward.objects.filter(pk=bulk_id).update(
            processed_rows=F("processed_rows") + len(rows),
            created_awards=F("created_awards") + created,
            skipped_rows=F("skipped_rows") + skipped,
            updated_at=timezone.now(),
        )
    return True


def _award_rows(bulk: BulkAward, rows: list[BulkAwardRow]) -> tuple[int, int]:
    badge_class = bulk.badge_class
    institution = badge_class.issuer.faculty.institution
    # Serialises with single awards of this badge, as award_create does.
    BadgeClass.objects.select_for_update().filter(pk=badge_class.pk).first()
    keys_by_row = {row.pk: {key for key in (row.email, row.eppn) if key} for row in rows}
    all_keys = set().union(*keys_by_row.values())
    users = (
        get_user_model()
        .objects.filter(Q(email__in=all_keys) | Q(eppn__in=all_keys))
        .values_list("email", "eppn")
    )
    for email, eppn in users:
        email, eppn = (email or "").lower(), (eppn or "").lower()
        for keys in keys_by_row.values():
            if email in keys or (eppn and eppn in keys):
                keys.update(key for key in (email, eppn) if key)
    all_keys = set().union(*keys_by_row.values())
    holders = identities(
        held_assertions(badge_class)
        .filter(
            Q(recipient_identity__in=all_keys)
            | Q(recipient__email__in=all_keys)
            | Q(recipient__eppn__in=all_keys)
        )
        .values_list("recipient_identity", "recipient__email", "recipient__eppn")
    )
    offered = identities(
        open_awards(badge_class)
        .filter(
            Q(recipient_email__in=all_keys)
            | Q(recipient_eppn__in=all_keys)
            | Q(recipient__email__in=all_keys)
        )
        .values_list("recipient_email", "recipient_eppn", "recipient__email", "recipient__eppn")
    )
    now = timezone.now()
    scheduled = bulk.scheduled_for is not None and bulk.scheduled_for > now
    awards: list[Award] = []
    awarded_rows: list[BulkAwardRow] = []
    skipped = 0
    for row in rows:
        keys = keys_by_row[row.pk]
        if keys & holders or keys & offered:
            # Awarded by someone else since the preview.
            row.status = BulkAwardRow.Status.SKIPPED
            row.errors = [{"code": "already_holds" if keys & holders else "already_offered"}]
            skipped += 1
            continue
        award = Award(
            badge_class=badge_class,
            recipient_email=row.email,
            recipient_eppn=row.eppn,
            recipient_name=row.name,
            narrative=row.narrative or bulk.narrative,
            evidence_url=row.evidence_url,
            grade=row.grade,
            recipient_language=row.language if row.language in ("nl", "en") else "",
            created_by=bulk.created_by,
            created_at=now,
            bulk_award=bulk,
            prerequisites_overridden=row.prerequisites_overridden,
            override_reason=bulk.override_reason if row.prerequisites_overridden else "",
        )
        if scheduled:
            award.status = Award.Status.SCHEDULED
            award.scheduled_for = bulk.scheduled_for
        else:
            award.status = Award.Status.OFFERED
            award.offered_at = now
            award.expires_at = offer_expiry(now)
        awards.append(award)
        awarded_rows.append(row)
        offered.update(keys)  # two lines of one batch never both award
    direct = (
        awards_prepare_direct(awards)
        if awards and not scheduled and issues_directly(badge_class)
        else None
    )
    Award.objects.bulk_create(awards, batch_size=500)
    if awards and awards[0].pk is None:  # databases that return no keys from a bulk insert
        by_token = dict(
            Award.objects.filter(claim_token__in=[a.claim_token for a in awards]).values_list(
                "claim_token", "pk"
            )
        )
        for award in awards:
            award.pk = by_token[award.claim_token]
    for row, award in zip(awarded_rows, awards, strict=True):
        row.status = BulkAwardRow.Status.CREATED
        row.award = award
    update_columns(
        BulkAwardRow,
        ["status", "award"],
        {row.pk: (row.status, row.award_id) for row in awarded_rows},
    )
    skipped_rows = [row for row in rows if row.status == BulkAwardRow.Status.SKIPPED]
    BulkAwardRow.objects.bulk_update(skipped_rows, ["status", "errors"], batch_size=500)
    actor = bulk.created_by
    audit_log(
        actor=actor,
        action="award_schedule" if scheduled else "award_create",
        objects=awards,
        institution=institution,
        summary=audit.award_summary,
        data={"bulk_award": str(bulk.public_id)},
    )
    overridden = [award for award in awards if award.prerequisites_overridden]
    if overridden:
        audit_log(
            actor=actor,
            action="prerequisites_override",
            objects=overridden,
            institution=institution,
            summary=audit.award_summary,
            data={"bulk_award": str(bulk.public_id), "reason": bulk.override_reason},
        )
    if direct is not None:
        awards_issue_prepared(plan=direct, badge_class=badge_class, actor=actor)
    elif not scheduled and awards:
        notifications_queue_many(Kind.AWARD_OFFERED, awards)
    return len(awards), skipped


def bulk_awards_sweep(*, now: datetime | None = None) -> int:
    """Queue again uploads that a crashed worker stopped (``processing`` with no batch done
    for ``STALE_AFTER``: a running upload records every batch) or that a lost message left
    ``queued`` (last queued ``REQUEUE_AFTER`` ago), at once. What it queues it marks
    (``updated_at``), so the next sweep does not queue it again while that message can still
    arrive; a second processor of one upload would only wait for the first (batches take a
    row lock and award only lines still to do)."""
    now = now or timezone.now()
    with transaction.atomic():
        stopped = list(
            BulkAward.objects.select_for_update(skip_locked=True)
            .filter(status=BulkAward.Status.PROCESSING, updated_at__lt=now - STALE_AFTER)
            .values_list("pk", flat=True)
        )
        waiting = list(
            BulkAward.objects.select_for_update(skip_locked=True)
            .filter(status=BulkAward.Status.QUEUED, updated_at__lt=now - REQUEUE_AFTER)
            .values_list("pk", flat=True)
        )
        BulkAward.objects.filter(pk__in=stopped + waiting).update(
            status=BulkAward.Status.QUEUED, updated_at=now
        )
    from ...tasks import process_bulk_award

    for bulk_id in stopped + waiting:
        process_bulk_award.delay_on_commit(bulk_id)
    return len(stopped) + len(waiting)


def bulk_awards_purge(*, now: datetime | None = None) -> int:
    """Remove the lines (names and addresses) of uploads finished or abandoned longer than
    ``BULK_AWARD_RETENTION_DAYS`` ago; the upload's counts stay. Returns the lines removed."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.BULK_AWARD_RETENTION_DAYS)
    finished = BulkAward.objects.filter(
        status__in=(BulkAward.Status.DONE, BulkAward.Status.FAILED, BulkAward.Status.CANCELLED),
        updated_at__lt=cutoff,
    )
    abandoned = BulkAward.objects.filter(
        status__in=(BulkAward.Status.UPLOADED, BulkAward.Status.PREVIEW), updated_at__lt=cutoff
    )
    removed = 0
    while True:
        with transaction.atomic():
            ids = list(
                BulkAwardRow.objects.filter(
                    Q(bulk_award__in=finished) | Q(bulk_award__in=abandoned)
                ).values_list("pk", flat=True)[:2000]
            )
            if not ids:
                break
            removed += BulkAwardRow.objects.filter(pk__in=ids).delete()[0]
    abandoned.update(status=BulkAward.Status.CANCELLED, source="", finished_at=now)
    return removed
