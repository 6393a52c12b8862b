"""Every page, as each kind of user sees it, has no serious or critical axe-core violation."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from badges.models import Assertion, BadgeClass
from issuers.models import Institution, Issuer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "edubadges-demo"


@pytest.fixture
def demo(settings, live_server):
    settings.SITE_URL = live_server.url
    call_command("seed_demo", stdout=io.StringIO())
    assertion = Assertion.objects.filter(recipient__email="student1@hogeschool.example").first()
    assertion.is_public = True
    assertion.save()
    return assertion


def _check(axe, paths: list[str]) -> None:
    problems = {path: violations for path in paths if (violations := axe(path))}
    assert not problems, problems


def test_public_pages(axe, demo):
    badge_class = demo.badge_class
    _check(
        axe,
        [
            "/",
            reverse("account_login"),
            reverse("account_signup"),
            reverse("public:verify"),
            reverse("public:verify") + f"?url=/public/assertions/{demo.public_id}",
            # A baked PNG: a result per badge in it, with what each one says.
            reverse("public:verify") + f"?url=/public/assertions/{demo.public_id}/image.png",
            reverse("public:assertion", args=[demo.public_id]) + "?format=html",
            reverse("public:badge_class", args=[badge_class.public_id]) + "?format=html",
            reverse("public:issuer", args=[badge_class.issuer.public_id]) + "?format=html",
            reverse("public:assertion_embed", args=[demo.public_id]),
        ],
    )


def test_student_pages(axe, demo, sign_in):
    sign_in("student1@hogeschool.example", PASSWORD)
    _check(
        axe,
        [
            reverse("backpack:list"),
            reverse("backpack:list") + "?status=revoked",
            reverse("backpack:detail", args=[demo.public_id]),
            reverse("backpack:sharing", args=[demo.public_id]),
            reverse("backpack:collections"),
            reverse("backpack:collection_create"),
            reverse("backpack:import"),
            reverse("backpack:list") + "?status=hidden",
            reverse("backpack:delete", args=[demo.public_id]),
        ],
    )


def test_staff_pages(axe, demo, sign_in):
    sign_in("admin@hogeschool.example", PASSWORD)
    institution = Institution.objects.get(schac_home="hogeschool.example")
    issuer = Issuer.objects.get(faculty__institution=institution)
    badge_class = BadgeClass.objects.filter(issuer=issuer, badge_type="microcredential").first()
    _check(
        axe,
        [
            reverse("staff:dashboard"),
            reverse("staff:institution", args=[institution.pk]),
            reverse("staff:institution_edit", args=[institution.pk]),
            reverse("staff:members", args=["institution", institution.pk]),
            reverse("staff:faculty", args=[issuer.faculty.pk]),
            reverse("staff:issuer", args=[issuer.pk]),
            reverse("staff:badge_class_create", args=[issuer.pk]),
            reverse("staff:badge_class_create", args=[issuer.pk]) + "?type=microcredential",
            reverse("staff:badge_class", args=[badge_class.pk]),
            reverse("staff:badge_class_edit", args=[badge_class.pk]),
        ],
    )


def test_sign_in_pages(axe, demo, sso, page):
    _check(axe, [reverse("account_login"), reverse("account_reset_password")])
    # Through SURFconext, from an institution that is not connected.
    page.goto(reverse("account_login"))
    page.get_by_role("button", name="Sign in with SURFconext").click()
    page.get_by_role("button", name="k.bakker@universiteit.example").click()
    page.get_by_role("heading", name="Ask your admin for access").wait_for()
    _check(axe, [reverse("accounts:no_access")])
    page.get_by_role("button", name="Sign out").click()
    # An admin with a password, before the second factor is set up.
    page.goto(reverse("account_login"))
    page.get_by_label("Email").fill("admin@universiteit.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.get_by_role("heading", name="Set up two-factor authentication").wait_for()
    _check(axe, [reverse("accounts:second_factor_required"), reverse("mfa_index")])
    _check(axe, [reverse("account_reauthenticate")])
    page.goto(reverse("mfa_activate_totp"))
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.get_by_label("Authenticator code").wait_for()
    _check(axe, [reverse("mfa_activate_totp")])
