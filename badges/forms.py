"""Forms of the awarding pages (staff) and the claim, catalogue and enrolment pages
(students). They validate input; the services in ``badges.awarding`` do the writes."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.template.defaultfilters import filesizeformat
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from issuers.audit import label as audit_label
from issuers.badge_types import BadgeType

from .awarding import bulk as bulk_rules
from .choices import EqfLevel, Language
from .models import BadgeClass, BulkAward

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_EXTENSIONS = ["pdf", "png", "jpg", "jpeg", "txt", "docx", "pptx", "xlsx", "odt", "zip"]
LANGUAGE_CHOICES = [
    ("", _("Unknown: send Dutch and English")),
    ("nl", "Nederlands"),
    ("en", "English"),
]


def _lazy_format(message, **values):
    """``message % values`` in the language active when it is shown, not at import."""

    def render() -> str:
        return str(message) % {name: value() for name, value in values.items()}

    return lazy(render, str)()


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def scheduled_for_field() -> forms.DateTimeField:
    return forms.DateTimeField(
        label=_("Award on (optional)"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=_(
            "Leave empty to award now. With a date, the recipient gets the badge on that "
            "moment (Dutch time)."
        ),
    )


class OverrideMixin(forms.Form):
    """An admin may award without the prerequisites, explicitly and with a reason."""

    override_prerequisites = forms.BooleanField(
        label=_("Award without the required badges (override the prerequisites)"),
        required=False,
        help_text=_("Only admins can do this. The override and its reason are recorded."),
    )
    override_reason = forms.CharField(
        label=_("Reason for the override"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def drop_override(self) -> None:
        del self.fields["override_prerequisites"]
        del self.fields["override_reason"]

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("override_prerequisites")
            and not (cleaned.get("override_reason") or "").strip()
        ):
            self.add_error(
                "override_reason", _("Give the reason why the prerequisites are overridden.")
            )
        return cleaned


class AwardForm(OverrideMixin):
    email = forms.EmailField(
        label=_("Email address"),
        required=False,
        help_text=_("The claim link is sent here."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    eppn = forms.CharField(
        label=_("eppn (eduID)"),
        required=False,
        max_length=255,
        help_text=_("The student's identity at the institution, e.g. s1234567@university.nl."),
    )
    recipient_name = forms.CharField(label=_("Name"), required=False, max_length=255)
    recipient_language = forms.ChoiceField(
        label=_("Language of the email"), required=False, choices=LANGUAGE_CHOICES
    )
    narrative = forms.CharField(
        label=_("Narrative"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("How the recipient earned the badge. Shown on the badge."),
    )
    evidence_url = forms.URLField(label=_("Evidence URL"), required=False, assume_scheme="https")
    evidence_file = forms.FileField(
        label=_("Evidence file"),
        required=False,
        validators=[FileExtensionValidator(EVIDENCE_EXTENSIONS)],
        help_text=_lazy_format(
            _("PDF, image, text, office document or zip; at most %(size)s."),
            size=lambda: filesizeformat(EVIDENCE_MAX_BYTES),
        ),
    )
    grade = forms.CharField(label=_("Grade"), required=False, max_length=64)
    scheduled_for = scheduled_for_field()

    def __init__(self, *args, badge_class: BadgeClass, may_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.badge_class = badge_class
        if badge_class.narrative_required:
            self.fields["narrative"].required = True
        if not (may_override and badge_class.prerequisites.exists()):
            self.drop_override()

    def clean_evidence_file(self):
        file = self.cleaned_data.get("evidence_file")
        if file and file.size > EVIDENCE_MAX_BYTES:
            raise ValidationError(
                _("The file is %(size)s; at most %(limit)s.")
                % {"size": filesizeformat(file.size), "limit": filesizeformat(EVIDENCE_MAX_BYTES)}
            )
        return file

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("eppn") and not self.has_error("email"):
            self.add_error("email", _("Enter the recipient's email address or eppn."))
        if (
            self.badge_class.evidence_required
            and not cleaned.get("evidence_url")
            and not cleaned.get("evidence_file")
            and not self.has_error("evidence_url")
        ):
            self.add_error("evidence_url", _("This badge requires evidence: a URL or a file."))
        return cleaned

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.setdefault("override_prerequisites", False)
        data.setdefault("override_reason", "")
        return data


class BulkUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,text/csv"}),
        help_text=_lazy_format(
            _(
                "UTF-8, with a header line; separated by semicolons, commas or tabs. "
                "At most %(size)s and %(rows)s lines."
            ),
            size=lambda: filesizeformat(settings.BULK_AWARD_MAX_BYTES),
            rows=lambda: settings.BULK_AWARD_MAX_ROWS,
        ),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        # Refused on its size alone, before a byte of it is read.
        if message := bulk_rules.upload_size_error(file.size):
            raise ValidationError(message)
        return file


class BulkMappingForm(OverrideMixin):
    narrative = forms.CharField(
        label=_("Narrative for every recipient (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Used for the lines without a narrative of their own."),
    )
    scheduled_for = scheduled_for_field()

    def __init__(self, *args, bulk: BulkAward, may_override: bool, **kwargs):
        initial = kwargs.setdefault("initial", {})
        for field, index in (bulk.mapping or {}).items():
            initial.setdefault(f"column_{field}", str(index))
        initial.setdefault("narrative", bulk.narrative)
        if bulk.scheduled_for:
            initial.setdefault("scheduled_for", bulk.scheduled_for)
        super().__init__(*args, **kwargs)
        self.bulk = bulk
        choices = [("", _("— not in the file —"))] + [
            (str(index), title or _("(column %(number)s)") % {"number": index + 1})
            for index, title in enumerate(bulk.header)
        ]
        self.column_fields = []
        for column in bulk_rules.COLUMNS:
            name = f"column_{column.field}"
            self.fields[name] = forms.ChoiceField(
                label=column.label, required=False, choices=choices
            )
            self.column_fields.append(name)
        if not (may_override and bulk.badge_class.prerequisites.exists()):
            self.drop_override()

    def mapping(self) -> dict[str, int | None]:
        result: dict[str, int | None] = {}
        for column in bulk_rules.COLUMNS:
            value = self.cleaned_data.get(f"column_{column.field}")
            result[column.field] = int(value) if value not in (None, "") else None
        return result

    def bound_column_fields(self):
        return [self[name] for name in self.column_fields]


class BulkStartForm(forms.Form):
    skip_errors = forms.BooleanField(
        label=_("Skip the lines with an error and award the others"), required=False
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the recipient is told)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the revocation"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Shown on the public page of the badge, in the revocation list and to the recipient."
        ),
    )
    # Set by the confirmation page: a revocation cannot be undone and its reason is public.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class SelectionForm(forms.Form):
    """A list of objects ticked on a page, limited to those the user may act on."""

    selected = forms.ModelMultipleChoiceField(queryset=None, label=_("Selected"))

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["selected"].queryset = queryset
        self.fields["selected"].error_messages["required"] = _("Tick at least one line.")


class RevokeManyForm(SelectionForm, RevokeForm):
    pass


class WithdrawManyForm(SelectionForm, WithdrawForm):
    pass


class DenyForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (the student is told)"), widget=forms.Textarea(attrs={"rows": 3})
    )


class ApproveForm(OverrideMixin):
    def __init__(self, *args, may_override: bool, badge_class: BadgeClass, **kwargs):
        super().__init__(*args, **kwargs)
        if not (may_override and badge_class.prerequisites.exists()):
            self.drop_override()


class EnrollmentRequestForm(forms.Form):
    narrative = forms.CharField(
        label=_("Why you earned this badge"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence_url = forms.URLField(
        label=_("Link to your evidence"),
        required=False,
        assume_scheme="https",
        help_text=_("For example your portfolio or a document you shared."),
    )

    def __init__(self, *args, badge_class: BadgeClass, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["narrative"].required = badge_class.narrative_required
        self.fields["evidence_url"].required = badge_class.evidence_required


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    institution = forms.TypedChoiceField(
        label=_("Institution"), required=False, coerce=int, empty_value=None
    )
    badge_type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All types")), *BadgeType.choices]
    )
    level = forms.TypedChoiceField(
        label=_("EQF level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All levels")), *EqfLevel.choices],
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("All languages")), *Language.choices]
    )

    framework = forms.ChoiceField(label=_("Competency framework"), required=False)
    item = forms.ChoiceField(label=_("Competency"), required=False)

    def __init__(self, *args, institutions, framework_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].choices = [("", _("All institutions"))] + [
            (institution.pk, institution.name) for institution in institutions
        ]
        frameworks: dict[int, tuple[str, str]] = {}
        groups: dict[int, tuple[str, list]] = {}
        for item in framework_items:
            framework = item.framework
            frameworks[framework.pk] = (str(framework.public_id), framework.title)
            groups.setdefault(framework.pk, (framework.title, []))[1].append(
                (str(item.public_id), item.label)
            )
        if not frameworks:
            del self.fields["framework"], self.fields["item"]
            return
        self.fields["framework"].choices = [("", _("All frameworks")), *frameworks.values()]
        self.fields["item"].choices = [("", _("All competencies")), *groups.values()]


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("What"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    actor = forms.CharField(label=_("By (email contains)"), required=False, max_length=100)

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("Everything"))] + sorted(
            ((action, audit_label(action)) for action in actions),
            key=lambda choice: choice[1],
        )
