"""A real Celery worker process on the real broker, for the tests marked ``worker``.

Runs only where a broker is configured (CI: Redis, with PostgreSQL): the worker is a
separate process, so it shares the test database and media folder, not the test's memory.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def _database_url() -> str:
    database = connection.settings_dict
    user = quote(database.get("USER") or "")
    password = quote(database.get("PASSWORD") or "")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgresql://{credentials}{database.get('HOST') or '127.0.0.1'}:{database.get('PORT') or 5432}/{database['NAME']}"


class Worker:
    """Waits for task results through the broker's result store, as a client would."""

    def __init__(self, app, backend_url: str) -> None:
        from celery.backends.redis import RedisBackend

        self.app = app
        self.backend = RedisBackend(app=app, url=backend_url)

    def result(self, async_result, timeout: float = 120):
        from celery.result import AsyncResult

        return AsyncResult(async_result.id, backend=self.backend, app=self.app).get(timeout=timeout)


@pytest.fixture
def celery_worker(celery_worker_process):
    """Send tasks to the real worker during one test, instead of running them inline."""
    app = celery_worker_process.app
    app.conf.task_always_eager = False
    try:
        yield celery_worker_process
    finally:
        app.conf.task_always_eager = True


def _require_broker() -> str:
    broker = os.environ.get("CELERY_BROKER_URL")
    if not broker or connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_WORKER"):
            pytest.fail("a broker and PostgreSQL are required for the worker tests")
        pytest.skip("needs CELERY_BROKER_URL and PostgreSQL (a separate worker process)")
    if not broker.startswith("redis"):
        pytest.skip("the worker tests read results from Redis")
    return broker


def start_worker_process(
    name: str, *, queue: str | None = None, environment: dict | None = None
) -> subprocess.Popen:
    """Start a solo worker (one process, so ``kill -9`` of its pid stops all of it) and wait
    until it answers a ping."""
    from edubadges.celery import app

    broker = _require_broker()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "edubadges.test_settings",
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_RESULT_BACKEND": broker,
        **(environment or {}),
    }
    hostname = f"{name}-{os.getpid()}@%h"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "edubadges",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            hostname,
            *(["-Q", queue] if queue else []),
        ],
        cwd=ROOT,
        env=env,
    )
    prefix = hostname.removesuffix("%h")
    started = False
    for _ in range(90):  # each ping waits up to a second for answers
        if worker.poll() is not None:
            break
        replies = app.control.ping(timeout=1)
        if any(name.startswith(prefix) for reply in replies for name in reply):
            started = True
            break
    if not started:
        worker.kill()
        worker.wait(timeout=30)
        pytest.fail("the Celery worker did not start")
    return worker


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker):
    broker = _require_broker()
    from edubadges.celery import app

    app.control.purge()
    worker = start_worker_process("test")
    try:
        yield Worker(app, broker)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
