"""The consent step: what the legal basis asks, recording it, asking again for a new version."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from issuers.badge_types import BadgeType
from issuers.models import AuditEntry
from privacy import services
from privacy.models import ConsentRecord, LegalBasis, PrivacyAction, RecordKind
from privacy.services import ConsentNeed
from tests.factories import InstitutionFactory, UserFactory
from tests.privacy.factories import next_version, policy_with_statement, record

CONSENT_TYPE = BadgeType.EXTRACURRICULAR  # basis (a) in the campus fixture
TASK_TYPE = BadgeType.MICROCREDENTIAL  # basis (e)


def _requirement(user, campus, badge_type):
    return services.consent_requirement(
        user=user, institution=campus["institution"], badge_type=badge_type
    )


# --- the service ---------------------------------------------------------------------------


def test_consent_basis_asks_for_consent_and_other_bases_for_an_acknowledgement(student, campus):
    assert _requirement(student, campus, CONSENT_TYPE).needed == ConsentNeed.CONSENT
    assert _requirement(student, campus, TASK_TYPE).needed == ConsentNeed.ACKNOWLEDGE
    assert _requirement(student, campus, BadgeType.DIGITAL_EDUCATION).needed == (
        ConsentNeed.ACKNOWLEDGE
    )


def test_requirement_names_the_statement_in_effect_and_the_basis(student, campus):
    requirement = _requirement(student, campus, CONSENT_TYPE)
    assert requirement.statement == campus["statements"][CONSENT_TYPE]
    assert requirement.legal_basis == LegalBasis.CONSENT
    assert not requirement.satisfied
    assert requirement.previous_statement is None


def test_recorded_consent_satisfies_the_requirement(student, campus):
    statement = campus["statements"][CONSENT_TYPE]
    with time_machine.travel(datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC), tick=False):
        consent = services.consent_record(user=student, statement=statement, agreed=True)
    assert consent.kind == RecordKind.CONSENT
    assert consent.legal_basis == LegalBasis.CONSENT
    assert consent.statement == statement
    assert consent.created_at == datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC)
    assert services.has_valid_consent(
        user=student, institution=campus["institution"], badge_type=CONSENT_TYPE
    )
    assert _requirement(student, campus, CONSENT_TYPE).satisfied


def test_acknowledgement_is_recorded_as_such(student, campus):
    statement = campus["statements"][TASK_TYPE]
    acknowledgement = services.consent_record(user=student, statement=statement, agreed=True)
    assert acknowledgement.kind == RecordKind.ACKNOWLEDGEMENT
    assert acknowledgement.legal_basis == LegalBasis.PUBLIC_TASK
    entry = AuditEntry.objects.get(subject=student, action=PrivacyAction.ACKNOWLEDGED)
    assert (entry.object_type, entry.object_id) == ("privacy.PrivacyStatement", str(statement.pk))
    assert entry.data["version"] == statement.version


def test_consent_and_audit_entry_are_written_together(student, campus):
    statement = campus["statements"][CONSENT_TYPE]
    services.consent_record(user=student, statement=statement, agreed=True)
    entry = AuditEntry.objects.get(subject=student)
    assert entry.action == PrivacyAction.CONSENT_GIVEN
    assert entry.institution == campus["institution"]
    assert entry.badge_type == CONSENT_TYPE
    assert entry.data == {"version": 1, "legal_basis": "a"}


def test_not_agreeing_records_nothing(student, campus):
    with pytest.raises(ValidationError):
        services.consent_record(
            user=student, statement=campus["statements"][CONSENT_TYPE], agreed=False
        )
    assert not ConsentRecord.objects.exists()


def test_recording_twice_keeps_one_record(student, campus):
    statement = campus["statements"][CONSENT_TYPE]
    first = services.consent_record(user=student, statement=statement, agreed=True)
    second = services.consent_record(user=student, statement=statement, agreed=True)
    assert first == second
    assert ConsentRecord.objects.count() == 1


def test_consent_to_a_superseded_version_is_refused(student, campus):
    old = campus["statements"][CONSENT_TYPE]
    next_version(old)
    with pytest.raises(ValidationError):
        services.consent_record(user=student, statement=old, agreed=True)


def test_a_new_version_asks_again_and_shows_what_changed(student, campus):
    old = campus["statements"][CONSENT_TYPE]
    record(student, old)
    assert _requirement(student, campus, CONSENT_TYPE).satisfied

    new = next_version(old, change_summary_en="We now keep your data for one year.")
    requirement = _requirement(student, campus, CONSENT_TYPE)
    assert requirement.needed == ConsentNeed.CONSENT
    assert requirement.statement == new
    assert requirement.previous_statement == old
    assert [change.change_summary for change in requirement.changes] == [
        "We now keep your data for one year."
    ]
    assert not services.has_valid_consent(
        user=student, institution=campus["institution"], badge_type=CONSENT_TYPE
    )


def test_a_version_that_takes_effect_later_does_not_ask_yet(student, campus):
    old = campus["statements"][TASK_TYPE]
    record(student, old)
    next_version(old, effective_date=timezone.localdate() + datetime.timedelta(days=30))
    assert _requirement(student, campus, TASK_TYPE).satisfied
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        assert _requirement(student, campus, TASK_TYPE).needed == ConsentNeed.ACKNOWLEDGE


def test_an_acknowledgement_does_not_count_as_consent_when_the_basis_becomes_consent(
    student, campus
):
    statement = campus["statements"][TASK_TYPE]
    record(student, statement)
    statement.policy.legal_basis = LegalBasis.CONSENT
    statement.policy.save()
    assert _requirement(student, campus, TASK_TYPE).needed == ConsentNeed.CONSENT


def test_withdrawn_consent_is_not_valid(student, campus):
    consent = record(student, campus["statements"][CONSENT_TYPE])
    consent.withdrawn_at = timezone.now()
    consent.save()
    assert not services.has_valid_consent(
        user=student, institution=campus["institution"], badge_type=CONSENT_TYPE
    )


def test_no_legal_basis_or_statement_means_not_configured(student):
    institution = InstitutionFactory()
    with pytest.raises(services.PrivacyNotConfigured):
        services.consent_requirement(user=student, institution=institution, badge_type=CONSENT_TYPE)
    assert not services.has_valid_consent(
        user=student, institution=institution, badge_type=CONSENT_TYPE
    )
    policy_with_statement(
        institution, CONSENT_TYPE, effective_date=timezone.localdate() + datetime.timedelta(1)
    )
    with pytest.raises(services.PrivacyNotConfigured):
        services.consent_requirement(user=student, institution=institution, badge_type=CONSENT_TYPE)


def test_consent_of_one_student_does_not_count_for_another(student, campus):
    record(student, campus["statements"][CONSENT_TYPE])
    assert not services.has_valid_consent(
        user=UserFactory(), institution=campus["institution"], badge_type=CONSENT_TYPE
    )


# --- the page -------------------------------------------------------------------------------


def _consent_url(campus, badge_type, next_url=None):
    url = reverse("privacy:consent", args=[campus["institution"].pk, badge_type])
    return f"{url}?next={next_url}" if next_url else url


def test_consent_page_shows_excerpt_full_text_basis_and_an_unticked_checkbox(
    client, student, campus
):
    client.force_login(student)
    page = client.get(_consent_url(campus, CONSENT_TYPE)).content.decode()
    assert "Short excerpt in English." in page
    assert "Full privacy statement in English." in page
    assert "(a) Consent" in page
    assert 'type="checkbox" name="agree"' in page
    assert "checked" not in page
    assert "I have read this" not in page


def test_consent_page_shows_the_dutch_statement_in_dutch(client, student, campus):
    client.force_login(student)
    page = client.get(_consent_url(campus, CONSENT_TYPE), HTTP_ACCEPT_LANGUAGE="nl").content
    assert "Korte samenvatting in het Nederlands." in page.decode()
    assert "Volledige privacyverklaring in het Nederlands." in page.decode()


def test_acknowledgement_page_asks_i_have_read_this_without_a_checkbox(client, student, campus):
    client.force_login(student)
    page = client.get(_consent_url(campus, TASK_TYPE)).content.decode()
    assert "I have read this" in page
    assert 'name="agree"' not in page
    assert "(e) Public task" in page


def test_posting_without_ticking_shows_an_error_and_records_nothing(client, student, campus):
    client.force_login(student)
    statement = campus["statements"][CONSENT_TYPE]
    response = client.post(_consent_url(campus, CONSENT_TYPE), {"statement": statement.pk})
    assert response.status_code == 200
    assert "Tick “I agree” to give your consent." in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_ticking_records_consent_and_returns_to_next(client, student, campus):
    client.force_login(student)
    statement = campus["statements"][CONSENT_TYPE]
    response = client.post(
        _consent_url(campus, CONSENT_TYPE),
        {"statement": statement.pk, "agree": "on", "next": "/claim/abc/"},
    )
    assert response.status_code == 302
    assert response.url == "/claim/abc/"
    assert ConsentRecord.objects.get(user=student).kind == RecordKind.CONSENT


def test_acknowledging_records_it_and_returns_to_next(client, student, campus):
    client.force_login(student)
    statement = campus["statements"][TASK_TYPE]
    response = client.post(
        _consent_url(campus, TASK_TYPE, next_url="/enrol/7/"), {"statement": statement.pk}
    )
    assert response.url == "/enrol/7/"
    assert ConsentRecord.objects.get(user=student).kind == RecordKind.ACKNOWLEDGEMENT


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_consent_page_never_redirects_off_site(client, student, campus, unsafe):
    client.force_login(student)
    statement = campus["statements"][TASK_TYPE]
    response = client.post(
        _consent_url(campus, TASK_TYPE), {"statement": statement.pk, "next": unsafe}
    )
    assert response.url == reverse("privacy:overview")


def test_consent_page_sends_a_student_who_already_agreed_straight_on(client, student, campus):
    record(student, campus["statements"][CONSENT_TYPE])
    client.force_login(student)
    response = client.get(_consent_url(campus, CONSENT_TYPE, next_url="/claim/abc/"))
    assert response.status_code == 302
    assert response.url == "/claim/abc/"


def test_consent_page_shows_what_changed_since_the_agreed_version(client, student, campus):
    old = campus["statements"][CONSENT_TYPE]
    record(student, old)
    next_version(old, change_summary_en="Your grade is no longer shown.")
    client.force_login(student)
    page = client.get(_consent_url(campus, CONSENT_TYPE)).content.decode()
    assert "You agreed to version 1. Version 2 is now in effect." in page
    assert "Your grade is no longer shown." in page


def test_consent_page_refuses_an_answer_to_a_version_that_was_replaced_meanwhile(
    client, student, campus
):
    old = campus["statements"][CONSENT_TYPE]
    next_version(old)
    client.force_login(student)
    response = client.post(
        _consent_url(campus, CONSENT_TYPE), {"statement": old.pk, "agree": "on"}, follow=True
    )
    assert "changed while you were reading" in response.content.decode()
    assert not ConsentRecord.objects.exists()


def test_consent_page_needs_sign_in(client, campus):
    response = client.get(_consent_url(campus, CONSENT_TYPE))
    assert response.status_code == 302
    assert reverse("account_login") in response.url


def test_consent_page_is_404_without_statement_or_for_an_unknown_type(client, student, campus):
    client.force_login(student)
    bare = InstitutionFactory()
    assert client.get(reverse("privacy:consent", args=[bare.pk, CONSENT_TYPE])).status_code == 404
    unknown = reverse("privacy:consent", args=[campus["institution"].pk, "nonsense"])
    assert client.get(unknown).status_code == 404


def test_requirement_builds_the_consent_page_url_for_the_claim_flow(student, campus):
    requirement = _requirement(student, campus, CONSENT_TYPE)
    url = requirement.page_url(next_url="/claim/abc/?x=1")
    assert url == _consent_url(campus, CONSENT_TYPE) + "?next=%2Fclaim%2Fabc%2F%3Fx%3D1"


def test_public_statement_page_shows_the_version_in_effect(client, campus):
    statement = campus["statements"][TASK_TYPE]
    next_version(statement, effective_date=timezone.localdate() + datetime.timedelta(days=5))
    page = client.get(
        reverse("privacy:statement", args=[campus["institution"].pk, TASK_TYPE])
    ).content.decode()
    assert "Version 1, in effect from" in page
    assert "Full privacy statement in English." in page
