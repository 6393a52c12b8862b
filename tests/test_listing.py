"""Keyset pages and capped counts (edubadges.listing), on awards of one badge class."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.http import QueryDict
from django.utils import timezone, translation

from badges.models import Award
from edubadges.listing import CappedCount, Cursor, capped_number, newest_first, page_links
from tests.factories import BadgeClassFactory

pytestmark = pytest.mark.django_db


def _awards(badge_class, moments: list[datetime]) -> list[Award]:
    """One award per moment, in the list's order: newest first, then highest key first."""
    Award.objects.bulk_create(
        Award(badge_class=badge_class, recipient_email=f"s{number}@student.example", created_at=at)
        for number, at in enumerate(moments)
    )
    return list(Award.objects.filter(badge_class=badge_class).order_by("-created_at", "-pk"))


def _ties(badge_class, count: int) -> list[Award]:
    """``count`` awards in runs of forty that share one moment, as a bulk award's rows do."""
    start = timezone.now() - timedelta(days=3)
    return _awards(
        badge_class, [start + timedelta(seconds=number // 40) for number in range(count)]
    )


def test_a_cursor_is_written_and_read_back_exactly():
    cursor = Cursor(datetime(2026, 12, 1, 13, 27, 5, 123456, tzinfo=UTC), 4711)
    assert str(cursor) == "1796131625123456_4711"
    assert Cursor.parse(str(cursor)) == cursor
    assert Cursor.parse("0_1") == Cursor(datetime(1970, 1, 1, tzinfo=UTC), 1)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "abc",
        "1796131625123456",
        "1796131625123456_",
        "_4711",
        "-1_4711",
        "1796131625123456_-1",
        "1796131625123456_4711_1",
        "1796131625123456_4711 ",
        "1.5_4711",
        "999999999999999999_1",  # past the year 9999
        "1_9999999999999999999",  # past the largest key
        "1" * 5000 + "_1",
        "１７９６_１",  # digits of another script
    ],
)
def test_anything_but_a_cursor_reads_as_none(value):
    assert Cursor.parse(value) is None


def test_paging_older_then_newer_visits_every_row_once_in_order_across_ties():
    badge_class = BadgeClassFactory()
    expected = _ties(badge_class, 250)
    queryset = Award.objects.filter(badge_class=badge_class)

    pages = [newest_first(queryset, moment="created_at", size=100)]
    while pages[-1].older is not None:
        pages.append(newest_first(queryset, moment="created_at", after=pages[-1].older, size=100))
    assert [len(page) for page in pages] == [100, 100, 50]
    assert [award.pk for page in pages for award in page] == [award.pk for award in expected]
    assert pages[0].is_first and not pages[1].is_first and not pages[2].is_first

    back = [pages[-1]]
    while back[-1].newer is not None:
        back.append(newest_first(queryset, moment="created_at", before=back[-1].newer, size=100))
    assert [[award.pk for award in page] for page in back[1:]] == [
        [award.pk for award in page] for page in reversed(pages[:-1])
    ]
    assert back[-1].is_first and back[-1].older is not None


def test_a_position_past_the_last_row_gives_the_first_page():
    badge_class = BadgeClassFactory()
    expected = _ties(badge_class, 5)
    queryset = Award.objects.filter(badge_class=badge_class)
    long_ago = Cursor(datetime(2000, 1, 1, tzinfo=UTC), 1)

    page = newest_first(queryset, moment="created_at", after=long_ago, size=3)

    assert [award.pk for award in page] == [award.pk for award in expected[:3]]
    assert page.is_first and page.older == Cursor.of(expected[2], "created_at")


def test_newer_rows_too_few_for_a_page_give_the_first_page():
    badge_class = BadgeClassFactory()
    expected = _ties(badge_class, 10)
    queryset = Award.objects.filter(badge_class=badge_class)

    page = newest_first(
        queryset, moment="created_at", before=Cursor.of(expected[2], "created_at"), size=4
    )

    assert [award.pk for award in page] == [award.pk for award in expected[:4]]
    assert page.is_first


def test_a_position_follows_the_filters_of_the_list_not_the_row_it_names():
    badge_class = BadgeClassFactory()
    expected = _ties(badge_class, 30)
    Award.objects.filter(pk__in=[award.pk for award in expected[::3]]).update(
        status=Award.Status.CLAIMED
    )
    claimed = [award.pk for award in expected[::3]]
    queryset = Award.objects.filter(badge_class=badge_class, status=Award.Status.CLAIMED)
    # The position of an offered award, between claimed ones.
    page = newest_first(
        queryset, moment="created_at", after=Cursor.of(expected[4], "created_at"), size=3
    )
    assert [award.pk for award in page] == claimed[2:5]


def test_the_rows_of_another_badge_class_never_appear_whatever_the_position():
    mine, other = BadgeClassFactory(), BadgeClassFactory()
    expected = _ties(mine, 20)
    _ties(other, 20)
    queryset = Award.objects.filter(badge_class=mine)
    seen, page = [], newest_first(queryset, moment="created_at", size=7)
    seen += list(page)
    while page.older is not None:
        page = newest_first(queryset, moment="created_at", after=page.older, size=7)
        seen += list(page)
    assert [award.pk for award in seen] == [award.pk for award in expected]


def test_links_keep_other_parameters_and_drop_old_page_numbers():
    badge_class = BadgeClassFactory()
    expected = _ties(badge_class, 5)
    queryset = Award.objects.filter(badge_class=badge_class)
    page = newest_first(
        queryset, moment="created_at", after=Cursor.of(expected[0], "created_at"), size=2
    )
    params = QueryDict("q=ann&status=offered&page=7&after=junk&other_after=1_2")

    links = page_links(page, params, after="after", before="before", stale=("page",))

    assert QueryDict(links.older[1:]) == QueryDict(
        f"q=ann&status=offered&other_after=1_2&after={page.older}"
    )
    assert QueryDict(links.newer[1:]) == QueryDict(
        f"q=ann&status=offered&other_after=1_2&before={page.newer}"
    )
    assert QueryDict(links.newest[1:]) == QueryDict("q=ann&status=offered&other_after=1_2")
    first = newest_first(queryset, moment="created_at", size=2)
    assert page_links(first, params, after="after", before="before").newest == ""
    assert page_links(first, params, after="after", before="before").newer == ""


def test_a_capped_count_stops_one_past_the_cap():
    badge_class = BadgeClassFactory()
    _ties(badge_class, 12)
    counted = (
        type(badge_class)
        .objects.filter(pk=badge_class.pk)
        .values(
            under=CappedCount(Award.objects.filter(badge_class=badge_class), cap=20),
            over=CappedCount(Award.objects.filter(badge_class=badge_class), cap=5),
            none=CappedCount(Award.objects.filter(badge_class=badge_class, grade="A"), cap=5),
        )
        .get()
    )
    assert counted == {"under": 12, "over": 6, "none": 0}


def test_a_capped_number_reads_as_more_than_the_cap_in_each_language():
    with translation.override("en"):
        assert capped_number(10_001, 10_000) == "10,000+"
        assert capped_number(10_000, 10_000) == "10,000"
        assert capped_number(1234, 10_000) == "1,234"
    with translation.override("nl"):
        assert capped_number(10_001, 10_000) == "10.000+"
        assert capped_number(7, 10_000) == "7"
