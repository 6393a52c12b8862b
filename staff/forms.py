from __future__ import annotations

import base64
import re
import secrets

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from badges.choices import DUTCH_MICROCREDENTIAL_FRAMEWORK
from badges.models import EDITABLE_AFTER_AWARD, BadgeClass
from frameworks.models import CompetencyFramework, FrameworkItem
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

    def __init__(self, *args, contact_only: bool = False, **kwargs):
        """``contact_only``: the profile of an endorsing body, whose name, description,
        website and logo are the body's own; only its contact address is edited here."""
        super().__init__(*args, **kwargs)
        if contact_only:
            for name in list(self.fields):
                if name != "email":
                    del self.fields[name]
            self.fields["email"].help_text = _(
                "The body's name, description, website and logo are changed by the platform "
                "administrator."
            )


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

    def __init__(
        self,
        *args,
        allow_admin: bool = True,
        allow_eppn: bool = True,
        allow_awarder: bool = True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        if not allow_admin:
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.ADMIN]
        if not allow_awarder:
            self.fields["role"].choices = [c for c in Role.choices if c[0] != Role.AWARDER]
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
    sections.append((_("Competency frameworks"), ["framework_items"]))
    sections.append((_("Awarding"), AWARDING_FIELDS))
    return sections


def type_requirements(badge_type: str, sector: str) -> tuple[set[str], set[str]]:
    """The fields a badge of ``badge_type`` must fill in (the rules of ``BadgeClass.clean``):
    those required on their own, and those of which one of a pair (Dutch or English, EQF or
    NLQF level, criteria text or URL) is enough."""
    required = {"image"}
    either = {*TEXT_FIELDS, "criteria_nl", "criteria_en", "criteria_url"}
    if badge_type != BadgeType.EXTRACURRICULAR:
        either |= {"learning_outcomes_nl", "learning_outcomes_en"}
    if badge_type == BadgeType.DIGITAL_EDUCATION:
        required |= {"programme_identifier"}
        either |= {"eqf_level", "nlqf_level"}
    elif badge_type == BadgeType.MICROCREDENTIAL:
        required |= {
            "study_load_hours" if sector == Sector.MBO else "study_load_ects",
            "eqf_level",
            "assessment_type",
            "participation",
            "quality_assurance_name",
            "quality_assurance_url",
            "quality_assurance_description",
        }
    return required, either


PENDING_IMAGE = "pending-badge-image"


class BadgeClassForm(forms.ModelForm):
    # An image uploaded with a form that had errors is kept (in the session) until the form is
    # sent again: browsers cannot fill in a file field.
    pending_image = forms.CharField(required=False, widget=forms.HiddenInput)
    tags = TagsField(
        label=_("Tags"),
        required=False,
        help_text=_("Comma-separated keywords that help students find the badge."),
    )
    framework_items = forms.TypedMultipleChoiceField(
        label=_("Aligned to"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The competencies of shared frameworks this badge stands for; they appear in the "
            "badge's credentials and on the framework's public page."
        ),
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

    def __init__(self, data=None, files=None, *args, instance: BadgeClass, session=None, **kwargs):
        institution = instance.issuer.faculty.institution
        self.sections = type_sections(instance.badge_type, institution.sector)
        shown = {name for _title, names in self.sections for name in names} | {"pending_image"}
        self.session = session
        self.kept_image = None
        if data is not None:
            files = self._with_kept_image(data, files)
        if instance.pk is None and instance.badge_type == BadgeType.MICROCREDENTIAL:
            kwargs.setdefault("initial", {}).update(
                {
                    "quality_assurance_name": DUTCH_MICROCREDENTIAL_FRAMEWORK["name"],
                    "quality_assurance_url": DUTCH_MICROCREDENTIAL_FRAMEWORK["url"],
                    "quality_assurance_description": DUTCH_MICROCREDENTIAL_FRAMEWORK["description"],
                }
            )
        super().__init__(data, files, *args, instance=instance, **kwargs)
        for name in list(self.fields):
            if name not in shown:
                del self.fields[name]
        required, either = type_requirements(instance.badge_type, institution.sector)
        for name, field in self.fields.items():
            # Marked on the form; the model's rules give the precise message when missing.
            field.type_required = name in required or name in either
            if name in required:
                field.widget.attrs["aria-required"] = "true"
        if self.kept_image:
            self.fields["image"].help_text = _(
                "“%(name)s” from your last attempt is kept; choose a file only to replace it."
            ) % {"name": self.kept_image}
        self._set_framework_choices(institution, instance)
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

    def _set_framework_choices(self, institution, instance: BadgeClass) -> None:
        items = FrameworkItem.objects.filter(
            framework__in=CompetencyFramework.objects.usable_by(institution)
        ).select_related("framework")
        self.framework_item_objects = {item.pk: item for item in items}
        groups: dict[int, tuple[str, list]] = {}
        for item in sorted(items, key=lambda i: (i.framework.title, i.position, i.code)):
            groups.setdefault(item.framework_id, (item.framework.title, []))[1].append(
                (item.pk, item.label)
            )
        self.fields["framework_items"].choices = list(groups.values())
        if instance.pk:
            self.initial["framework_items"] = list(
                instance.alignments.filter(framework_item__isnull=False).values_list(
                    "framework_item_id", flat=True
                )
            )
        if not items:
            self.fields["framework_items"].help_text = _(
                "No competency framework is available yet; institution admins can add one "
                "under Competency frameworks."
            )

    def chosen_framework_items(self) -> list:
        return [
            self.framework_item_objects[pk]
            for pk in self.cleaned_data.get("framework_items") or []
            if pk in self.framework_item_objects
        ]

    def _with_kept_image(self, data, files):
        kept = self.session.get(PENDING_IMAGE) if self.session is not None else None
        if not kept or (files and files.get("image")) or kept["token"] != data.get("pending_image"):
            return files
        files = files.copy() if files is not None else MultiValueDict()
        files["image"] = SimpleUploadedFile(
            kept["name"], base64.b64decode(kept["content"]), kept["content_type"]
        )
        self.kept_image = kept["name"]
        return files

    def keep_upload(self) -> None:
        """After errors: keep a valid uploaded image for the next attempt."""
        upload = self.files.get("image")
        if self.session is None or upload is None or self.has_error("image"):
            return
        upload.seek(0)
        token = secrets.token_urlsafe(16)
        self.session[PENDING_IMAGE] = {
            "token": token,
            "name": upload.name,
            "content_type": upload.content_type or "application/octet-stream",
            "content": base64.b64encode(upload.read()).decode(),
        }
        self.data = self.data.copy()
        self.data["pending_image"] = token
        self.kept_image = upload.name
        self.fields["image"].help_text = self["image"].help_text = _(
            "“%(name)s” from your last attempt is kept; choose a file only to replace it."
        ) % {"name": upload.name}

    def forget_upload(self) -> None:
        if self.session is not None:
            self.session.pop(PENDING_IMAGE, None)

    def bound_sections(self):
        return [
            (title, [self[name] for name in names if name in self.fields])
            for title, names in self.sections
        ]

    def service_fields(self) -> dict:
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("prerequisites", "pending_image", "framework_items")
        }
        if self.instance.is_awarded:
            data = {name: value for name, value in data.items() if name in EDITABLE_AFTER_AWARD}
        return data
