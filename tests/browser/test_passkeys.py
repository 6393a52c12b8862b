"""Security keys and passkeys (WebAuthn) in real headless Chromium, with Chromium's virtual
authenticator standing in for the key: an institution admin sets one up as the required second
factor, then signs in with the passkey alone."""

from __future__ import annotations

import io

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "edubadges-demo"
ADMIN = "admin@hogeschool.example"


@pytest.fixture
def demo(settings, live_server):
    settings.SITE_URL = live_server.url
    # The live server speaks plain http on localhost (a secure context for the browser).
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def authenticator(page):
    """A platform authenticator that holds passkeys and verifies its user without asking."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return session


def test_an_institution_admin_sets_up_a_passkey_and_signs_in_with_it(demo, page, authenticator):
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(ADMIN)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.get_by_role("heading", name="Set up two-factor authentication").wait_for()
    page.get_by_role("link", name="Use a security key or passkey").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Name").fill("Laptop")
    page.get_by_label("Passwordless").check()
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_role("heading", name="Recovery Codes").wait_for()
    assert Authenticator.objects.filter(
        user__email=ADMIN, type=Authenticator.Type.WEBAUTHN
    ).exists()
    page.get_by_role("button", name="Sign out").click()

    # The passkey alone: no password, no code.
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with a passkey").click()
    page.get_by_role("link", name="Staff", exact=True).click()
    page.get_by_role("heading", name="Your institutions, issuers and badges").wait_for()
