"""Thin Celery tasks: ids in, a service does the work. Each claims its row atomically, so a
retry or a duplicate message does nothing twice. Periodic ones run on Celery beat
(``CELERY_BEAT_SCHEDULE``) and are safe to run twice."""

from celery import shared_task
from celery.signals import worker_init
from django.db import OperationalError

from . import endorsements, issuing
from .awarding import awards, bulk, revocations


@worker_init.connect
def _workers_queue_the_tasks_they_start(sender=None, **kwargs) -> None:
    """A worker hands the tasks it starts (the emails of a bulk award, the signing of badges
    issued directly) to the broker, for any worker to pick up and retry, even where the
    settings run tasks inline in the web process (the test settings do)."""
    if sender is not None:
        sender.app.conf.task_always_eager = False


@shared_task(
    bind=True,
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=issuing.MAX_SIGNING_ATTEMPTS - 1,
)
def sign_assertion(self, assertion_id: int) -> bool:
    return issuing.assertion_sign(assertion_id=assertion_id)


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=issuing.MAX_SIGNING_ATTEMPTS - 1,
)
def sign_assertions(assertion_ids: list[int]) -> int:
    return issuing.assertions_sign(assertion_ids=assertion_ids)


@shared_task
def sweep_assertions() -> int:
    return issuing.assertions_sweep() + endorsements.endorsements_sweep()


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=8
)
def sign_endorsement(self, endorsement_id: int) -> bool:
    return endorsements.endorsement_sign(endorsement_id=endorsement_id)


# --- awarding -------------------------------------------------------------------------------


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=5)
def process_bulk_award(bulk_award_id: int) -> bool:
    return bulk.bulk_award_process(bulk_id=bulk_award_id)


@shared_task
def release_scheduled_awards() -> int:
    return awards.awards_release_due()


@shared_task
def send_award_reminders() -> int:
    return awards.awards_send_reminders()


@shared_task
def expire_awards() -> int:
    return awards.awards_expire()


@shared_task
def expire_assertions() -> int:
    return revocations.assertions_expire()


@shared_task
def sweep_bulk_awards() -> int:
    return bulk.bulk_awards_sweep()


@shared_task
def purge_bulk_awards() -> int:
    return bulk.bulk_awards_purge()
