"""Insights pages: figures on awards, claims, badges, revocations and enrolment requests for
an institution, faculty, issuer or badge class the user may see, as tables, charts and CSV.

Reads only. A scope the user may not see is a 404, like every staff page."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.dates import MONTHS_3
from django.utils.formats import date_format
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from badges.awarding.bulk import spreadsheet_safe
from badges.models import BadgeClass
from issuers.models import Faculty, Institution, Issuer, Membership
from issuers.permissions import Action, has_perm

from . import charts, overview
from .forms import PeriodForm
from .selectors import Figures, Insights, Period, insights_for

SCOPES = {"institution": Institution, "faculty": Faculty, "issuer": Issuer, "badge": BadgeClass}
SCOPE_TYPES = {model: name for name, model in SCOPES.items()}


def _scope_or_404(request: HttpRequest, scope_type: str, pk: int):
    model = SCOPES.get(scope_type)
    if model is None:
        raise Http404
    scope = get_object_or_404(model.objects.for_user(request.user), pk=pk)
    # Seeing an institution because of a role on one of its badges is not seeing its figures.
    if not has_perm(request.user, Action.VIEW, scope):
        raise Http404
    return scope


def _parents(scope) -> list:
    if isinstance(scope, BadgeClass):
        return [*_parents(scope.issuer), scope.issuer]
    if isinstance(scope, Issuer):
        return [*_parents(scope.faculty), scope.faculty]
    if isinstance(scope, Faculty):
        return [scope.institution]
    return []


def _children(scope) -> list:
    if isinstance(scope, Institution):
        return list(scope.faculties.order_by("name_en"))
    if isinstance(scope, Faculty):
        return list(scope.issuers.order_by("name_en"))
    if isinstance(scope, Issuer):
        return list(scope.badge_classes.order_by("name_en", "name_nl"))
    return []


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """The scopes whose figures the user may see; for platform admins every institution,
    with its headline figures."""
    user = request.user
    if user.is_superuser:
        scopes = list(Institution.objects.education().order_by("name_en"))
    else:
        scopes = [
            membership.scope
            for membership in Membership.objects.filter(user=user)
            # An endorsing body's staff have no badges to count.
            .exclude(institution__kind=Institution.Kind.ENDORSING_BODY)
            .exclude(faculty__institution__kind=Institution.Kind.ENDORSING_BODY)
            .exclude(issuer__faculty__institution__kind=Institution.Kind.ENDORSING_BODY)
            .select_related("institution", "faculty", "issuer", "badge_class")
        ]
        if not scopes:
            raise PermissionDenied
    period = overview.default_period()
    headlines = overview.per_institution(period) if user.is_superuser else {}
    return render(
        request,
        "insights/index.html",
        {
            "scopes": [
                (scope, SCOPE_TYPES[type(scope)], headlines.get(scope.pk)) for scope in scopes
            ],
            "per_institution": user.is_superuser,
            "period": period,
        },
    )


def _period(request: HttpRequest) -> tuple[PeriodForm, Period]:
    default = Period.last_months()
    form = PeriodForm(request.GET or None, initial={"start": default.first, "end": default.last})
    return form, form.period()


@login_required
def scope(request: HttpRequest, scope_type: str, pk: int) -> HttpResponse:
    scope = _scope_or_404(request, scope_type, pk)
    form, period = _period(request)
    insights = insights_for(scope, period)
    return render(
        request,
        "insights/scope.html",
        {
            "scope": scope,
            "scope_type": scope_type,
            "parents": [(parent, SCOPE_TYPES[type(parent)]) for parent in _parents(scope)],
            "children": [(child, SCOPE_TYPES[type(child)]) for child in _children(scope)],
            "form": form,
            "insights": insights,
            "charts": _charts(insights),
            "csv_query": request.GET.urlencode(),
        },
    )


def _axis_label(month, first: bool) -> str:
    """A short label under a bar: the month's abbreviation, with the year in January and
    under the first bar."""
    name = capfirst(MONTHS_3[month.month])
    return f"{name} {month.year}" if first or month.month == 1 else name


def _charts(insights: Insights) -> list[charts.Chart]:
    months = insights.by_month
    categories = [date_format(month, "YEAR_MONTH_FORMAT") for month, _figures in months]
    axis_labels = [_axis_label(month, index == 0) for index, (month, _f) in enumerate(months)]

    def values(name: str) -> list[int]:
        return [getattr(figures, name) for _month, figures in months]

    return [
        charts.grouped_bars(
            chart_id="chart-awards",
            title=_("Awards, claims and revocations per month"),
            description=_(
                "Bars per month: awards made, how many of them were claimed, and badges "
                "revoked. The table below gives the same numbers."
            ),
            categories=categories,
            axis_labels=axis_labels,
            series=[
                charts.Series(_("Awards"), values("awards")),
                charts.Series(_("Claims"), values("claims")),
                charts.Series(_("Revocations"), values("revocations")),
            ],
        ),
        charts.grouped_bars(
            chart_id="chart-enrolments",
            title=_("Enrolment requests per month and their outcome"),
            description=_(
                "Bars per month: requests approved, denied and still waiting. The table "
                "below gives the same numbers."
            ),
            categories=categories,
            axis_labels=axis_labels,
            series=[
                charts.Series(_("Approved"), values("enrolments_approved")),
                charts.Series(_("Denied"), values("enrolments_denied")),
                charts.Series(_("Waiting"), values("enrolments_pending")),
            ],
        ),
    ]


CSV_COLUMNS = [
    ("awards", gettext_lazy("Awards")),
    ("claims", gettext_lazy("Claims")),
    ("claim_rate", gettext_lazy("Claim rate (%)")),
    ("median_days_to_claim", gettext_lazy("Median days to claim")),
    ("issued_directly", gettext_lazy("Issued without a claim")),
    ("declined", gettext_lazy("Declined")),
    ("expired", gettext_lazy("Expired")),
    ("withdrawn", gettext_lazy("Withdrawn")),
    ("badges_issued", gettext_lazy("Badges issued")),
    ("revocations", gettext_lazy("Revocations")),
    ("enrolments", gettext_lazy("Enrolment requests")),
    ("enrolments_approved", gettext_lazy("Approved")),
    ("enrolments_denied", gettext_lazy("Denied")),
    ("enrolments_pending", gettext_lazy("Waiting")),
    ("enrolments_withdrawn", gettext_lazy("Withdrawn by the student")),
]


def _cell(figures: Figures, name: str) -> str:
    value = getattr(figures, name)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


@login_required
def scope_csv(request: HttpRequest, scope_type: str, pk: int) -> HttpResponse:
    scope = _scope_or_404(request, scope_type, pk)
    _form, period = _period(request)
    insights = insights_for(scope, period)
    filename = f"insights-{slugify(str(scope))[:60] or scope_type}-{period.first:%Y-%m}-{period.last:%Y-%m}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response.write("\ufeff")  # so that spreadsheets read UTF-8
    writer = csv.writer(response)
    writer.writerow(
        [_("Scope"), _("Month"), _("Badge type"), *[str(label) for _name, label in CSV_COLUMNS]]
    )
    name = spreadsheet_safe(scope)
    for month, _value, label, figures in insights.by_month_and_type:
        writer.writerow(
            [name, f"{month:%Y-%m}", spreadsheet_safe(label)]
            + [_cell(figures, column) for column, _label in CSV_COLUMNS]
        )
    for month, figures in insights.by_month:
        writer.writerow(
            [name, f"{month:%Y-%m}", _("All types")]
            + [_cell(figures, column) for column, _label in CSV_COLUMNS]
        )
    for _value, label, figures in insights.by_type:
        writer.writerow(
            [name, _("All months"), spreadsheet_safe(label)]
            + [_cell(figures, column) for column, _label in CSV_COLUMNS]
        )
    writer.writerow(
        [name, _("All months"), _("All types")]
        + [_cell(insights.total, column) for column, _label in CSV_COLUMNS]
    )
    return response
