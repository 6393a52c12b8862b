from django import forms
from django.utils.translation import gettext_lazy as _

from public.forms import BadgeInputForm

from .models import Collection


class SharingForm(forms.Form):
    is_public = forms.BooleanField(label=_("Make this badge public"), required=False)
    show_evidence = forms.BooleanField(
        label=_("Show the evidence on the public page"), required=False
    )
    show_grade = forms.BooleanField(label=_("Show the grade on the public page"), required=False)


class CollectionForm(forms.ModelForm):
    class Meta:
        model = Collection
        fields = ["name", "description", "is_public", "assertions", "external_badges"]
        widgets = {
            "assertions": forms.CheckboxSelectMultiple,
            "external_badges": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, owner, assertions, external_badges, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assertions"].queryset = assertions
        self.fields["assertions"].label_from_instance = lambda assertion: assertion.badge_class.name
        self.fields["external_badges"].queryset = external_badges
        self.fields["external_badges"].label_from_instance = lambda badge: (
            f"{badge.name} ({badge.issuer_name})"
        )
        if not external_badges.exists():
            del self.fields["external_badges"]


class ImportForm(BadgeInputForm):
    """A badge of another issuer to import."""
