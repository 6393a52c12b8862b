"""Institution admins manage the legal basis and statement versions per enabled type, with a
preview; they see the processing register and the privacy audit log of their institution
only."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from issuers.badge_types import BadgeType
from issuers.models import AuditEntry
from issuers.onboarding import missing
from privacy import services
from privacy.models import LegalBasis, PrivacyAction, PrivacyPolicy, PrivacyStatement
from tests.factories import FacultyFactory, InstitutionFactory, MembershipFactory, UserFactory
from tests.privacy.factories import record

TYPE = BadgeType.MICROCREDENTIAL


def _pages(institution, statement):
    pk = institution.pk
    return [
        reverse("privacy:staff_institution", args=[pk]),
        reverse("privacy:staff_policy_edit", args=[pk, TYPE]),
        reverse("privacy:staff_statement_create", args=[pk, TYPE]),
        reverse("privacy:staff_statement", args=[pk, statement.pk]),
        reverse("privacy:staff_register", args=[pk]),
        reverse("privacy:staff_audit_log", args=[pk]),
    ]


def test_institution_admin_sees_every_privacy_page(client, campus):
    client.force_login(campus["admin"])
    for url in _pages(campus["institution"], campus["statements"][TYPE]):
        assert client.get(url).status_code == 200, url


def test_admin_of_another_institution_gets_404_everywhere(client, campus, other_campus):
    client.force_login(other_campus["admin"])
    for url in _pages(campus["institution"], campus["statements"][TYPE]):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"legal_basis": "a"}).status_code == 404, url


def test_statement_of_another_institution_is_404_even_under_ones_own(client, campus, other_campus):
    client.force_login(campus["admin"])
    url = reverse(
        "privacy:staff_statement",
        args=[campus["institution"].pk, other_campus["statements"][TYPE].pk],
    )
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("scope", ["institution_awarder", "institution_viewer", "faculty_admin"])
def test_staff_without_the_institution_admin_role_are_refused(client, campus, scope):
    user = UserFactory()
    if scope == "faculty_admin":
        MembershipFactory(
            user=user, faculty=FacultyFactory(institution=campus["institution"]), role="admin"
        )
    else:
        MembershipFactory(user=user, institution=campus["institution"], role=scope.split("_")[1])
    client.force_login(user)
    for url in _pages(campus["institution"], campus["statements"][TYPE]):
        assert client.get(url).status_code == 403, url


def test_admin_changes_the_legal_basis(client, campus):
    client.force_login(campus["admin"])
    url = reverse("privacy:staff_policy_edit", args=[campus["institution"].pk, TYPE])
    response = client.post(
        url,
        {"legal_basis": "f", "purpose_nl": "Doel.", "purpose_en": "Purpose of processing."},
    )
    assert response.status_code == 302
    policy = PrivacyPolicy.objects.get(institution=campus["institution"], badge_type=TYPE)
    assert policy.legal_basis == LegalBasis.LEGITIMATE_INTEREST
    entry = AuditEntry.objects.get(action=PrivacyAction.POLICY_SAVED)
    assert entry.data == {"legal_basis": "f", "previous_legal_basis": "e"}
    assert entry.actor == campus["admin"]


def test_consent_basis_cannot_issue_directly(client, campus):
    client.force_login(campus["admin"])
    url = reverse("privacy:staff_policy_edit", args=[campus["institution"].pk, TYPE])
    response = client.post(url, {"legal_basis": "a", "issue_directly_on_award": "on"})
    assert response.status_code == 200
    assert "always wait for the student" in response.content.decode()


def test_a_type_gets_its_basis_and_first_statement_on_the_staff_pages(client, db):
    institution = InstitutionFactory(enabled_badge_types=[TYPE])
    admin = UserFactory()
    MembershipFactory(user=admin, institution=institution, role="admin")
    assert len([item for item in missing(institution) if item.badge_type == TYPE]) == 2
    client.force_login(admin)
    create_url = reverse("privacy:staff_statement_create", args=[institution.pk, TYPE])
    assert client.get(create_url).url == reverse(
        "privacy:staff_policy_edit", args=[institution.pk, TYPE]
    )
    client.post(
        reverse("privacy:staff_policy_edit", args=[institution.pk, TYPE]), {"legal_basis": "e"}
    )
    texts = _statement_data(version_hint="1")
    preview = client.post(create_url, {**texts, "preview": "1"})
    digest = preview.context["digest"]
    client.post(create_url, {**texts, "publish": "1", "previewed": digest})
    assert PrivacyStatement.objects.get(policy__institution=institution).version == 1
    # The onboarding checklist no longer misses anything of this type.
    assert [item for item in missing(institution) if item.badge_type == TYPE] == []


def _statement_data(version_hint: str, **overrides) -> dict:
    data = {
        "excerpt_nl": f"Samenvatting {version_hint}.",
        "excerpt_en": f"Excerpt {version_hint}.",
        "text_nl": f"Nederlandse tekst {version_hint}.",
        "text_en": f"English text {version_hint}.",
        "change_summary_nl": "Korter bewaren.",
        "change_summary_en": "Kept for less time.",
        "effective_date": timezone.localdate().isoformat(),
        "retention_days": "730",
    }
    data.update(overrides)
    return data


def test_preview_shows_dutch_and_english_as_students_see_them_and_saves_nothing(client, campus):
    client.force_login(campus["admin"])
    url = reverse("privacy:staff_statement_create", args=[campus["institution"].pk, TYPE])
    response = client.post(url, {**_statement_data("two"), "preview": "1"})
    page = response.content.decode()
    assert "Preview: what students will see" in page
    assert "Samenvatting two." in page and "Nederlandse tekst two." in page
    assert "Excerpt two." in page and "English text two." in page
    assert "Version 2, in effect from" in page
    assert "2 years" in page
    assert "Publish this version" in page
    assert PrivacyStatement.objects.filter(policy__badge_type=TYPE).count() == 1


def test_publishing_creates_the_next_version_and_asks_students_again(client, campus, student):
    record(student, campus["statements"][TYPE])
    client.force_login(campus["admin"])
    url = reverse("privacy:staff_statement_create", args=[campus["institution"].pk, TYPE])
    data = _statement_data("two")
    digest = client.post(url, {**data, "preview": "1"}).context["digest"]
    response = client.post(url, {**data, "publish": "1", "previewed": digest})
    statement = PrivacyStatement.objects.get(policy__badge_type=TYPE, version=2)
    assert response.url == reverse(
        "privacy:staff_statement", args=[campus["institution"].pk, statement.pk]
    )
    assert statement.created_by == campus["admin"]
    assert statement.retention_days == 730
    requirement = services.consent_requirement(
        user=student, institution=campus["institution"], badge_type=TYPE
    )
    assert requirement.statement == statement
    assert requirement.changes[0].change_summary == "Kept for less time."
    assert AuditEntry.objects.get(action=PrivacyAction.STATEMENT_PUBLISHED).data["version"] == 2


def test_publishing_what_was_not_previewed_shows_the_preview_again(client, campus):
    client.force_login(campus["admin"])
    url = reverse("privacy:staff_statement_create", args=[campus["institution"].pk, TYPE])
    digest = client.post(url, {**_statement_data("two"), "preview": "1"}).context["digest"]
    changed = _statement_data("two", text_en="Something else entirely.")
    response = client.post(url, {**changed, "publish": "1", "previewed": digest})
    assert response.status_code == 200
    assert "The texts changed since the preview." in response.content.decode()
    assert "Something else entirely." in response.content.decode()
    assert not PrivacyStatement.objects.filter(policy__badge_type=TYPE, version=2).exists()


def test_a_new_version_needs_a_change_summary_and_no_past_date(client, campus):
    client.force_login(campus["admin"])
    url = reverse("privacy:staff_statement_create", args=[campus["institution"].pk, TYPE])
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    data = _statement_data(
        "two", change_summary_nl="", change_summary_en="", effective_date=yesterday
    )
    page = client.post(url, {**data, "preview": "1"}).content.decode()
    assert "Describe what changed since the last version." in page
    assert "A new version cannot take effect in the past." in page


def test_statements_that_students_agreed_to_cannot_be_edited(campus, student):
    from django.core.exceptions import ValidationError

    statement = campus["statements"][TYPE]
    record(student, statement)
    statement.text_en = "Quietly changed."
    with pytest.raises(ValidationError):
        statement.full_clean()


def test_processing_register_lists_data_purpose_basis_and_retention_per_type(client, campus):
    client.force_login(campus["admin"])
    page = client.get(
        reverse("privacy:staff_register", args=[campus["institution"].pk])
    ).content.decode()
    for label in BadgeType.labels:
        assert str(label) in page
    assert "(a) Consent" in page and "(e) Public task" in page
    assert "(f) Legitimate interest" in page
    assert "Issuing badges and letting others verify them." in page
    assert "Account: name, email address, eduID identifier (eppn)" in page
    assert "Awards: the recipient&#x27;s email address or eppn" in page
    assert "7 years" in page
    assert "365 days" in page


def test_audit_log_shows_only_the_institutions_own_entries(client, campus, other_campus):
    own_student = UserFactory(email="own-student@campus.example")
    foreign_student = UserFactory(email="foreign-student@elsewhere.example")
    services.consent_record(
        user=own_student, statement=campus["statements"][BadgeType.EXTRACURRICULAR], agreed=True
    )
    services.consent_record(
        user=foreign_student,
        statement=other_campus["statements"][BadgeType.EXTRACURRICULAR],
        agreed=True,
    )
    client.force_login(campus["admin"])
    page = client.get(
        reverse("privacy:staff_audit_log", args=[campus["institution"].pk])
    ).content.decode()
    assert "own-student@campus.example" in page
    assert "Consent given" in page
    assert "foreign-student@elsewhere.example" not in page


def test_overview_shows_objections_of_the_own_institution_only(
    client, campus, other_campus, student, django_capture_on_commit_callbacks
):
    record(student, other_campus["statements"][TYPE])
    with django_capture_on_commit_callbacks(execute=True):
        services.objection_record(
            user=student, institution=other_campus["institution"], badge_type=TYPE, reason="Nope"
        )
    client.force_login(campus["admin"])
    page = client.get(
        reverse("privacy:staff_institution", args=[campus["institution"].pk])
    ).content.decode()
    assert "No student has objected." in page
    assert student.email not in page


def test_institution_links_snippet_points_to_the_privacy_pages(campus):
    from django.template.loader import render_to_string

    html = render_to_string(
        "privacy/staff/_institution_links.html", {"institution": campus["institution"]}
    )
    assert reverse("privacy:staff_institution", args=[campus["institution"].pk]) in html
    assert reverse("privacy:staff_register", args=[campus["institution"].pk]) in html
