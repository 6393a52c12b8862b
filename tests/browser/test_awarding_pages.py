"""The awarding pages in headless Chromium: no serious or critical axe-core violation on any
of them, and the bulk award and claim journeys as a person clicks through them."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from badges.awarding import bulk
from badges.models import Assertion, Award, BadgeClass, BulkAward, Enrollment
from edubadges.listing import Cursor
from issuers.models import Institution

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "edubadges-demo"
HOGESCHOOL = "hogeschool.example"


@pytest.fixture
def demo(settings, live_server):
    settings.SITE_URL = live_server.url
    call_command("seed_demo", stdout=io.StringIO())
    institution = Institution.objects.get(schac_home=HOGESCHOOL)
    badges = {
        badge.badge_type: badge
        for badge in BadgeClass.objects.filter(issuer__faculty__institution=institution)
    }
    return {"institution": institution, "badges": badges}


def _check(axe, paths: list[str]) -> None:
    problems = {path: violations for path in paths if (violations := axe(path))}
    assert not problems, problems


def test_staff_awarding_pages_are_accessible(axe, demo, sign_in):
    sign_in(f"admin@{HOGESCHOOL}", PASSWORD)
    institution = demo["institution"]
    badge_class = demo["badges"]["extracurricular"]
    awarder = badge_class.issuer.memberships.get(role="awarder").user
    done = BulkAward.objects.get(badge_class=badge_class)
    uploaded = bulk.bulk_award_upload(
        actor=awarder,
        badge_class=badge_class,
        file=SimpleUploadedFile("x.csv", b"email;name\nnew@student.example;New\nbroken;X\n"),
    )
    previewed = bulk.bulk_award_upload(
        actor=awarder,
        badge_class=badge_class,
        file=SimpleUploadedFile("y.csv", b"email;name\nnew2@student.example;New\nbroken;X\n"),
    )
    bulk.bulk_award_prepare(actor=awarder, bulk=previewed, mapping=previewed.mapping)
    award = Award.objects.filter(badge_class=badge_class, status="offered").first()
    assertion = Assertion.objects.filter(
        badge_class__issuer__faculty__institution=institution
    ).first()
    enrollment = Enrollment.objects.filter(
        badge_class__issuer__faculty__institution=institution
    ).first()
    _check(
        axe,
        [
            reverse("staff:award_create", args=[badge_class.pk]),
            reverse("staff:badge_awards", args=[badge_class.pk]),
            # Past the newest award and badge: both lists show their page navigation.
            reverse("staff:badge_awards", args=[badge_class.pk]) + _past_the_newest(badge_class),
            reverse("staff:award", args=[award.pk]),
            reverse("staff:assertion", args=[assertion.pk]),
            reverse("staff:bulk_upload", args=[badge_class.pk]),
            reverse("staff:bulk_map", args=[uploaded.pk]),
            reverse("staff:bulk", args=[previewed.pk]),
            reverse("staff:bulk", args=[done.pk]),
            reverse("staff:enrollments"),
            reverse("staff:enrollment", args=[enrollment.pk]),
            reverse("staff:enrollment_deny", args=[enrollment.pk]),
            reverse("staff:audit_log", args=[institution.pk]),
        ],
    )


def _past_the_newest(badge_class) -> str:
    """A query string for the lists of ``badge_class`` past their newest rows (two more of
    each are made, so that rows follow)."""
    for number in range(2):
        award = Award.objects.create(
            badge_class=badge_class,
            status="claimed",
            recipient_email=f"older{number}@student.example",
            created_at=timezone.now() - timedelta(days=400 + number),
        )
        Assertion.objects.create(
            badge_class=badge_class,
            award=award,
            status="issued",
            recipient_identity=award.recipient_email,
            identity_hash="sha256$" + "0" * 64,
            salt="salt",
            issued_on=award.created_at,
        )
    newest_award = Award.objects.filter(badge_class=badge_class).order_by("-created_at", "-pk")
    newest_badge = Assertion.objects.filter(badge_class=badge_class).order_by("-issued_on", "-pk")
    return (
        f"?after={Cursor.of(newest_award[0], 'created_at')}"
        f"&badges_after={Cursor.of(newest_badge[0], 'issued_on')}"
    )


def test_student_awarding_pages_are_accessible(axe, demo, sign_in, page):
    module = demo["badges"]["microcredential"]
    award = Award.objects.filter(recipient_email=f"student2@{HOGESCHOOL}", status="offered").first()
    claim = reverse("students:claim", args=[award.claim_token])
    _check(
        axe,
        [
            reverse("students:catalogue"),
            reverse("students:catalogue") + "?badge_type=microcredential&level=6",
            reverse("students:catalogue_detail", args=[module.public_id]),
            claim,
        ],
    )
    sign_in(f"student2@{HOGESCHOOL}", PASSWORD)
    _check(
        axe,
        [
            claim,
            reverse("students:decline", args=[award.claim_token]),
            reverse("backpack:list"),
            reverse("students:enrollments"),
            reverse("students:catalogue_detail", args=[module.public_id]),
        ],
    )


def test_a_bulk_award_in_the_browser(demo, sign_in, page, tmp_path):
    badge_class = demo["badges"]["extracurricular"]
    sign_in(f"awarder@{HOGESCHOOL}", PASSWORD)
    csv_file = tmp_path / "cohort.csv"
    csv_file.write_bytes(
        "\ufeffE-mailadres;Naam\nanna@student.example;Anna\nbram@student.example;Bram\nfout;X\n".encode()
    )
    page.goto(reverse("staff:bulk_upload", args=[badge_class.pk]))
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Upload and continue").click()
    page.get_by_role("heading", name="Choose the columns").wait_for()
    assert page.get_by_label("Email address").input_value() == "0"
    page.get_by_role("button", name="Check the lines").click()
    page.get_by_text("2 lines can be awarded.").wait_for()
    assert page.get_by_text("“fout” is not a valid email address.").is_visible()
    page.get_by_label("Skip the lines with an error and award the others").check()
    page.get_by_role("button", name="Award 2 badges").click()
    page.get_by_role("heading", name="Progress").wait_for()
    page.get_by_text("Done: 2 badges awarded.").wait_for()
    assert page.locator("#bulk-progress-bar").get_attribute("value") == "100"
    assert Award.objects.filter(recipient_email="anna@student.example").exists()


def test_claiming_in_the_browser(demo, page):
    award = Award.objects.filter(recipient_email=f"student2@{HOGESCHOOL}", status="offered").first()
    page.goto(reverse("students:claim", args=[award.claim_token]))
    page.get_by_role("link", name="Sign in").last.click()
    page.get_by_label("Email").fill(f"student2@{HOGESCHOOL}")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.get_by_role("link", name="Read and confirm").click()
    page.get_by_role("button", name="I have read this").click()
    page.get_by_role("button", name="Claim badge").click()
    page.get_by_role("heading", name="My badges", exact=True).wait_for()
    award.refresh_from_db()
    assert award.status == Award.Status.CLAIMED
    assert Assertion.objects.get(award=award).status == Assertion.Status.ISSUED
