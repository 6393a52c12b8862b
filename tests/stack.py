"""The production stack in separate processes, for the fault tests (marked ``worker``): the
portal under gunicorn, a Celery worker and Celery beat, on the test database and the real
broker. A fault is real: a broker URL where nothing listens, a process killed.

Needs PostgreSQL and Redis (CI); skipped elsewhere unless ``REQUIRE_WORKER`` is set.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client

from tests.worker import ROOT, _database_url

SETTINGS = "tests.stack_settings"


def free_port() -> int:
    """A port nothing listens on (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition: Callable[[], object], *, timeout: float = 60, what: str = "") -> object:
    """Poll ``condition`` until it is truthy: another process is doing the work."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what or condition}")
        time.sleep(0.2)


def _broker() -> str:
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis") or connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_WORKER"):
            pytest.fail("the fault tests need PostgreSQL and a Redis broker")
        pytest.skip("needs PostgreSQL and CELERY_BROKER_URL (separate processes)")
    return broker


def _environment(**overrides: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LOG_LEVEL": "WARNING",
        **overrides,
    }


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(timeout=30)


def _start(name: str, command: list[str], env: dict[str, str], log_dir: Path) -> Process:
    log = log_dir / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    return Process(name, popen, log)


@dataclass
class Browser:
    """A browser for the live server: the session of a user signed in by the test, the
    CSRF cookie and form field that Django expects; redirects are not followed."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # As if a page with a form had been visited: a 32-character secret, as Django's
        # cookie holds.
        self.cookies.setdefault(settings.CSRF_COOKIE_NAME, secrets.token_hex(16))

    @classmethod
    def signed_in(cls, base_url: str, user) -> Browser:
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        return cls(base_url, {settings.SESSION_COOKIE_NAME: session})

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict | None = None,
        json_body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> tuple[int, dict[str, str], str]:
        all_headers = {"Accept-Language": "en", **(headers or {})}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            form = {"csrfmiddlewaretoken": self.cookies.get(settings.CSRF_COOKIE_NAME, ""), **form}
            body = urllib.parse.urlencode(form).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif json_body is not None:
            body = json_body
            all_headers["Content-Type"] = "application/json"
        request = urllib.request.Request(
            self.base_url + path, data=body, method=method, headers=all_headers
        )
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode(errors="replace")

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.request("POST", path, **kwargs)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def stack_logs(tmp_path) -> Path:
    path = tmp_path / "logs"
    path.mkdir()
    return path


@pytest.fixture
def start_web(stack_logs):
    """Start the portal under gunicorn with the given environment; returns its base URL."""
    _broker()
    started: list[Process] = []

    def start(**env: str) -> tuple[str, Process]:
        port = free_port()
        process = _start(
            f"web-{port}",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "edubadges.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--threads",
                "4",
                "--timeout",
                "120",
            ],
            _environment(**env),
            stack_logs,
        )
        started.append(process)
        base_url = f"http://127.0.0.1:{port}"

        def answers() -> bool:
            if process.popen.poll() is not None:
                raise AssertionError(f"the web server stopped:\n{process.output()}")
            try:
                with urllib.request.urlopen(base_url + "/healthz", timeout=2):
                    return True
            except OSError:
                return False

        wait_until(answers, timeout=90, what="the web server")
        return base_url, process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def celery_beat(celery_worker_process, stack_logs, tmp_path):
    """Celery beat on the real broker, with the sweeps every second."""
    process = _start(
        "beat",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "edubadges",
            "beat",
            "--loglevel=WARNING",
            "--schedule",
            str(tmp_path / "beat-schedule"),
        ],
        _environment(CELERY_BROKER_URL=_broker()),
        stack_logs,
    )
    try:
        yield process
    finally:
        process.stop()


@contextmanager
def silent_server(kind: str) -> Iterator[int]:
    """A port on loopback where a broker or a cache waits in vain; yields the port.

    ``"drops"``: the listener's queue is full and it never accepts, so the kernel drops every
    new connection attempt, as a host behind a firewall that drops packets does.
    ``"mute"``: connections are made and never answered, as by a hung server.
    """
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    held = [listener]
    try:
        if kind == "drops":
            listener.listen(0)
            # The one place in the queue; every later attempt is dropped.
            held.append(socket.create_connection(listener.getsockname(), timeout=5))
        elif kind == "mute":
            listener.listen(64)
        else:
            raise ValueError(kind)
        yield listener.getsockname()[1]
    finally:
        for held_socket in held:
            held_socket.close()
