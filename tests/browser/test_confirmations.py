"""Irreversible steps ask first, in the browser and without script: an awarder revokes a badge
through its confirmation page, a student deletes a badge from the backpack through its own;
both confirmation pages pass axe-core."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from badges.models import Assertion
from tests.browser.conftest import AXE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "edubadges-demo"


@pytest.fixture
def demo(settings, live_server):
    settings.SITE_URL = live_server.url
    call_command("seed_demo", stdout=io.StringIO())
    return Assertion.objects.filter(
        recipient__email="student1@hogeschool.example", status="issued"
    ).first()


def _serious_violations(page) -> list:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_an_awarder_confirms_a_revocation(page, sign_in, demo, axe):
    sign_in("awarder@hogeschool.example", PASSWORD)
    page.goto(reverse("staff:assertion", args=[demo.pk]))
    page.get_by_label("Reason for the revocation").fill("Awarded to the wrong student")
    page.get_by_role("button", name="Revoke badge").click()
    assert page.get_by_role("heading", name="Revoke 1 badge for good?").is_visible()
    assert page.get_by_text("Awarded to the wrong student").is_visible()
    assert _serious_violations(page) == []
    demo.refresh_from_db()
    assert demo.status == "issued"
    page.get_by_role("button", name="Revoke the badge").click()
    page.wait_for_load_state()
    demo.refresh_from_db()
    assert demo.status == "revoked" and demo.revocation_reason == "Awarded to the wrong student"


def test_a_student_hides_then_deletes_a_badge(page, sign_in, demo, axe):
    sign_in("student1@hogeschool.example", PASSWORD)
    name = demo.badge_class.name_en
    page.goto(reverse("backpack:detail", args=[demo.public_id]))
    page.get_by_role("button", name="Hide from my list").click()
    page.goto(reverse("backpack:list"))
    assert page.get_by_role("link", name=name).count() == 0
    page.get_by_role("link", name="1 badge is hidden from this list").click()
    page.get_by_role("link", name=name).click()
    page.get_by_role("link", name="Delete this badge…").click()
    assert _serious_violations(page) == []
    page.get_by_role("button", name="Delete the badge for good").click()
    page.wait_for_load_state()
    assert page.get_by_text(f"“{name}” was deleted from your backpack.").is_visible()
    demo.refresh_from_db()
    assert demo.status == "revoked" and demo.recipient_id is None
