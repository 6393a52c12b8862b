"""A worker killed with ``kill -9`` in the middle of a bulk award: the next sweep (one sweep
interval after the last batch it recorded) hands the upload out again, a new worker finishes
it, and nothing is lost or done twice. Real broker, real worker processes (CI: Redis and
PostgreSQL)."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from badges.awarding import bulk
from badges.models import Award, BulkAward
from notifications.models import Notification
from tests.factories import BadgeClassFactory, MembershipFactory, UserFactory
from tests.worker import start_worker_process

from .factories import make_issuable

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROWS = 1500
QUEUE = "crash-test"


def _wait_for(condition, timeout: float = 180.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)  # polling for a condition, not waiting for time to pass
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def own_queue():
    """Messages this test sends go to a queue only its own workers read, so the shared test
    worker cannot take the upload that this test kills."""
    from edubadges.celery import app

    routes, eager = app.conf.task_routes, app.conf.task_always_eager
    # ``update`` (not assignment) makes Celery rebuild its router.
    app.conf.update(
        task_routes={"badges.tasks.process_bulk_award": {"queue": QUEUE}},
        task_always_eager=False,
    )
    try:
        yield
    finally:
        app.conf.update(task_routes=routes, task_always_eager=eager)


def test_a_bulk_award_resumes_one_sweep_after_its_worker_is_killed(world, own_queue):
    make_issuable(world["a"]["institution"])
    awarder = UserFactory()
    MembershipFactory(user=awarder, issuer=world["a"]["issuer"], role="awarder")
    badge_class = BadgeClassFactory(
        issuer=world["a"]["issuer"], microcredential=True, self_enrollment_enabled=True
    )
    lines = ["email;name"] + [f"s{n:05d}@student.example;Student {n}" for n in range(ROWS)]
    upload = bulk.bulk_award_upload(
        actor=awarder,
        badge_class=badge_class,
        file=SimpleUploadedFile("cohort.csv", ("\n".join(lines) + "\n").encode()),
    )
    upload = bulk.bulk_award_prepare(actor=awarder, bulk=upload, mapping=upload.mapping)
    small_batches = {"BULK_AWARD_BATCH_SIZE": "20"}

    first = start_worker_process("doomed", queue=QUEUE, environment=small_batches)
    try:
        bulk.bulk_award_start(actor=awarder, bulk=upload)
        _wait_for(
            lambda: BulkAward.objects.filter(pk=upload.pk, processed_rows__gt=0).exists(),
            what="the first batches",
        )
    finally:
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)

    stopped = BulkAward.objects.get(pk=upload.pk)
    assert stopped.status == BulkAward.Status.PROCESSING
    assert 0 < stopped.processed_rows < ROWS, "the worker was not killed in the middle"

    one_sweep_later = stopped.updated_at + timedelta(seconds=settings.SWEEP_INTERVAL)
    assert bulk.bulk_awards_sweep(now=one_sweep_later) == 1
    # It marked what it queued: the next sweep does not send a second message.
    assert bulk.bulk_awards_sweep(now=one_sweep_later) == 0

    second = start_worker_process("rescuer", queue=QUEUE, environment=small_batches)
    try:
        done = _wait_for(
            lambda: BulkAward.objects.filter(
                pk=upload.pk, status__in=[BulkAward.Status.DONE, BulkAward.Status.FAILED]
            ).first(),
            what="the upload to finish",
        )
    finally:
        second.terminate()
        second.wait(timeout=30)

    assert done.status == BulkAward.Status.DONE, done.failure
    assert (done.processed_rows, done.created_awards, done.skipped_rows) == (ROWS, ROWS, 0)
    awards = Award.objects.filter(bulk_award=upload)
    assert awards.count() == ROWS
    assert awards.values("recipient_email").distinct().count() == ROWS
    assert Notification.objects.filter(award__bulk_award=upload).count() == ROWS
