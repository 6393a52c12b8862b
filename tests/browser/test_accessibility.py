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
