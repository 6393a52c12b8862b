"""Emails to recipients of badges, through the outbox (``notifications``).

A service that changes something a recipient must hear about calls ``notification_queue``
inside its transaction: that records a notification (its key makes one event tell once) and
queues its sending after commit. The email is built when it is sent (``build_message``).

The email is in the recipient's language when we know it (their account's preferred
language, or the language given with the award); otherwise in Dutch and English, in one
message. Every email has an HTML and a plain-text part.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from notifications import registry
from notifications import services as outbox
from notifications.models import Notification
from privacy.models import PrivacyStatement

from .. import links
from ..models import Assertion, Award, Enrollment
from .rules import find_user, normalise_email

logger = logging.getLogger(__name__)

LANGUAGES = ("nl", "en")


class Kind(models.TextChoices):
    AWARD_OFFERED = "award_offered", _("Badge offered")
    AWARD_REMINDER = "award_reminder", _("Reminder to claim")
    AWARD_EXPIRED = "award_expired", _("Offer expired")
    AWARD_WITHDRAWN = "award_withdrawn", _("Offer withdrawn")
    BADGE_ISSUED = "badge_issued", _("Badge issued")
    ASSERTION_REVOKED = "assertion_revoked", _("Badge revoked")
    ASSERTION_EXPIRED = "assertion_expired", _("Badge expired")
    ENROLLMENT_APPROVED = "enrollment_approved", _("Enrolment approved")
    ENROLLMENT_DENIED = "enrollment_denied", _("Enrolment denied")


def _key(kind: str, *, award=None, assertion=None, enrollment=None, sequence: int = 0) -> str:
    parts = [
        kind,
        str(getattr(award, "pk", "") or ""),
        str(getattr(assertion, "pk", "") or ""),
        str(getattr(enrollment, "pk", "") or ""),
        str(sequence),
    ]
    return ":".join(parts)


def notification_queue(
    kind: str, *, award=None, assertion=None, enrollment=None, sequence: int = 0
) -> Notification | None:
    """Record that the recipient must be told about ``kind``; sent after commit. Returns
    None when this event was recorded before (nothing is sent twice)."""
    return outbox.notification_queue(
        kind,
        target=enrollment or assertion or award,
        key=_key(kind, award=award, assertion=assertion, enrollment=enrollment, sequence=sequence),
    )


def notifications_queue_many(kind: str, awards: list[Award], *, sequence: int = 0) -> int:
    """``notification_queue`` for many awards at once (bulk awards, reminder and expiry runs):
    one INSERT and one task for the batch."""
    return outbox.notifications_queue_many(
        kind, {_key(kind, award=award, sequence=sequence): award for award in awards}
    )


def notifications_queue_issued(kind: str, assertions: list[Assertion]) -> int:
    """``notification_queue`` about many signed badges at once (one INSERT, one task)."""
    return outbox.notifications_queue_many(
        kind,
        {
            _key(kind, award=assertion.award, assertion=assertion): assertion
            for assertion in assertions
        },
    )


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
    """What an email says about the badge; built once per badge class in a batch of sends."""
    return outbox.batch_memo(
        ("badge_context", badge_class.pk), lambda: _build_badge_context(badge_class)
    )


def _build_badge_context(badge_class) -> dict:
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


def _award_envelope(notification: Notification, award: Award) -> Envelope | None:
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


def _assertion_envelope(notification: Notification, assertion: Assertion) -> Envelope | None:
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


def _enrollment_envelope(notification: Notification, enrollment: Enrollment) -> Envelope | None:
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


_BADGE = "badge_class__issuer__faculty__institution"
_TARGETS = {
    Award: (_award_envelope, (_BADGE, "recipient")),
    Assertion: (_assertion_envelope, (_BADGE, "recipient", "award")),
    Enrollment: (_enrollment_envelope, (_BADGE, "user")),
}


def _envelope(notification: Notification) -> Envelope | None:
    """The envelope for the object the notification is about, loaded with what its email
    needs in one query (None once it is gone: erased or purged meanwhile)."""
    return _envelopes([notification])[notification.pk]


def _envelopes(notifications: list[Notification]) -> dict[int, Envelope | None]:
    """The envelopes of many notifications, their objects loaded in one query per model."""
    by_model: dict[type, list[Notification]] = {}
    for notification in notifications:
        by_model.setdefault(notification.target_type.model_class(), []).append(notification)
    envelopes: dict[int, Envelope | None] = {}
    for model, group in by_model.items():
        envelope, related = _TARGETS[model]
        targets = model.objects.select_related(*related).in_bulk(
            {notification.target_id for notification in group}
        )
        for notification in group:
            target = targets.get(notification.target_id)
            envelopes[notification.pk] = (
                envelope(notification, target) if target is not None else None
            )
    return envelopes


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
    return build_messages([notification])[notification.pk]


def build_messages(notifications: list[Notification]) -> dict[int, EmailMultiAlternatives | None]:
    """The emails of many notifications, by id; what they are about is loaded at once."""
    messages: dict[int, EmailMultiAlternatives | None] = {}
    envelopes = _envelopes(notifications)
    for notification in notifications:
        envelope = envelopes[notification.pk]
        messages[notification.pk] = None
        if envelope is None or not envelope.to:
            continue
        subject, text, html = render_email(notification.kind, envelope.languages, envelope.context)
        message = EmailMultiAlternatives(subject, text, None, [envelope.to])
        message.attach_alternative(html, "text/html")
        notification.language = "+".join(envelope.languages)
        messages[notification.pk] = message
    return messages


def recipient_told(obj) -> list[Notification]:
    """What the recipient was told about an award (and the badge it became), an assertion
    or an enrolment, for staff pages."""
    told = list(obj.notifications.all())
    if isinstance(obj, Award):
        assertion = Assertion.objects.filter(award=obj).first()
        if assertion is not None:
            told.extend(assertion.notifications.all())
    return sorted(told, key=lambda notification: notification.created_at, reverse=True)


def register() -> None:
    """Tell the outbox how the badge emails are built (``AppConfig.ready``)."""
    for kind in Kind:
        registry.register(
            kind.value, label=kind.label, build=build_message, build_many=build_messages
        )
