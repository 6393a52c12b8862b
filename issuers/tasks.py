from celery.signals import worker_init

from . import signing


@worker_init.connect
def _refuse_to_start_with_keys_that_cannot_sign(sender=None, **kwargs) -> None:
    problem = signing.key_encryption_keys_problem()
    if problem:
        # A worker that cannot open the signing keys would only fail every badge.
        raise SystemExit(f"edubadges: {problem}")
