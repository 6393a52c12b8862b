"""The figures of a scope: counts by month and badge type, claim rate, median time to claim,
revocations and enrolment outcomes; never anything of another institution."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from insights.selectors import ALL, Period, insights_for

from .conftest import at, make_award

pytestmark = pytest.mark.django_db

MARCH, APRIL, MAY = date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1)


def test_the_figures_of_an_institution(usage):
    insights = insights_for(usage["a"]["institution"], Period.last_months())
    assert insights.period.months[0] == date(2025, 7, 1)
    assert insights.period.months[-1] == date(2026, 6, 1)

    total = insights.total
    assert total.awards == 8
    assert total.claims == 3
    assert total.issued_directly == 1
    assert (total.offered, total.declined, total.withdrawn, total.scheduled) == (1, 1, 1, 1)
    # Three claimed of five offers that could be answered (claimed, offered, declined).
    assert total.claim_rate == pytest.approx(60.0)
    assert total.median_time_to_claim == timedelta(days=2)
    assert total.badges_issued == 2
    assert total.revocations == 1
    assert total.enrolments == 3
    assert (total.enrolments_approved, total.enrolments_denied, total.enrolments_pending) == (
        1,
        1,
        1,
    )


def test_by_month_and_by_type(usage):
    insights = insights_for(usage["a"]["institution"], Period.last_months())
    march = insights.get(MARCH, ALL)
    assert (march.awards, march.claims, march.offered) == (3, 2, 1)
    # An even number of claims: the mean of the two middle ones (1 and 3 days).
    assert march.median_time_to_claim == timedelta(days=2)
    assert march.badges_issued == 2 and march.revocations == 0
    april = insights.get(APRIL, ALL)
    assert (april.awards, april.claims, april.declined) == (5, 1, 1)
    assert april.median_time_to_claim == timedelta(days=2)
    assert april.enrolments == 3
    assert insights.get(MAY, ALL).revocations == 1

    module = insights.get(ALL, "microcredential")
    assert (module.awards, module.claims) == (4, 2)
    assert module.median_time_to_claim == timedelta(days=2)
    assert insights.get(MARCH, "microcredential").claim_rate == pytest.approx(100.0)
    certificate = insights.get(ALL, "extracurricular")
    assert (certificate.awards, certificate.claims, certificate.issued_directly) == (4, 1, 1)
    assert certificate.claim_rate == pytest.approx(100 / 3)
    assert insights.get(ALL, "digital_education").awards == 0
    assert [month for month, _figures in insights.by_month] == insights.period.months


def test_an_odd_number_of_claims_has_the_middle_one_as_median(usage):
    make_award(usage["module"], at(3, 25), "claimed", claimed_after=timedelta(days=10, hours=6))
    insights = insights_for(usage["a"]["institution"], Period.last_months())
    assert insights.get(MARCH, ALL).median_time_to_claim == timedelta(days=3)
    assert insights.get(MARCH, "microcredential").median_time_to_claim == timedelta(days=3)


def test_each_scope_counts_only_what_is_under_it(usage):
    period = Period.last_months()
    faculty = insights_for(usage["a"]["faculty"], period).total
    issuer = insights_for(usage["a"]["issuer"], period).total
    assert faculty.awards == issuer.awards == 8
    module = insights_for(usage["module"], period).total
    assert (module.awards, module.claims, module.enrolments) == (4, 2, 3)
    other = insights_for(usage["b"]["institution"], period).total
    assert (other.awards, other.claims, other.revocations) == (1, 1, 1)
    assert other.median_time_to_claim == timedelta(days=10)


def test_a_chosen_period(usage):
    insights = insights_for(usage["a"]["institution"], Period(first=MARCH, last=MARCH))
    assert insights.period.months == [MARCH]
    assert insights.total.awards == 3
    assert insights.total.revocations == 0  # revoked in May
    long_ago = insights_for(
        usage["a"]["institution"], Period(first=date(2024, 1, 1), last=date(2024, 1, 1))
    )
    assert long_ago.total.claims == 1
    assert long_ago.total.median_time_to_claim == timedelta(days=1)


def test_no_data_gives_zeros_and_no_rate(world):
    insights = insights_for(world["a"]["institution"], Period.last_months())
    assert insights.total.awards == 0
    assert insights.total.claim_rate is None
    assert insights.total.median_time_to_claim is None
