from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .selectors import Period

MAX_MONTHS = 60


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self):
        super().__init__(format="%Y-%m")


class PeriodForm(forms.Form):
    """The months to show: by default the twelve up to this one."""

    start = forms.DateField(
        label=_("From (month)"), required=False, widget=MonthInput(), input_formats=["%Y-%m"]
    )
    end = forms.DateField(
        label=_("Until (month)"), required=False, widget=MonthInput(), input_formats=["%Y-%m"]
    )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        end = (cleaned.get("end") or Period.last_months().last).replace(day=1)
        start = (cleaned.get("start") or Period.last_months(12, end).first).replace(day=1)
        if start > end:
            self.add_error("end", _("Choose a month after the first one."))
        elif len(Period(start, end).months) > MAX_MONTHS:
            self.add_error("end", _("Choose at most %(count)s months.") % {"count": MAX_MONTHS})
        else:
            cleaned["period"] = Period(first=start, last=end)
        return cleaned

    def period(self) -> Period:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["period"]
        return Period.last_months()
