"""Awarding through the real broker and a real worker process (CI: Redis and PostgreSQL):
a bulk award of 10,000 lines, and repeated claims and approvals that issue nothing twice."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from badges.awarding import awards, bulk, claims, enrollments
from badges.models import Assertion, Award, BulkAward, Enrollment
from badges.tasks import process_bulk_award, sign_assertion
from issuers.roles import Role
from notifications.models import Notification
from notifications.tasks import send_notification
from privacy.models import ConsentRecord, RecordKind
from tests.factories import BadgeClassFactory, MembershipFactory, UserFactory

from .factories import make_issuable

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROWS = 10_000


@pytest.fixture
def campus(world):
    statements = make_issuable(world["a"]["institution"])
    awarder = UserFactory()
    MembershipFactory(user=awarder, issuer=world["a"]["issuer"], role=Role.AWARDER)
    # Consent-based: every line becomes an offer (no signing needed for 10,000 lines).
    badge_class = BadgeClassFactory(
        issuer=world["a"]["issuer"], microcredential=True, self_enrollment_enabled=True
    )
    return {"statements": statements, "awarder": awarder, "badge_class": badge_class}


def _consent(user, statement):
    policy = statement.policy
    ConsentRecord.objects.create(
        user=user,
        statement=statement,
        institution=policy.institution,
        badge_type=policy.badge_type,
        legal_basis=policy.legal_basis,
        kind=RecordKind.CONSENT if policy.requires_consent else RecordKind.ACKNOWLEDGEMENT,
    )


def test_a_bulk_award_of_10000_lines_is_processed_by_a_real_worker(celery_worker, campus):
    badge_class, awarder = campus["badge_class"], campus["awarder"]
    lines = ["email;name;narrative"] + [
        f"student{n:05d}@student.example;Student {n};Completed the module" for n in range(ROWS)
    ]
    upload = bulk.bulk_award_upload(
        actor=awarder,
        badge_class=badge_class,
        file=SimpleUploadedFile("cohort.csv", ("\n".join(lines) + "\n").encode()),
    )
    upload = bulk.bulk_award_prepare(actor=awarder, bulk=upload, mapping=upload.mapping)
    assert upload.valid_rows == ROWS and upload.error_rows == 0

    started = time.monotonic()
    bulk.bulk_award_start(actor=awarder, bulk=upload)  # queues the task after commit
    # A duplicate message behind it on the (solo) worker: it returns once the first is done.
    assert celery_worker.result(process_bulk_award.delay(upload.pk), timeout=300) is False
    elapsed = time.monotonic() - started

    upload.refresh_from_db()
    assert upload.status == BulkAward.Status.DONE, upload.failure
    assert upload.processed_rows == ROWS and upload.created_awards == ROWS
    assert Award.objects.filter(bulk_award=upload, status=Award.Status.OFFERED).count() == ROWS
    assert Notification.objects.filter(award__bulk_award=upload).count() == ROWS
    assert elapsed < 240, f"10,000 lines took {elapsed:.0f} s"
    # The claim emails are sent by their own tasks; they are not what this test measures.
    celery_worker.app.control.purge()


def test_repeated_claims_approvals_and_messages_issue_nothing_twice(celery_worker, campus):
    badge_class, awarder = campus["badge_class"], campus["awarder"]
    student = UserFactory(email="twice@student.example")
    _consent(student, campus["statements"]["microcredential"])

    award = awards.award_create(actor=awarder, badge_class=badge_class, email=student.email)
    claims.award_claim(user=student, award=award)
    claims.award_claim(user=student, award=award)  # double click
    assertion = Assertion.objects.get(award=award)
    # Duplicate signing messages and a duplicate email message behind the real ones.
    assert celery_worker.result(sign_assertion.delay(assertion.pk)) is False
    notification = Notification.objects.get(award=award)
    assert celery_worker.result(send_notification.delay(notification.pk)) is False
    assertion.refresh_from_db()
    assert assertion.status == Assertion.Status.ISSUED and assertion.signing_attempts == 1
    assert Assertion.objects.filter(badge_class=badge_class).count() == 1

    other_badge = BadgeClassFactory(
        issuer=badge_class.issuer, microcredential=True, self_enrollment_enabled=True
    )
    enrollment = enrollments.enrollment_request(user=student, badge_class=other_badge)
    first = enrollments.enrollment_approve(actor=awarder, enrollment=enrollment)
    second = enrollments.enrollment_approve(actor=awarder, enrollment=enrollment)
    assert first == second
    approved = Assertion.objects.get(award=first)
    assert celery_worker.result(sign_assertion.delay(approved.pk)) is False
    approved.refresh_from_db()
    assert approved.status == Assertion.Status.ISSUED and approved.signing_attempts == 1
    assert Assertion.objects.filter(badge_class=other_badge).count() == 1
    assert Enrollment.objects.get(pk=enrollment.pk).status == Enrollment.Status.APPROVED
    told = Notification.objects.get(enrollment=enrollment)
    assert celery_worker.result(send_notification.delay(told.pk)) is False
    told.refresh_from_db()
    assert told.status == Notification.Status.SENT and told.attempts == 1
