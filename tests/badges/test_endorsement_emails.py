"""Emails about endorsements go through the outbox: an offer to the admins who decide on it,
the decision to whoever offered it; in the recipient's language, to no one else."""

import pytest
from django.core import mail

from badges import endorsements
from badges.endorsement_notifications import ACCEPTED, DECLINED, OFFERED
from issuers.roles import Role
from notifications.models import Notification
from tests.factories import IssuerFactory, MembershipFactory

from .endorsement_helpers import body_parties, parties

pytestmark = pytest.mark.django_db


def _recipients() -> set[str]:
    return {address for message in mail.outbox for address in message.to}


def test_an_offer_is_queued_and_mailed_to_the_admins_who_decide_and_no_one_else(
    django_capture_on_commit_callbacks,
):
    side = body_parties()
    target_issuer = side.badge_class.issuer
    institution_admin = MembershipFactory(
        institution=target_issuer.faculty.institution, role=Role.ADMIN
    ).user
    faculty_admin = MembershipFactory(faculty=target_issuer.faculty, role=Role.ADMIN).user
    awarder = MembershipFactory(issuer=target_issuer, role=Role.AWARDER).user
    other_school_admin = MembershipFactory(issuer=IssuerFactory(), role=Role.ADMIN).user
    another_body_colleague = MembershipFactory(
        institution=side.endorser.faculty.institution, role=Role.ADMIN
    ).user

    with django_capture_on_commit_callbacks() as callbacks:
        endorsement = endorsements.endorsement_request(
            actor=side.endorser_admin,
            endorser=side.endorser,
            badge_class=side.badge_class,
            comment="Our members look for this.",
        )
        queued = Notification.objects.filter(kind=OFFERED)
        assert {n.recipient for n in queued} == {
            side.badge_admin,
            institution_admin,
            faculty_admin,
        }
        assert {n.status for n in queued} == {Notification.Status.QUEUED}
        assert mail.outbox == []
    assert callbacks  # sent after commit, never in the request
    for callback in callbacks:
        callback()

    assert _recipients() == {side.badge_admin.email, institution_admin.email, faculty_admin.email}
    for outsider in (awarder, other_school_admin, another_body_colleague, side.endorser_admin):
        assert outsider.email not in _recipients()
    message = mail.outbox[0]
    # Accounts are Dutch unless they chose otherwise; the body's Dutch name goes with it.
    assert "Beroepsvereniging biedt aan" in message.subject
    assert "Our members look for this." in message.body
    assert f"/staff/endorsements/{endorsement.pk}/" in message.body
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_the_offer_is_in_the_recipients_language(django_capture_on_commit_callbacks):
    side = parties()
    side.badge_admin.preferred_language = "nl"
    side.badge_admin.save()
    with django_capture_on_commit_callbacks(execute=True):
        endorsements.endorsement_request(
            actor=side.endorser_admin,
            endorser=side.endorser,
            badge_class=side.badge_class,
            comment="Degelijk.",
        )
    (message,) = mail.outbox
    assert "biedt aan" in message.subject and "offers to endorse" not in message.subject
    assert "Degelijk." in message.body


def test_without_a_chosen_language_the_offer_is_in_dutch_and_english(
    django_capture_on_commit_callbacks,
):
    side = parties()
    side.badge_admin.preferred_language = ""
    side.badge_admin.save()
    with django_capture_on_commit_callbacks(execute=True):
        endorsements.endorsement_request(
            actor=side.endorser_admin,
            endorser=side.endorser,
            badge_class=side.badge_class,
            comment="Sound.",
        )
    (message,) = mail.outbox
    assert "biedt aan" in message.subject and "offers to endorse" in message.subject


def test_acceptance_is_mailed_to_who_offered_it_only(django_capture_on_commit_callbacks):
    side = body_parties()
    colleague = MembershipFactory(
        institution=side.endorser.faculty.institution, role=Role.ADMIN
    ).user
    endorsement = endorsements.endorsement_request(
        actor=side.endorser_admin,
        endorser=side.endorser,
        badge_class=side.badge_class,
        comment="Our members look for this.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        endorsements.endorsement_accept(actor=side.badge_admin, endorsement=endorsement)
    assert Notification.objects.get(kind=ACCEPTED).recipient == side.endorser_admin
    assert _recipients() == {side.endorser_admin.email}
    assert colleague.email not in _recipients()
    (message,) = mail.outbox
    assert "is aanvaard" in message.subject
    assert side.badge_class.name_nl in message.subject


def test_a_decline_is_mailed_with_its_reason(django_capture_on_commit_callbacks):
    side = body_parties()
    side.endorser_admin.preferred_language = "en"
    side.endorser_admin.save()
    endorsement = endorsements.endorsement_request(
        actor=side.endorser_admin,
        endorser=side.endorser,
        badge_class=side.badge_class,
        comment="Our members look for this.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        endorsements.endorsement_decline(
            actor=side.badge_admin, endorsement=endorsement, reason="We revise the module."
        )
    (message,) = mail.outbox
    assert message.to == [side.endorser_admin.email]
    assert "was declined" in message.subject
    assert "We revise the module." in message.body
    assert Notification.objects.get(kind=DECLINED).language == "en"


def test_an_admin_who_lost_the_role_before_sending_is_not_told(
    django_capture_on_commit_callbacks,
):
    side = parties()
    with django_capture_on_commit_callbacks() as callbacks:
        endorsements.endorsement_request(
            actor=side.endorser_admin,
            endorser=side.endorser,
            badge_class=side.badge_class,
            comment="Sound.",
        )
    side.badge_admin.memberships.all().delete()
    for callback in callbacks:
        callback()
    assert mail.outbox == []
    assert Notification.objects.get(kind=OFFERED).status == Notification.Status.SKIPPED
