"""Retention on Celery beat: unclaimed awards, expired exports and stale invitations go once
their time is up, not before; running a job twice is harmless."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings

from badges.models import Award, Enrollment
from issuers.badge_types import BadgeType
from issuers.models import AuditEntry, Invitation
from privacy import services, tasks
from privacy.models import DataExport, PrivacyAction
from tests.privacy.factories import AssertionFactory, AwardFactory, EnrollmentFactory

START = datetime.datetime(2026, 1, 10, 12, 0, tzinfo=datetime.UTC)
DAY = datetime.timedelta(days=1)


def test_beat_runs_the_retention_tasks():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "privacy.tasks.purge_unclaimed_awards",
        "privacy.tasks.purge_expired_exports",
        "privacy.tasks.purge_stale_invitations",
        "privacy.tasks.requeue_data_exports",
    } <= scheduled


@pytest.fixture
def old_awards(campus):
    badge = campus["badges"][BadgeType.MICROCREDENTIAL]
    with time_machine.travel(START, tick=False):
        return {
            status: AwardFactory(badge_class=badge, status=status)
            for status in (
                Award.Status.OFFERED,
                Award.Status.EXPIRED,
                Award.Status.DECLINED,
                Award.Status.WITHDRAWN,
                Award.Status.CLAIMED,
                Award.Status.SCHEDULED,
            )
        }


def test_unclaimed_awards_are_kept_until_the_retention_period_ends(old_awards, settings):
    settings.PRIVACY_UNCLAIMED_AWARD_RETENTION_DAYS = 90
    with time_machine.travel(START + 89 * DAY):
        assert tasks.purge_unclaimed_awards.delay().get() == 0
    assert Award.objects.count() == 6


def test_unclaimed_awards_past_retention_are_purged(old_awards, settings):
    settings.PRIVACY_UNCLAIMED_AWARD_RETENTION_DAYS = 90
    with time_machine.travel(START + 91 * DAY):
        assert tasks.purge_unclaimed_awards.delay().get() == 4
    assert set(Award.objects.values_list("status", flat=True)) == {
        Award.Status.CLAIMED,
        Award.Status.SCHEDULED,
    }
    entry = AuditEntry.objects.get(action=PrivacyAction.RETENTION_PURGE)
    assert entry.data == {"badges": 4}


def test_a_shorter_statement_retention_wins(campus, settings):
    settings.PRIVACY_UNCLAIMED_AWARD_RETENTION_DAYS = 365
    statement = campus["statements"][BadgeType.EXTRACURRICULAR]
    statement.retention_days = 30
    statement.save()
    with time_machine.travel(START, tick=False):
        short = AwardFactory(badge_class=campus["badges"][BadgeType.EXTRACURRICULAR])
        long = AwardFactory(badge_class=campus["badges"][BadgeType.MICROCREDENTIAL])
    with time_machine.travel(START + 31 * DAY):
        services.retention_purge_awards()
    assert not Award.objects.filter(pk=short.pk).exists()
    assert Award.objects.filter(pk=long.pk).exists()


def test_retention_counts_from_the_decision_or_expiry(campus, settings):
    settings.PRIVACY_UNCLAIMED_AWARD_RETENTION_DAYS = 30
    badge = campus["badges"][BadgeType.MICROCREDENTIAL]
    with time_machine.travel(START, tick=False):
        declined_late = AwardFactory(
            badge_class=badge, status=Award.Status.DECLINED, decided_at=START + 20 * DAY
        )
        offered_long = AwardFactory(badge_class=badge, expires_at=START + 60 * DAY)
    with time_machine.travel(START + 31 * DAY):
        assert services.retention_purge_awards() == 0
    with time_machine.travel(START + 91 * DAY):
        assert services.retention_purge_awards() == 2
    assert not Award.objects.filter(pk__in=[declined_late.pk, offered_long.pk]).exists()


def test_claimed_awards_and_their_badges_are_never_purged(campus, settings):
    settings.PRIVACY_UNCLAIMED_AWARD_RETENTION_DAYS = 1
    badge = campus["badges"][BadgeType.MICROCREDENTIAL]
    with time_machine.travel(START, tick=False):
        award = AwardFactory(badge_class=badge, status=Award.Status.CLAIMED)
        AssertionFactory(badge_class=badge, award=award)
    with time_machine.travel(START + 400 * DAY):
        services.retention_purge_awards()
    assert Award.objects.filter(pk=award.pk).exists()


def test_closed_enrolment_requests_past_retention_are_purged(campus, settings):
    settings.PRIVACY_UNCLAIMED_AWARD_RETENTION_DAYS = 30
    badge = campus["badges"][BadgeType.MICROCREDENTIAL]
    with time_machine.travel(START, tick=False):
        denied = EnrollmentFactory(badge_class=badge, status=Enrollment.Status.DENIED)
        pending = EnrollmentFactory(badge_class=badge)
    with time_machine.travel(START + 31 * DAY):
        services.retention_purge_awards()
    assert not Enrollment.objects.filter(pk=denied.pk).exists()
    assert Enrollment.objects.filter(pk=pending.pk).exists()


def test_purging_twice_is_harmless(old_awards, settings):
    settings.PRIVACY_UNCLAIMED_AWARD_RETENTION_DAYS = 90
    with time_machine.travel(START + 91 * DAY):
        assert services.retention_purge_awards() == 4
        assert services.retention_purge_awards() == 0
    assert AuditEntry.objects.filter(action="retention_purge").count() == 1


def test_expired_exports_are_purged(student, django_capture_on_commit_callbacks):
    with time_machine.travel(START, tick=False), django_capture_on_commit_callbacks(execute=True):
        export = services.data_export_request(user=student)
    with time_machine.travel(START + 6 * DAY):
        assert tasks.purge_expired_exports.delay().get() == 0
    assert DataExport.objects.filter(pk=export.pk).exists()
    with time_machine.travel(START + 7 * DAY + datetime.timedelta(seconds=1)):
        assert tasks.purge_expired_exports.delay().get() == 1
        assert tasks.purge_expired_exports.delay().get() == 0
    assert not DataExport.objects.exists()


def test_stale_invitations_are_purged_after_expiry_and_grace(campus, settings):
    settings.PRIVACY_INVITATION_GRACE_DAYS = 30
    institution = campus["institution"]
    with time_machine.travel(START, tick=False):
        stale = Invitation.objects.create(
            email="late@campus.example", institution=institution, expires_at=START + 14 * DAY
        )
        fresh = Invitation.objects.create(
            email="new@campus.example", institution=institution, expires_at=START + 60 * DAY
        )
    with time_machine.travel(START + 43 * DAY):
        assert tasks.purge_stale_invitations.delay().get() == 0
    with time_machine.travel(START + 45 * DAY):
        assert tasks.purge_stale_invitations.delay().get() == 1
    assert not Invitation.objects.filter(pk=stale.pk).exists()
    assert Invitation.objects.filter(pk=fresh.pk).exists()
