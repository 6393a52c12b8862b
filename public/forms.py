from django import forms
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class BadgeInputForm(forms.Form):
    """One badge, given as a file, a URL or pasted text (verify page, backpack import)."""

    file = forms.FileField(
        label=_("Badge file"),
        required=False,
        help_text=_("A baked badge image (PNG or SVG), or a JSON or JWS file."),
    )
    url = forms.CharField(label=_("Badge URL"), required=False, max_length=2000)
    text = forms.CharField(
        label=_("Or paste the badge"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Open Badges JSON, a signed JWS or a VC-JWT."),
    )

    def clean_url(self) -> str:
        url = self.cleaned_data.get("url", "").strip()
        if url and (not url.startswith(("http://", "https://")) or any(c.isspace() for c in url)):
            raise forms.ValidationError(_("Enter a web address starting with http:// or https://."))
        return url

    def clean(self):
        cleaned = super().clean()
        sources = [name for name in ("file", "url", "text") if cleaned.get(name)]
        if len(sources) != 1:
            raise forms.ValidationError(_("Give exactly one badge: a file, a URL or pasted text."))
        upload = cleaned.get("file")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return cleaned

    def badge_data(self) -> bytes | str:
        if self.cleaned_data.get("file"):
            return self.cleaned_data["file"].read()
        return self.cleaned_data.get("url") or self.cleaned_data["text"].strip()


class VerifyForm(BadgeInputForm):
    recipient = forms.EmailField(
        label=_("Recipient email (optional)"),
        required=False,
        help_text=_("Checks that the badge was issued to this address."),
    )
