"""Every email goes through the outbox: no app sends mail itself."""

from __future__ import annotations

import re
import smtplib
from pathlib import Path
from unittest import mock

import pytest
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse

from notifications import services, tasks
from notifications.models import Notification
from tests.factories import InstitutionFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "accounts",
    "api",
    "backpack",
    "badges",
    "edubadges",
    "issuers",
    "privacy",
    "public",
    "staff",
    "students",
    "notifications",
]
# Django's sending functions, or a message sent by hand (allauth's emails go through our
# adapter's send_mail, which queues them).
SENDING = re.compile(
    r"from django\.core\.mail import[^\n]*\b(send_mail|send_mass_mail|mail_admins|mail_managers)\b"
    r"|\bmail\.(send_mail|send_mass_mail|mail_admins|mail_managers)\("
    r"|\.send\(\)|\.send_messages\("
)


def test_only_the_outbox_sends_email():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path == ROOT / "notifications" / "services.py" or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if SENDING.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_a_kind_nobody_builds_is_refused_when_queued(db):
    with pytest.raises(LookupError):
        services.notification_queue("no-such-kind", target=InstitutionFactory(), key="x")


def test_account_emails_go_through_the_outbox_once(
    db, client, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(email="reset@example.org")
    real_send = EmailMultiAlternatives.send
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("gone")
        return real_send(self, *args, **kwargs)

    with mock.patch.object(EmailMultiAlternatives, "send", flaky):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("account_reset_password"), {"email": user.email})
        assert response.status_code == 302
        told = Notification.objects.get(kind=services.PREPARED)
        assert told.target == user and told.status == Notification.Status.QUEUED
        assert mailoutbox == []  # the mail server failed; the page did not
        tasks.send_notification.delay(told.pk)  # Celery's retry
        tasks.send_notification.delay(told.pk)  # and a duplicate message
    told.refresh_from_db()
    assert (told.status, told.message) == (Notification.Status.SENT, None)
    assert [message.to for message in mailoutbox] == [["reset@example.org"]]


def test_one_email_that_fails_in_a_batch_holds_up_none_of_the_others(db, mailoutbox):
    users = [UserFactory(email=f"batch{n}@example.org") for n in range(4)]
    told = []
    for user in users:
        message = EmailMultiAlternatives("Hello", "Text", None, [user.email])
        told.append(services.notification_queue_prepared(message, about=user))
    real_send = EmailMultiAlternatives.send

    def refused_for_one(self, *args, **kwargs):
        if self.to == ["batch2@example.org"]:
            raise smtplib.SMTPRecipientsRefused({"batch2@example.org": (550, b"no")})
        return real_send(self, *args, **kwargs)

    ids = [notification.pk for notification in told]
    with (
        mock.patch.object(EmailMultiAlternatives, "send", refused_for_one),
        pytest.raises(smtplib.SMTPRecipientsRefused),
    ):
        tasks.send_notifications(ids)
    statuses = dict(Notification.objects.filter(pk__in=ids).values_list("pk", "status"))
    assert [statuses[pk] for pk in ids] == ["sent", "sent", "queued", "sent"]
    assert sorted(m.to[0] for m in mailoutbox) == [
        "batch0@example.org",
        "batch1@example.org",
        "batch3@example.org",
    ]
    # The task's retry sends only what is still waiting.
    assert tasks.send_notifications(ids) == 1
    assert len(mailoutbox) == 4
    assert Notification.objects.get(pk=ids[2]).last_error == ""


def test_a_batch_of_emails_is_queued_behind_signing_and_single_emails(
    db, django_capture_on_commit_callbacks
):
    users = [UserFactory(email=f"cohort{n}@example.org") for n in range(3)]
    queued = []
    with (
        mock.patch.object(
            tasks.send_notifications,
            "apply_async",
            lambda args, kwargs=None, **options: queued.append((args, options)),
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.notifications_queue_many(
            services.PREPARED, {f"cohort:{user.pk}": user for user in users}
        )
    ((args, options),) = queued
    assert sorted(args[0]) == sorted(Notification.objects.values_list("pk", flat=True))
    # Redis serves priority 0 (the default: signing, a single email) before 9.
    assert options["priority"] == services.BATCH_PRIORITY == 9
