"""Browser journeys in real headless Chromium (Debian's chromium, driven by Playwright).

Install with ``apt-get install chromium`` and the dev extras (``make test`` does the latter).
Where Chromium is missing the journeys are skipped, except when REQUIRE_BROWSER is set (CI).
"""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM) and shutil.which("chromium") is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("Chromium is required for the browser journeys")
        pytest.skip("Chromium is not installed")
    # Playwright runs an event loop in this thread; the live server's database work is ours.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, settings):
    settings.SITE_URL = live_server.url
    # The journeys inject axe-core as an inline script; the policy has its own test
    # (test_content_security_policy.py), which keeps it.
    context = browser.new_context(locale="en-GB", base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str = TOTP_SECRET) -> str:
    import time

    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def sign_in(page):
    """Sign in with a password; admins, who must use a second factor, have an authenticator
    app set up already and type its code."""

    def do(email: str, password: str) -> None:
        from allauth.mfa.models import Authenticator
        from django.contrib.auth import get_user_model

        from accounts import policies

        user = get_user_model().objects.filter(email=email).first()
        if user is not None and policies.requires_second_factor(user):
            Authenticator.objects.get_or_create(
                user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": TOTP_SECRET}}
            )
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign In", exact=True).click()
        page.wait_for_load_state()
        if "/accounts/2fa/authenticate/" in page.url:
            page.locator("input[name=code]").fill(totp_code())
            page.get_by_role("button", name="Sign In", exact=True).click()
            page.wait_for_load_state()

    return do


AXE = __import__("pathlib").Path(__file__).parent / "axe/node_modules/axe-core/axe.min.js"


@pytest.fixture
def axe(page):
    """Run axe-core in the page; return the serious and critical violations."""
    if not AXE.exists():
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("axe-core is required: bash tests/browser/axe/install.sh")
        pytest.skip("axe-core is not installed (bash tests/browser/axe/install.sh)")

    def check(path: str) -> list[dict]:
        page.goto(path)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: {type: 'tag', values: "
            "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        )
        return [
            {
                "id": violation["id"],
                "impact": violation["impact"],
                "help": violation["help"],
                "nodes": [node["target"] for node in violation["nodes"]][:5],
            }
            for violation in result["violations"]
            if violation["impact"] in ("serious", "critical")
        ]

    return check
