"""Unclaimed offers: reminders after 20 and 40 days, expiry after 82 (configurable), on
Celery beat; each run is safe to repeat."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.utils import timezone

from badges import tasks
from badges.awarding import awards
from badges.models import Award
from issuers.models import AuditEntry
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(ready, awarder, commits):
    with commits():
        return awards.award_create(
            actor=awarder, badge_class=ready["a"]["badge_class"], email="late@student.example"
        )


def _after(award, days, hours=1):
    return award.offered_at + timedelta(days=days, hours=hours)


def test_the_defaults_are_20_and_40_days_and_82_days():
    assert settings.AWARD_REMINDER_DAYS == [20, 40]
    assert settings.AWARD_EXPIRY_DAYS == 82


def test_reminders_after_20_and_40_days_then_expiry_after_82(offer, commits, mailoutbox):
    mailoutbox.clear()
    with time_machine.travel(_after(offer, 19), tick=False), commits():
        assert tasks.send_award_reminders() == 0
    with time_machine.travel(_after(offer, 20), tick=False), commits():
        assert tasks.send_award_reminders() == 1
        assert tasks.send_award_reminders() == 0  # a second beat run sends nothing
    with time_machine.travel(_after(offer, 40), tick=False), commits():
        assert tasks.send_award_reminders() == 1
    with time_machine.travel(_after(offer, 60), tick=False), commits():
        assert tasks.send_award_reminders() == 0
        assert tasks.expire_awards() == 0
    assert [m.subject.split(" / ")[-1][:9] for m in mailoutbox] == ["Reminder:", "Reminder:"]
    with time_machine.travel(_after(offer, 82), tick=False), commits():
        assert tasks.expire_awards() == 1
        assert tasks.expire_awards() == 0
    offer.refresh_from_db()
    assert offer.status == Award.Status.EXPIRED and offer.reminders_sent == 2
    assert "has expired" in mailoutbox[-1].body or "expired" in mailoutbox[-1].subject
    assert AuditEntry.objects.filter(action="award_expire", object_id=str(offer.pk)).count() == 1
    kinds = list(Notification.objects.filter(award=offer).values_list("kind", flat=True))
    assert sorted(kinds) == sorted(
        ["award_offered", "award_reminder", "award_reminder", "award_expired"]
    )


def test_a_missed_run_sends_only_the_latest_reminder(offer, commits, mailoutbox):
    mailoutbox.clear()
    with time_machine.travel(_after(offer, 45), tick=False), commits():
        assert tasks.send_award_reminders() == 1
        assert tasks.send_award_reminders() == 0
    offer.refresh_from_db()
    assert offer.reminders_sent == 2 and len(mailoutbox) == 1


def test_claimed_declined_or_withdrawn_offers_get_no_reminder(offer, awarder, commits, mailoutbox):
    awards.award_withdraw(actor=awarder, award=offer)
    mailoutbox.clear()
    with time_machine.travel(_after(offer, 41), tick=False), commits():
        assert tasks.send_award_reminders() == 0
    with time_machine.travel(_after(offer, 90), tick=False), commits():
        assert tasks.expire_awards() == 0
    assert mailoutbox == []


def test_the_days_are_configurable(ready, awarder, commits, settings, mailoutbox):
    settings.AWARD_REMINDER_DAYS = [3]
    settings.AWARD_EXPIRY_DAYS = 7
    with commits():
        award = awards.award_create(
            actor=awarder, badge_class=ready["a"]["badge_class"], email="quick@student.example"
        )
    assert award.expires_at == award.offered_at + timedelta(days=7)
    with time_machine.travel(_after(award, 3), tick=False), commits():
        assert tasks.send_award_reminders() == 1
    with time_machine.travel(_after(award, 7), tick=False), commits():
        assert tasks.expire_awards() == 1


def test_beat_schedules_every_awarding_job():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "badges.tasks.release_scheduled_awards",
        "badges.tasks.send_award_reminders",
        "badges.tasks.expire_awards",
        "badges.tasks.expire_assertions",
        "notifications.tasks.sweep_notifications",
        "badges.tasks.sweep_bulk_awards",
        "badges.tasks.purge_bulk_awards",
    } <= scheduled


def test_the_claim_page_refuses_an_offer_past_its_date_before_the_beat_has_run(
    client, offer, student
):
    with time_machine.travel(offer.expires_at + timedelta(minutes=5), tick=False):
        client.force_login(student)
        from django.urls import reverse

        page = client.get(reverse("students:claim", args=[offer.claim_token])).content.decode()
        assert "expired" in page
    assert timezone.now() < offer.expires_at
