"""Withdrawing consent per institution × type: consequences first, then the badges of that
type are hidden, stripped of personal data and revoked; nothing else changes."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from badges import baked_images
from badges.models import Assertion, Award, Enrollment
from badges.privacy_handlers import WITHDRAWN_BY_RECIPIENT
from issuers.badge_types import BadgeType
from issuers.models import AuditEntry
from privacy import services
from privacy.models import ConsentRecord, PrivacyAction
from tests.privacy.factories import (
    AssertionFactory,
    AwardFactory,
    EnrollmentFactory,
    record,
)

CONSENT_TYPE = BadgeType.EXTRACURRICULAR
NOW = datetime.datetime(2026, 5, 4, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def holdings(student, campus, other_campus):
    """The student's badges, offers and requests: of the consent type at this campus, of
    another type at this campus, and of the consent type at another institution."""
    badges = campus["badges"]
    record(student, campus["statements"][CONSENT_TYPE])
    record(student, other_campus["statements"][CONSENT_TYPE])
    return {
        "withdrawn": AssertionFactory(badge_class=badges[CONSENT_TYPE], recipient=student),
        "pending": AssertionFactory(
            badge_class=badges[CONSENT_TYPE], recipient=student, status=Assertion.Status.PENDING
        ),
        "other_type": AssertionFactory(
            badge_class=badges[BadgeType.MICROCREDENTIAL], recipient=student
        ),
        "other_institution": AssertionFactory(
            badge_class=other_campus["badges"][CONSENT_TYPE], recipient=student
        ),
        "open_award": AwardFactory(badge_class=badges[CONSENT_TYPE], recipient_email=student.email),
        "other_type_award": AwardFactory(
            badge_class=badges[BadgeType.MICROCREDENTIAL], recipient_email=student.email
        ),
        "enrollment": EnrollmentFactory(badge_class=badges[CONSENT_TYPE], user=student),
    }


def _withdraw(student, campus):
    with time_machine.travel(NOW, tick=False):
        return services.consent_withdraw(
            user=student, institution=campus["institution"], badge_type=CONSENT_TYPE
        )


def test_withdrawal_hides_revokes_and_erases_the_badges_of_that_type(student, campus, holdings):
    _withdraw(student, campus)
    for key in ("withdrawn", "pending"):
        badge = Assertion.objects.get(pk=holdings[key].pk)
        assert badge.is_public is False
        assert badge.status == Assertion.Status.REVOKED
        assert badge.revocation_reason == WITHDRAWN_BY_RECIPIENT == "withdrawn by the recipient"
        assert badge.revoked_at == NOW
        assert (badge.recipient_name, badge.narrative, badge.evidence_url, badge.grade) == (
            "",
            "",
            "",
            "",
        )
        # The credential stays recognisable as the one that was revoked.
        assert badge.identity_hash == holdings[key].identity_hash
        assert badge.salt == holdings[key].salt


def test_withdrawal_strips_personal_data_from_the_stored_credentials(student, campus, holdings):
    _withdraw(student, campus)
    badge = Assertion.objects.get(pk=holdings["withdrawn"].pk)
    assert "narrative" not in badge.ob2_assertion and "evidence" not in badge.ob2_assertion
    assert badge.ob2_assertion["recipient"]["identity"] == badge.identity_hash
    assert "evidence" not in badge.ob3_credential
    assert "result" not in badge.ob3_credential["credentialSubject"]
    assert badge.ob2_jws == "" and badge.ob3_jwt == ""
    for kind in baked_images.KINDS:
        assert baked_images.baked(badge, kind) is None


def test_withdrawal_withdraws_open_awards_and_enrolment_requests_of_that_type(
    student, campus, holdings
):
    _withdraw(student, campus)
    award = Award.objects.get(pk=holdings["open_award"].pk)
    assert award.status == Award.Status.WITHDRAWN
    assert award.decided_at == NOW
    assert (award.narrative, award.grade, award.recipient_name) == ("", "", "")
    enrollment = Enrollment.objects.get(pk=holdings["enrollment"].pk)
    assert enrollment.status == Enrollment.Status.WITHDRAWN
    assert enrollment.narrative == ""


def test_withdrawal_leaves_other_types_and_other_institutions_untouched(student, campus, holdings):
    untouched = {
        key: Assertion.objects.filter(pk=holdings[key].pk).values().get()
        for key in ("other_type", "other_institution")
    }
    other_award = Award.objects.filter(pk=holdings["other_type_award"].pk).values().get()
    _withdraw(student, campus)
    for key, before in untouched.items():
        after = Assertion.objects.filter(pk=holdings[key].pk).values().get()
        assert after == before, key
        assert after["status"] == Assertion.Status.ISSUED
        assert after["is_public"] is True
    assert Award.objects.filter(pk=holdings["other_type_award"].pk).values().get() == other_award


def test_withdrawal_marks_the_consent_withdrawn_and_is_logged(student, campus, holdings):
    changed = _withdraw(student, campus)
    consent = ConsentRecord.objects.get(user=student, institution=campus["institution"])
    assert consent.withdrawn_at == NOW
    assert (
        ConsentRecord.objects.get(user=student, withdrawn_at__isnull=True).institution
        != (campus["institution"])
    )
    entry = AuditEntry.objects.get(action=PrivacyAction.CONSENT_WITHDRAWN)
    assert entry.subject == student
    assert entry.institution == campus["institution"]
    # Two badges, the open award and the enrolment request; other apps may add theirs.
    assert entry.data["changed"]["badges"] == 4
    assert changed == sum(entry.data["changed"].values())
    assert not services.has_valid_consent(
        user=student, institution=campus["institution"], badge_type=CONSENT_TYPE
    )


def test_withdrawal_without_consent_is_refused(student, campus):
    with pytest.raises(ValidationError):
        services.consent_withdraw(
            user=student, institution=campus["institution"], badge_type=CONSENT_TYPE
        )


def test_confirm_page_shows_the_consequences_before_anything_happens(
    client, student, campus, holdings
):
    client.force_login(student)
    url = reverse("privacy:withdraw", args=[campus["institution"].pk, CONSENT_TYPE])
    page = client.get(url).content.decode()
    assert "What will happen" in page
    assert "2 badges will be hidden and revoked" in page
    assert campus["badges"][CONSENT_TYPE].name in page
    assert "1 badge offered to you will be withdrawn" in page
    assert "1 enrolment request will be withdrawn." in page
    assert Assertion.objects.get(pk=holdings["withdrawn"].pk).status == Assertion.Status.ISSUED


def test_withdrawing_needs_the_confirmation_tick(client, student, campus, holdings):
    client.force_login(student)
    url = reverse("privacy:withdraw", args=[campus["institution"].pk, CONSENT_TYPE])
    response = client.post(url, {})
    assert response.status_code == 200
    assert Assertion.objects.get(pk=holdings["withdrawn"].pk).status == Assertion.Status.ISSUED
    response = client.post(url, {"confirm": "on"})
    assert response.url == reverse("privacy:overview")
    assert Assertion.objects.get(pk=holdings["withdrawn"].pk).status == Assertion.Status.REVOKED


def test_withdraw_page_is_404_without_consent(client, student, campus):
    client.force_login(student)
    # Public task: acknowledged, not consented; there is nothing to withdraw.
    record(student, campus["statements"][BadgeType.MICROCREDENTIAL])
    for badge_type in (CONSENT_TYPE, BadgeType.MICROCREDENTIAL):
        url = reverse("privacy:withdraw", args=[campus["institution"].pk, badge_type])
        assert client.get(url).status_code == 404
