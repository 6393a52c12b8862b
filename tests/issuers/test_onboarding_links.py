"""What the onboarding checklist asks for is one click away, in the admin and on staff pages;
the admin speaks the reader's language and has one place for accounts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from issuers.badge_types import BadgeType
from issuers.models import Invitation
from issuers.roles import Role
from tests.factories import FacultyFactory, InstitutionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _checklist_links(page: str) -> list[str]:
    checklist = page.split('class="onboarding-checklist"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="([^"]+)"', checklist.replace("&amp;", "&"))


def test_every_missing_item_in_the_admin_checklist_links_to_where_it_is_done(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    institution = InstitutionFactory(enabled_badge_types=[BadgeType.MICROCREDENTIAL])
    page = client.get(reverse("admin:issuers_institution_change", args=[institution.pk]))
    links = _checklist_links(page.content.decode())
    change = reverse("admin:issuers_institution_change", args=[institution.pk])
    policy_add = reverse("admin:privacy_privacypolicy_add")
    assert links == [
        f"{change}#invitations-group",
        f"{reverse('admin:issuers_faculty_add')}?institution={institution.pk}",
        f"{policy_add}?institution={institution.pk}&badge_type=microcredential",
        f"{policy_add}?institution={institution.pk}&badge_type=microcredential",
    ]
    for link in links:
        assert client.get(link).status_code == 200

    faculty = FacultyFactory(institution=institution)
    page = client.get(reverse("admin:issuers_institution_change", args=[institution.pk]))
    assert f"{reverse('admin:issuers_issuer_add')}?faculty={faculty.pk}" in _checklist_links(
        page.content.decode()
    )


def test_the_institution_admin_checklist_links_to_the_staff_pages(client):
    institution = InstitutionFactory(enabled_badge_types=[BadgeType.EXTRACURRICULAR])
    admin = UserFactory()
    MembershipFactory(user=admin, role=Role.ADMIN, institution=institution)
    client.force_login(admin)
    page = client.get(reverse("staff:institution", args=[institution.pk])).content.decode()
    checklist = page.split('class="checklist"', 1)[1].split("</ul>", 1)[0]
    assert f'href="{reverse("staff:faculty_create", args=[institution.pk])}"' in checklist
    policy = reverse("privacy:staff_policy_edit", args=[institution.pk, "extracurricular"])
    assert f'href="{policy}"' in checklist


def test_the_admin_has_one_accounts_section_with_the_email_addresses_inside():
    from django.contrib import admin
    from django.test import Client

    client = Client()
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    page = client.get(reverse("admin:index")).content.decode()
    sections = re.findall(r'class="section"[^>]*>([^<]+)</a>', page)
    assert [name for name in sections if "ccount" in name] == ["Accounts"]
    from allauth.account.models import EmailAddress

    assert not admin.site.is_registered(EmailAddress)
    assert EmailAddress.objects.filter(user=user, verified=True).exists()
    change = client.get(reverse("admin:accounts_user_change", args=[user.pk])).content.decode()
    assert user.email in change and "emailaddress_set-group" in change


def test_the_invitation_columns_are_translated(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    institution = InstitutionFactory()
    Invitation.objects.create(
        email="head@example.org", institution=institution, expires_at=timezone.now()
    )
    with translation.override("nl"):
        page = client.get(
            reverse("admin:issuers_institution_change", args=[institution.pk]),
            HTTP_ACCEPT_LANGUAGE="nl",
        ).content.decode()
        listing = client.get(
            reverse("admin:issuers_invitation_changelist"), HTTP_ACCEPT_LANGUAGE="nl"
        ).content.decode()
    for text in (page, listing):
        assert "Expires at" not in text and "Accepted at" not in text
        assert "Verloopt op" in text and "Geaccepteerd op" in text
