"""Shared competency frameworks in headless Chromium: an institution admin finds the
framework another institution shares and starts one of its own, an issuer admin aligns a new
badge to it in the badge form, anyone sees the aligned badges of every institution on the
public framework page, and a student filters the catalogue by framework; every page passes
axe-core in English and in Dutch."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from badges.demo_images import badge_png
from frameworks.models import CompetencyFramework
from issuers.models import Issuer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "edubadges-demo"


@pytest.fixture
def demo(settings, live_server):
    settings.SITE_URL = live_server.url
    call_command("seed_demo", stdout=io.StringIO())
    return CompetencyFramework.objects.get(name_en="21st Century Skills")


def test_frameworks_are_shared_kept_and_aligned_to(page, demo, sign_in, tmp_path):
    sign_in("admin@universiteit.example", PASSWORD)
    page.goto(reverse("staff:dashboard"))
    page.get_by_role("link", name="Competency frameworks").click()
    page.get_by_role("link", name="21st Century Skills 2024").click()
    assert page.get_by_role("cell", name="Critical thinking", exact=True).is_visible()
    # Shared by another institution: to use, not to change.
    assert page.get_by_role("link", name="Edit framework").count() == 0

    page.get_by_role("link", name="Competency frameworks").first.click()
    page.get_by_role("link", name="New framework").click()
    page.get_by_label("Name (English)").fill("Research skills")
    page.get_by_label("Publisher").fill("Demo University")
    page.get_by_role("button", name="Save").click()
    page.get_by_label("Code").fill("R1")
    page.get_by_label("Name (English)").fill("Literature review")
    page.get_by_role("button", name="Add item").click()
    assert page.get_by_role("cell", name="Literature review", exact=True).is_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in("issuer-admin@universiteit.example", PASSWORD)
    issuer = Issuer.objects.get(faculty__institution__schac_home="universiteit.example")
    page.goto(reverse("staff:badge_class_create", args=[issuer.pk]) + "?type=extracurricular")
    page.get_by_label("Name (English)").fill("Research assistant")
    page.get_by_label("Description (English)").fill("Assisted in a research project.")
    page.get_by_label("Criteria (English)").fill("A semester in a research group.")
    image = tmp_path / "badge.png"
    image.write_bytes(badge_png((20, 90, 60)))
    page.get_by_label("Image").set_input_files(str(image))
    page.get_by_label("R1 Literature review").check()
    page.get_by_label("SW Collaboration").check()
    page.get_by_role("button", name="Save badge").click()
    assert page.get_by_text("The badge was created.").is_visible()
    assert page.get_by_role("link", name="21st Century Skills 2024").is_visible()

    page.goto(reverse("public:framework", args=[demo.public_id]))
    collaboration = page.locator("section.framework-item", has_text="SW Collaboration")
    assert collaboration.get_by_role("link", name="Research assistant").is_visible()
    assert collaboration.get_by_role("link", name="Student ambassador").is_visible()
    assert "Demo University" in collaboration.inner_text()

    page.goto(reverse("students:catalogue"))
    page.get_by_label("Competency framework").select_option(label="21st Century Skills 2024")
    page.get_by_role("button", name="Filter").click()
    assert page.get_by_text("2 badges found.").is_visible()


def test_framework_pages_are_accessible(axe, demo, sign_in, page):
    sign_in("admin@hogeschool.example", PASSWORD)
    item = demo.items.first()
    paths = [
        reverse("staff:frameworks"),
        reverse("staff:framework", args=[demo.pk]),
        reverse("staff:framework_edit", args=[demo.pk]),
        reverse("staff:framework_create"),
        reverse("staff:framework_item_edit", args=[item.pk]),
        reverse("public:frameworks"),
        reverse("public:framework", args=[demo.public_id]),
        reverse("public:framework_item", args=[demo.public_id, item.public_id]),
        reverse("students:catalogue") + f"?framework={demo.public_id}",
    ]
    problems = {path: violations for path in paths if (violations := axe(path))}
    assert not problems, problems
    page.goto(reverse("staff:frameworks"))
    page.select_option("#language-select", "nl")
    page.get_by_role("button", name="Switch").click()
    dutch = {path: violations for path in paths if (violations := axe(path))}
    assert not dutch, dutch
