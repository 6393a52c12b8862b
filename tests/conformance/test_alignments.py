"""Badges aligned to framework items pass the independent verifiers in both versions."""

from __future__ import annotations

import pytest

from badges import links
from badges import services as badge_services
from tests.factories import BadgeClassFactory, UserFactory
from tests.frameworks.factories import FrameworkItemFactory

from .test_open_badges_3 import _documents

pytestmark = [pytest.mark.conformance]
RECIPIENT = "student@example.org"


def _aligned_badge_class():
    badge_class = BadgeClassFactory(microcredential=True, language="en")
    items = [
        FrameworkItemFactory(code="KD", name_en="Critical thinking"),
        FrameworkItemFactory(
            code="SW",
            name_en="Collaboration",
            esco_uri="http://data.europa.eu/esco/skill/example-collaboration",
        ),
    ]
    badge_services.badge_class_update(
        actor=UserFactory(is_superuser=True), badge_class=badge_class, framework_items=items
    )
    return badge_class


@pytest.mark.django_db
def test_aligned_credential_verifies_with_digital_bazaar(client, issue, ob3_verifier):
    assertion = issue(badge_class=_aligned_badge_class(), email=RECIPIENT)
    alignments = assertion.ob3_credential["credentialSubject"]["achievement"]["alignment"]
    competencies = [a for a in alignments if a["targetType"] == "ceasn:Competency"]
    assert {a["targetCode"] for a in competencies} == {"KD", "SW"}
    assert all(
        a["type"] == ["Alignment"] and a["targetFramework"] and a["targetUrl"].startswith("http")
        for a in alignments
    )
    (esco,) = [a for a in alignments if a["targetFramework"] == "ESCO"]
    assert esco["targetUrl"] == "http://data.europa.eu/esco/skill/example-collaboration"
    assert esco["targetType"] == "ext:ESCOSkill"
    report = ob3_verifier(
        {"credential": assertion.ob3_credential, "documents": _documents(client, assertion)}
    )
    assert report["verified"], report["errors"]


@pytest.mark.django_db(transaction=True)
def test_aligned_badge_is_valid_for_badgecheck(badgecheck, live_site, issue):
    assertion = issue(badge_class=_aligned_badge_class(), email=RECIPIENT)
    report = badgecheck(links.assertion_url(assertion), recipient=RECIPIENT)
    assert report["valid"], report["errors"]
    badge_class = next(node for node in report["graph"] if node.get("type") == "BadgeClass")
    codes = {a.get("targetCode") for a in badge_class["alignment"]}
    assert codes == {"KD", "SW", None}  # the ESCO skill of SW has no code
