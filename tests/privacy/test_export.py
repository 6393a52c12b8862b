"""Export: one click, a Celery task builds a zip of all the student's data and badges,
downloadable by that student only and only until it expires."""

from __future__ import annotations

import datetime
import io
import json
import zipfile

import pytest
import time_machine
from django.urls import reverse

from badge_credentials import baking
from issuers.badge_types import BadgeType
from issuers.models import AuditEntry
from notifications.models import Notification
from notifications.tasks import send_notification
from privacy import services
from privacy.models import DataExport, PrivacyAction
from tests.factories import UserFactory
from tests.privacy.factories import (
    AssertionFactory,
    AwardFactory,
    EnrollmentFactory,
    record,
)

NOW = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def exported(student, campus, django_capture_on_commit_callbacks):
    """The student's data, and a finished export of it."""
    badges = campus["badges"]
    record(student, campus["statements"][BadgeType.EXTRACURRICULAR])
    assertion = AssertionFactory(badge_class=badges[BadgeType.EXTRACURRICULAR], recipient=student)
    AwardFactory(badge_class=badges[BadgeType.MICROCREDENTIAL], recipient_email=student.email)
    EnrollmentFactory(badge_class=badges[BadgeType.DIGITAL_EDUCATION], user=student)
    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        export = services.data_export_request(user=student)
    export.refresh_from_db()
    return {"export": export, "assertion": assertion}


def _archive(export: DataExport) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(bytes(DataExport.objects.get(pk=export.pk).content)))


def test_requesting_an_export_builds_a_zip_through_the_task(exported):
    export = exported["export"]
    assert export.status == DataExport.Status.READY
    assert export.ready_at == NOW
    assert export.expires_at == NOW + datetime.timedelta(days=7)
    assert export.size == len(bytes(DataExport.objects.get(pk=export.pk).content))


def test_zip_holds_profile_consents_awards_enrolments_and_assertions_as_json(
    exported, student, campus
):
    data = json.loads(_archive(exported["export"]).read("data.json"))
    assert data["profile"]["email"] == student.email
    assert data["profile"]["first_name"] == "Griselda"
    assert data["profile"]["eppn"] == "gquackenbush7@hogeschool.example"
    assert [consent["kind"] for consent in data["consents"]] == ["consent"]
    assert data["consents"][0]["statement_version"] == 1
    assert [award["status"] for award in data["badges"]["awards"]] == ["offered"]
    assert data["badges"]["awards"][0]["recipient_email"] == student.email
    assert data["badges"]["enrollments"][0]["narrative"] == "Please give me this badge."
    assertion = data["badges"]["assertions"][0]
    assert assertion["id"] == exported["assertion"].public_id
    assert assertion["recipient_name"] == "Griselda Quackenbush"
    assert assertion["badge"]["institution"] == campus["institution"].name


def test_zip_holds_each_badge_as_baked_png_ob2_and_ob3(exported):
    archive = _archive(exported["export"])
    base = f"badges/assertions/{exported['assertion'].public_id}"
    baked = baking.unbake_all(archive.read(f"{base}/badge.png"))
    assert [badge.ob_version for badge in baked] == [2, 3]
    assert json.loads(baked[1].payload)["proof"]["proofValue"] == "z-signature"
    assert baking.unbake(archive.read(f"{base}/badge.svg")).ob_version == 2
    assert baking.unbake(archive.read(f"{base}/ob3-credential.svg")).ob_version == 3
    assert json.loads(archive.read(f"{base}/ob2-assertion.json"))["type"] == "Assertion"
    credential = json.loads(archive.read(f"{base}/ob3-credential.json"))
    assert "OpenBadgeCredential" in credential["type"]
    assert archive.read(f"{base}/ob3-credential.jwt").decode().count(".") == 2
    assert "README.txt" in archive.namelist()


def test_the_student_downloads_the_zip(client, exported, student):
    client.force_login(student)
    with time_machine.travel(NOW + datetime.timedelta(days=1)):
        response = client.get(
            reverse("privacy:export_download", args=[exported["export"].public_id])
        )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert zipfile.ZipFile(io.BytesIO(response.content)).read("data.json")
    assert AuditEntry.objects.filter(
        subject=student, action=PrivacyAction.EXPORT_DOWNLOADED
    ).exists()


def test_another_user_gets_404_for_the_download(client, exported, campus):
    url = reverse("privacy:export_download", args=[exported["export"].public_id])
    for other in (UserFactory(), campus["admin"]):
        client.force_login(other)
        with time_machine.travel(NOW + datetime.timedelta(hours=1)):
            assert client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, exported):
    url = reverse("privacy:export_download", args=[exported["export"].public_id])
    response = client.get(url)
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_the_download_expires(client, exported, student):
    client.force_login(student)
    url = reverse("privacy:export_download", args=[exported["export"].public_id])
    with time_machine.travel(NOW + datetime.timedelta(days=7, seconds=1)):
        assert client.get(url).status_code == 404


def test_student_is_emailed_when_the_export_is_ready(exported, student, mailoutbox):
    assert [message.to for message in mailoutbox] == [[student.email]]
    assert reverse("privacy:overview") in mailoutbox[0].body


def test_export_button_on_the_privacy_page(client, student, django_capture_on_commit_callbacks):
    client.force_login(student)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("privacy:export_request"), follow=True)
    assert "We are collecting your data." in response.content.decode()
    assert "being prepared" in response.content.decode()
    export = DataExport.objects.get(user=student)
    assert export.status == DataExport.Status.READY
    page = client.get(reverse("privacy:overview")).content.decode()
    assert reverse("privacy:export_download", args=[export.public_id]) in page


def test_asking_twice_while_preparing_gives_one_export(student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        first = services.data_export_request(user=student)
        second = services.data_export_request(user=student)
    assert first == second
    assert DataExport.objects.count() == 1


def test_a_duplicated_task_message_builds_once(student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        export = services.data_export_request(user=student)
    assert services.data_export_build(export_id=export.pk) is False
    assert AuditEntry.objects.filter(action=PrivacyAction.EXPORT_READY).count() == 1


def test_a_lost_task_message_is_picked_up_again(student, django_capture_on_commit_callbacks):
    with (
        time_machine.travel(NOW, tick=False),
        django_capture_on_commit_callbacks(execute=False),
    ):
        export = services.data_export_request(user=student)  # the message is never sent
    with time_machine.travel(NOW + datetime.timedelta(minutes=11)):
        assert services.data_exports_requeue() == 1
    export.refresh_from_db()
    assert export.status == DataExport.Status.READY


def test_the_ready_email_goes_through_the_outbox_once(exported, student, mailoutbox):
    told = Notification.objects.get(kind="export_ready")
    assert (told.target, told.status) == (exported["export"], Notification.Status.SENT)
    assert send_notification.delay(told.pk).get() is False  # a duplicate message
    assert [message.to for message in mailoutbox] == [[student.email]]


def test_export_request_is_logged(exported, student):
    actions = list(
        AuditEntry.objects.filter(subject=student).order_by("pk").values_list("action", flat=True)
    )
    assert actions[-2:] == [
        PrivacyAction.EXPORT_REQUESTED,
        PrivacyAction.EXPORT_READY,
    ]
