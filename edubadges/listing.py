"""Long lists that keep their speed at any length: keyset pages and capped counts.

A page number costs the database every row before the page (``OFFSET``) and a count of all
rows for "page N of M". A keyset page instead starts at the row it was asked to follow, found
through an index on the list's order: the hundredth thousand row costs what the first does.
So pages are "newer" and "older" than a row, not numbered, and counts stop at a cap.

The lists here are newest first, by a moment and then the primary key (a bulk award gives
thousands of rows one moment, so the key breaks the ties). The position is compared as one
row value, ``(moment, id) < (…, …)``, which PostgreSQL and SQLite both seek in an index on
those columns; the equivalent ``moment < … OR (moment = … AND id < …)`` would have
PostgreSQL read past every row of a tie instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db.models import DateTimeField, F, Field, Func, IntegerField, QuerySet, Subquery, Value
from django.db.models.lookups import GreaterThan, LessThan
from django.http import QueryDict
from django.utils.formats import number_format

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_CURSOR = re.compile(r"([0-9]{1,18})_([0-9]{1,18})")  # 18 digits: within a 64-bit key


@dataclass(frozen=True)
class Cursor:
    """The position of one row in a list: its moment and primary key.

    Written as ``<microseconds since 1970 (UTC)>_<primary key>``: readable, exact, and safe
    in a URL as it is. Anyone may write one; a position reveals nothing the page does not
    show, and the list's own filters still decide which rows come after it.
    """

    moment: datetime
    pk: int

    def __str__(self) -> str:
        return f"{(self.moment - _EPOCH) // _MICROSECOND}_{self.pk}"

    @classmethod
    def parse(cls, value: str | None) -> Cursor | None:
        """The cursor written in ``value``, or None for anything else (then: the first page)."""
        match = _CURSOR.fullmatch(value or "")
        if match is None:
            return None
        try:
            moment = _EPOCH + int(match[1]) * _MICROSECOND
        except OverflowError:
            return None
        return cls(moment, int(match[2]))

    @classmethod
    def of(cls, row: Any, moment: str) -> Cursor:
        return cls(getattr(row, moment), row.pk)


@dataclass(frozen=True)
class KeysetPage:
    """One page of a newest-first list: its rows, and where the pages around it begin."""

    rows: list[Any]
    newer: Cursor | None  # before this row come the newer rows; None on the first page
    older: Cursor | None  # after this row come the older rows; None on the last page

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def is_first(self) -> bool:
        return self.newer is None


class _Row(Func):
    """A row value, ``(a, b)``, to compare positions as a whole."""

    template = "(%(expressions)s)"
    output_field = Field()


def newest_first(
    queryset: QuerySet,
    *,
    moment: str,
    after: Cursor | None = None,
    before: Cursor | None = None,
    size: int,
) -> KeysetPage:
    """The ``size`` rows of ``queryset`` (newest first, by ``moment`` then primary key) right
    after the row at ``after`` or right before the one at ``before``; else the first page.

    One query of at most ``size + 1`` rows: the extra row tells whether there is another page
    in that direction. A position that leads nowhere (no row beyond it, or not enough rows
    before it to fill a page) gives the first page, for one query more.
    """
    position = _Row(F(moment), F("pk"))
    if after is not None:
        rows = list(
            queryset.filter(LessThan(position, _position(after, queryset, moment))).order_by(
                f"-{moment}", "-pk"
            )[: size + 1]
        )
        if rows:
            return _page(rows[:size], moment, newer=True, older=len(rows) > size)
    elif before is not None:
        rows = list(
            queryset.filter(GreaterThan(position, _position(before, queryset, moment))).order_by(
                moment, "pk"
            )[: size + 1]
        )
        if len(rows) >= size:
            return _page(rows[:size][::-1], moment, newer=len(rows) > size, older=True)
    rows = list(queryset.order_by(f"-{moment}", "-pk")[: size + 1])
    return _page(rows[:size], moment, newer=False, older=len(rows) > size)


def _position(cursor: Cursor, queryset: QuerySet, moment: str) -> _Row:
    field = queryset.model._meta.get_field(moment)
    assert isinstance(field, DateTimeField), field
    return _Row(
        Value(cursor.moment, output_field=field),
        Value(cursor.pk, output_field=queryset.model._meta.pk),
    )


def _page(rows: list, moment: str, *, newer: bool, older: bool) -> KeysetPage:
    return KeysetPage(
        rows=rows,
        newer=Cursor.of(rows[0], moment) if newer and rows else None,
        older=Cursor.of(rows[-1], moment) if older and rows else None,
    )


@dataclass(frozen=True)
class PageLinks:
    """The query strings (``?…``) of the newest, newer and older pages; "" for none."""

    newest: str
    newer: str
    older: str


def page_links(
    page: KeysetPage, params: QueryDict, *, after: str, before: str, stale: tuple[str, ...] = ()
) -> PageLinks:
    """Links to the pages around ``page`` that keep the other parameters of ``params`` (the
    filters, another list's position) and drop ``stale`` ones (old page numbers)."""

    def link(name: str | None, cursor: Cursor | None) -> str:
        query = params.copy()
        for old in (after, before, *stale):
            query.pop(old, None)
        if name is not None:
            query[name] = str(cursor)
        return "?" + query.urlencode()

    return PageLinks(
        newest="" if page.is_first else link(None, None),
        newer="" if page.newer is None else link(before, page.newer),
        older="" if page.older is None else link(after, page.older),
    )


# --- counts that stop -----------------------------------------------------------------------------


class CappedCount(Subquery):
    """The number of rows of a queryset, counted up to ``cap + 1``: a number above ``cap``
    means "more than ``cap``". The database stops reading there, so the count costs the same
    for a hundred thousand rows as for ``cap``."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped)"
    output_field = IntegerField()

    def __init__(self, queryset: QuerySet, *, cap: int) -> None:
        super().__init__(queryset.order_by().values("pk")[: cap + 1])


def capped_number(count: int, cap: int) -> str:
    """``count`` as the page shows it: with the language's digit grouping, and above ``cap``
    as "``cap``+" (10,000+ in English, 10.000+ in Dutch)."""
    if count > cap:
        return f"{number_format(cap, force_grouping=True)}+"
    return number_format(count, force_grouping=True)
