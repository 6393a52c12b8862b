"""The staff list of a badge class's awards and badges: the same queries for a page of a few
rows as for a page of a hundred and for the first page as for a deep one, with only the
columns shown; pages by position (newer, older) that hold every row once, with or without a
filter; counts that stop at a cap."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

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


def test_every_page_reads_as_many_queries_as_a_first_page_of_three_rows(
    staff, badge_class, django_assert_num_queries
):
    url = reverse("staff:badge_awards", args=[badge_class.pk])
    _fill(badge_class, 3)
    staff.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert staff.get(url).status_code == 200
    few = len(queries)
    _fill(badge_class, 247, start=3)
    with django_assert_num_queries(few):
        page = staff.get(url)
    assert page.content.decode().count('name="selected"') == 100  # the badges' checkboxes
    deep = _follow(staff, _follow(staff, page, "awards", "next"), "awards", "next")
    deep = _follow(staff, _follow(staff, deep, "badges", "next"), "badges", "next")
    with django_assert_num_queries(few):
        assert staff.get(url, _query(deep)).status_code == 200
    assert len(deep.context["awards"].rows) == len(deep.context["assertions"].rows) == 50
    newer = _follow(staff, deep, "awards", "prev")
    with django_assert_num_queries(few):
        assert staff.get(url, _query(newer)).status_code == 200


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
        for column in ("narrative", "ob2_assertion", "ob3_credential", "JOIN"):
            assert column not in sql, sql


def _links(response, which: str) -> dict[str, str]:
    """The links (by ``rel``, and "newest") of the page navigation of the awards or badges."""
    label = {"awards": "Pages of the awards", "badges": "Pages of the issued badges"}[which]
    found = re.search(
        rf'<nav class="pagination" aria-label="{label}">(.*?)</nav>',
        response.content.decode(),
        re.S,
    )
    if found is None:
        return {}
    links = {}
    for href, rel, text in re.findall(r'<a href="([^"]*)"(?: rel="(\w+)")?>([^<]*)</a>', found[1]):
        links[rel or text.lower()] = html.unescape(href)
    return links


def _follow(client, response, which: str, rel: str):
    href = _links(response, which)[rel]
    assert href.startswith("?")
    followed = client.get(response.request["PATH_INFO"] + href)
    assert followed.status_code == 200
    return followed


def _query(response) -> dict[str, str]:
    return dict(QueryDict(response.request["QUERY_STRING"]).items())


def _pks(response, which: str = "awards") -> list[int]:
    return [row.pk for row in response.context[which].rows]


def test_rows_that_share_a_moment_each_appear_once_going_older_and_again_going_newer(
    staff, badge_class
):
    _fill(badge_class, 250)
    expected = list(
        Award.objects.filter(badge_class=badge_class)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)
    )
    pages = [staff.get(reverse("staff:badge_awards", args=[badge_class.pk]))]
    assert set(_links(pages[0], "awards")) == {"next"}
    while "next" in _links(pages[-1], "awards"):
        pages.append(_follow(staff, pages[-1], "awards", "next"))
    assert [len(_pks(page)) for page in pages] == [100, 100, 50]
    assert [pk for page in pages for pk in _pks(page)] == expected
    assert set(_links(pages[-1], "awards")) == {"newest", "prev"}

    newer = _follow(staff, pages[-1], "awards", "prev")
    assert _pks(newer) == _pks(pages[1])
    newest = _follow(staff, newer, "awards", "prev")
    assert _pks(newest) == _pks(pages[0])
    assert set(_links(newest, "awards")) == {"next"}
    assert _pks(_follow(staff, pages[-1], "awards", "newest")) == _pks(pages[0])


def test_the_badges_page_on_their_own_and_each_list_keeps_the_others_position(staff, badge_class):
    _fill(badge_class, 150)
    first = staff.get(reverse("staff:badge_awards", args=[badge_class.pk]))
    badges = _follow(staff, first, "badges", "next")
    assert _pks(badges, "assertions") == list(
        Assertion.objects.filter(badge_class=badge_class)
        .order_by("-issued_on", "-pk")
        .values_list("pk", flat=True)[100:]
    )
    assert _pks(badges) == _pks(first)  # the awards stay on their first page
    both = _follow(staff, badges, "awards", "next")
    assert _pks(both, "assertions") == _pks(badges, "assertions")
    assert len(_pks(both)) == 50
    back = _follow(staff, both, "badges", "newest")
    assert _pks(back) == _pks(both)
    assert _pks(back, "assertions") == _pks(first, "assertions")


def test_pages_of_a_filtered_list_keep_the_filter_and_hold_only_what_it_matches(staff, badge_class):
    _fill(badge_class, 500)
    awards = list(Award.objects.filter(badge_class=badge_class).order_by("-created_at", "-pk"))
    Award.objects.filter(pk__in=[award.pk for award in awards[::2]]).update(
        status=Award.Status.OFFERED
    )
    expected = [
        award.pk
        for award in awards[::2]
        if "1" in award.recipient_email or "1" in award.recipient_name
    ]
    assert len(expected) > 100
    filters = {"status": "offered", "q": "1"}

    page = staff.get(reverse("staff:badge_awards", args=[badge_class.pk]), filters)
    seen = _pks(page)
    while "next" in _links(page, "awards"):
        page = _follow(staff, page, "awards", "next")
        assert filters.items() <= _query(page).items()
        seen += _pks(page)

    assert seen == expected
    newer = _follow(staff, page, "awards", "prev")
    assert filters.items() <= _query(newer).items()
    last = len(_pks(page))
    assert _pks(newer) == expected[-last - 100 : -last]


@pytest.mark.parametrize(
    "query",
    [
        {"after": "junk"},
        {"after": "1_"},
        {"before": "99999999999999999999_1"},
        {"before": "1796131625123456_1"},  # newer than every row
        {"after": "0_1"},  # older than every row
        {"badges_after": "-5_-5", "badges_before": "%00"},
        {"page": "7", "badges_page": "last"},  # a page number of an old link
    ],
)
def test_a_position_that_is_not_one_or_leads_nowhere_shows_the_first_page(
    staff, badge_class, query
):
    _fill(badge_class, 150)
    url = reverse("staff:badge_awards", args=[badge_class.pk])
    first = staff.get(url)

    response = staff.get(url, query)

    assert response.status_code == 200
    assert _pks(response) == _pks(first)
    assert _pks(response, "assertions") == _pks(first, "assertions")
    assert set(_links(response, "awards")) == {"next"}
    assert "page=" not in _links(response, "awards")["next"]


def test_counts_per_status_follow_the_awards_as_they_change(staff, badge_class):
    _fill(badge_class, 5)
    Award.objects.filter(badge_class=badge_class).update(status=Award.Status.OFFERED)
    url = reverse("staff:badge_awards", args=[badge_class.pk])
    assert _status_counts(staff.get(url)) == {"offered": "5", "withdrawn": "0", "claimed": "0"}

    withdrawn = list(Award.objects.filter(badge_class=badge_class).order_by("pk")[:2])
    response = staff.post(
        reverse("staff:awards_withdraw", args=[badge_class.pk]),
        {"selected": [award.pk for award in withdrawn], "reason": "Wrong course"},
    )
    assert response.status_code == 302

    assert _status_counts(staff.get(url)) == {"offered": "3", "withdrawn": "2", "claimed": "0"}


def test_counts_stop_at_the_cap_and_say_so(staff, badge_class, monkeypatch):
    from badges.awarding import selectors

    _fill(badge_class, 5)
    Assertion.objects.filter(badge_class=badge_class).update(status=Assertion.Status.FAILED)
    url = reverse("staff:badge_awards", args=[badge_class.pk])
    page = staff.get(url).content.decode()
    assert "Numbers are counted up to" not in page
    assert "5 badges could not be signed" in page

    monkeypatch.setattr(selectors, "COUNT_CAP", 4)
    response = staff.get(url)
    page = response.content.decode()

    assert _status_counts(response)["claimed"] == "4+"
    assert "Numbers are counted up to 4; more than that is shown as 4+." in page
    assert 'aria-describedby="filter-status-help"' in page
    assert "4+ badges could not be signed" in page
    with translation.override("nl"):
        dutch = staff.get(url, HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Er wordt geteld tot 4; meer wordt getoond als 4+." in dutch


def test_nothing_of_another_badge_class_is_listed_or_counted(staff, badge_class):
    other = BadgeClassFactory()  # of another institution
    _fill(other, 120)
    _fill(badge_class, 3)
    mine = set(Award.objects.filter(badge_class=badge_class).values_list("pk", flat=True))
    theirs = Award.objects.filter(badge_class=other).order_by("-created_at", "-pk")
    url = reverse("staff:badge_awards", args=[badge_class.pk])

    # Even at a position taken from the other badge class's rows.
    for query in ({}, {"after": f"{_cursor(theirs[0])}"}, {"before": _cursor(theirs[110])}):
        response = staff.get(url, query)
        assert set(_pks(response)) == mine
        assert _status_counts(response)["claimed"] == "3"
    assert staff.get(reverse("staff:badge_awards", args=[other.pk])).status_code == 404


def _cursor(award) -> str:
    from edubadges.listing import Cursor

    return str(Cursor.of(award, "created_at"))


def _status_counts(response) -> dict[str, str]:
    options = dict(
        re.findall(
            r'<option value="(\w+)"[^>]*>[^<(]*\(([^)]*)\)</option>', response.content.decode()
        )
    )
    return {status: options[status] for status in ("offered", "withdrawn", "claimed")}
