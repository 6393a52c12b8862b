"""The audit trail: every award, claim, decline, approval, denial, override and revocation is
written in the transaction of the change, and institution admins can read it."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from badges.awarding import awards, claims, enrollments, revocations
from badges.models import Award
from issuers.models import AuditEntry
from issuers.roles import Role
from privacy.models import ConsentRecord, RecordKind
from tests.factories import BadgeClassFactory, UserFactory

from .factories import EnrollmentFactory

pytestmark = pytest.mark.django_db


def _acknowledge(user, ready):
    statement = ready["a"]["statements"]["extracurricular"]
    ConsentRecord.objects.create(
        user=user,
        statement=statement,
        institution=ready["a"]["institution"],
        badge_type="extracurricular",
        legal_basis=statement.policy.legal_basis,
        kind=RecordKind.ACKNOWLEDGEMENT,
    )


@pytest.fixture
def history(ready, admin, awarder, commits):
    badge_class = ready["a"]["badge_class"]
    claimer, decliner, requester, denied = (UserFactory() for _ in range(4))
    for user in (claimer, requester):
        _acknowledge(user, ready)
    open_badge = BadgeClassFactory(issuer=ready["a"]["issuer"], self_enrollment_enabled=True)
    advanced = BadgeClassFactory(issuer=ready["a"]["issuer"])
    advanced.prerequisites.set([badge_class])
    with commits():
        claimed = awards.award_create(actor=awarder, badge_class=badge_class, email=claimer.email)
        claims.award_claim(user=claimer, award=claimed)
        declined = awards.award_create(actor=awarder, badge_class=badge_class, email=decliner.email)
        claims.award_decline(user=decliner, award=declined)
        withdrawn = awards.award_create(actor=awarder, badge_class=badge_class, email="w@x.example")
        awards.award_withdraw(actor=awarder, award=withdrawn, reason="Wrong person")
        enrollments.enrollment_approve(
            actor=awarder, enrollment=EnrollmentFactory(badge_class=open_badge, user=requester)
        )
        enrollments.enrollment_deny(
            actor=awarder,
            enrollment=EnrollmentFactory(badge_class=open_badge, user=denied),
            reason="Not yet",
        )
        awards.award_create(
            actor=admin,
            badge_class=advanced,
            email="o@x.example",
            override_prerequisites=True,
            override_reason="Committee decision",
        )
        revocations.assertions_revoke(actor=awarder, assertions=[claimed.assertion], reason="Fraud")
    return {"claimed": claimed}


def test_every_awarding_event_is_in_the_trail(history, ready):
    actions = set(
        AuditEntry.objects.filter(institution=ready["a"]["institution"]).values_list(
            "action", flat=True
        )
    )
    assert {
        "award_create",
        "award_claim",
        "award_decline",
        "award_withdraw",
        "enrollment_approve",
        "enrollment_deny",
        "prerequisites_override",
        "assertion_create",
        "assertion_issue",
        "assertion_revoke",
    } <= actions


def test_an_entry_is_written_with_its_change_or_not_at_all(ready, awarder):
    with pytest.raises(RuntimeError), transaction.atomic():
        awards.award_create(
            actor=awarder, badge_class=ready["a"]["badge_class"], email="gone@x.example"
        )
        raise RuntimeError
    assert not Award.objects.exists()
    assert not AuditEntry.objects.filter(action="award_create").exists()


def test_institution_admins_read_the_trail_with_labels_filters_and_csv(
    client, history, ready, admin, awarder
):
    url = reverse("staff:audit_log", args=[ready["a"]["institution"].pk])
    client.force_login(awarder)
    assert client.get(url).status_code == 403
    client.force_login(admin)
    page = client.get(url).content.decode()
    for label in (
        "Badge awarded",
        "Badge claimed",
        "Badge declined",
        "Award withdrawn",
        "Enrolment approved",
        "Enrolment denied",
        "Prerequisites overridden",
        "Badge revoked",
    ):
        assert label in page, label
    assert "Committee decision" in page and "Wrong person" in page
    filtered = client.get(url, {"action": "assertion_revoke"}).content.decode()
    assert "<td>Badge revoked</td>" in filtered and "<td>Badge declined</td>" not in filtered
    csv_response = client.get(url, {"format": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "Badge claimed" in b"".join(csv_response.streaming_content).decode("utf-8-sig")


def test_the_trail_names_no_recipient(history):
    for entry in AuditEntry.objects.filter(object_type="badges.Award"):
        assert "@" not in entry.summary


def test_admins_of_another_institution_get_404(client, ready, user_with_role):
    other_admin = user_with_role(Role.ADMIN, institution=ready["b"]["institution"])
    client.force_login(other_admin)
    url = reverse("staff:audit_log", args=[ready["a"]["institution"].pk])
    assert client.get(url).status_code == 404
