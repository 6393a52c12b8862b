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
from django.core.mail import EmailMessage, EmailMultiAlternatives
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


def _queue_after_commit(notification_ids: list[int]) -> None:
    if not notification_ids:
        return
    from .tasks import send_notification, send_notifications

    if len(notification_ids) == 1:
        send_notification.delay_on_commit(notification_ids[0])
    else:
        send_notifications.delay_on_commit(notification_ids)


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
    claimed = Notification.objects.filter(
        pk=notification_id, status=Notification.Status.QUEUED
    ).update(
        status=Notification.Status.SENDING, attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("target_type").get(pk=notification_id)
    # Results are written only while this claim holds: a send the sweep gave up on never
    # overwrites a later one.
    claim = Notification.objects.filter(
        pk=notification_id, status=Notification.Status.SENDING, attempts=notification.attempts
    )
    kind = registry.kind(notification.kind)
    try:
        message = kind.build(notification)
        if message is not None:
            message.send()
    except Exception as error:
        status = (
            Notification.Status.FAILED
            if notification.attempts >= MAX_ATTEMPTS
            else Notification.Status.QUEUED
        )
        given_up = {"message": None} if status == Notification.Status.FAILED else {}
        claim.update(
            status=status,
            last_error=type(error).__name__[:255],
            updated_at=timezone.now(),
            **given_up,
        )
        raise
    with transaction.atomic():
        claim.update(
            status=Notification.Status.SENT if message is not None else Notification.Status.SKIPPED,
            sent_at=timezone.now() if message is not None else None,
            language=notification.language,
            last_error="",
            updated_at=timezone.now(),
        )
        if message is not None and kind.after_sent is not None:
            kind.after_sent(notification)
    return message is not None


def notifications_sweep(*, now=None) -> int:
    """Hand out again what a crashed worker stopped (still ``sending`` after
    ``STUCK_SENDING_AFTER``) and what a lost message left ``queued`` (last queued
    ``RESEND_QUEUED_AFTER`` ago), at once. What it queues it marks (``updated_at``), so the
    next sweep does not queue it again while that message can still arrive."""
    from .tasks import send_notifications

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
    for start in range(0, len(requeue), 500):
        send_notifications.delay_on_commit(requeue[start : start + 500])
    if requeue:
        logger.info("Re-queued %d notifications", len(requeue))
    return len(requeue)
