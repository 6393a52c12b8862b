"""The student's own pages and data: awards shown only to their owner, evidence files,
and bulk-upload lines handled by privacy's export, erasure and withdrawal."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from badges.awarding import awards, bulk
from badges.models import BulkAward, BulkAwardRow
from issuers.roles import Role
from privacy import registry
from tests.factories import UserFactory

from .factories import AwardFactory, make_issuable

pytestmark = pytest.mark.django_db


def test_offers_to_an_address_show_only_once_the_account_proved_it_owns_it(client, ready):
    student = UserFactory(email="unproven@student.example", verified=False)
    award = AwardFactory(badge_class=ready["a"]["badge_class"], recipient_email=student.email)
    client.force_login(student)
    claim_url = reverse("students:claim", args=[award.claim_token])
    # Anyone can register any address: without verification the claim link stays secret.
    assert claim_url not in client.get(reverse("backpack:list")).content.decode()
    EmailAddress.objects.create(user=student, email=student.email, verified=True, primary=True)
    assert claim_url in client.get(reverse("backpack:list")).content.decode()


def test_offers_to_the_students_eppn_show_on_their_page(client, ready):
    student = UserFactory(eppn="s123@a.example")
    award = AwardFactory(
        badge_class=ready["a"]["badge_class"], recipient_email="", recipient_eppn="s123@a.example"
    )
    client.force_login(student)
    page = client.get(reverse("backpack:list")).content.decode()
    assert reverse("students:claim", args=[award.claim_token]) in page


def test_the_evidence_file_is_for_the_recipient_and_the_badges_staff(
    client, ready, awarder, student, user_with_role
):
    award = awards.award_create(
        actor=awarder,
        badge_class=ready["a"]["badge_class"],
        email=student.email,
        evidence_file=SimpleUploadedFile("report.pdf", b"%PDF-1.4 the report"),
    )
    url = reverse("students:evidence", args=[award.public_id])
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(user_with_role(Role.VIEWER, institution=ready["b"]["institution"]))
    assert client.get(url).status_code == 403
    client.force_login(awarder)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 the report"
    assert "attachment" in response["Content-Disposition"]
    assert response["Content-Security-Policy"].startswith(
        "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    award.recipient = student
    award.save()
    client.force_login(student)
    response = client.get(url)
    assert response.status_code == 200
    # Reading it to the end closes the file, as a browser's download does.
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_progress_page_polls_while_running_and_works_without_javascript(client, ready, awarder):
    upload = bulk.bulk_award_upload(
        actor=awarder,
        badge_class=ready["a"]["badge_class"],
        file=SimpleUploadedFile("a.csv", b"email\na@student.example\n"),
    )
    bulk.bulk_award_prepare(actor=awarder, bulk=upload, mapping=upload.mapping)
    BulkAward.objects.filter(pk=upload.pk).update(status=BulkAward.Status.QUEUED)
    client.force_login(awarder)
    page = client.get(reverse("staff:bulk", args=[upload.pk])).content.decode()
    assert 'data-running="true"' in page
    assert reverse("staff:bulk_progress", args=[upload.pk]) in page
    assert "<noscript>" in page and 'role="status"' in page
    assert "js/bulk-progress.js" in page
    progress = client.get(reverse("staff:bulk_progress", args=[upload.pk])).json()
    assert progress == {
        "status": "queued",
        "status_label": "Waiting to be processed",
        "valid": 1,
        "processed": 0,
        "awarded": 0,
        "skipped": 0,
        "percent": 0,
        "finished": False,
        "message": "Waiting for a worker to start…",
    }


def test_bulk_lines_about_a_student_are_exported_and_erased(ready, awarder, student):
    upload = bulk.bulk_award_upload(
        actor=awarder,
        badge_class=ready["a"]["badge_class"],
        file=SimpleUploadedFile(
            "a.csv", f"email;name\n{student.email};Sam\nother@x.example;O\n".encode()
        ),
    )
    bulk.bulk_award_prepare(actor=awarder, bulk=upload, mapping=upload.mapping)
    handler = next(h for h in registry.handlers() if h.name == "bulk_awards")
    data, files = handler.export(student)
    assert [line["email"] for line in data["lines"]] == [student.email] and files == []
    assert handler.describe_withdrawal(student, ready["a"]["institution"], "microcredential") == []
    assert (
        len(handler.describe_withdrawal(student, ready["a"]["institution"], "extracurricular")) == 1
    )
    handler.erase(student)
    assert list(BulkAwardRow.objects.values_list("email", flat=True)) == ["other@x.example"]


def test_a_badge_issued_directly_before_the_account_existed_shows_once_the_address_is_verified(
    client, ready, awarder, commits
):
    make_issuable(ready["a"]["institution"], direct=True)
    with commits():
        awards.award_create(
            actor=awarder, badge_class=ready["a"]["badge_class"], email="later@student.example"
        )
    newcomer = UserFactory(email="later@student.example", verified=False)
    client.force_login(newcomer)
    name = ready["a"]["badge_class"].name
    assert name not in client.get(reverse("backpack:list")).content.decode()
    EmailAddress.objects.create(user=newcomer, email=newcomer.email, verified=True, primary=True)
    assert name in client.get(reverse("backpack:list")).content.decode()


def test_a_students_badges_and_offers_have_one_place_in_the_menu(client):
    client.force_login(UserFactory())
    assert client.get("/student/badges/")["Location"] == reverse("backpack:list")
    page = client.get(reverse("backpack:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    menu = page[page.index("<nav") : page.index("</nav>")]
    assert menu.count(f'href="{reverse("backpack:list")}"') == 1
    assert "Your awards" not in page
