"""Thin Celery tasks: ids in, a service does the work. Periodic ones run on Celery beat
(``CELERY_BEAT_SCHEDULE`` in the settings) and are safe to run twice."""

from celery import shared_task

from . import services


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def build_data_export(export_id: int) -> None:
    services.data_export_build(export_id=export_id)


@shared_task
def purge_unclaimed_awards() -> int:
    return services.retention_purge_awards()


@shared_task
def purge_expired_exports() -> int:
    return services.retention_purge_exports()


@shared_task
def purge_stale_invitations() -> int:
    return services.retention_purge_invitations()


@shared_task
def requeue_data_exports() -> int:
    return services.data_exports_requeue()
