"""The student's privacy page: every consent and acknowledgement with version and date, and
the way to each right."""

from __future__ import annotations

import datetime

import time_machine
from django.urls import reverse

from issuers.badge_types import BadgeType
from privacy import services
from tests.factories import UserFactory
from tests.privacy.factories import next_version


def _answer(student, statement):
    return services.consent_record(user=student, statement=statement, agreed=True)


def test_privacy_page_lists_every_consent_and_acknowledgement_with_version_and_date(
    client, student, campus
):
    statements = campus["statements"]
    with time_machine.travel(datetime.datetime(2026, 2, 3, 10, 0, tzinfo=datetime.UTC)):
        _answer(student, statements[BadgeType.EXTRACURRICULAR])
        _answer(student, statements[BadgeType.MICROCREDENTIAL])
    with time_machine.travel(datetime.datetime(2026, 4, 5, 10, 0, tzinfo=datetime.UTC)):
        _answer(student, next_version(statements[BadgeType.MICROCREDENTIAL]))
    client.force_login(student)
    page = client.get(reverse("privacy:overview")).content.decode()
    assert page.count("<td>Consent</td>") == 1
    assert page.count("<td>Acknowledgement</td>") == 2
    assert "3 February 2026" in page
    assert "5 April 2026" in page
    assert "<td>2</td>" in page  # the second version of the microcredential statement
    assert (
        reverse("privacy:withdraw", args=[campus["institution"].pk, BadgeType.EXTRACURRICULAR])
        in page
    )
    assert (
        reverse("privacy:object", args=[campus["institution"].pk, BadgeType.MICROCREDENTIAL])
        in page
    )
    # Nothing to withdraw where no consent was given, nothing to object to under consent.
    assert (
        reverse("privacy:withdraw", args=[campus["institution"].pk, BadgeType.MICROCREDENTIAL])
        not in page
    )
    assert (
        reverse("privacy:object", args=[campus["institution"].pk, BadgeType.EXTRACURRICULAR])
        not in page
    )
    assert reverse("privacy:export_request") in page
    assert reverse("privacy:account_delete") in page


def test_privacy_page_shows_a_withdrawn_consent_as_withdrawn(client, student, campus):
    _answer(student, campus["statements"][BadgeType.EXTRACURRICULAR])
    services.consent_withdraw(
        user=student, institution=campus["institution"], badge_type=BadgeType.EXTRACURRICULAR
    )
    client.force_login(student)
    page = client.get(reverse("privacy:overview")).content.decode()
    assert "Withdrawn on" in page
    assert "Consent withdrawn" in page


def test_privacy_page_shows_only_the_students_own_records(client, student, campus):
    _answer(UserFactory(), campus["statements"][BadgeType.EXTRACURRICULAR])
    client.force_login(student)
    page = client.get(reverse("privacy:overview")).content.decode()
    assert "You have not given consent or acknowledged a privacy statement yet." in page


def test_privacy_page_needs_sign_in(client):
    response = client.get(reverse("privacy:overview"))
    assert response.status_code == 302


def test_signed_in_users_find_the_privacy_page_in_the_menu(client, student):
    client.force_login(student)
    assert reverse("privacy:overview") in client.get(reverse("home")).content.decode()


def test_privacy_page_offers_objection_for_badges_issued_without_an_answer(client, student, campus):
    from tests.privacy.factories import AssertionFactory

    AssertionFactory(badge_class=campus["badges"][BadgeType.DIGITAL_EDUCATION], recipient=student)
    client.force_login(student)
    page = client.get(reverse("privacy:overview")).content.decode()
    assert "have not been asked to read a privacy statement" in page
    assert (
        reverse("privacy:object", args=[campus["institution"].pk, BadgeType.DIGITAL_EDUCATION])
        in page
    )
