"""The main pages, as each kind of user sees them, run under the Content-Security-Policy
without a single violation: no inline script, no inline handler, nothing from elsewhere."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from badges.models import Assertion, BadgeClass
from issuers.models import Institution, Issuer
from tests.browser.conftest import TOTP_SECRET, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "edubadges-demo"
# Reported by Chromium on the console for every blocked script, style, image or handler.
VIOLATION = "Content Security Policy"


@pytest.fixture
def demo(settings, live_server):
    settings.SITE_URL = live_server.url
    call_command("seed_demo", stdout=io.StringIO())
    assertion = Assertion.objects.filter(recipient__email="student1@hogeschool.example").first()
    assertion.is_public = True
    assertion.save()
    return assertion


@pytest.fixture
def strict_page(browser, live_server):
    """A page whose context keeps the policy; collects every violation reported."""
    context = browser.new_context(locale="en-GB", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.violations = []
    # The event reaches the document even where no script of the page may run.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', event => "
        "console.error('Content Security Policy: ' + event.violatedDirective + ' ' + "
        "event.blockedURI))"
    )
    page.on(
        "console",
        lambda message: (
            page.violations.append(f"{page.url}: {message.text}")
            if VIOLATION in message.text
            else None
        ),
    )
    yield page
    context.close()


def _walk(page, paths: list[str]) -> None:
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status < 400, (path, response and response.status)
        assert "script-src 'self'" in response.headers.get("content-security-policy", ""), path
        page.wait_for_load_state("networkidle")
    assert page.violations == []


def _sign_in(page, email: str) -> None:
    from allauth.mfa.models import Authenticator
    from django.contrib.auth import get_user_model

    from accounts import policies

    user = get_user_model().objects.get(email=email)
    if policies.requires_second_factor(user):
        Authenticator.objects.get_or_create(
            user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": TOTP_SECRET}}
        )
    page.goto(reverse("account_login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_load_state()
    if "/accounts/2fa/authenticate/" in page.url:
        page.locator("input[name=code]").fill(totp_code())
        page.get_by_role("button", name="Sign In", exact=True).click()
        page.wait_for_load_state()


def test_public_pages_run_under_the_policy(strict_page, demo):
    badge_class = demo.badge_class
    _walk(
        strict_page,
        [
            "/",
            reverse("account_login"),
            reverse("account_signup"),
            reverse("account_reset_password"),
            reverse("public:verify"),
            reverse("public:verify") + f"?url=/public/assertions/{demo.public_id}",
            reverse("public:assertion", args=[demo.public_id]) + "?format=html",
            reverse("public:badge_class", args=[badge_class.public_id]) + "?format=html",
            reverse("public:issuer", args=[badge_class.issuer.public_id]) + "?format=html",
            reverse("public:assertion_embed", args=[demo.public_id]),
            reverse("students:catalogue"),
        ],
    )


def test_student_pages_run_under_the_policy(strict_page, demo):
    _sign_in(strict_page, "student1@hogeschool.example")
    _walk(
        strict_page,
        [
            reverse("backpack:list"),
            reverse("backpack:detail", args=[demo.public_id]),
            reverse("backpack:sharing", args=[demo.public_id]),
            reverse("backpack:collections"),
            reverse("backpack:import"),
            reverse("privacy:overview"),
            reverse("mfa_index"),
        ],
    )
    # The copy button's script is a static file and works.
    strict_page.goto(reverse("backpack:detail", args=[demo.public_id]))
    assert strict_page.violations == []


def test_staff_and_admin_pages_run_under_the_policy(strict_page, demo):
    _sign_in(strict_page, "admin@hogeschool.example")
    institution = Institution.objects.get(schac_home="hogeschool.example")
    issuer = Issuer.objects.get(faculty__institution=institution)
    badge_class = BadgeClass.objects.filter(issuer=issuer, badge_type="microcredential").first()
    _walk(
        strict_page,
        [
            reverse("staff:dashboard"),
            reverse("staff:institution", args=[institution.pk]),
            reverse("staff:institution_edit", args=[institution.pk]),
            reverse("staff:members", args=["institution", institution.pk]),
            reverse("staff:issuer", args=[issuer.pk]),
            reverse("staff:badge_class_create", args=[issuer.pk]) + "?type=microcredential",
            reverse("staff:badge_class", args=[badge_class.pk]),
            reverse("staff:badge_class_edit", args=[badge_class.pk]),
        ],
    )


def test_insights_and_platform_admin_pages_run_under_the_policy(strict_page, demo):
    _sign_in(strict_page, "admin@edubadges.example")
    institution = Institution.objects.get(schac_home="hogeschool.example")
    _walk(
        strict_page,
        [
            reverse("insights:index"),
            reverse("insights:scope", args=["institution", institution.pk]),
            reverse("admin:index"),
            reverse("admin:issuers_institution_changelist"),
            reverse("admin:issuers_institution_change", args=[institution.pk]),
        ],
    )
