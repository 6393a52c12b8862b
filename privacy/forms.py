from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import PrivacyPolicy, PrivacyStatement
from .services import ConsentNeed


class ConsentForm(forms.Form):
    """Consent: an unticked "I agree" that must be ticked. Acknowledgement: the button
    "I have read this" is the answer, so there is no field to tick."""

    statement = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, need: ConsentNeed, **kwargs):
        super().__init__(*args, **kwargs)
        if need == ConsentNeed.CONSENT:
            self.fields["agree"] = forms.BooleanField(
                label=_("I agree that my personal data are processed as described above."),
                required=True,
                initial=False,
                error_messages={"required": _("Tick “I agree” to give your consent.")},
            )


class ObjectionForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you object?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Optional. Describe your particular situation; it helps the institution weigh "
            "your objection."
        ),
    )


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand the consequences and withdraw my consent."),
        required=True,
        error_messages={"required": _("Tick the box to confirm.")},
    )


class AccountDeleteForm(forms.Form):
    """Erasure is confirmed with the password (or, for accounts without one, the email
    address) and an explicit tick."""

    confirm = forms.BooleanField(
        label=_(
            "I understand that my account and my personal data are erased and that this "
            "cannot be undone."
        ),
        required=True,
        error_messages={"required": _("Tick the box to confirm.")},
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if user.has_usable_password():
            self.fields["password"] = forms.CharField(
                label=_("Your password"),
                strip=False,
                widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            )
        else:
            self.fields["email"] = forms.EmailField(
                label=_("Your email address"),
                help_text=_("Type the email address of your account to confirm."),
            )
        # Ask for the secret before the tick.
        self.order_fields(["password", "email", "confirm"])

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your password."))
        return password

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if email.strip().lower() != self.user.email.lower():
            raise forms.ValidationError(_("This is not the email address of your account."))
        return email


class PrivacyPolicyForm(forms.ModelForm):
    class Meta:
        model = PrivacyPolicy
        fields = ["legal_basis", "purpose_nl", "purpose_en", "issue_directly_on_award"]
        widgets = {
            "purpose_nl": forms.Textarea(attrs={"rows": 3}),
            "purpose_en": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "legal_basis": _(
                "Consent (a) asks every student to tick “I agree” before claiming and lets them "
                "withdraw it. The other bases ask students to confirm they have read the "
                "statement; with (e) and (f) students may object."
            ),
        }


class PrivacyStatementForm(forms.ModelForm):
    """A new version of a statement. Published versions never change."""

    class Meta:
        model = PrivacyStatement
        fields = [
            "excerpt_nl",
            "excerpt_en",
            "text_nl",
            "text_en",
            "change_summary_nl",
            "change_summary_en",
            "effective_date",
            "retention_days",
        ]
        widgets = {
            "excerpt_nl": forms.Textarea(attrs={"rows": 3}),
            "excerpt_en": forms.Textarea(attrs={"rows": 3}),
            "text_nl": forms.Textarea(attrs={"rows": 12}),
            "text_en": forms.Textarea(attrs={"rows": 12}),
            "change_summary_nl": forms.Textarea(attrs={"rows": 3}),
            "change_summary_en": forms.Textarea(attrs={"rows": 3}),
            "effective_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, previous: PrivacyStatement | None = None, **kwargs):
        self.previous = previous
        super().__init__(*args, **kwargs)
        if previous is None:
            for name in ("change_summary_nl", "change_summary_en"):
                del self.fields[name]
        else:
            self.fields["change_summary_nl"].help_text = _(
                "Students who agreed to version %(version)s see this when asked again."
            ) % {"version": previous.version}

    def clean_effective_date(self):
        effective_date = self.cleaned_data["effective_date"]
        if effective_date < timezone.localdate():
            raise forms.ValidationError(_("A new version cannot take effect in the past."))
        return effective_date

    def clean(self):
        cleaned = super().clean()
        if self.previous is not None and not (
            (cleaned.get("change_summary_nl") or "").strip()
            or (cleaned.get("change_summary_en") or "").strip()
        ):
            self.add_error("change_summary_nl", _("Describe what changed since the last version."))
        return cleaned

    def preview(self) -> PrivacyStatement:
        """An unsaved statement with the entered texts, to show as a student would see it."""
        return PrivacyStatement(
            version=(self.previous.version + 1) if self.previous else 1,
            **{
                name: self.cleaned_data.get(name, "")
                for name in self.Meta.fields
                if name in self.fields
            },
        )
