"""Endorsements in headless Chromium: an issuer admin of one institution, or the admin of an
endorsing body, endorses a badge of another, that badge's admin finds the request on the
dashboard and accepts it, and the public badge page shows it; the pages pass axe-core in
English and in Dutch."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from badges.management.commands.seed_demo import BODY_ENDORSEMENT_ID, ENDORSEMENT_ID
from badges.models import BadgeClass, Endorsement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "edubadges-demo"


@pytest.fixture
def demo(settings, live_server):
    settings.SITE_URL = live_server.url
    call_command("seed_demo", stdout=io.StringIO())
    return Endorsement.objects.get(public_id=ENDORSEMENT_ID)


def _programming() -> BadgeClass:
    return BadgeClass.objects.get(
        issuer__faculty__institution__schac_home="hogeschool.example",
        badge_type="digital_education",
        name_en="Programming 1",
    )


def test_an_endorsement_is_offered_accepted_and_shown(page, demo, sign_in):
    programming = _programming()
    sign_in("issuer-admin@mbo-college.example", PASSWORD)
    page.goto(reverse("staff:dashboard"))
    page.get_by_role("link", name="Endorsements").first.click()
    page.get_by_label("Name of the badge or issuer").fill("Programming")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Endorse the badge Programming 1").filter(
        has_text="Programming 1"
    ).first.click()
    page.get_by_label("Comment").fill("Our graduates who hold it program well.")
    page.get_by_role("button", name="Send the endorsement").click()
    assert page.get_by_text("waiting for a decision").is_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in("issuer-admin@hogeschool.example", PASSWORD)
    page.goto(reverse("staff:dashboard"))
    page.get_by_role("link", name="1 endorsement is waiting for your decision.").click()
    page.get_by_role("link", name="Programming 1").first.click()
    page.get_by_role("button", name="Accept the endorsement").click()
    assert page.get_by_text("The endorsement was accepted").is_visible()

    page.goto(reverse("public:badge_class", args=[programming.public_id]) + "?format=html")
    endorsements = page.get_by_role("region", name="Endorsements")
    assert endorsements.get_by_text("Our graduates who hold it program well.").is_visible()
    assert "Mechatronics programme" in endorsements.inner_text()


def test_endorsement_pages_are_accessible(axe, demo, sign_in, page):
    sign_in("issuer-admin@universiteit.example", PASSWORD)
    paths = [
        reverse("staff:endorsements"),
        reverse("staff:endorsements") + "?q=Student",
        reverse("staff:endorsement", args=[demo.pk]),
        reverse("staff:endorsement_create", args=["issuer", demo.endorser.public_id]),
        reverse("public:badge_class", args=[demo.badge_class.public_id]) + "?format=html",
        reverse("public:issuer", args=[demo.badge_class.issuer.public_id]) + "?format=html",
    ]
    problems = {path: violations for path in paths if (violations := axe(path))}
    assert not problems, problems
    page.goto(reverse("staff:endorsements"))
    page.select_option("#language-select", "nl")
    page.get_by_role("button", name="Switch").click()
    dutch = {path: violations for path in paths if (violations := axe(path))}
    assert not dutch, dutch


BODY_ADMIN = "admin@ict-beroepsvereniging.example"


def test_an_endorsing_body_offers_an_endorsement_that_the_badge_admin_accepts(page, demo, sign_in):
    programming = _programming()
    sign_in(BODY_ADMIN, PASSWORD)
    page.goto(reverse("staff:dashboard"))
    assert page.get_by_text("Endorsing body").first.is_visible()
    assert page.get_by_role("link", name="Insights").count() == 0
    page.get_by_role("link", name="Endorsements").first.click()
    page.get_by_label("Name of the badge or issuer").fill("Programming")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("listitem").filter(has_text="Demo University of Applied Sciences").get_by_role(
        "link", name="Endorse the badge Programming 1"
    ).click()
    page.get_by_label("Comment").fill("Members of our association look for this in juniors.")
    page.get_by_role("button", name="Send the endorsement").click()
    assert page.get_by_text("waiting for a decision").is_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in("issuer-admin@hogeschool.example", PASSWORD)
    page.goto(reverse("staff:dashboard"))
    page.get_by_role("link", name="1 endorsement is waiting for your decision.").click()
    page.get_by_role("link", name="Programming 1").first.click()
    assert page.get_by_text("Demo Association of ICT Professionals").first.is_visible()
    page.get_by_role("button", name="Accept the endorsement").click()
    assert page.get_by_text("The endorsement was accepted").is_visible()

    page.goto(reverse("public:badge_class", args=[programming.public_id]) + "?format=html")
    endorsements = page.get_by_role("region", name="Endorsements")
    assert endorsements.get_by_text("Members of our association look for this").is_visible()
    assert "Endorsed by Demo Association of ICT Professionals on" in endorsements.inner_text()


def test_endorsing_body_pages_are_accessible(axe, demo, sign_in, page):
    endorsement = Endorsement.objects.select_related("endorser__faculty").get(
        public_id=BODY_ENDORSEMENT_ID
    )
    body = endorsement.endorser.faculty.institution
    sign_in(BODY_ADMIN, PASSWORD)
    paths = [
        reverse("staff:dashboard"),
        reverse("staff:institution", args=[body.pk]),
        reverse("staff:endorsements"),
        reverse("staff:endorsements") + "?q=Programming",
        reverse("staff:endorsement", args=[endorsement.pk]),
        reverse("staff:endorsement_create", args=["badge", _programming().public_id]),
        reverse("public:issuer", args=[endorsement.endorser.public_id]) + "?format=html",
        reverse("public:badge_class", args=[endorsement.badge_class.public_id]) + "?format=html",
    ]
    problems = {path: violations for path in paths if (violations := axe(path))}
    assert not problems, problems
    page.goto(reverse("staff:endorsements"))
    page.select_option("#language-select", "nl")
    page.get_by_role("button", name="Switch").click()
    dutch = {path: violations for path in paths if (violations := axe(path))}
    assert not dutch, dutch
    page.goto(reverse("public:issuer", args=[endorsement.endorser.public_id]) + "?format=html")
    assert page.get_by_text("Aanbevelende organisatie").first.is_visible()
