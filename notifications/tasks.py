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
    return services.notifications_send(notification_ids=notification_ids)


@shared_task
def sweep_notifications() -> int:
    return services.notifications_sweep()
