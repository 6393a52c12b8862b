"""Direct award to one recipient: the service, its refusals and the staff page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from badges.awarding import awards
from badges.models import Assertion, Award
from issuers.models import AuditEntry
from issuers.roles import Role
from notifications.models import Notification
from tests.factories import BadgeClassFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_award_by_email_offers_it_and_emails_a_claim_link_in_both_languages(
    ready, awarder, commits, mailoutbox
):
    badge_class = ready["a"]["badge_class"]
    with commits():
        award = awards.award_create(
            actor=awarder,
            badge_class=badge_class,
            email="New.Student@Student.example",
            recipient_name="Nina Nieuw",
            narrative="Organised the hackathon",
            grade="8",
        )
    award.refresh_from_db()
    assert award.status == Award.Status.OFFERED
    assert award.recipient_email == "new.student@student.example"
    assert award.offered_at is not None
    assert award.expires_at == award.offered_at + timedelta(days=82)
    assert AuditEntry.objects.filter(action="award_create", object_id=str(award.pk)).exists()
    entry = AuditEntry.objects.get(action="award_create", object_id=str(award.pk))
    assert entry.actor == awarder
    assert "new.student" not in entry.summary  # the trail names no recipient

    (message,) = mailoutbox
    assert message.to == ["new.student@student.example"]
    claim_url = "http://testserver" + reverse("students:claim", args=[award.claim_token])
    assert claim_url in message.body
    assert "Je hebt de badge" in message.subject or "/" in message.subject
    html = message.alternatives[0][0]
    assert claim_url in html
    assert 'lang="nl"' in html and 'lang="en"' in html
    assert Notification.objects.get(award=award).status == Notification.Status.SENT


def test_a_known_recipient_gets_the_email_in_their_language(ready, awarder, commits, mailoutbox):
    UserFactory(email="english@student.example", preferred_language="en")
    with commits():
        awards.award_create(
            actor=awarder, badge_class=ready["a"]["badge_class"], email="english@student.example"
        )
    (message,) = mailoutbox
    assert message.subject.startswith("You have been awarded")
    assert " / " not in message.subject
    assert 'lang="nl"' not in message.alternatives[0][0]


def test_award_by_eppn_must_match_the_institutions_pattern(ready, awarder):
    institution = ready["a"]["institution"]
    institution.eppn_pattern = r"^s[0-9]{7}@a\.example$"
    institution.save()
    with pytest.raises(ValidationError) as error:
        awards.award_create(
            actor=awarder, badge_class=ready["a"]["badge_class"], eppn="someone@elsewhere.example"
        )
    assert "eppn" in error.value.error_dict
    award = awards.award_create(
        actor=awarder, badge_class=ready["a"]["badge_class"], eppn="S1234567@a.example"
    )
    assert award.recipient_eppn == "s1234567@a.example"


@pytest.mark.parametrize(
    ("fields", "field_with_error"),
    [
        ({}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "ok@student.example", "evidence_url": "javascript:alert(1)"}, "evidence_url"),
    ],
)
def test_bad_recipient_or_evidence_is_refused_per_field(ready, awarder, fields, field_with_error):
    with pytest.raises(ValidationError) as error:
        awards.award_create(actor=awarder, badge_class=ready["a"]["badge_class"], **fields)
    assert field_with_error in error.value.error_dict
    assert not Award.objects.exists()


def test_required_narrative_and_evidence_are_enforced(ready, awarder):
    badge_class = BadgeClassFactory(
        issuer=ready["a"]["issuer"], narrative_required=True, evidence_required=True
    )
    with pytest.raises(ValidationError) as error:
        awards.award_create(actor=awarder, badge_class=badge_class, email="x@student.example")
    assert {"narrative", "evidence_url"} <= set(error.value.error_dict)
    award = awards.award_create(
        actor=awarder,
        badge_class=badge_class,
        email="x@student.example",
        narrative="Did it",
        evidence_file=SimpleUploadedFile("work.pdf", b"%PDF-1.4 work"),
    )
    # Stored under a name nobody can guess; downloaded through a page that checks access.
    assert award.evidence_file.name.startswith("evidence/")
    assert award.evidence_file.name.endswith(".pdf") and "work" not in award.evidence_file.name


def test_a_recipient_who_holds_the_badge_or_has_an_offer_is_refused(ready, awarder, issue):
    badge_class = ready["a"]["badge_class"]
    issue(badge_class=badge_class, email="holder@student.example")
    with pytest.raises(ValidationError, match="already holds"):
        awards.award_create(actor=awarder, badge_class=badge_class, email="HOLDER@student.example")
    awards.award_create(actor=awarder, badge_class=badge_class, email="offered@student.example")
    with pytest.raises(ValidationError, match="already been offered"):
        awards.award_create(actor=awarder, badge_class=badge_class, email="offered@student.example")


def test_an_archived_badge_or_a_type_without_privacy_statement_cannot_be_awarded(
    world, user_with_role
):
    awarder = user_with_role(Role.AWARDER, issuer=world["a"]["issuer"])
    with pytest.raises(ValidationError, match="legal basis"):
        awards.award_create(
            actor=awarder, badge_class=world["a"]["badge_class"], email="x@student.example"
        )
    archived = BadgeClassFactory(issuer=world["a"]["issuer"], archived=True)
    with pytest.raises(ValidationError, match="archived"):
        awards.award_create(actor=awarder, badge_class=archived, email="x@student.example")


def test_viewers_and_other_institutions_may_not_award(ready, user_with_role):
    viewer = user_with_role(Role.VIEWER, issuer=ready["a"]["issuer"])
    other = user_with_role(Role.ADMIN, institution=ready["b"]["institution"])
    for actor in (viewer, other):
        with pytest.raises(PermissionDenied):
            awards.award_create(
                actor=actor, badge_class=ready["a"]["badge_class"], email="x@student.example"
            )


def test_a_scheduled_award_is_sent_when_its_moment_comes(ready, awarder, commits, mailoutbox):
    moment = timezone.now() + timedelta(days=3)
    with commits():
        award = awards.award_create(
            actor=awarder,
            badge_class=ready["a"]["badge_class"],
            email="later@student.example",
            scheduled_for=moment,
        )
    assert award.status == Award.Status.SCHEDULED
    assert mailoutbox == []
    with commits():
        assert awards.awards_release_due(now=moment - timedelta(minutes=1)) == 0
        assert awards.awards_release_due(now=moment + timedelta(minutes=1)) == 1
        assert awards.awards_release_due(now=moment + timedelta(minutes=2)) == 0
    award.refresh_from_db()
    assert award.status == Award.Status.OFFERED
    assert award.offered_at == moment + timedelta(minutes=1)
    assert len(mailoutbox) == 1
    assert AuditEntry.objects.filter(action="award_release", object_id=str(award.pk)).exists()


def test_a_scheduled_moment_in_the_past_is_refused(ready, awarder):
    with pytest.raises(ValidationError) as error:
        awards.award_create(
            actor=awarder,
            badge_class=ready["a"]["badge_class"],
            email="x@student.example",
            scheduled_for=timezone.now() - timedelta(hours=1),
        )
    assert "scheduled_for" in error.value.error_dict


def test_the_staff_award_page_awards_and_shows_field_errors(client, ready, awarder, commits):
    client.force_login(awarder)
    badge_class = ready["a"]["badge_class"]
    url = reverse("staff:award_create", args=[badge_class.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"email": "bad"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    with commits():
        response = client.post(url, {"email": "page@student.example", "recipient_name": "P"})
    award = Award.objects.get(recipient_email="page@student.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:award", args=[award.pk])
    detail = client.get(response["Location"]).content.decode()
    assert "page@student.example" in detail
    assert "Badge offered" in detail  # what the recipient was told


def test_an_issuer_without_privacy_basis_shows_why_it_cannot_award(client, world, user_with_role):
    awarder = user_with_role(Role.AWARDER, issuer=world["a"]["issuer"])
    client.force_login(awarder)
    response = client.get(reverse("staff:award_create", args=[world["a"]["badge_class"].pk]))
    assert "legal basis" in response.content.decode()
    assert not Assertion.objects.exists()


def test_one_broken_scheduled_award_does_not_hold_back_the_others(
    ready, awarder, commits, mailoutbox, monkeypatch
):
    moment = timezone.now() + timedelta(days=1)
    scheduled = [
        awards.award_create(
            actor=awarder,
            badge_class=ready["a"]["badge_class"],
            email=f"s{number}@student.example",
            scheduled_for=moment,
        )
        for number in range(3)
    ]
    real_release = awards._release

    def flaky(award, now):
        if award.pk == scheduled[1].pk:
            raise RuntimeError("broken")
        real_release(award, now)

    monkeypatch.setattr(awards, "_release", flaky)
    with commits():
        assert awards.awards_release_due(now=moment + timedelta(minutes=1)) == 2
    statuses = [Award.objects.get(pk=award.pk).status for award in scheduled]
    assert statuses == ["offered", "scheduled", "offered"]
    assert len(mailoutbox) == 2
