"""The pages around signing in, in English and in Dutch, pass axe-core: linking an identity by
proving the mailbox, password sign-in switched off, the two-factor code, and a demo student
who finds an offer waiting after signing in with eduID."""

from __future__ import annotations

import io
import re

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings as django_settings
from django.core.management import call_command

from issuers.models import Institution

from .conftest import AXE, TOTP_SECRET, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "edubadges-demo"
HEADINGS = {
    "en": {
        "link_sent": "Check your mailbox",
        "link_confirm": "Connect your sign-in",
        "link_failed": "The link did not work",
        "password_off": "Sign in through SURFconext",
        "sso_failed": "Signing in did not work",
    },
    "nl": {
        "link_sent": "Kijk in je mailbox",
        "link_confirm": "Koppel je inlog",
        "link_failed": "De link werkte niet",
        "password_off": "Inloggen via SURFconext",
        "sso_failed": "Inloggen is niet gelukt",
    },
}


@pytest.fixture
def demo(settings, live_server, sso):
    settings.SITE_URL = live_server.url
    call_command("seed_demo", stdout=io.StringIO())


def axe_here(page) -> list[dict]:
    """axe-core on the page as it is now (after a form was posted, say)."""
    if not AXE.exists():
        pytest.skip("axe-core is not installed (bash tests/browser/axe/install.sh)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
    )
    return [
        {"id": violation["id"], "nodes": [node["target"] for node in violation["nodes"]][:5]}
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def check(page, language: str, heading: str) -> None:
    assert page.locator("html").get_attribute("lang") == language
    assert page.get_by_role("heading", level=1).inner_text() == HEADINGS[language][heading]
    assert axe_here(page) == [], heading


def sso_button(page, provider: str):
    return page.locator(f"form[action*='/oidc/{provider}/'] button")


@pytest.mark.parametrize("language", ["en", "nl"])
def test_linking_an_identity_by_proving_the_mailbox(demo, page, live_server, mailoutbox, language):
    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.goto("/accounts/login/")
    sso_button(page, "eduid").click()
    page.get_by_role("button", name="eduid-student2-unverified").click()
    page.wait_for_url("**/accounts/link/sent/")
    check(page, language, "link_sent")
    link = re.search(r"https?://\S+/accounts/link/\S+/", mailoutbox[-1].body).group(0)
    page.goto(link)
    check(page, language, "link_confirm")
    page.goto(re.sub(r"/link/\S+/$", "/link/not-a-valid-token/", link))
    page.locator("main form button").click()
    check(page, language, "link_failed")
    page.goto(link)
    page.locator("main form button").click()
    page.wait_for_url("**/backpack/")
    assert page.locator("form[action='/accounts/logout/']").count() == 1


@pytest.mark.parametrize("language", ["en", "nl"])
def test_staff_whose_institution_switched_off_passwords_are_sent_to_surfconext(
    demo, page, live_server, language
):
    Institution.objects.filter(schac_home="hogeschool.example").update(staff_password_login=False)
    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("awarder@hogeschool.example")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    check(page, language, "password_off")
    sso_button(page, "surfconext").click()
    page.get_by_role("button", name="j.devries@hogeschool.example").click()
    page.wait_for_url("**/staff/")


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_two_factor_code_page(demo, page, live_server, language, time_machine):
    time_machine.move_to("2026-12-01 09:00:00+00:00", tick=True)
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.get(email="admin@universiteit.example")
    Authenticator.objects.create(
        user=admin, type=Authenticator.Type.TOTP, data={"secret": TOTP_SECRET}
    )
    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(admin.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    assert page.locator("html").get_attribute("lang") == language
    assert axe_here(page) == []
    page.locator("input[name=code]").fill(totp_code())
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r".*/$"))
    assert "/accounts/" not in page.url


def test_demo_student1_finds_an_offer_waiting_after_signing_in_with_eduid(demo, page):
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with eduID").click()
    page.get_by_role("button", name="eduid-student1-hbo").click()
    page.get_by_role("heading", name="Waiting for you to claim").wait_for()
    page.get_by_role("link", name="Claim or decline Data analysis with Python").click()
    page.get_by_text("Demo University", exact=False).first.wait_for()
    assert axe_here(page) == []


@pytest.mark.parametrize("language", ["en", "nl"])
def test_an_answer_that_cannot_be_accepted_leads_back_to_signing_in(
    demo, page, live_server, language
):
    page.context.add_cookies(
        [{"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.goto("/accounts/login/")
    sso_button(page, "eduid").click()
    page.get_by_role("button", name="eduid-student1-hbo").click()
    page.wait_for_url("**/backpack/")
    page.go_back()  # the provider's page again: the sign-in it belongs to is spent
    page.get_by_role("button", name="eduid-student1-hbo").click()
    check(page, language, "sso_failed")
    # Still signed in from the first time: on to the start page.
    assert "student1@hogeschool.example" in page.locator("main").inner_text()
    page.locator("main a.button").click()
    page.wait_for_url(f"{live_server.url}/")
