"""The Celery app and the base class of every task.

Services queue tasks with ``task.delay_on_commit(...)``: the message goes to the broker once
the transaction that recorded the work has committed. A broker that is down at that moment
does not turn the committed change into an error for the user: the failure is logged, and
the row waits for the periodic sweep, which queues it again when the broker is back.
"""

import logging
import os
from functools import partial

from celery import Celery
from celery.contrib.django.task import DjangoTask
from django.db import transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edubadges.settings")

logger = logging.getLogger("edubadges.tasks")


class Task(DjangoTask):
    def delay_on_commit(self, *args, **kwargs) -> None:
        """``delay`` after the current transaction commits (at once outside one)."""
        self.apply_async_on_commit(args, kwargs)

    def apply_async_on_commit(self, args=None, kwargs=None, **options) -> None:
        transaction.on_commit(partial(self._apply_async_or_log, args, kwargs, options))

    def _apply_async_or_log(self, args, kwargs, options) -> None:
        try:
            self.apply_async(args, kwargs, **options)
        except Exception:
            # The work is recorded; the sweep of its kind queues it again later. (Run inline,
            # without a broker, this is where the task's own failure lands.)
            logger.exception("Could not queue %s%r; the periodic sweep will", self.name, args)


app = Celery("edubadges", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
