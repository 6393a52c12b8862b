"""A newcomer signs in as the demo issuer admin and defines a microcredential."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from badges.models import BadgeClass

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_issuer_admin_fixes_a_microcredential_without_ects(page, sign_in, tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    sign_in("issuer-admin@hogeschool.example", "edubadges-demo")
    page.get_by_role("link", name="Staff", exact=True).click()
    page.get_by_role("link", name="ICT programme").click()
    page.get_by_role("link", name="New badge").click()
    page.get_by_label("Microcredential").check()
    page.get_by_role("button", name="Next").click()

    page.get_by_label("name (English)").fill("Secure coding")
    page.get_by_label("description (English)").fill("A module on writing secure software.")
    image = tmp_path / "badge.png"
    with BadgeClass.objects.filter(image__endswith=".png").first().image.open("rb") as source:
        image.write_bytes(source.read())
    page.get_by_label("image").set_input_files(str(image))
    page.get_by_label("criteria (English)").fill("Pass the secure-coding assessment.")
    page.get_by_label("learning outcomes (English)").fill("Recognise common vulnerabilities")
    page.get_by_label("EQF level").select_option("6")
    page.get_by_label("type of assessment").select_option("assignment")
    page.get_by_label("form of participation").select_option("online")
    page.get_by_role("button", name="Save badge").click()

    alert = page.get_by_role("alert").first
    assert "Please correct the errors below." in alert.inner_text()
    assert page.get_by_text(
        "Enter the study load in ECTS: a microcredential carries 3 to 30 ECTS."
    ).first.is_visible()
    assert not BadgeClass.objects.filter(name_en="Secure coding").exists()

    page.get_by_label("study load (ECTS)").fill("4")
    page.get_by_label("image").set_input_files(str(image))
    page.get_by_role("button", name="Save badge").click()
    page.get_by_text("The badge was created.").wait_for()
    badge_class = BadgeClass.objects.get(name_en="Secure coding")
    assert badge_class.study_load_ects == 4
    assert badge_class.badge_type == "microcredential"
