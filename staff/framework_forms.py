from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from frameworks.models import CompetencyFramework, FrameworkItem

PLATFORM = "platform"


class FrameworkForm(forms.ModelForm):
    owner = forms.ChoiceField(label=_("Maintained by"))

    class Meta:
        model = CompetencyFramework
        fields = [
            "name_nl",
            "name_en",
            "version",
            "publisher",
            "url",
            "description_nl",
            "description_en",
            "shared",
        ]
        widgets = {
            "description_nl": forms.Textarea(attrs={"rows": 3}),
            "description_en": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, owners, **kwargs):
        """``owners``: the (value, label) choices of who may keep the framework; none when it
        exists already (a framework does not change hands)."""
        super().__init__(*args, **kwargs)
        if owners:
            self.fields["owner"].choices = owners
            self.order_fields(["owner"])
        else:
            del self.fields["owner"]

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class FrameworkItemForm(forms.ModelForm):
    class Meta:
        model = FrameworkItem
        fields = [
            "code",
            "name_nl",
            "name_en",
            "description_nl",
            "description_en",
            "esco_uri",
            "position",
        ]
        widgets = {
            "description_nl": forms.Textarea(attrs={"rows": 2}),
            "description_en": forms.Textarea(attrs={"rows": 2}),
        }

    def service_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
