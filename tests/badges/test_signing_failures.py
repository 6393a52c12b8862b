"""Signing that keeps failing ends in a state staff see and can retry; sweeps hand out stuck
work at once and mark what they queued, so they never pile up copies of one message."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from badge_credentials.errors import SealedKeyError
from badges import issuing
from badges.awarding import bulk
from badges.models import Assertion, BulkAward
from issuers import signing
from issuers.models import AuditEntry
from issuers.roles import Role
from notifications import services as outbox
from notifications.models import Notification
from tests.factories import BadgeClassFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def badge_class():
    return BadgeClassFactory(microcredential=True)


@pytest.fixture
def admin(badge_class):
    user = UserFactory()
    MembershipFactory(user=user, institution=badge_class.institution, role=Role.ADMIN)
    return user


def _pending(badge_class, email="student@example.org") -> Assertion:
    # Created without running the signing queued after commit.
    return issuing.assertion_create(
        actor=UserFactory(is_superuser=True), badge_class=badge_class, email=email
    )


def _break_signing(badge_class, settings) -> None:
    """The issuer's keys exist, and the portal is then configured with a key-encryption key
    that does not open them (one that was rotated away without being kept)."""
    signing.signing_keys_ensure(issuer=badge_class.issuer)
    settings.SIGNING_KEY_ENCRYPTION_KEYS = [base64.urlsafe_b64encode(b"a" * 32).decode()]


def _fail_every_attempt(assertion: Assertion) -> None:
    for _attempt in range(issuing.MAX_SIGNING_ATTEMPTS):
        with pytest.raises(SealedKeyError):
            issuing.assertion_sign(assertion_id=assertion.pk)


def test_signing_that_keeps_failing_ends_failed_after_the_last_attempt(badge_class, settings):
    assertion = _pending(badge_class)
    _break_signing(badge_class, settings)
    for _attempt in range(issuing.MAX_SIGNING_ATTEMPTS - 1):
        with pytest.raises(SealedKeyError):
            issuing.assertion_sign(assertion_id=assertion.pk)
        assertion.refresh_from_db()
        assert assertion.status == Assertion.Status.PENDING
    with pytest.raises(SealedKeyError):
        issuing.assertion_sign(assertion_id=assertion.pk)
    assertion.refresh_from_db()
    assert assertion.status == Assertion.Status.FAILED
    assert assertion.signing_error == "SealedKeyError"
    assert AuditEntry.objects.filter(action="assertion_sign_fail").count() == 1
    # A failed badge is left to staff: no retry message and no sweep signs it.
    assert issuing.assertion_sign(assertion_id=assertion.pk) is False
    assert issuing.assertions_sweep(now=timezone.now() + timedelta(hours=1)) == 0


def test_staff_see_a_failed_badge_and_sign_it_again(
    client, badge_class, admin, django_capture_on_commit_callbacks, settings
):
    assertion = _pending(badge_class)
    original = list(settings.SIGNING_KEY_ENCRYPTION_KEYS)
    _break_signing(badge_class, settings)
    _fail_every_attempt(assertion)
    client.force_login(admin)

    listing = client.get(reverse("staff:badge_awards", args=[badge_class.pk]))
    assert "1 badge could not be signed" in listing.content.decode()
    page = client.get(reverse("staff:assertion", args=[assertion.pk])).content.decode()
    assert "Signing failed" in page and "SealedKeyError" in page
    institution = client.get(reverse("staff:institution", args=[badge_class.institution.pk]))
    assert "1 badge not signed" in institution.content.decode()

    settings.SIGNING_KEY_ENCRYPTION_KEYS = original
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("staff:assertion_signing_retry", args=[assertion.pk]))
    assert response.status_code == 302
    assertion.refresh_from_db()
    assert assertion.status == Assertion.Status.ISSUED
    retry = AuditEntry.objects.get(action="assertion_sign_retry")
    assert retry.actor == admin
    institution = client.get(reverse("staff:institution", args=[badge_class.institution.pk]))
    assert "Every badge awarded has been signed" in institution.content.decode()


def test_a_viewer_cannot_retry_signing(client, badge_class, settings):
    assertion = _pending(badge_class)
    _break_signing(badge_class, settings)
    _fail_every_attempt(assertion)
    viewer = UserFactory()
    MembershipFactory(user=viewer, institution=badge_class.institution, role=Role.VIEWER)
    client.force_login(viewer)
    response = client.post(reverse("staff:assertion_signing_retry", args=[assertion.pk]))
    assert response.status_code == 403
    assert Assertion.objects.get(pk=assertion.pk).status == Assertion.Status.FAILED


def test_the_sweep_hands_out_a_stopped_signing_at_once_and_marks_it(badge_class):
    assertion = _pending(badge_class)
    now = timezone.now()
    Assertion.objects.filter(pk=assertion.pk).update(
        status=Assertion.Status.SIGNING, signing_attempts=1, updated_at=now - timedelta(seconds=50)
    )
    assert issuing.assertions_sweep(now=now) == 1
    assertion.refresh_from_db()
    assert assertion.status == Assertion.Status.PENDING and assertion.queued_at == now
    assert issuing.assertions_sweep(now=now + timedelta(seconds=60)) == 0


def test_a_badge_whose_worker_dies_in_its_last_attempt_is_marked_failed(badge_class):
    assertion = _pending(badge_class)
    now = timezone.now()
    Assertion.objects.filter(pk=assertion.pk).update(
        status=Assertion.Status.SIGNING,
        signing_attempts=issuing.MAX_SIGNING_ATTEMPTS,
        updated_at=now - timedelta(minutes=5),
    )
    assert issuing.assertions_sweep(now=now) == 0
    assertion.refresh_from_db()
    assert assertion.status == Assertion.Status.FAILED
    assert assertion.signing_error == issuing.WORKER_LOST


def test_the_sweep_queues_a_lost_signing_message_once_per_wait(badge_class):
    assertion = _pending(badge_class)
    later = assertion.queued_at + issuing.REQUEUE_PENDING_AFTER + timedelta(seconds=1)
    assert issuing.assertions_sweep(now=later) == 1
    for minutes in (1, 1.5):
        assert issuing.assertions_sweep(now=later + timedelta(minutes=minutes)) == 0
    assert issuing.assertions_sweep(now=later + issuing.REQUEUE_PENDING_AFTER * 1.5) == 1


def test_a_signing_the_sweep_gave_up_on_does_not_overwrite_the_next_one(badge_class):
    assertion = _pending(badge_class)
    # A first run claimed it, stalled, was handed out again by the sweep and claimed by a
    # second run: neither the first one's failure nor its result may be written.
    first_claim = timezone.now() - timedelta(minutes=2)
    second_claim = timezone.now()
    Assertion.objects.filter(pk=assertion.pk).update(
        status=Assertion.Status.SIGNING, signing_attempts=2, updated_at=second_claim
    )
    issuing._signing_failed([assertion], claimed_at=first_claim, error="TimeoutError")
    assertion.refresh_from_db()
    assert (assertion.status, assertion.signing_error) == (Assertion.Status.SIGNING, "")
    documents = issuing._signed_documents(assertion)
    assert issuing._store_signed([(assertion, documents)], claimed_at=first_claim) == 0
    assert Assertion.objects.get(pk=assertion.pk).status == Assertion.Status.SIGNING
    assert issuing._store_signed([(assertion, documents)], claimed_at=second_claim) == 1
    assert Assertion.objects.get(pk=assertion.pk).status == Assertion.Status.ISSUED


def test_stuck_notifications_are_sent_again_at_the_next_sweep_and_marked(world):
    user = UserFactory()
    notification = Notification.objects.create(
        key="test:stuck", kind="prepared", status=Notification.Status.SENDING, recipient=user
    )
    now = timezone.now()
    Notification.objects.filter(pk=notification.pk).update(
        updated_at=now - outbox.STUCK_SENDING_AFTER - timedelta(seconds=1)
    )
    waiting = Notification.objects.create(key="test:waiting", kind="prepared", recipient=user)
    Notification.objects.filter(pk=waiting.pk).update(
        updated_at=now - outbox.RESEND_QUEUED_AFTER - timedelta(seconds=1)
    )
    assert outbox.notifications_sweep(now=now) == 2
    assert Notification.objects.get(pk=notification.pk).status == Notification.Status.QUEUED
    assert outbox.notifications_sweep(now=now + timedelta(seconds=60)) == 0
    assert timedelta(seconds=60) >= outbox.STUCK_SENDING_AFTER


def test_a_stopped_bulk_award_is_queued_again_by_the_next_sweep_and_marked(world):
    stopped = BulkAward.objects.create(
        badge_class=world["a"]["badge_class"], status=BulkAward.Status.PROCESSING
    )
    now = timezone.now()
    BulkAward.objects.filter(pk=stopped.pk).update(updated_at=now - timedelta(seconds=50))
    assert bulk.bulk_awards_sweep(now=now) == 1
    stopped.refresh_from_db()
    assert stopped.status == BulkAward.Status.QUEUED and stopped.updated_at == now
    assert bulk.bulk_awards_sweep(now=now + timedelta(seconds=60)) == 0


def test_the_sweeps_run_every_minute(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    for name in ("sweep-assertions", "notifications-sweep", "bulk-awards-sweep"):
        assert schedule[name]["schedule"] <= 60, name
