"""Objection (GDPR art. 21) where the basis is a public task or a legitimate interest: recorded,
and the institution's admins are told by email after commit."""

from __future__ import annotations

import smtplib
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.urls import reverse

from issuers.badge_types import BadgeType
from issuers.models import AuditEntry
from notifications import tasks
from notifications.models import Notification
from privacy import services
from privacy.models import Objection, PrivacyAction
from tests.factories import FacultyFactory, MembershipFactory, UserFactory
from tests.privacy.factories import record

TASK_TYPE = BadgeType.MICROCREDENTIAL  # (e)
INTEREST_TYPE = BadgeType.DIGITAL_EDUCATION  # (f)
CONSENT_TYPE = BadgeType.EXTRACURRICULAR  # (a)


@pytest.fixture(autouse=True)
def _student_read_the_statements(student, campus):
    """The institution holds the student's data: they read its statements of every type."""
    for badge_type in (TASK_TYPE, INTEREST_TYPE, CONSENT_TYPE):
        record(student, campus["statements"][badge_type])


def test_objection_only_against_an_institution_that_holds_the_students_data(
    client, student, other_campus, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(student)
    url = reverse("privacy:object", args=[other_campus["institution"].pk, TASK_TYPE])
    assert client.get(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "Just annoying their admins."})
    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        services.objection_record(
            user=student, institution=other_campus["institution"], badge_type=TASK_TYPE
        )
    assert not Objection.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("badge_type", [TASK_TYPE, INTEREST_TYPE])
def test_objection_is_recorded_where_the_basis_is_public_task_or_legitimate_interest(
    student, campus, badge_type, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        objection = services.objection_record(
            user=student,
            institution=campus["institution"],
            badge_type=badge_type,
            reason="My situation is special.",
        )
    objection.refresh_from_db()
    assert objection.statement == campus["statements"][badge_type]
    assert objection.legal_basis == campus["statements"][badge_type].policy.legal_basis
    assert objection.reason == "My situation is special."
    assert objection.institution_notified_at is not None
    actions = set(AuditEntry.objects.filter(subject=student).values_list("action", flat=True))
    assert actions == {
        PrivacyAction.OBJECTION_MADE,
        PrivacyAction.OBJECTION_NOTIFIED,
    }


def test_objection_is_refused_where_the_basis_is_consent(student, campus):
    with pytest.raises(ValidationError):
        services.objection_record(
            user=student, institution=campus["institution"], badge_type=CONSENT_TYPE
        )
    assert not Objection.objects.exists()


def test_institution_admins_and_only_they_are_emailed_after_commit(
    student, campus, other_campus, mailoutbox, django_capture_on_commit_callbacks
):
    second_admin = UserFactory(email="second-admin@campus.example")
    MembershipFactory(user=second_admin, institution=campus["institution"], role="admin")
    faculty_admin = UserFactory(email="faculty-admin@campus.example")
    MembershipFactory(
        user=faculty_admin,
        faculty=FacultyFactory(institution=campus["institution"]),
        role="admin",
    )
    awarder = UserFactory(email="awarder@campus.example")
    MembershipFactory(user=awarder, institution=campus["institution"], role="awarder")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.objection_record(
            user=student, institution=campus["institution"], badge_type=TASK_TYPE, reason="Why"
        )
    assert mailoutbox == []  # nothing is sent inside the transaction
    for callback in callbacks:
        callback()

    recipients = sorted(address for message in mailoutbox for address in message.to)
    assert recipients == ["admin@campus.example", "second-admin@campus.example"]
    body = mailoutbox[0].body
    assert "Griselda Quackenbush" in body
    assert student.email in body
    assert "Why" in body
    assert reverse("privacy:staff_institution", args=[campus["institution"].pk]) in body


def test_a_retried_notification_sends_no_second_email(
    student, campus, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        objection = services.objection_record(
            user=student, institution=campus["institution"], badge_type=TASK_TYPE
        )
    assert len(mailoutbox) == 1
    told = Notification.objects.get(kind="objection")
    assert tasks.send_notification.delay(told.pk).get() is False
    assert Objection.objects.get(pk=objection.pk).institution_notified_at is not None
    assert len(mailoutbox) == 1


def test_each_admin_is_told_once_when_one_email_fails_and_is_retried(
    student, campus, mailoutbox, django_capture_on_commit_callbacks
):
    MembershipFactory(
        user=UserFactory(email="second-admin@campus.example"),
        institution=campus["institution"],
        role="admin",
    )
    real_send = EmailMessage.send
    failed: list[str] = []

    def second_fails_once(self, *args, **kwargs):
        if self.to == ["second-admin@campus.example"] and not failed:
            failed.append(self.to[0])
            raise smtplib.SMTPServerDisconnected("gone")
        return real_send(self, *args, **kwargs)

    with mock.patch.object(EmailMessage, "send", second_fails_once):
        with django_capture_on_commit_callbacks(execute=True):
            objection = services.objection_record(
                user=student, institution=campus["institution"], badge_type=TASK_TYPE
            )
        told = Notification.objects.filter(kind="objection").order_by("pk")
        assert [n.status for n in told] == [Notification.Status.SENT, Notification.Status.QUEUED]
        tasks.send_notifications.delay([n.pk for n in told])  # Celery retries the batch
        tasks.send_notifications.delay([n.pk for n in told])  # and a duplicate message
    assert sorted(address for message in mailoutbox for address in message.to) == [
        "admin@campus.example",
        "second-admin@campus.example",
    ]
    objection.refresh_from_db()
    assert objection.institution_notified_at is not None
    entry = AuditEntry.objects.get(action=PrivacyAction.OBJECTION_NOTIFIED)
    assert entry.data["recipients"] == 2


def test_objection_page_records_and_tells_the_student(
    client, student, campus, mailoutbox, django_capture_on_commit_callbacks
):
    record(student, campus["statements"][TASK_TYPE])
    client.force_login(student)
    url = reverse("privacy:object", args=[campus["institution"].pk, TASK_TYPE])
    page = client.get(url).content.decode()
    assert "(e) Public task" in page
    assert "article 21" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"reason": "I do not want this."}, follow=True)
    assert "Your objection has been recorded" in response.content.decode()
    assert Objection.objects.get(user=student).reason == "I do not want this."
    assert len(mailoutbox) == 1


def test_objection_page_is_404_where_the_basis_is_consent(client, student, campus):
    client.force_login(student)
    url = reverse("privacy:object", args=[campus["institution"].pk, CONSENT_TYPE])
    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "x"}).status_code == 404
