"""seed_demo gives every awarding page something to show, and stays idempotent."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from badges.models import Assertion, Award, BulkAward, Enrollment
from issuers.models import Institution
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        Award.objects.count(),
        Assertion.objects.count(),
        Enrollment.objects.count(),
        BulkAward.objects.count(),
        Notification.objects.count(),
    )


def test_seed_demo_adds_awards_requests_and_a_bulk_award_once(commits, capsys):
    with commits():
        call_command("seed_demo")
    first = _counts()
    with commits():
        call_command("seed_demo")
    assert _counts() == first
    for institution in Institution.objects.education():
        awards = Award.objects.filter(badge_class__issuer__faculty__institution=institution)
        statuses = set(awards.values_list("status", flat=True))
        assert {"offered", "scheduled", "claimed"} <= statuses
        assert Enrollment.objects.filter(
            badge_class__issuer__faculty__institution=institution, status="pending"
        ).exists()
        upload = BulkAward.objects.get(badge_class__issuer__faculty__institution=institution)
        assert upload.status == BulkAward.Status.DONE
        assert upload.created_awards == 3 and upload.error_rows == 1
        assert (
            Assertion.objects.filter(
                badge_class__issuer__faculty__institution=institution, status="issued"
            ).count()
            >= 3
        )
