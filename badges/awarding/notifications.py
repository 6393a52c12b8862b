"""Emails to recipients, through an outbox.

A service that changes something a recipient must hear about calls ``notification_queue``
inside its transaction: that writes a ``Notification`` row (its ``key`` makes one event
tell once) and, after commit, queues the Celery task that sends it. The task claims the row
(QUEUED → SENDING) before it sends, so a duplicate message sends nothing; a failure puts the
row back for the task's retry; ``notifications_sweep`` re-queues what a lost message left.

The email is in the recipient's language when we know it (their account's preferred
language, or the language given with the award); otherwise in Dutch and English, in one
message. Every email has an HTML and a plain-text part.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from privacy.models import PrivacyStatement

from .. import links
from ..models import Assertion, Award, Enrollment, Notification
from .rules import find_user, normalise_email

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
RESEND_QUEUED_AFTER = timedelta(minutes=10)
STUCK_SENDING_AFTER = timedelta(minutes=30)
LANGUAGES = ("nl", "en")

Kind = Notification.Kind


def _key(kind: str, *, award=None, assertion=None, enrollment=None, sequence: int = 0) -> str:
    parts = [
        kind,
        str(getattr(award, "pk", "") or ""),
        str(getattr(assertion, "pk", "") or ""),
        str(getattr(enrollment, "pk", "") or ""),
        str(sequence),
    ]
    return ":".join(parts)


def _queue_after_commit(notification_ids: list[int]) -> None:
    if not notification_ids:
        return
    from ..tasks import send_notification, send_notifications

    if len(notification_ids) == 1:
        transaction.on_commit(lambda: send_notification.delay(notification_ids[0]))
    else:
        transaction.on_commit(lambda: send_notifications.delay(notification_ids))


def notification_queue(
    kind: str, *, award=None, assertion=None, enrollment=None, sequence: int = 0
) -> Notification | None:
    """Record that the recipient must be told about ``kind``; sent after commit. Returns
    None when this event was recorded before (nothing is sent twice)."""
    notification, created = Notification.objects.get_or_create(
        key=_key(kind, award=award, assertion=assertion, enrollment=enrollment, sequence=sequence),
        defaults={
            "kind": kind,
            "award": award,
            "assertion": assertion,
            "enrollment": enrollment,
        },
    )
    if not created:
        return None
    _queue_after_commit([notification.pk])
    return notification


def notifications_queue_many(kind: str, awards: list[Award], *, sequence: int = 0) -> int:
    """``notification_queue`` for many awards at once (bulk awards, reminder and expiry runs):
    one INSERT and one task for the batch."""
    keys = {_key(kind, award=award, sequence=sequence): award for award in awards}
    existing = set(Notification.objects.filter(key__in=keys).values_list("key", flat=True))
    now = timezone.now()
    Notification.objects.bulk_create(
        [
            Notification(key=key, kind=kind, award=award, created_at=now, updated_at=now)
            for key, award in keys.items()
            if key not in existing
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    new_keys = [key for key in keys if key not in existing]
    ids = list(Notification.objects.filter(key__in=new_keys).values_list("pk", flat=True))
    _queue_after_commit(ids)
    return len(ids)


# --- building the email ---------------------------------------------------------------------


@dataclass
class Envelope:
    to: str
    languages: tuple[str, ...]
    context: dict


def _language_of(user, fallback: str = "") -> tuple[str, ...]:
    language = getattr(user, "preferred_language", "") if user is not None else ""
    language = language or fallback
    return (language,) if language in LANGUAGES else LANGUAGES


def _claim_url(award: Award) -> str:
    return links.absolute(reverse("students:claim", args=[award.claim_token]))


def _badge_context(badge_class) -> dict:
    institution = badge_class.issuer.faculty.institution
    return {
        "badge_class": badge_class,
        "issuer": badge_class.issuer,
        "institution": institution,
        "badge_url": links.absolute(reverse("public:badge_class", args=[badge_class.public_id])),
        "statement_url": links.absolute(
            reverse("privacy:statement", args=[institution.pk, badge_class.badge_type])
        ),
        "statement": PrivacyStatement.objects.current_for(institution, badge_class.badge_type),
    }


def _award_envelope(notification: Notification) -> Envelope | None:
    award = notification.award
    if award is None:
        return None
    user = award.recipient
    if user is None:
        user = find_user(email=award.recipient_email, eppn=award.recipient_eppn)
    to = normalise_email(award.recipient_email) or (
        normalise_email(user.email) if user is not None else ""
    )
    if award.recipient_id:
        to = normalise_email(award.recipient.email) or to
    context = {
        **_badge_context(award.badge_class),
        "award": award,
        "recipient_name": award.recipient_name or (user.get_full_name() if user else ""),
        "claim_url": _claim_url(award),
        "my_badges_url": links.absolute(reverse("backpack:list")),
        "reminder_number": notification.key.rsplit(":", 1)[-1],
    }
    assertion = getattr(award, "assertion", None) if award.status == Award.Status.CLAIMED else None
    if assertion is not None:
        context["assertion"] = assertion
        context["assertion_url"] = links.assertion_url(assertion)
    return Envelope(to, _language_of(user, award.recipient_language), context)


def _assertion_envelope(notification: Notification) -> Envelope | None:
    assertion = notification.assertion
    if assertion is None:
        return None
    user = assertion.recipient
    award = assertion.award
    to = ""
    if user is not None:
        to = normalise_email(user.email)
    to = to or normalise_email(assertion.recipient_identity)
    if not to and award is not None:
        to = normalise_email(award.recipient_email)
    language_fallback = award.recipient_language if award is not None else ""
    context = {
        **_badge_context(assertion.badge_class),
        "assertion": assertion,
        "award": award,
        "recipient_name": assertion.recipient_name or (user.get_full_name() if user else ""),
        "assertion_url": links.assertion_url(assertion),
        "my_badges_url": links.absolute(reverse("backpack:list")),
    }
    return Envelope(to, _language_of(user, language_fallback), context)


def _enrollment_envelope(notification: Notification) -> Envelope | None:
    enrollment = notification.enrollment
    if enrollment is None:
        return None
    user = enrollment.user
    award = getattr(enrollment, "award", None)
    context = {
        **_badge_context(enrollment.badge_class),
        "enrollment": enrollment,
        "award": award,
        "recipient_name": user.get_full_name(),
        "my_badges_url": links.absolute(reverse("backpack:list")),
        "enrollments_url": links.absolute(reverse("students:enrollments")),
    }
    if award is not None:
        context["claim_url"] = _claim_url(award)
        assertion = getattr(award, "assertion", None)
        if assertion is not None:
            context["assertion"] = assertion
            context["assertion_url"] = links.assertion_url(assertion)
    return Envelope(normalise_email(user.email), _language_of(user), context)


def _envelope(notification: Notification) -> Envelope | None:
    if notification.kind in (Kind.ENROLLMENT_APPROVED, Kind.ENROLLMENT_DENIED):
        return _enrollment_envelope(notification)
    if notification.assertion_id is not None:
        return _assertion_envelope(notification)
    return _award_envelope(notification)


def render_email(kind: str, languages: tuple[str, ...], context: dict) -> tuple[str, str, str]:
    """(subject, text, html) in ``languages``; with two, Dutch comes first."""
    parts = []
    for language in languages:
        with translation.override(language):
            context = {**context, "language": language}
            parts.append(
                {
                    "language": language,
                    "subject": " ".join(
                        render_to_string(f"emails/{kind}_subject.txt", context).split()
                    ),
                    "text": render_to_string(f"emails/{kind}.txt", context).strip(),
                    "html": render_to_string(f"emails/{kind}.html", context),
                }
            )
    subject = " / ".join(part["subject"] for part in parts)
    text = render_to_string(
        "emails/layout.txt", {"parts": parts, "site_url": settings.SITE_URL}
    ).strip()
    html = render_to_string(
        "emails/layout.html", {"parts": parts, "subject": subject, "site_url": settings.SITE_URL}
    )
    return subject, text + "\n", html


def build_message(notification: Notification) -> EmailMultiAlternatives | None:
    """The email for ``notification``; None when there is nobody to tell (an eppn without
    an account, or personal data erased meanwhile)."""
    envelope = _envelope(notification)
    if envelope is None or not envelope.to:
        return None
    subject, text, html = render_email(notification.kind, envelope.languages, envelope.context)
    message = EmailMultiAlternatives(subject, text, None, [envelope.to])
    message.attach_alternative(html, "text/html")
    notification.language = "+".join(envelope.languages)
    return message


_BADGE = "badge_class__issuer__faculty__institution"


def _load(notification_id: int) -> Notification:
    """The notification with what its email needs, in one query per object (one wide join
    over every kind of object costs more than the email itself)."""
    notification = Notification.objects.get(pk=notification_id)
    if notification.award_id:
        notification.award = (
            Award.objects.select_related(_BADGE, "recipient")
            .filter(pk=notification.award_id)
            .first()
        )
    if notification.assertion_id:
        notification.assertion = (
            Assertion.objects.select_related(_BADGE, "recipient", "award")
            .filter(pk=notification.assertion_id)
            .first()
        )
    if notification.enrollment_id:
        notification.enrollment = (
            Enrollment.objects.select_related(_BADGE, "user")
            .filter(pk=notification.enrollment_id)
            .first()
        )
    return notification


def notification_send(*, notification_id: int) -> bool:
    """Send one notification; False when another worker has it or it was handled before."""
    now = timezone.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=Notification.Status.QUEUED
    ).update(status=Notification.Status.SENDING, attempts=F("attempts") + 1, updated_at=now)
    if not claimed:
        return False
    notification = _load(notification_id)
    try:
        message = build_message(notification)
        if message is not None:
            message.send()
    except Exception as error:
        status = (
            Notification.Status.FAILED
            if notification.attempts >= MAX_ATTEMPTS
            else Notification.Status.QUEUED
        )
        Notification.objects.filter(pk=notification_id, status=Notification.Status.SENDING).update(
            status=status, last_error=type(error).__name__[:255], updated_at=timezone.now()
        )
        raise
    Notification.objects.filter(pk=notification_id).update(
        status=Notification.Status.SENT if message is not None else Notification.Status.SKIPPED,
        sent_at=timezone.now() if message is not None else None,
        language=notification.language,
        last_error="",
        updated_at=timezone.now(),
    )
    return message is not None


def notifications_sweep(*, now=None) -> int:
    """Re-queue notifications a lost message or a crashed worker left behind."""
    from ..tasks import send_notifications

    now = now or timezone.now()
    Notification.objects.filter(
        status=Notification.Status.SENDING, updated_at__lt=now - STUCK_SENDING_AFTER
    ).update(status=Notification.Status.QUEUED, updated_at=now)
    waiting = list(
        Notification.objects.filter(
            status=Notification.Status.QUEUED, updated_at__lt=now - RESEND_QUEUED_AFTER
        ).values_list("pk", flat=True)[:5000]
    )
    for start in range(0, len(waiting), 500):
        send_notifications.delay(waiting[start : start + 500])
    if waiting:
        logger.info("Re-queued %d notifications", len(waiting))
    return len(waiting)


def recipient_told(obj) -> list[Notification]:
    """The notifications about an award, assertion or enrolment, for staff pages."""
    if isinstance(obj, Award):
        return list(obj.notifications.all())
    if isinstance(obj, Assertion):
        return list(obj.notifications.all())
    if isinstance(obj, Enrollment):
        return list(obj.notifications.all())
    return []
