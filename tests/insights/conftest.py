"""Awards, badges and enrolment requests with known dates, written straight to the tables
(the figures only read them), in an institution ``a`` and another institution ``b``."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from badges.models import Assertion, Award, Enrollment
from tests.factories import BadgeClassFactory, UserFactory

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=AMSTERDAM)


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=AMSTERDAM)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def make_award(badge_class, created, status=Award.Status.OFFERED, claimed_after=None, **extra):
    offered = extra.pop("offered_at", created)
    decided = (
        offered + claimed_after if claimed_after is not None else extra.pop("decided_at", None)
    )
    return Award.objects.create(
        badge_class=badge_class,
        recipient_email=f"student{Award.objects.count()}@example.org",
        status=status,
        created_at=created,
        offered_at=offered,
        decided_at=decided,
        **extra,
    )


def make_assertion(badge_class, issued_on, revoked_at=None, status=None):
    return Assertion.objects.create(
        badge_class=badge_class,
        identity_hash="sha256$" + "0" * 64,
        salt="salt",
        issued_on=issued_on,
        status=status or (Assertion.Status.REVOKED if revoked_at else Assertion.Status.ISSUED),
        revoked_at=revoked_at,
    )


def make_enrollment(badge_class, created, status=Enrollment.Status.PENDING):
    return Enrollment.objects.create(
        badge_class=badge_class, user=UserFactory(), created_at=created, status=status
    )


@pytest.fixture
def usage(world):
    """Institution a: a microcredential and an extra-curricular certificate with awards in
    March and April 2026 (and one long before); institution b: one award that must never
    show up in a's figures."""
    a, b = world["a"], world["b"]
    certificate = a["badge_class"]
    module = BadgeClassFactory(issuer=a["issuer"], microcredential=True)
    day = timedelta(days=1)
    # March: claimed after 1 and 3 days, one still offered.
    make_award(module, at(3, 2), Award.Status.CLAIMED, claimed_after=1 * day)
    make_award(module, at(3, 10), Award.Status.CLAIMED, claimed_after=3 * day)
    make_award(certificate, at(3, 20))
    # April: declined, claimed after 2 days, issued directly, withdrawn, scheduled.
    make_award(certificate, at(4, 1), Award.Status.DECLINED, decided_at=at(4, 3))
    make_award(certificate, at(4, 2), Award.Status.CLAIMED, claimed_after=2 * day)
    make_award(
        certificate, at(4, 5), Award.Status.CLAIMED, claimed_after=timedelta(), issued_directly=True
    )
    make_award(module, at(4, 6), Award.Status.WITHDRAWN, decided_at=at(4, 7))
    make_award(module, at(4, 8), Award.Status.SCHEDULED, offered_at=None)
    # Long before the period: never counted.
    make_award(
        module, datetime(2024, 1, 5, tzinfo=AMSTERDAM), Award.Status.CLAIMED, claimed_after=day
    )
    # Badges: two issued in March, one of them revoked in May; one still being signed.
    make_assertion(module, at(3, 3))
    make_assertion(certificate, at(3, 21), revoked_at=at(5, 1))
    make_assertion(module, at(4, 2), status=Assertion.Status.PENDING)
    # Enrolment requests in April.
    make_enrollment(module, at(4, 10), Enrollment.Status.APPROVED)
    make_enrollment(module, at(4, 11), Enrollment.Status.DENIED)
    make_enrollment(module, at(4, 12))
    # Another institution.
    make_award(b["badge_class"], at(3, 5), Award.Status.CLAIMED, claimed_after=10 * day)
    make_assertion(b["badge_class"], at(3, 6), revoked_at=at(3, 7))
    return {"a": a, "b": b, "module": module, "certificate": certificate}
