"""Thin Celery tasks of the outbox. Each send claims its row first, so a retry or a duplicate
message sends nothing twice."""

from celery import shared_task

from . import services


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=services.MAX_ATTEMPTS,
)
def send_notification(notification_id: int) -> bool:
    return services.notification_send(notification_id=notification_id)


@shared_task(
    autoretry_for=(Exception,),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=services.MAX_ATTEMPTS,
)
def send_notifications(notification_ids: list[int]) -> int:
    """Send a batch; one that fails is retried with the batch, the sent ones are skipped."""
    sent = 0
    failure: Exception | None = None
    with services.sending_batch():
        for notification_id in notification_ids:
            try:
                sent += services.notification_send(notification_id=notification_id)
            except Exception as error:  # noqa: BLE001 - the others still go; re-raised below
                failure = error
    if failure is not None:
        raise failure
    return sent


@shared_task
def sweep_notifications() -> int:
    return services.notifications_sweep()
