"""Emails go through an outbox: recorded with the change, sent by a Celery task after commit,
once per event, retried on failure, swept when a message was lost."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from celery.exceptions import Retry
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from badges.awarding import awards, notifications
from badges.awarding.notifications import Kind
from notifications import services as outbox
from notifications import tasks
from notifications.models import Notification

from .factories import AwardFactory

pytestmark = pytest.mark.django_db


def test_nothing_is_sent_when_the_transaction_rolls_back(ready, awarder, mailoutbox):
    # Without the commit, the task is never queued: no email for an award that never was.
    awards.award_create(
        actor=awarder, badge_class=ready["a"]["badge_class"], email="x@student.example"
    )
    assert mailoutbox == []
    assert Notification.objects.get().status == Notification.Status.QUEUED


def test_a_duplicate_message_sends_nothing_twice(ready, awarder, mailoutbox):
    award = awards.award_create(
        actor=awarder, badge_class=ready["a"]["badge_class"], email="x@student.example"
    )
    notification = Notification.objects.get(award=award)
    assert outbox.notification_send(notification_id=notification.pk) is True
    assert outbox.notification_send(notification_id=notification.pk) is False
    tasks.send_notification.delay(notification.pk)
    assert len(mailoutbox) == 1
    # Queueing the same event again records nothing new.
    assert notifications.notification_queue(Kind.AWARD_OFFERED, award=award) is None


def test_a_failed_send_is_retried_by_the_task(ready, awarder, mailoutbox):
    award = awards.award_create(
        actor=awarder, badge_class=ready["a"]["badge_class"], email="x@student.example"
    )
    notification = Notification.objects.get(award=award)
    real_send = EmailMultiAlternatives.send
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("gone")
        return real_send(self, *args, **kwargs)

    with mock.patch.object(EmailMultiAlternatives, "send", flaky):
        # The task asks Celery to retry it (inline, Celery raises Retry instead of waiting).
        with pytest.raises(Retry):
            tasks.send_notification.delay(notification.pk)
        notification.refresh_from_db()
        assert notification.status == Notification.Status.QUEUED
        tasks.send_notification.delay(notification.pk)  # the retry
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SENT
    assert notification.attempts == 2
    assert len(mailoutbox) == 1


def test_a_failure_puts_the_notification_back_and_gives_up_after_the_last_attempt(ready, awarder):
    award = awards.award_create(
        actor=awarder, badge_class=ready["a"]["badge_class"], email="x@student.example"
    )
    notification = Notification.objects.get(award=award)
    with mock.patch.object(
        EmailMultiAlternatives, "send", side_effect=smtplib.SMTPServerDisconnected("gone")
    ):
        with pytest.raises(smtplib.SMTPServerDisconnected):
            outbox.notification_send(notification_id=notification.pk)
        notification.refresh_from_db()
        assert notification.status == Notification.Status.QUEUED
        assert notification.last_error == "SMTPServerDisconnected"
        Notification.objects.filter(pk=notification.pk).update(attempts=outbox.MAX_ATTEMPTS - 1)
        with pytest.raises(smtplib.SMTPServerDisconnected):
            outbox.notification_send(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.status == Notification.Status.FAILED


def test_the_sweep_sends_what_a_lost_message_left_behind(
    ready, awarder, mailoutbox, django_capture_on_commit_callbacks
):
    awards.award_create(
        actor=awarder, badge_class=ready["a"]["badge_class"], email="x@student.example"
    )
    assert outbox.notifications_sweep() == 0  # still fresh: its own task may come
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.notifications_sweep(now=timezone.now() + timedelta(minutes=11)) == 1
    assert len(mailoutbox) == 1
    assert outbox.notifications_sweep(now=timezone.now() + timedelta(minutes=30)) == 0


def test_an_eppn_without_an_account_has_nobody_to_tell(ready, mailoutbox):
    award = AwardFactory(
        badge_class=ready["a"]["badge_class"], recipient_email="", recipient_eppn="s1@a.example"
    )
    notification = notifications.notification_queue(Kind.AWARD_OFFERED, award=award)
    assert outbox.notification_send(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.status == Notification.Status.SKIPPED
    assert mailoutbox == []


def test_the_language_given_with_the_award_is_used_without_an_account(ready, awarder, mailoutbox):
    award = awards.award_create(
        actor=awarder,
        badge_class=ready["a"]["badge_class"],
        email="x@student.example",
        recipient_language="en",
    )
    outbox.notification_send(notification_id=Notification.objects.get(award=award).pk)
    (message,) = mailoutbox
    assert message.subject.startswith("You have been awarded") and " / " not in message.subject
    assert Notification.objects.get(award=award).language == "en"
