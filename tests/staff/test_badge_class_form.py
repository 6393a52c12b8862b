"""The badge class form marks what the badge's type requires, and keeps an uploaded image
when the form comes back with errors."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from badges.demo_images import badge_png
from badges.models import BadgeClass
from issuers.badge_types import BadgeType
from issuers.roles import Role
from tests.factories import InstitutionFactory, IssuerFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _marked(page: str) -> set[str]:
    """The fields whose block carries the required marker."""
    marked = set()
    for classes, name in re.findall(
        r'<div class="field([^"]*)">\s*(?:<label for="id_(\w+)")?', page
    ):
        if "required" in classes and name:
            marked.add(name)
    for classes, name in re.findall(r'<div class="field([^"]*)">\s*<input[^>]*id="id_(\w+)"', page):
        if "required" in classes:
            marked.add(name)
    return marked


@pytest.mark.parametrize("sector", ["mbo", "hbo"])
@pytest.mark.parametrize("badge_type", BadgeType.values)
def test_every_field_the_type_requires_is_marked(client, sector, badge_type):
    issuer = IssuerFactory(faculty__institution=InstitutionFactory(sector=sector))
    admin = UserFactory()
    MembershipFactory(user=admin, role=Role.ADMIN, issuer=issuer)
    client.force_login(admin)
    page = client.get(
        reverse("staff:badge_class_create", args=[issuer.pk]), {"type": badge_type}
    ).content.decode()
    marked = _marked(page)
    # What the type's rules ask for when everything is empty.
    with pytest.raises(ValidationError) as error:
        BadgeClass(issuer=issuer, badge_type=badge_type).clean()
    asked = set(error.value.error_dict) | {"image"}
    assert asked <= marked, asked - marked
    assert not {"narrative_required", "tags", "award_instructions"} & marked
    if badge_type == BadgeType.EXTRACURRICULAR:
        assert "learning_outcomes_nl" not in marked
    if badge_type == BadgeType.MICROCREDENTIAL:
        load = "study_load_hours" if sector == "mbo" else "study_load_ects"
        assert load in marked
        assert re.search(rf'<input[^>]*aria-required="true"[^>]*id="id_{load}"', page)


def test_the_uploaded_image_is_kept_after_an_error(client):
    issuer = IssuerFactory()
    admin = UserFactory()
    MembershipFactory(user=admin, role=Role.ADMIN, issuer=issuer)
    client.force_login(admin)
    url = reverse("staff:badge_class_create", args=[issuer.pk])
    data = {
        "badge_type": BadgeType.MICROCREDENTIAL,
        "name_en": "Statistics",
        "description_en": "A module.",
        "criteria_en": "Pass.",
        "learning_outcomes_en": "Test hypotheses",
        "eqf_level": "6",
        "assessment_type": "portfolio",
        "participation": "online",
        "quality_assurance_name": "QA",
        "quality_assurance_url": "https://example.org/qa",
        "quality_assurance_description": "Checked.",
        "expiry_unit": "years",
        "language": "en",
    }
    image = SimpleUploadedFile("statistics.png", badge_png((1, 2, 3), size=200), "image/png")
    first = client.post(url, {**data, "image": image})
    page = first.content.decode()
    assert first.status_code == 200
    assert "Enter the study load in ECTS" in page
    assert "“statistics.png” from your last attempt is kept" in page
    token = re.search(r'name="pending_image" value="([^"]+)"', page).group(1)

    second = client.post(url, {**data, "study_load_ects": "5", "pending_image": token})
    assert second.status_code == 302, second.content.decode()[:2000]
    badge_class = BadgeClass.objects.get(name_en="Statistics")
    with badge_class.image.open("rb") as stored:
        assert stored.read() == badge_png((1, 2, 3), size=200)
    assert "pending-badge-image" not in client.session

    # A token from someone else's session brings nothing.
    other = UserFactory()
    MembershipFactory(user=other, role=Role.ADMIN, issuer=issuer)
    client.force_login(other)
    third = client.post(
        url, {**data, "name_en": "Other", "study_load_ects": "5", "pending_image": token}
    )
    assert third.status_code == 200 and not BadgeClass.objects.filter(name_en="Other").exists()
