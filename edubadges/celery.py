"""The Celery app and the base class of every task.

Services queue tasks with ``task.delay_on_commit(...)``: the message goes to the broker once
the transaction that recorded the work has committed. A broker that is down at that moment
does not turn the committed change into an error for the user: the failure is logged, and
the row waits for the periodic sweep, which queues it again when the broker is back. Nor does a
broker that drops packets hold the request: the settings give publishing about a second, and
after a publish failed the process queues nothing for ``BROKER_PAUSE_SECONDS``, so that a
request that queues several tasks, and the requests right after it, do not wait again.

Workers wait longer on the broker than web requests do (``configure_worker``): they serve no
one who waits, and a publish they give up on waits for the next sweep.
"""

import logging
import os
import time
from functools import partial

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.signals import celeryd_init, task_postrun
from django.db import transaction
from kombu.exceptions import OperationalError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "edubadges.settings")

logger = logging.getLogger("edubadges.tasks")

BROKER_PAUSE_SECONDS = 10.0
# Per process: when (``time.monotonic()``) publishing may be tried again.
_broker_paused_until = 0.0


class Task(DjangoTask):
    def delay_on_commit(self, *args, **kwargs) -> None:
        """``delay`` after the current transaction commits (at once outside one)."""
        self.apply_async_on_commit(args, kwargs)

    def apply_async_on_commit(self, args=None, kwargs=None, **options) -> None:
        transaction.on_commit(partial(self._apply_async_or_log, args, kwargs, options))

    def _apply_async_or_log(self, args, kwargs, options) -> None:
        # The work is recorded; the sweep of its kind queues it again later.
        global _broker_paused_until
        if time.monotonic() < _broker_paused_until:
            logger.warning(
                "Could not queue %s%r (the broker did not answer moments ago); the periodic "
                "sweep will",
                self.name,
                args,
            )
            return
        try:
            self.apply_async(args, kwargs, **options)
        except OperationalError:
            _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
            logger.exception("Could not queue %s%r; the periodic sweep will", self.name, args)
        except Exception:
            # Run inline, without a broker, this is where the task's own failure lands.
            logger.exception("Could not queue %s%r; the periodic sweep will", self.name, args)


app = Celery("edubadges", task_cls=Task)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@celeryd_init.connect
def configure_worker(conf=None, **kwargs) -> None:
    """A worker's broker time-outs: long enough for a busy broker, but not endless, so that a
    broker that went silent is noticed (its blocking reads wait far less than this)."""
    conf.broker_connection_timeout = 5
    conf.broker_transport_options = {
        **conf.broker_transport_options,
        "socket_connect_timeout": 5,
        "socket_timeout": 30,
    }
    conf.task_publish_retry_policy = {
        "max_retries": 3,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    }


@task_postrun.connect
def _close_old_connections(task=None, **kwargs) -> None:
    """Keep a worker's database connection between tasks (``CONN_MAX_AGE``), as a web process
    does between requests: closed once too old or broken (``CONN_HEALTH_CHECKS``), not after
    every task, which Celery does unless ``CELERY_DB_REUSE_MAX`` is set (see settings). A
    task run inline belongs to the caller's connection and transaction."""
    from django.db import close_old_connections

    if task is None or getattr(task.request, "is_eager", False):
        return

    close_old_connections()
