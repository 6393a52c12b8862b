from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from badges.choices import DUTCH_MICROCREDENTIAL_FRAMEWORK
from badges.models import EDITABLE_AFTER_AWARD, BadgeClass
from issuers.badge_types import BadgeType
from issuers.models import Faculty, Institution, Issuer, Sector
from issuers.roles import Role

TEXT_FIELDS = ["name_nl", "name_en", "description_nl", "description_en"]


class InstitutionForm(forms.ModelForm):
    class Meta:
        model = Institution
        fields = [
            *TEXT_FIELDS,
            "website",
            "logo",
            "linkedin_organisation_id",
            "eppn_pattern",
            "staff_password_login",
        ]


class FacultyForm(forms.ModelForm):
    class Meta:
        model = Faculty
        fields = TEXT_FIELDS


class IssuerForm(forms.ModelForm):
    class Meta:
        model = Issuer
        fields = [*TEXT_FIELDS, "url", "email", "image"]


class MemberForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), required=False)
    eppn = forms.CharField(
        label=_("or eppn"),
        required=False,
        max_length=255,
        help_text=_(
            "The SURFconext identity, e.g. j.jansen@university.nl: the role is given when "
            "they first sign in through SURFconext."
        ),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, allow_admin: bool = True, allow_eppn: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not allow_admin:
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.ADMIN]
        if not allow_eppn:
            del self.fields["eppn"]
            self.fields["email"].required = True

    def clean(self):
        data = super().clean()
        data["email"] = (data.get("email") or "").strip().lower()
        data["eppn"] = (data.get("eppn") or "").strip().lower()
        if not data["email"] and not data["eppn"] and "email" not in self.errors:
            raise forms.ValidationError(_("Enter an email address or an eppn."))
        if data["eppn"] and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", data["eppn"]):
            self.add_error("eppn", _("An eppn looks like j.jansen@university.nl."))
        return data


class TagsField(forms.CharField):
    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [tag.strip() for tag in text.split(",") if tag.strip()]


COMMON_FIELDS = [
    "name_nl",
    "name_en",
    "description_nl",
    "description_en",
    "language",
    "image",
    "criteria_nl",
    "criteria_en",
    "criteria_url",
]
AWARDING_FIELDS = [
    "tags",
    "expiry_amount",
    "expiry_unit",
    "narrative_required",
    "evidence_required",
    "award_instructions",
    "self_enrollment_enabled",
    "prerequisites",
]
LEVEL_FIELDS = ["learning_outcomes_nl", "learning_outcomes_en", "eqf_level", "nlqf_level"]
MICROCREDENTIAL_FIELDS = [
    "assessment_type",
    "assessment_description",
    "participation",
    "quality_assurance_name",
    "quality_assurance_url",
    "quality_assurance_description",
]


# The form's sections, in order: (title, fields).
def type_sections(badge_type: str, sector: str) -> list[tuple[str, list[str]]]:
    sections: list[tuple[str, list[str]]] = [(_("About the badge"), COMMON_FIELDS)]
    if badge_type == BadgeType.DIGITAL_EDUCATION:
        sections.append(
            (_("Programme and level"), [*LEVEL_FIELDS, "programme_identifier", "study_load_ects"])
        )
    elif badge_type == BadgeType.MICROCREDENTIAL:
        load = ["study_load_hours"] if sector == Sector.MBO else ["study_load_ects"]
        sections.append(
            (_("EU mandatory elements"), [*LEVEL_FIELDS, *load, *MICROCREDENTIAL_FIELDS])
        )
    sections.append((_("Awarding"), AWARDING_FIELDS))
    return sections


class BadgeClassForm(forms.ModelForm):
    tags = TagsField(
        label=_("Tags"),
        required=False,
        help_text=_("Comma-separated keywords that help students find the badge."),
    )

    class Meta:
        model = BadgeClass
        fields = [
            *COMMON_FIELDS,
            *AWARDING_FIELDS,
            *LEVEL_FIELDS,
            "programme_identifier",
            "study_load_ects",
            "study_load_hours",
            *MICROCREDENTIAL_FIELDS,
        ]
        widgets = {
            "description_nl": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "criteria_nl": forms.Textarea(attrs={"rows": 4}),
            "criteria_en": forms.Textarea(attrs={"rows": 4}),
            "learning_outcomes_nl": forms.Textarea(attrs={"rows": 4}),
            "learning_outcomes_en": forms.Textarea(attrs={"rows": 4}),
            "award_instructions": forms.Textarea(attrs={"rows": 3}),
            "assessment_description": forms.Textarea(attrs={"rows": 3}),
            "quality_assurance_description": forms.Textarea(attrs={"rows": 4}),
            "prerequisites": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, instance: BadgeClass, **kwargs):
        institution = instance.issuer.faculty.institution
        self.sections = type_sections(instance.badge_type, institution.sector)
        shown = {name for _title, names in self.sections for name in names}
        if instance.pk is None and instance.badge_type == BadgeType.MICROCREDENTIAL:
            kwargs.setdefault("initial", {}).update(
                {
                    "quality_assurance_name": DUTCH_MICROCREDENTIAL_FRAMEWORK["name"],
                    "quality_assurance_url": DUTCH_MICROCREDENTIAL_FRAMEWORK["url"],
                    "quality_assurance_description": DUTCH_MICROCREDENTIAL_FRAMEWORK["description"],
                }
            )
        super().__init__(*args, instance=instance, **kwargs)
        for name in list(self.fields):
            if name not in shown:
                del self.fields[name]
        if "prerequisites" in self.fields:
            candidates = BadgeClass.objects.filter(
                issuer__faculty__institution=institution, archived=False
            ).select_related("issuer")
            if instance.pk:
                candidates = candidates.exclude(pk=instance.pk)
            self.fields["prerequisites"].queryset = candidates
        if instance.is_awarded:
            for name, field in self.fields.items():
                if name not in EDITABLE_AFTER_AWARD and name != "prerequisites":
                    field.disabled = True
                    field.help_text = _("Fixed: this badge has been awarded.")

    def bound_sections(self):
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in self.sections
        ]

    def service_fields(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items() if name != "prerequisites"}
        if self.instance.is_awarded:
            data = {name: value for name, value in data.items() if name in EDITABLE_AFTER_AWARD}
        return data
