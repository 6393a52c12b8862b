"""The platform administration is a window, not a back door: statuses, recipient identity,
salt and visibility, roles, privacy texts and legal bases cannot be changed there behind the
services' back; what it may change goes through the staff pages' services and is audited
exactly as from there."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from badges.models import Assertion, Award
from issuers.badge_types import BadgeType
from issuers.models import AuditEntry, Institution, Invitation, Membership
from issuers.roles import Role
from notifications.models import Notification
from privacy.models import LegalBasis, PrivacyAction, PrivacyPolicy, PrivacyStatement
from tests.awarding.factories import AwardFactory
from tests.factories import (
    PASSWORD,
    BadgeClassFactory,
    InstitutionFactory,
    MembershipFactory,
    PrivacyStatementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def platform_admin(client):
    admin = UserFactory(email="platform@example.org", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return admin


def _change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def test_award_status_and_recipient_cannot_be_changed(client, platform_admin):
    award = AwardFactory(recipient_email="right@student.example")
    response = client.post(
        _change_url(award),
        {"status": Award.Status.CLAIMED, "recipient_email": "wrong@student.example"},
    )
    assert response.status_code == 403
    award.refresh_from_db()
    assert (award.status, award.recipient_email) == (
        Award.Status.OFFERED,
        "right@student.example",
    )
    page = client.get(_change_url(award)).content.decode()
    assert "right@student.example" in page and 'name="recipient_email"' not in page


def test_assertion_status_identity_salt_and_visibility_cannot_be_changed(
    client, platform_admin, issue
):
    assertion = issue(email="holder@student.example")
    before = Assertion.objects.values("status", "recipient_identity", "salt", "is_public").get(
        pk=assertion.pk
    )
    response = client.post(
        _change_url(assertion),
        {
            "status": Assertion.Status.REVOKED,
            "recipient_identity": "thief@example.org",
            "salt": "0" * 32,
            "is_public": "on",
        },
    )
    assert response.status_code == 403
    after = Assertion.objects.values("status", "recipient_identity", "salt", "is_public").get(
        pk=assertion.pk
    )
    assert after == before


def test_roles_are_not_granted_or_changed_in_the_admin(client, platform_admin):
    institution = InstitutionFactory()
    membership = MembershipFactory(institution=institution, role=Role.VIEWER)
    assert client.get(reverse("admin:issuers_membership_add")).status_code == 403
    response = client.post(_change_url(membership), {"role": Role.ADMIN})
    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER
    assert (
        client.post(
            reverse("admin:issuers_membership_delete", args=[membership.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_an_invitation_added_and_withdrawn_in_the_admin_is_audited_and_emailed(
    client, platform_admin, django_capture_on_commit_callbacks, mailoutbox
):
    institution = InstitutionFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:issuers_invitation_add"),
            {"email": "Head@School.example", "role": Role.ADMIN, "institution": institution.pk},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    invitation = Invitation.objects.get(institution=institution)
    entry = AuditEntry.objects.get(action="invitation_create")
    assert (entry.actor, entry.institution) == (platform_admin, institution)
    assert [message.to for message in mailoutbox] == [["head@school.example"]]

    response = client.post(
        reverse("admin:issuers_invitation_delete", args=[invitation.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Invitation.objects.exists()
    assert AuditEntry.objects.get(action="invitation_withdraw").actor == platform_admin


def _institution_form(**overrides) -> dict:
    data = {
        "sector": "hbo",
        "schac_home": "window.example",
        "brin": "31AB",
        "country": "NL",
        "name_nl": "Raam",
        "name_en": "Window",
        "enabled_badge_types": [BadgeType.MICROCREDENTIAL],
    }
    for prefix in ("faculties", "invitations"):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": "0",
                f"{prefix}-INITIAL_FORMS": "0",
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    data.update(overrides)
    return data


def test_institutions_are_added_and_changed_through_the_audited_services(client, platform_admin):
    response = client.post(reverse("admin:issuers_institution_add"), _institution_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    institution = Institution.objects.get(schac_home="window.example")
    created = AuditEntry.objects.get(action="institution_create")
    assert (created.actor, created.institution) == (platform_admin, institution)

    response = client.post(
        _change_url(institution),
        _institution_form(
            name_en="Open Window",
            enabled_badge_types=[BadgeType.MICROCREDENTIAL, BadgeType.EXTRACURRICULAR],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    updated = AuditEntry.objects.get(action="institution_update")
    assert updated.actor == platform_admin
    assert updated.data == {"fields": ["enabled_badge_types", "name_en"]}


def test_legal_bases_and_statements_go_through_the_privacy_services(client, platform_admin):
    institution = InstitutionFactory(enabled_badge_types=[BadgeType.MICROCREDENTIAL])
    statement = PrivacyStatementFactory(
        policy__institution=institution,
        policy__badge_type=BadgeType.MICROCREDENTIAL,
        policy__legal_basis=LegalBasis.PUBLIC_TASK,
    )
    policy = statement.policy
    today = timezone.localdate()
    data = {
        "legal_basis": LegalBasis.CONSENT,
        "purpose_nl": "Doel.",
        "purpose_en": "Purpose.",
        "statements-TOTAL_FORMS": "1",
        "statements-INITIAL_FORMS": "0",
        "statements-MIN_NUM_FORMS": "0",
        "statements-MAX_NUM_FORMS": "1",
        "statements-0-effective_date": today.isoformat(),
        "statements-0-retention_days": "2555",
        "statements-0-excerpt_nl": "Nieuw kort.",
        "statements-0-excerpt_en": "New short.",
        "statements-0-text_nl": "Nieuwe tekst.",
        "statements-0-text_en": "New text.",
        "statements-0-change_summary_nl": "",
        "statements-0-change_summary_en": "",
    }
    # A published version never changes; a new one needs to say what changed.
    response = client.post(_change_url(policy), data)
    assert response.status_code == 200
    assert "Describe what changed since version 1" in response.content.decode()
    assert not AuditEntry.objects.filter(action=PrivacyAction.POLICY_SAVED).exists()

    data["statements-0-change_summary_en"] = "Now under consent."
    response = client.post(_change_url(policy), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    policy.refresh_from_db()
    assert policy.legal_basis == LegalBasis.CONSENT
    saved = AuditEntry.objects.get(action=PrivacyAction.POLICY_SAVED)
    assert (saved.actor, saved.data["previous_legal_basis"]) == (platform_admin, "e")
    published = AuditEntry.objects.get(action=PrivacyAction.STATEMENT_PUBLISHED)
    assert published.actor == platform_admin and published.data["version"] == 2
    versions = PrivacyStatement.objects.filter(policy=policy).order_by("version")
    assert [(s.version, s.text_en) for s in versions] == [
        (1, statement.text_en),
        (2, "New text."),
    ]

    past = dict(
        data, **{"statements-0-effective_date": (today - datetime.timedelta(1)).isoformat()}
    )
    assert (
        "cannot take effect in the past" in client.post(_change_url(policy), past).content.decode()
    )


def test_a_legal_basis_for_a_type_the_institution_does_not_issue_is_refused(client, platform_admin):
    institution = InstitutionFactory(enabled_badge_types=[BadgeType.MICROCREDENTIAL])
    response = client.post(
        reverse("admin:privacy_privacypolicy_add"),
        {
            "institution": institution.pk,
            "badge_type": BadgeType.EXTRACURRICULAR,
            "legal_basis": LegalBasis.CONSENT,
            "statements-TOTAL_FORMS": "0",
            "statements-INITIAL_FORMS": "0",
            "statements-MIN_NUM_FORMS": "0",
            "statements-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 200
    assert "not enabled for the institution" in response.content.decode()
    assert not PrivacyPolicy.objects.exists()


def test_what_the_recipient_was_told_is_not_edited_in_the_admin(client, platform_admin):
    award = AwardFactory(badge_class=BadgeClassFactory())
    notification = Notification.objects.create(key="k", kind="award_offered", target=award)
    response = client.post(_change_url(notification), {"status": Notification.Status.SENT})
    assert response.status_code == 403
    notification.refresh_from_db()
    assert notification.status == Notification.Status.QUEUED


def test_faculties_and_issuers_added_in_the_admin_are_audited(client, platform_admin):
    institution = InstitutionFactory()
    response = client.post(
        reverse("admin:issuers_faculty_add"),
        {"institution": institution.pk, "name_nl": "Techniek", "name_en": "Engineering"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="faculty_create")
    assert (entry.actor, entry.institution) == (platform_admin, institution)
    faculty = institution.faculties.get()
    response = client.post(_change_url(faculty), {"name_nl": "Techniek", "name_en": "Technology"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AuditEntry.objects.get(action="faculty_update").data == {"fields": ["name_en"]}


def test_a_password_set_in_the_admin_is_audited_and_ends_the_persons_sessions(
    client, platform_admin
):
    person = UserFactory(email="person@student.example")
    elsewhere = Client()
    elsewhere.force_login(person)
    url = reverse("admin:auth_user_password_change", args=[person.pk])
    new_password = "An-unusual-passphrase-42"
    response = client.post(
        url, {"usable_password": "true", "password1": new_password, "password2": new_password}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert person.check_password(new_password)
    entry = AuditEntry.objects.get(action="account_password_set")
    assert (entry.actor, entry.object_id, entry.institution) == (
        platform_admin,
        str(person.pk),
        None,
    )
    assert new_password not in f"{entry.summary} {entry.data}"
    # The person's session held the old password's hash: it has ended.
    assert elsewhere.get(reverse("backpack:list")).status_code == 302

    response = client.post(url, {"usable_password": "false", "unset-password": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]
    person.refresh_from_db()
    assert not person.has_usable_password()
    assert AuditEntry.objects.get(action="account_password_unset").actor == platform_admin


def test_a_refused_password_changes_nothing_and_writes_no_entry(client, platform_admin):
    person = UserFactory(email="person@student.example")
    response = client.post(
        reverse("admin:auth_user_password_change", args=[person.pk]),
        {"usable_password": "true", "password1": "short", "password2": "short"},
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    assert not AuditEntry.objects.filter(action__startswith="account_password").exists()
