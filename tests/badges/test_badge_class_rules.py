"""The rules of the three badge types, enforced by BadgeClass.clean()."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from badges.models import Award
from issuers.badge_types import BadgeType
from tests.factories import BadgeClassFactory, FacultyFactory, InstitutionFactory, IssuerFactory

pytestmark = pytest.mark.django_db


def _errors(badge_class) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as caught:
        badge_class.full_clean()
    return caught.value.message_dict


def _issuer(sector: str = "hbo", types=None):
    institution = InstitutionFactory(
        sector=sector, enabled_badge_types=types if types is not None else list(BadgeType.values)
    )
    return IssuerFactory(faculty=FacultyFactory(institution=institution))


def test_complete_badges_of_each_type_are_valid():
    issuer = _issuer()
    for traits in ({}, {"microcredential": True}, {"digital_education": True}):
        BadgeClassFactory.build(issuer=issuer, **traits).full_clean()


def test_microcredential_without_ects_is_refused_with_field_error():
    errors = _errors(
        BadgeClassFactory.build(issuer=_issuer(), microcredential=True, study_load_ects=None)
    )
    assert errors["study_load_ects"] == [
        "Enter the study load in ECTS: a microcredential carries 3 to 30 ECTS."
    ]


@pytest.mark.parametrize("ects", ["2.9", "30.5"])
def test_microcredential_ects_outside_3_to_30_is_refused(ects):
    errors = _errors(
        BadgeClassFactory.build(
            issuer=_issuer(), microcredential=True, study_load_ects=Decimal(ects)
        )
    )
    assert "study_load_ects" in errors


@pytest.mark.parametrize("ects", ["3", "30"])
def test_microcredential_ects_bounds_are_inclusive(ects):
    BadgeClassFactory.build(
        issuer=_issuer(), microcredential=True, study_load_ects=Decimal(ects)
    ).full_clean()


def test_mbo_microcredential_needs_at_least_240_study_hours_not_ects():
    issuer = _issuer("mbo")
    errors = _errors(
        BadgeClassFactory.build(issuer=issuer, microcredential=True, study_load_ects=None)
    )
    assert "study_load_hours" in errors
    errors = _errors(
        BadgeClassFactory.build(
            issuer=issuer, microcredential=True, study_load_ects=None, study_load_hours=200
        )
    )
    assert errors["study_load_hours"] == [
        "An mbo microcredential carries at least 240 study hours (SBU)."
    ]
    BadgeClassFactory.build(
        issuer=issuer, microcredential=True, study_load_ects=None, study_load_hours=240
    ).full_clean()


@pytest.mark.parametrize(
    "field",
    [
        "learning_outcomes_en",
        "eqf_level",
        "assessment_type",
        "participation",
        "quality_assurance_name",
        "quality_assurance_url",
        "quality_assurance_description",
    ],
)
def test_microcredential_needs_every_eu_mandatory_element(field):
    empty = None if field == "eqf_level" else ""
    errors = _errors(
        BadgeClassFactory.build(issuer=_issuer(), microcredential=True, **{field: empty})
    )
    expected_field = "learning_outcomes_nl" if field == "learning_outcomes_en" else field
    assert expected_field in errors


@pytest.mark.parametrize("field", ["learning_outcomes_en", "programme_identifier"])
def test_digital_education_needs_outcomes_and_programme(field):
    errors = _errors(
        BadgeClassFactory.build(issuer=_issuer(), digital_education=True, **{field: ""})
    )
    assert ("learning_outcomes_nl" if field == "learning_outcomes_en" else field) in errors


def test_digital_education_needs_a_level_eqf_or_nlqf():
    errors = _errors(
        BadgeClassFactory.build(issuer=_issuer(), digital_education=True, eqf_level=None)
    )
    assert errors["eqf_level"] == ["Choose the EQF or NLQF level."]
    BadgeClassFactory.build(
        issuer=_issuer(), digital_education=True, eqf_level=None, nlqf_level="6"
    ).full_clean()


def test_programme_identifier_has_five_digits():
    errors = _errors(
        BadgeClassFactory.build(
            issuer=_issuer(), digital_education=True, programme_identifier="12a45"
        )
    )
    assert errors["programme_identifier"] == ["A CROHO or CREBO code has five digits."]


def test_extracurricular_certificate_carries_no_credits():
    errors = _errors(BadgeClassFactory.build(issuer=_issuer(), study_load_ects=Decimal("2")))
    assert errors["study_load_ects"] == [
        "A certificate for extra-curricular activities carries no ECTS credits."
    ]


def test_badge_type_must_be_enabled_for_the_institution():
    issuer = _issuer(types=[BadgeType.EXTRACURRICULAR])
    errors = _errors(BadgeClassFactory.build(issuer=issuer, microcredential=True))
    assert "badge_type" in errors


def test_errors_are_translated_to_dutch():
    from django.utils import translation

    with translation.override("nl"):
        errors = _errors(
            BadgeClassFactory.build(issuer=_issuer(), microcredential=True, study_load_ects=None)
        )
    assert "ECTS" in errors["study_load_ects"][0]
    assert (
        errors["study_load_ects"][0]
        != "Enter the study load in ECTS: a microcredential carries 3 to 30 ECTS."
    )


def test_awarded_badge_only_allows_whitelisted_changes():
    badge_class = BadgeClassFactory(issuer=_issuer())
    Award.objects.create(badge_class=badge_class, recipient_email="student@example.org")
    badge_class.archived = True
    badge_class.tags = ["still", "editable"]
    badge_class.full_clean()
    badge_class.name_en = "Something else"
    errors = _errors(badge_class)
    assert errors == {"name_en": ["This badge has been awarded; this field can no longer change."]}


def test_unawarded_badge_can_change_freely():
    badge_class = BadgeClassFactory(issuer=_issuer())
    badge_class.name_en = "Renamed"
    badge_class.full_clean()


def test_needs_a_name_description_and_criteria():
    errors = _errors(
        BadgeClassFactory.build(
            issuer=_issuer(),
            name_nl="",
            name_en="",
            description_nl="",
            description_en="",
            criteria_en="",
        )
    )
    assert {"name_nl", "description_nl", "criteria_nl"} <= set(errors)


def test_criteria_markdown_is_sanitised():
    badge_class = BadgeClassFactory.build(
        criteria_en="**Bold** <script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>"
    )
    html = badge_class.criteria_html
    assert "<strong>Bold</strong>" in html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html


def test_tags_must_be_short_words():
    errors = _errors(BadgeClassFactory.build(issuer=_issuer(), tags=["ok", "<b>no</b>"]))
    assert "tags" in errors
