"""Writing to the outbox and sending from it.

``notification_queue`` (inside the transaction of the change) records that someone must be
told and queues the sending task after commit. ``notification_send`` claims the row
(QUEUED → SENDING) before it sends, so a duplicate or retried task sends nothing twice; a
failure puts the row back for the task's retry; ``notifications_sweep`` re-queues what a lost
message or a crashed worker left behind.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Hashable, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Model, QuerySet
from django.utils import timezone

from . import registry
from .models import Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
SWEEP_LIMIT = 5000
# A sending message not acted on after this (lost, or a broker that was down) is sent again.
RESEND_QUEUED_AFTER = timedelta(minutes=2)
# Sending one email takes seconds (``EMAIL_TIMEOUT`` bounds a slow server); one still
# ``sending`` after this was stopped by a worker that died, and the sweep (every minute)
# hands it out again.
STUCK_SENDING_AFTER = timedelta(seconds=45)


# Batches of emails (a cohort's "badge issued", a reminder run) wait behind the work that is
# queued with the default priority, such as signing badges and single emails: on Redis,
# priority 0 is served first and 9 last.
BATCH_PRIORITY = 9
# Emails sent by one task: what they share is loaded once.
BATCH_SIZE = 500


def _queue_after_commit(notification_ids: list[int]) -> None:
    if not notification_ids:
        return
    from .tasks import send_notification

    if len(notification_ids) == 1:
        send_notification.delay_on_commit(notification_ids[0])
    else:
        _queue_batch_after_commit(notification_ids)


def _queue_batch_after_commit(notification_ids: list[int]) -> None:
    from .tasks import send_notifications

    for start in range(0, len(notification_ids), BATCH_SIZE):
        send_notifications.apply_async_on_commit(
            (notification_ids[start : start + BATCH_SIZE],), priority=BATCH_PRIORITY
        )


def notification_queue(
    kind: str, *, target: Model, key: str, recipient=None, address: str = ""
) -> Notification | None:
    """Record that someone must be told about ``kind`` of ``target``; sent after commit.
    ``key`` names the event: None is returned when it was recorded before (nothing is sent
    twice)."""
    registry.kind(kind)  # fail early on a kind nobody builds
    notification, created = Notification.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "target_type": ContentType.objects.get_for_model(target),
            "target_id": target.pk,
            "recipient": recipient,
            "address": address,
        },
    )
    if not created:
        return None
    _queue_after_commit([notification.pk])
    return notification


PREPARED = "prepared"


def notification_queue_prepared(message: EmailMessage, *, about=None) -> Notification:
    """Record an email written in full when its event happened (a sign-in or confirmation
    link that cannot be made again later); sent after commit like every other. The text is
    dropped once it is sent."""
    alternatives = [
        [content, mimetype] for content, mimetype in getattr(message, "alternatives", [])
    ]
    notification = Notification.objects.create(
        key=f"{PREPARED}:{uuid.uuid4().hex}",
        kind=PREPARED,
        target_type=ContentType.objects.get_for_model(about) if about is not None else None,
        target_id=about.pk if about is not None else None,
        message={
            "subject": str(message.subject),
            "body": message.body,
            "from_email": message.from_email,
            "to": list(message.to),
            "alternatives": alternatives,
        },
    )
    _queue_after_commit([notification.pk])
    return notification


def prepared_message(notification: Notification) -> EmailMultiAlternatives | None:
    stored = notification.message
    if not stored:
        return None
    message = EmailMultiAlternatives(
        stored["subject"], stored["body"], stored["from_email"], stored["to"]
    )
    for content, mimetype in stored["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message


def prepared_message_sent(notification: Notification) -> None:
    Notification.objects.filter(pk=notification.pk).update(message=None)


def notifications_queue_many(kind: str, targets: dict[str, Model]) -> int:
    """``notification_queue`` for many targets at once, keyed by their event keys (bulk
    awards, reminder and expiry runs): one INSERT and one task for the batch."""
    registry.kind(kind)
    existing = set(Notification.objects.filter(key__in=targets).values_list("key", flat=True))
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(
                key=key,
                kind=kind,
                target_type=ContentType.objects.get_for_model(target),
                target_id=target.pk,
                created_at=now,
                updated_at=now,
            )
            for key, target in targets.items()
            if key not in existing
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    new_keys = [key for key in targets if key not in existing]
    ids = list(Notification.objects.filter(key__in=new_keys).values_list("pk", flat=True))
    _queue_after_commit(ids)
    return len(ids)


def notifications_about(target: Model) -> QuerySet[Notification]:
    """What was (or will be) told about ``target``, for staff pages."""
    return Notification.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=target.pk
    )


def notifications_about_any(model: type[Model], ids: Sequence[int]) -> QuerySet[Notification]:
    return Notification.objects.filter(
        target_type=ContentType.objects.get_for_model(model), target_id__in=list(ids)
    )


_batch: ContextVar[dict | None] = ContextVar("outbox_batch", default=None)


@contextmanager
def sending_batch():
    """Send a batch of notifications: what their emails share is built once (see
    :func:`batch_memo`), for as long as the batch is being sent."""
    token = _batch.set({})
    try:
        yield
    finally:
        _batch.reset(token)


def batch_memo(key: Hashable, build: Callable[[], Any]) -> Any:
    """``build()``, once per ``key`` while a batch is sent (the privacy statement of a badge
    type that a thousand "badge issued" emails link to); every time outside a batch."""
    memo = _batch.get()
    if memo is None:
        return build()
    if key not in memo:
        memo[key] = build()
    return memo[key]


def notification_send(*, notification_id: int) -> bool:
    """Send one notification; False when another worker has it or it was handled before."""
    return notifications_send(notification_ids=[notification_id]) == 1


def _claim(notification_ids: Sequence[int]) -> list[Notification]:
    """Claim the waiting ones among ``notification_ids`` (QUEUED → SENDING), counting the
    attempt; rows another worker holds are left to it."""
    now = timezone.now()
    with transaction.atomic():
        waiting = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(notification_ids), status=Notification.Status.QUEUED)
            .values_list("pk", flat=True)
        )
        if not waiting:
            return []
        Notification.objects.filter(pk__in=waiting).update(
            status=Notification.Status.SENDING, attempts=F("attempts") + 1, updated_at=now
        )
    return list(
        Notification.objects.select_related("target_type")
        .filter(pk__in=waiting, status=Notification.Status.SENDING)
        .order_by("pk")
    )


def _build(notifications: list[Notification]) -> dict[int, EmailMessage | None | Exception]:
    """The email of each notification, built per kind (a kind that builds many at once loads
    what they share once); an error stands in for an email that could not be built."""
    messages: dict[int, EmailMessage | None | Exception] = {}
    by_kind: dict[str, list[Notification]] = {}
    for notification in notifications:
        by_kind.setdefault(notification.kind, []).append(notification)
    for name, group in by_kind.items():
        kind = registry.kind(name)
        if kind.build_many is not None:
            try:
                messages.update(kind.build_many(group))
                continue
            except Exception:  # noqa: BLE001 - built one by one below, so one bad row fails alone
                logger.exception("Building %d %s emails at once failed", len(group), name)
        for notification in group:
            try:
                messages[notification.pk] = kind.build(notification)
            except Exception as error:  # noqa: BLE001 - recorded on the row, raised afterwards
                messages[notification.pk] = error
    return messages


def notifications_send(*, notification_ids: Sequence[int]) -> int:
    """Send a batch of notifications: claimed in one statement, their emails built per kind
    and sent over one connection to the mail server, and the outcome written per group of
    rows. A notification whose email cannot be built or sent goes back for a retry (or,
    after ``MAX_ATTEMPTS``, is marked failed) without holding up the others; the first
    error is raised afterwards, so the task is retried and sends only what is still
    waiting. Results are written only while this run's claim holds (status and attempt),
    so a send the sweep gave up on never overwrites a later one. Returns how many were
    sent."""
    notifications = _claim(notification_ids)
    if not notifications:
        return 0
    with sending_batch():
        messages = _build(notifications)
    sent: list[Notification] = []
    nobody: list[Notification] = []
    failed: list[tuple[Notification, Exception]] = []
    connection = None
    try:
        for notification in notifications:
            message = messages.get(notification.pk)
            if isinstance(message, Exception):
                failed.append((notification, message))
                continue
            if message is None:
                nobody.append(notification)
                continue
            try:
                if connection is None:
                    connection = get_connection()
                    connection.open()
                message.connection = connection
                message.send()
            except Exception as error:  # noqa: BLE001 - recorded on the row, raised afterwards
                failed.append((notification, error))
                continue
            sent.append(notification)
    finally:
        if connection is not None:
            connection.close()
    _record_sent(sent, nobody)
    for notification, error in failed:
        _record_failure(notification, error)
    if failed:
        raise failed[0][1]
    return len(sent)


def _held(notifications: list[Notification]) -> QuerySet[Notification]:
    """The rows of ``notifications`` whose claim by this run still holds."""
    rows = Notification.objects.none()
    by_attempt: dict[int, list[int]] = {}
    for notification in notifications:
        by_attempt.setdefault(notification.attempts, []).append(notification.pk)
    for attempts, ids in by_attempt.items():
        rows = rows | Notification.objects.filter(
            pk__in=ids, status=Notification.Status.SENDING, attempts=attempts
        )
    return rows


@transaction.atomic
def _record_sent(sent: list[Notification], nobody: list[Notification]) -> None:
    now = timezone.now()
    for status, group in ((Notification.Status.SENT, sent), (Notification.Status.SKIPPED, nobody)):
        by_language: dict[str, list[Notification]] = {}
        for notification in group:
            by_language.setdefault(notification.language, []).append(notification)
        for language, same in by_language.items():
            _held(same).update(
                status=status,
                sent_at=now if status == Notification.Status.SENT else None,
                language=language,
                last_error="",
                updated_at=now,
            )
    for notification in sent:
        after_sent = registry.kind(notification.kind).after_sent
        if after_sent is not None:
            after_sent(notification)


def _record_failure(notification: Notification, error: Exception) -> None:
    logger.warning("Sending notification %s failed: %s", notification.pk, type(error).__name__)
    status = (
        Notification.Status.FAILED
        if notification.attempts >= MAX_ATTEMPTS
        else Notification.Status.QUEUED
    )
    given_up = {"message": None} if status == Notification.Status.FAILED else {}
    _held([notification]).update(
        status=status,
        last_error=type(error).__name__[:255],
        updated_at=timezone.now(),
        **given_up,
    )


def notifications_sweep(*, now=None) -> int:
    """Hand out again what a crashed worker stopped (still ``sending`` after
    ``STUCK_SENDING_AFTER``) and what a lost message left ``queued`` (last queued
    ``RESEND_QUEUED_AFTER`` ago), at once. What it queues it marks (``updated_at``), so the
    next sweep does not queue it again while that message can still arrive."""
    now = now or timezone.now()
    with transaction.atomic():
        stuck = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Notification.Status.SENDING, updated_at__lt=now - STUCK_SENDING_AFTER)
            .values_list("pk", flat=True)[:SWEEP_LIMIT]
        )
        waiting = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Notification.Status.QUEUED, updated_at__lt=now - RESEND_QUEUED_AFTER)
            .values_list("pk", flat=True)[:SWEEP_LIMIT]
        )
        Notification.objects.filter(pk__in=stuck).update(
            status=Notification.Status.QUEUED, updated_at=now
        )
        Notification.objects.filter(pk__in=waiting).update(updated_at=now)
    requeue = stuck + waiting
    _queue_batch_after_commit(requeue)
    if requeue:
        logger.info("Re-queued %d notifications", len(requeue))
    return len(requeue)
