"""Onboarding in the Django admin: institution, badge types, privacy, invitations, checklist."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from issuers.badge_types import BadgeType
from issuers.models import Institution, Invitation, Membership
from issuers.onboarding import can_issue, missing
from issuers.roles import Role
from privacy.models import PrivacyPolicy, PrivacyStatement
from tests.factories import (
    FacultyFactory,
    InstitutionFactory,
    IssuerFactory,
    PrivacyStatementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform_admin(client):
    admin = UserFactory(email="platform@example.org", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return admin


def _inline_management(prefix: str, total: int = 0) -> dict:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_platform_admin_onboards_an_institution_end_to_end(
    client, platform_admin, django_capture_on_commit_callbacks
):
    data = {
        "sector": "hbo",
        "schac_home": "new-school.example",
        "brin": "30XY",
        "country": "NL",
        "name_nl": "Nieuwe Hogeschool",
        "name_en": "New University of Applied Sciences",
        "enabled_badge_types": [BadgeType.MICROCREDENTIAL, BadgeType.EXTRACURRICULAR],
        **_inline_management("faculties"),
        **_inline_management("invitations", 1),
        "invitations-0-email": "Head@New-School.example",
        "invitations-0-role": Role.ADMIN,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:issuers_institution_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    institution = Institution.objects.get(schac_home="new-school.example")
    assert institution.enabled_badge_types == [BadgeType.MICROCREDENTIAL, BadgeType.EXTRACURRICULAR]

    invitation = Invitation.objects.get(institution=institution)
    assert invitation.email == "head@new-school.example"
    assert len(mail.outbox) == 1
    assert invitation.token in mail.outbox[0].body

    page = client.get(
        reverse("admin:issuers_institution_change", args=[institution.pk])
    ).content.decode()
    assert "Microcredential enabled: legal basis chosen." in page
    assert "Microcredential enabled: privacy statement in effect." in page
    assert not can_issue(institution, BadgeType.MICROCREDENTIAL)

    policy_data = {
        "institution": institution.pk,
        "badge_type": BadgeType.MICROCREDENTIAL,
        "legal_basis": "a",
        **_inline_management("statements", 1),
        "statements-0-effective_date": timezone.localdate().isoformat(),
        "statements-0-retention_days": "2555",
        "statements-0-excerpt_nl": "Kort.",
        "statements-0-excerpt_en": "Short.",
        "statements-0-text_nl": "Volledig.",
        "statements-0-text_en": "Full.",
    }
    response = client.post(reverse("admin:privacy_privacypolicy_add"), policy_data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert PrivacyStatement.objects.filter(policy__institution=institution).count() == 1

    IssuerFactory(faculty=FacultyFactory(institution=institution))
    # The invited admin accepts; now only the extra-curricular privacy texts are missing.
    invitee = UserFactory(email="head@new-school.example")
    client.force_login(invitee)
    client.post(reverse("staff:invitation_accept", args=[invitation.token]))
    assert Membership.objects.filter(
        user=invitee, institution=institution, role=Role.ADMIN
    ).exists()
    assert can_issue(institution, BadgeType.MICROCREDENTIAL)
    assert not can_issue(institution, BadgeType.EXTRACURRICULAR)
    assert {item.badge_type for item in missing(institution)} == {BadgeType.EXTRACURRICULAR}


def test_checklist_names_what_is_missing(db):
    institution = InstitutionFactory(enabled_badge_types=[BadgeType.MICROCREDENTIAL])
    texts = [item.text for item in missing(institution)]
    assert "Microcredential enabled: legal basis chosen." in texts
    assert "Microcredential enabled: privacy statement in effect." in texts
    assert "The institution has an admin." in texts
    assert "The institution has an issuer." in texts


def test_a_statement_that_takes_effect_later_does_not_count(db):
    institution = InstitutionFactory(enabled_badge_types=[BadgeType.EXTRACURRICULAR])
    policy = PrivacyPolicy.objects.create(
        institution=institution, badge_type=BadgeType.EXTRACURRICULAR, legal_basis="e"
    )
    PrivacyStatementFactory(policy=policy, effective_date="2999-01-01")
    assert "Certificate for extra-curricular activities enabled: privacy statement in effect." in [
        item.text for item in missing(institution)
    ]


def test_consent_based_types_cannot_issue_directly_on_award(db):
    from django.core.exceptions import ValidationError

    policy = PrivacyPolicy(
        institution=InstitutionFactory(),
        badge_type=BadgeType.MICROCREDENTIAL,
        legal_basis="a",
        issue_directly_on_award=True,
    )
    with pytest.raises(ValidationError):
        policy.full_clean()


def test_invitation_for_another_address_is_refused(client, db):
    from issuers.services import invitation_create

    institution = InstitutionFactory()
    admin = UserFactory(is_superuser=True, is_staff=True)
    invitation = invitation_create(actor=admin, email="right@example.org", institution=institution)
    client.force_login(UserFactory(email="wrong@example.org"))
    client.post(reverse("staff:invitation_accept", args=[invitation.token]))
    assert not Membership.objects.filter(institution=institution).exists()


def test_platform_admin_rotates_an_issuers_signing_keys(client, platform_admin):
    from issuers import signing
    from issuers.models import SigningKey

    issuer = IssuerFactory()
    signing.signing_keys_ensure(issuer=issuer)
    response = client.post(
        reverse("admin:issuers_issuer_changelist"),
        {"action": "rotate_signing_keys", "_selected_action": [issuer.pk]},
    )
    assert response.status_code == 302
    assert SigningKey.objects.filter(issuer=issuer, retired_at__isnull=False).count() == 2
    assert SigningKey.objects.filter(issuer=issuer, retired_at__isnull=True).count() == 2
    page = client.get(reverse("admin:issuers_issuer_change", args=[issuer.pk])).content.decode()
    assert "PRIVATE" not in page and "sealed" not in page
