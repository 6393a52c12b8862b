"""Figures on how badges are used, for one scope (institution, faculty, issuer or badge
class): reads only.

Every figure comes from three grouped queries, whatever the volume: awards (with the hours
each claim took, for the medians), badges (assertions) and enrolment requests are each
counted once, grouped by month and badge type. The same ORM code runs on PostgreSQL and
SQLite; only the whole hours between two moments are written per database.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Case, Count, F, Func, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from badges.models import Assertion, Award, BadgeClass, Enrollment
from issuers.badge_types import BadgeType
from issuers.models import Faculty, Institution, Issuer

ALL = None  # the key of a total: all months, or all badge types

# What the figures of a scope are filtered on, from the badge class.
SCOPE_PATHS = {
    Institution: "issuer__faculty__institution",
    Faculty: "issuer__faculty",
    Issuer: "issuer",
    BadgeClass: "pk",
}

# Offers a student could claim or let pass: the base of the claim rate. Not counted: awards
# still scheduled, withdrawn by the issuer, and badges issued directly without a claim.
_ANSWERABLE = (Award.Status.OFFERED, Award.Status.DECLINED, Award.Status.EXPIRED)
# Badges not (yet) signed are not counted as issued.
UNSIGNED = (Assertion.Status.PENDING, Assertion.Status.SIGNING, Assertion.Status.FAILED)


@dataclass
class Figures:
    """The figures of one month and badge type, or a total over months or types."""

    awards: int = 0
    issued_directly: int = 0
    offered: int = 0
    claims: int = 0
    declined: int = 0
    expired: int = 0
    withdrawn: int = 0
    scheduled: int = 0
    median_time_to_claim: timedelta | None = None
    badges_issued: int = 0
    revocations: int = 0
    enrolments: int = 0
    enrolments_pending: int = 0
    enrolments_approved: int = 0
    enrolments_denied: int = 0
    enrolments_withdrawn: int = 0

    @property
    def claim_rate(self) -> float | None:
        """Claimed offers as a percentage of the offers a student could answer."""
        base = self.claims + self.offered + self.declined + self.expired
        return 100 * self.claims / base if base else None

    @property
    def median_days_to_claim(self) -> float | None:
        if self.median_time_to_claim is None:
            return None
        return self.median_time_to_claim.total_seconds() / 86400

    def add(self, other: Figures) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


COUNTS = [
    name
    for name, kind in Figures.__annotations__.items()
    if kind == "int" and name != "median_time_to_claim"
]


@dataclass(frozen=True)
class Period:
    """Whole months, from the first day of ``first`` to the end of ``last``."""

    first: date
    last: date

    @classmethod
    def last_months(cls, count: int = 12, today: date | None = None) -> Period:
        today = today or timezone.localdate()
        last = today.replace(day=1)
        return cls(first=_add_months(last, 1 - count), last=last)

    @property
    def months(self) -> list[date]:
        months, month = [], self.first
        while month <= self.last:
            months.append(month)
            month = _add_months(month, 1)
        return months

    @property
    def start(self) -> datetime:
        return _midnight(self.first)

    @property
    def end(self) -> datetime:
        """The first moment after the period."""
        return _midnight(_add_months(self.last, 1))


def _add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day))


def _month(value) -> date:
    """A truncated month as a date (PostgreSQL and SQLite return aware datetimes)."""
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


@dataclass
class Insights:
    scope: object
    period: Period
    figures: dict[tuple[date | None, str | None], Figures] = field(default_factory=dict)

    def get(self, month: date | None, badge_type: str | None) -> Figures:
        figures = self.figures.get((month, badge_type))
        if figures is None:
            figures = self.figures[(month, badge_type)] = Figures()
        return figures

    @property
    def total(self) -> Figures:
        return self.get(ALL, ALL)

    @property
    def by_month(self) -> list[tuple[date, Figures]]:
        return [(month, self.get(month, ALL)) for month in self.period.months]

    @property
    def by_type(self) -> list[tuple[str, str, Figures]]:
        return [(value, label, self.get(ALL, value)) for value, label in BadgeType.choices]

    @property
    def by_month_and_type(self) -> list[tuple[date, str, str, Figures]]:
        return [
            (month, value, label, self.get(month, value))
            for month in self.period.months
            for value, label in BadgeType.choices
        ]


def badge_classes_in(scope) -> list[int]:
    path = SCOPE_PATHS[type(scope)]
    return list(BadgeClass.objects.filter(**{path: scope.pk}).values_list("pk", flat=True))


def insights_for(scope, period: Period) -> Insights:
    """The figures of everything under ``scope`` in ``period``. The caller has checked that
    the user may see ``scope`` (rights flow down: all of it)."""
    result = Insights(scope=scope, period=period)
    badge_classes = badge_classes_in(scope)
    months = set(period.months)
    _count_awards(result, badge_classes, period, months)
    _count_badges(result, badge_classes, period, months)
    _count_enrolments(result, badge_classes, period, months)
    return result


def _totals_keys(month: date, badge_type: str):
    return ((month, badge_type), (month, ALL), (ALL, badge_type), (ALL, ALL))


def _add_to_totals(result: Insights, month: date, badge_type: str, name: str, count: int):
    for key in _totals_keys(month, badge_type):
        figures = result.get(*key)
        setattr(figures, name, getattr(figures, name) + count)


class WholeHoursBetween(Func):
    """Whole hours from ``start`` to ``end``: the one expression the two databases write
    differently (PostgreSQL subtracts timestamps, SQLite compares epoch seconds)."""

    output_field = IntegerField()
    arity = 2

    def as_postgresql(self, compiler, connection, **extra):
        (end_sql, start_sql), params = self._compiled(compiler)
        return f"FLOOR(EXTRACT(EPOCH FROM ({end_sql} - {start_sql})) / 3600)::integer", params

    def as_sqlite(self, compiler, connection, **extra):
        (end_sql, start_sql), params = self._compiled(compiler)
        return (
            f"((CAST(strftime('%%s', {end_sql}) AS INTEGER)"
            f" - CAST(strftime('%%s', {start_sql}) AS INTEGER)) / 3600)",
            params,
        )

    def _compiled(self, compiler) -> tuple[list[str], tuple]:
        """The SQL of ``end`` and ``start``, and their parameters in that order."""
        sql, params = [], []
        for expression in reversed(self.source_expressions):
            part, part_params = compiler.compile(expression)
            sql.append(part)
            params.extend(part_params)
        return sql, tuple(params)


def _count_awards(result: Insights, badge_classes, period: Period, months: set[date]) -> None:
    """Awards by the month they were made, with what became of them (a cohort), so that the
    claim rate of a month compares the claims with the offers of that same month.

    Claims are counted by the whole hours they took: the medians come from those counts
    (exact to the hour), and the rows read stay bounded whatever the number of awards."""
    claimed = Q(status=Award.Status.CLAIMED, issued_directly=False, decided_at__isnull=False)
    rows = (
        Award.objects.filter(
            badge_class_id__in=badge_classes,
            created_at__gte=period.start,
            created_at__lt=period.end,
        )
        .annotate(
            month=TruncMonth("created_at"),
            badge_type=F("badge_class__badge_type"),
            hours=Case(
                When(
                    claimed,
                    then=WholeHoursBetween(Coalesce("offered_at", "created_at"), "decided_at"),
                ),
                default=Value(None),
                output_field=IntegerField(),
            ),
        )
        .values_list("month", "badge_type", "status", "issued_directly", "hours")
        .annotate(count=Count("pk"))
        .order_by()
    )
    names = {
        Award.Status.OFFERED: "offered",
        Award.Status.DECLINED: "declined",
        Award.Status.EXPIRED: "expired",
        Award.Status.WITHDRAWN: "withdrawn",
        Award.Status.SCHEDULED: "scheduled",
    }
    # Summed per month and type first: a claimed award's row is one of many (one per hour).
    counts: Counter = Counter()
    waits: dict[tuple, Counter] = defaultdict(Counter)
    for truncated, badge_type, status, issued_directly, hours, count in rows:
        if status == Award.Status.CLAIMED:
            name = "issued_directly" if issued_directly else "claims"
        else:
            name = names[status]
        counts[truncated, badge_type, name] += count
        if hours is not None:
            waits[truncated, badge_type][hours] += count
    for (truncated, badge_type, name), count in counts.items():
        month = _month(truncated)
        if month in months:
            _add_to_totals(result, month, badge_type, "awards", count)
            _add_to_totals(result, month, badge_type, name, count)
    merged: dict[tuple, Counter] = defaultdict(Counter)
    for (truncated, badge_type), histogram in waits.items():
        month = _month(truncated)
        if month in months:
            for key in _totals_keys(month, badge_type):
                merged[key].update(histogram)
    for key, histogram in merged.items():
        result.get(*key).median_time_to_claim = timedelta(hours=_median(histogram))


def _median(histogram: Counter) -> float:
    """The median of values given as {value: how often}: the middle one, or the mean of the
    two middle ones."""
    total = sum(histogram.values())
    middle = {(total + 1) // 2, (total + 2) // 2}
    found, seen = [], 0
    for value, count in sorted(histogram.items()):
        first, seen = seen + 1, seen + count
        found += [value for position in middle if first <= position <= seen]
    return sum(found) / len(found)


def _count_badges(result: Insights, badge_classes, period: Period, months: set[date]) -> None:
    """Badges issued by the month of issue; revocations by the month of revocation."""
    in_period = Q(issued_on__gte=period.start, issued_on__lt=period.end) | Q(
        revoked_at__gte=period.start, revoked_at__lt=period.end
    )
    rows = (
        Assertion.objects.filter(in_period, badge_class_id__in=badge_classes)
        .exclude(status__in=UNSIGNED)
        .annotate(
            issued_month=TruncMonth("issued_on"),
            revoked_month=TruncMonth("revoked_at"),
            badge_type=F("badge_class__badge_type"),
        )
        .values("issued_month", "revoked_month", "badge_type")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        issued = _month(row["issued_month"])
        if issued in months:
            _add_to_totals(result, issued, row["badge_type"], "badges_issued", row["count"])
        if row["revoked_month"] is not None:
            revoked = _month(row["revoked_month"])
            if revoked in months:
                _add_to_totals(result, revoked, row["badge_type"], "revocations", row["count"])


def _count_enrolments(result: Insights, badge_classes, period: Period, months: set[date]) -> None:
    """Enrolment requests by the month they were made, with what became of them."""
    rows = (
        Enrollment.objects.filter(
            badge_class_id__in=badge_classes,
            created_at__gte=period.start,
            created_at__lt=period.end,
        )
        .annotate(month=TruncMonth("created_at"), badge_type=F("badge_class__badge_type"))
        .values("month", "badge_type", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        month = _month(row["month"])
        if month not in months:
            continue
        _add_to_totals(result, month, row["badge_type"], "enrolments", row["count"])
        _add_to_totals(
            result, month, row["badge_type"], f"enrolments_{row['status']}", row["count"]
        )
