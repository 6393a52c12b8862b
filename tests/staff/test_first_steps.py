"""A new institution admin is shown how to begin; the Dutch pages tell "award" the verb from
"award" the noun."""

from __future__ import annotations

import pytest
from django.urls import reverse

from badges.models import Award
from issuers.roles import Role
from tests.factories import (
    BadgeClassFactory,
    FacultyFactory,
    InstitutionFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_new_institution_admin_is_shown_how_to_create_the_first_issuer(client):
    institution = InstitutionFactory()
    admin = UserFactory()
    MembershipFactory(user=admin, role=Role.ADMIN, institution=institution)
    client.force_login(admin)

    page = client.get(reverse("staff:dashboard")).content.decode()
    assert "No issuers yet." in page
    assert reverse("staff:faculty_create", args=[institution.pk]) in page

    faculty = FacultyFactory(institution=institution)
    page = client.get(reverse("staff:dashboard")).content.decode()
    assert reverse("staff:issuer_create", args=[faculty.pk]) in page


def test_a_viewer_gets_no_hint_to_create_what_they_may_not(client):
    institution = InstitutionFactory()
    viewer = UserFactory()
    MembershipFactory(user=viewer, role=Role.VIEWER, institution=institution)
    client.force_login(viewer)
    page = client.get(reverse("staff:dashboard")).content.decode()
    assert reverse("staff:faculty_create", args=[institution.pk]) not in page


def test_dutch_pages_use_the_verb_on_buttons_and_the_noun_on_an_award(client):
    badge_class = BadgeClassFactory()
    admin = UserFactory(is_superuser=True)
    award = Award.objects.create(badge_class=badge_class, recipient_email="s@example.org")
    client.force_login(admin)
    headers = {"HTTP_ACCEPT_LANGUAGE": "nl"}
    badge_page = client.get(reverse("staff:badge_class", args=[badge_class.pk]), **headers)
    assert ">Toekennen</a>" in badge_page.content.decode()
    award_page = client.get(reverse("staff:award", args=[award.pk]), **headers).content.decode()
    assert "<title>Toekenning ·" in award_page
