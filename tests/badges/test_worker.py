"""Issuing through the real broker and a real worker process (CI: Redis and PostgreSQL)."""

from __future__ import annotations

import pytest

from badges import issuing
from badges.models import Assertion
from badges.tasks import sign_assertion
from tests.factories import BadgeClassFactory, UserFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_signs_and_a_duplicate_message_issues_nothing_twice(celery_worker):
    badge_class = BadgeClassFactory(microcredential=True)
    assertion = issuing.assertion_create(
        actor=UserFactory(is_superuser=True), badge_class=badge_class, email="worker@example.org"
    )
    # The commit queued the first message; this duplicate runs after it on the solo worker.
    assert celery_worker.result(sign_assertion.delay(assertion.pk)) is False
    assertion.refresh_from_db()
    assert assertion.status == Assertion.Status.ISSUED
    assert assertion.signing_attempts == 1
    assert assertion.ob3_credential["proof"]["type"] == "DataIntegrityProof"


def test_the_worker_waits_longer_on_the_broker_than_a_web_request(celery_worker, settings):
    replies = celery_worker.app.control.inspect(timeout=5).conf(with_defaults=False)
    assert replies, "the worker did not answer"
    for worker_settings in replies.values():
        options = worker_settings["broker_transport_options"]
        assert (options["socket_connect_timeout"], options["socket_timeout"]) == (5, 30)
        assert worker_settings["task_publish_retry_policy"]["max_retries"] == 3
    # A web process gives the broker about a second.
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"] == 0.5
    assert settings.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"] == 1
