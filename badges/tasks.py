from celery import shared_task

from . import issuing


@shared_task(
    bind=True, autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=8
)
def sign_assertion(self, assertion_id: int) -> bool:
    return issuing.assertion_sign(assertion_id=assertion_id)


@shared_task
def sweep_assertions() -> int:
    return issuing.assertions_sweep()
