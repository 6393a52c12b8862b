from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Collection

MAX_IMPORT_BYTES = 5 * 1024 * 1024


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


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Badge file"),
        required=False,
        help_text=_("A baked badge image (PNG or SVG) or a JSON file."),
    )
    url = forms.CharField(label=_("Badge URL"), required=False, max_length=2000)
    text = forms.CharField(
        label=_("Or paste the badge"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_url(self) -> str:
        url = self.cleaned_data.get("url", "").strip()
        if url and not url.startswith(("http://", "https://")):
            raise forms.ValidationError(_("Enter a web address starting with http:// or https://."))
        return url

    def clean(self):
        cleaned = super().clean()
        sources = [name for name in ("file", "url", "text") if cleaned.get(name)]
        if len(sources) != 1:
            raise forms.ValidationError(_("Give exactly one badge: a file, a URL or pasted text."))
        upload = cleaned.get("file")
        if upload and upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return cleaned

    def badge_data(self) -> bytes | str:
        if self.cleaned_data.get("file"):
            return self.cleaned_data["file"].read()
        return self.cleaned_data.get("url") or self.cleaned_data["text"].strip()
