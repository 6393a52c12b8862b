"""Revocation (one or many, with a reason), withdrawal of pending awards and expiry — each
visible on the public page, in the revocation list and to the student, who is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from badges.awarding import awards, revocations
from badges.awarding.notifications import Kind
from badges.models import Assertion, Award
from issuers.models import AuditEntry
from notifications.models import Notification
from tests.factories import BadgeClassFactory, UserFactory

from .factories import AwardFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(db):
    return UserFactory(email="holder@student.example", preferred_language="en")


def test_revoking_one_badge_shows_everywhere_and_tells_the_recipient(
    client, ready, awarder, holder, issue, commits, mailoutbox
):
    assertion = issue(badge_class=ready["a"]["badge_class"], email=holder.email, recipient=holder)
    client.force_login(awarder)
    url = reverse("staff:assertion", args=[assertion.pk])
    assert client.post(url, {"reason": ""}).status_code == 200  # a reason is required
    with commits():
        client.post(url, {"reason": "Awarded by mistake", "confirmed": "True"})
    assertion.refresh_from_db()
    assert assertion.status == Assertion.Status.REVOKED
    assert assertion.revocation_reason == "Awarded by mistake"
    assert AuditEntry.objects.filter(action="assertion_revoke", actor=awarder).exists()

    public = client.get(
        reverse("public:assertion", args=[assertion.public_id]), HTTP_ACCEPT="text/html"
    )
    assert "Revoked" in public.content.decode() and "Awarded by mistake" in public.content.decode()
    revocation_list = client.get(
        reverse("public:revocations", args=[assertion.badge_class.issuer.public_id])
    )
    assert "Awarded by mistake" in revocation_list.content.decode()

    (message,) = mailoutbox
    assert message.to == [holder.email]
    assert "was revoked" in message.subject and "Awarded by mistake" in message.body

    client.force_login(holder)
    page = client.get(reverse("backpack:list")).content.decode()
    assert "Revoked" in page and "Awarded by mistake" in page

    # Revoking again changes and sends nothing.
    with commits():
        assert (
            revocations.assertions_revoke(actor=awarder, assertions=[assertion], reason="Again")
            == 0
        )
    assertion.refresh_from_db()
    assert assertion.revocation_reason == "Awarded by mistake"
    assert len(mailoutbox) == 1


def test_revoking_many_at_once(client, ready, awarder, issue, commits, mailoutbox):
    badge_class = ready["a"]["badge_class"]
    many = [issue(badge_class=badge_class, email=f"r{i}@student.example") for i in range(3)]
    client.force_login(awarder)
    url = reverse("staff:assertions_revoke", args=[badge_class.pk])
    client.post(url, {"selected": [a.pk for a in many[:2]], "reason": ""})
    assert not Assertion.objects.filter(status=Assertion.Status.REVOKED).exists()
    with commits():
        response = client.post(
            url,
            {"selected": [a.pk for a in many[:2]], "reason": "Exam fraud", "confirmed": "True"},
            follow=True,
        )
    assert "2 badges were revoked." in response.content.decode()
    statuses = [Assertion.objects.get(pk=a.pk).status for a in many]
    assert statuses == ["revoked", "revoked", "issued"]
    assert len(mailoutbox) == 2


def test_withdrawing_an_offer_tells_the_recipient_and_closes_the_link(
    client, ready, awarder, commits, mailoutbox
):
    with commits():
        award = awards.award_create(
            actor=awarder, badge_class=ready["a"]["badge_class"], email="w@student.example"
        )
    client.force_login(awarder)
    with commits():
        client.post(reverse("staff:award_withdraw", args=[award.pk]), {"reason": "Wrong student"})
    award.refresh_from_db()
    assert award.status == Award.Status.WITHDRAWN and award.withdrawal_reason == "Wrong student"
    assert len(mailoutbox) == 2
    assert "withdrawn" in mailoutbox[1].subject and "Wrong student" in mailoutbox[1].body
    assert AuditEntry.objects.filter(action="award_withdraw", actor=awarder).exists()
    page = client.get(reverse("students:claim", args=[award.claim_token])).content.decode()
    assert "withdrawn this offer" in page


def test_withdrawing_a_scheduled_award_sends_nothing(ready, awarder, commits, mailoutbox):
    with commits():
        award = awards.award_create(
            actor=awarder,
            badge_class=ready["a"]["badge_class"],
            email="s@student.example",
            scheduled_for=timezone.now() + timedelta(days=1),
        )
        awards.award_withdraw(actor=awarder, award=award)
    assert Award.objects.get().status == Award.Status.WITHDRAWN
    assert mailoutbox == []


def test_withdrawing_many_leaves_claimed_awards_alone(client, ready, awarder, commits):
    badge_class = ready["a"]["badge_class"]
    open_awards = [AwardFactory(badge_class=badge_class) for _ in range(2)]
    claimed = AwardFactory(badge_class=badge_class, status=Award.Status.CLAIMED)
    client.force_login(awarder)
    with commits():
        response = client.post(
            reverse("staff:awards_withdraw", args=[badge_class.pk]),
            {"selected": [a.pk for a in [*open_awards, claimed]], "reason": "Course cancelled"},
            follow=True,
        )
    assert [Award.objects.get(pk=a.pk).status for a in open_awards] == ["withdrawn", "withdrawn"]
    # Claimed since the page was shown: left as it is, and the awarder is told.
    assert Award.objects.get(pk=claimed.pk).status == Award.Status.CLAIMED
    assert "1 award was no longer open" in response.content.decode()


def test_a_badge_expires_from_its_class_validity_and_the_recipient_is_told_once(
    client, ready, holder, issue, commits, mailoutbox
):
    badge_class = BadgeClassFactory(
        issuer=ready["a"]["issuer"], expiry_amount=30, expiry_unit="days"
    )
    assertion = issue(badge_class=badge_class, email=holder.email, recipient=holder)
    assert assertion.expires_at is not None
    with commits():
        assert revocations.assertions_expire() == 0
    with time_machine.travel(assertion.expires_at + timedelta(hours=1), tick=False):
        with commits():
            assert revocations.assertions_expire() == 1
            assert revocations.assertions_expire() == 0
        public = client.get(
            reverse("public:assertion", args=[assertion.public_id]), HTTP_ACCEPT="text/html"
        )
        assert "Expired" in public.content.decode()
        client.force_login(holder)
        assert "Expired" in client.get(reverse("backpack:list")).content.decode()
    (message,) = mailoutbox
    assert "has expired" in message.subject
    assert Notification.objects.get(assertion=assertion).kind == Kind.ASSERTION_EXPIRED
    assert AuditEntry.objects.filter(action="assertion_expire").count() == 1
