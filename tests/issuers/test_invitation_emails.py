"""Invitations are emailed through the outbox: once, also when the send is retried."""

from __future__ import annotations

import smtplib
from unittest import mock

import pytest
from django.core.mail import EmailMessage

from issuers import services
from issuers.models import Invitation
from issuers.roles import Role
from notifications import tasks
from notifications.models import Notification
from tests.factories import InstitutionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_an_invitation_is_sent_once_even_when_the_send_is_retried(
    mailoutbox, django_capture_on_commit_callbacks
):
    institution = InstitutionFactory()
    admin = UserFactory(is_superuser=True)
    real_send = EmailMessage.send
    calls = []

    def flaky(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("gone")
        return real_send(self, *args, **kwargs)

    with mock.patch.object(EmailMessage, "send", flaky):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            invitation = services.invitation_create(
                actor=admin, email="New.Admin@Example.org", institution=institution, role=Role.ADMIN
            )
        assert mailoutbox == []  # recorded with the invitation, sent after commit
        notification = Notification.objects.get(kind="invitation")
        assert notification.target == invitation
        queued[0]()  # the first attempt fails; the failure is logged, the invitation stays
        notification.refresh_from_db()
        assert (notification.status, notification.attempts) == (Notification.Status.QUEUED, 1)
        tasks.send_notification.delay(notification.pk)  # Celery's retry
        tasks.send_notification.delay(notification.pk)  # a duplicate message
    notification.refresh_from_db()
    assert (notification.status, notification.attempts) == (Notification.Status.SENT, 2)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new.admin@example.org"]
    assert invitation.token in mailoutbox[0].body


def test_an_invitation_withdrawn_before_sending_is_not_sent(
    mailoutbox, django_capture_on_commit_callbacks
):
    institution = InstitutionFactory()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        invitation = services.invitation_create(
            actor=UserFactory(is_superuser=True), email="x@example.org", institution=institution
        )
    Invitation.objects.filter(pk=invitation.pk).delete()
    assert not Notification.objects.exists()  # its email goes with it
    for callback in queued:
        callback()
    assert mailoutbox == []
