"""Pathways: a badge that requires others is refused without them, unless an admin
overrides explicitly, with a reason, which is recorded."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from badges.awarding import awards
from badges.awarding.rules import PrerequisitesMissing
from badges.models import Assertion, Award
from issuers.models import AuditEntry
from tests.factories import BadgeClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pathway(ready):
    basic = ready["a"]["badge_class"]
    advanced = BadgeClassFactory(issuer=ready["a"]["issuer"], name_en="Advanced")
    advanced.prerequisites.set([basic])
    return basic, advanced


def test_awarding_without_the_prerequisite_is_refused_with_its_name(pathway, awarder):
    basic, advanced = pathway
    with pytest.raises(PrerequisitesMissing) as error:
        awards.award_create(actor=awarder, badge_class=advanced, email="x@student.example")
    assert error.value.missing == [basic]
    assert basic.name in " ".join(error.value.messages)
    assert not Award.objects.exists()


def test_holding_the_prerequisite_opens_the_path(pathway, awarder, issue):
    basic, advanced = pathway
    issue(badge_class=basic, email="x@student.example")
    award = awards.award_create(actor=awarder, badge_class=advanced, email="X@student.example")
    assert not award.prerequisites_overridden


def test_a_revoked_or_expired_prerequisite_does_not_count(pathway, awarder, issue):
    basic, advanced = pathway
    revoked = issue(badge_class=basic, email="r@student.example")
    Assertion.objects.filter(pk=revoked.pk).update(status=Assertion.Status.REVOKED)
    expired = issue(badge_class=basic, email="e@student.example")
    Assertion.objects.filter(pk=expired.pk).update(expires_at="2020-01-01T00:00:00Z")
    for email in ("r@student.example", "e@student.example"):
        with pytest.raises(PrerequisitesMissing):
            awards.award_create(actor=awarder, badge_class=advanced, email=email)


def test_an_admin_overrides_with_a_reason_and_it_is_recorded(pathway, admin):
    _basic, advanced = pathway
    with pytest.raises(ValidationError) as error:
        awards.award_create(
            actor=admin,
            badge_class=advanced,
            email="x@student.example",
            override_prerequisites=True,
        )
    assert "override_reason" in error.value.error_dict
    award = awards.award_create(
        actor=admin,
        badge_class=advanced,
        email="x@student.example",
        override_prerequisites=True,
        override_reason="Exemption granted by the exam committee",
    )
    assert award.prerequisites_overridden
    assert award.override_reason == "Exemption granted by the exam committee"
    entry = AuditEntry.objects.get(action="prerequisites_override")
    assert entry.actor == admin
    assert entry.data["reason"] == "Exemption granted by the exam committee"


def test_an_awarder_cannot_override(pathway, awarder):
    _basic, advanced = pathway
    with pytest.raises(PermissionDenied):
        awards.award_create(
            actor=awarder,
            badge_class=advanced,
            email="x@student.example",
            override_prerequisites=True,
            override_reason="Please",
        )


def test_the_award_page_shows_the_missing_badges_and_the_override_to_admins_only(
    client, pathway, admin, awarder
):
    basic, advanced = pathway
    url = reverse("staff:award_create", args=[advanced.pk])
    client.force_login(awarder)
    page = client.post(url, {"email": "x@student.example"}).content.decode()
    assert "Missing prerequisites" in page and basic.name in page
    assert "override_prerequisites" not in page
    client.force_login(admin)
    assert "override_prerequisites" in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "email": "x@student.example",
            "override_prerequisites": "on",
            "override_reason": "Transfer student with equivalent course",
        },
    )
    assert response.status_code == 302
    assert Award.objects.get().prerequisites_overridden
