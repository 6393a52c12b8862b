"""The staff list of a badge class's awards and badges: the same queries for a page of a few
rows as for a page of a hundred, with only the columns shown, and stable pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from badges.models import Assertion, Award
from issuers.roles import Role
from tests.factories import BadgeClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def badge_class(db):
    return BadgeClassFactory()


@pytest.fixture
def staff(client, badge_class, user_with_role):
    client.force_login(user_with_role(Role.AWARDER, issuer=badge_class.issuer))
    return client


def _fill(badge_class, count: int, *, start: int = 0) -> None:
    """``count`` awards, each with its badge; many share one moment, as a bulk award's do."""
    moment = timezone.now() - timedelta(days=1)
    awards = Award.objects.bulk_create(
        Award(
            badge_class=badge_class,
            status=Award.Status.CLAIMED,
            recipient_email=f"s{number}@student.example",
            recipient_name=f"Student {number}",
            narrative="A long narrative " * 50,
            created_at=moment,
        )
        for number in range(start, start + count)
    )
    if awards[0].pk is None:
        awards = list(Award.objects.filter(badge_class=badge_class, assertion__isnull=True))
    Assertion.objects.bulk_create(
        Assertion(
            badge_class=badge_class,
            award=award,
            status=Assertion.Status.ISSUED,
            recipient_identity=award.recipient_email,
            recipient_name=award.recipient_name,
            identity_hash="sha256$" + "0" * 64,
            salt="salt",
            narrative="A long narrative " * 50,
            issued_on=moment,
        )
        for award in awards
    )


def test_a_page_of_a_hundred_rows_reads_as_many_queries_as_a_page_of_three(
    staff, badge_class, django_assert_num_queries
):
    url = reverse("staff:badge_awards", args=[badge_class.pk])
    _fill(badge_class, 3)
    staff.get(url)
    with CaptureQueriesContext(connection) as few:
        assert staff.get(url).status_code == 200
    _fill(badge_class, 247, start=3)
    with django_assert_num_queries(len(few)):
        page = staff.get(url)
    with django_assert_num_queries(len(few)):
        staff.get(url, {"page": 3, "badges_page": 2})
    assert page.content.decode().count('name="selected"') == 100  # the badges' checkboxes


def test_the_lists_read_only_the_columns_they_show(staff, badge_class):
    _fill(badge_class, 3)
    with CaptureQueriesContext(connection) as queries:
        staff.get(reverse("staff:badge_awards", args=[badge_class.pk]))
    lists = [
        query["sql"]
        for query in queries
        if re.search(r'FROM "badges_(award|assertion)" .*ORDER BY .*LIMIT', query["sql"])
    ]
    assert len(lists) == 2
    for sql in lists:
        for column in ("narrative", "ob2_assertion", "baked_png", "ob3_credential", "JOIN"):
            assert column not in sql, sql


def test_rows_that_share_a_moment_each_appear_on_exactly_one_page(staff, badge_class):
    _fill(badge_class, 150)
    url = reverse("staff:badge_awards", args=[badge_class.pk])
    seen = []
    for number in (1, 2):
        page = staff.get(url, {"page": number}).context["awards"]
        seen += [award.pk for award in page.object_list]
    assert len(seen) == len(set(seen)) == 150
