"""Signing in as a person does: the buttons on the sign-in page, the provider's own page (a
real OpenID Connect provider process standing in for SURFconext and eduID), two-factor set-up
and sign-in with a code."""

from __future__ import annotations

import io

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command

from badges.models import Assertion, Award
from issuers.models import Membership

from .conftest import totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "edubadges-demo"


@pytest.fixture
def demo(settings, live_server, sso):
    settings.SITE_URL = live_server.url
    call_command("seed_demo", stdout=io.StringIO())


def test_a_teacher_invited_by_eppn_signs_in_through_surfconext(demo, page):
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with SURFconext").click()
    page.get_by_role("button", name="j.devries@hogeschool.example").click()
    page.get_by_role("heading", name="Your institutions, issuers and badges").wait_for()
    membership = Membership.objects.get(user__eppn="j.devries@hogeschool.example")
    assert membership.role == "awarder"
    page.get_by_role("link", name="ICT programme").first.wait_for()


def test_staff_of_an_institution_that_is_not_connected_are_told_so(demo, page):
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with SURFconext").click()
    page.get_by_role("button", name="p.jansen@elders.example").click()
    page.get_by_role("heading", name="Your institution is not connected to edubadges").wait_for()
    assert page.get_by_role("link", name="Staff", exact=True).count() == 0


def test_a_student_who_never_saw_the_mail_finds_the_badge_after_signing_in_with_eduid(demo, page):
    award = Award.objects.get(recipient_eppn="s.visser@hogeschool.example")
    page.goto("/")
    page.get_by_role("link", name="Sign in").first.click()
    page.get_by_role("button", name="Sign in with eduID").click()
    page.get_by_role("button", name="eduid-sanne-visser").click()
    page.get_by_role("heading", name="My badges", exact=True).wait_for()
    page.get_by_role("link", name=f"Claim or decline {award.badge_class.name}").click()
    page.get_by_role("link", name="Read and confirm").click()
    page.get_by_role("button", name="I have read this").click()
    page.get_by_role("button", name="Claim badge").click()
    page.get_by_role("heading", name="My badges", exact=True).wait_for()
    award.refresh_from_db()
    assert award.status == Award.Status.CLAIMED
    assert Assertion.objects.get(award=award).recipient_identity == "sanne.visser@eduid.example"


def test_an_institution_admin_sets_up_totp_and_signs_in_with_a_code(demo, page, time_machine):
    time_machine.move_to("2026-12-01 09:00:00+00:00", tick=True)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("admin@hogeschool.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.get_by_role("heading", name="Set up two-factor authentication").wait_for()
    page.get_by_role("link", name="Use an authenticator app").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.get_by_role("heading", name="Recovery Codes").wait_for()
    assert Authenticator.objects.filter(user__email="admin@hogeschool.example").count() == 2
    page.get_by_role("button", name="Sign out").click()

    time_machine.shift(30)  # a code is used once: the next one
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("admin@hogeschool.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.locator("input[name=code]").fill(totp_code(secret))
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.get_by_role("link", name="Staff", exact=True).click()
    page.get_by_role("heading", name="Your institutions, issuers and badges").wait_for()
