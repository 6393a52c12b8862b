"""Headline figures of every institution at once, for platform admins: a fixed number of
grouped queries, whatever the number of institutions or badges."""

from __future__ import annotations

from django.db.models import Count, F

from badges.models import Assertion, Award

from .selectors import UNSIGNED, Figures, Period

_INSTITUTION = "badge_class__issuer__faculty__institution_id"


def default_period() -> Period:
    return Period.last_months()


def per_institution(period: Period) -> dict[int, Figures]:
    figures: dict[int, Figures] = {}
    awards = (
        Award.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
        .annotate(institution=F(_INSTITUTION))
        .values("institution", "status", "issued_directly")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in awards:
        one = figures.setdefault(row["institution"], Figures())
        one.awards += row["count"]
        if row["status"] == Award.Status.CLAIMED:
            if row["issued_directly"]:
                one.issued_directly += row["count"]
            else:
                one.claims += row["count"]
        elif row["status"] in (Award.Status.OFFERED, Award.Status.DECLINED, Award.Status.EXPIRED):
            setattr(one, row["status"], getattr(one, row["status"]) + row["count"])
    revoked = (
        Assertion.objects.filter(revoked_at__gte=period.start, revoked_at__lt=period.end)
        .annotate(institution=F(_INSTITUTION))
        .values("institution")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in revoked:
        figures.setdefault(row["institution"], Figures()).revocations += row["count"]
    issued = (
        Assertion.objects.filter(issued_on__gte=period.start, issued_on__lt=period.end)
        .exclude(status__in=UNSIGNED)
        .annotate(institution=F(_INSTITUTION))
        .values("institution")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in issued:
        figures.setdefault(row["institution"], Figures()).badges_issued += row["count"]
    return figures
