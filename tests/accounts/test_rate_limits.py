"""Rate limits on signing in, held in the shared cache so that they apply across web
processes; generous and short per network address, strict per account."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import requests
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from tests.worker import _database_url

ROOT = Path(__file__).resolve().parents[2]
WRONG = "not-the-password"
TOO_MANY = "Too many failed login attempts"


def sign_in(client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


@pytest.mark.django_db
def test_failed_sign_ins_of_others_behind_one_address_do_not_lock_out_a_correct_password(
    client, time_machine
):
    time_machine.move_to("2026-12-01 09:00:00+00:00", tick=False)
    student = UserFactory()
    # A school's NAT: a dozen students mistype their password within a minute.
    for number in range(12):
        assert (
            TOO_MANY not in sign_in(client, f"typo{number}@school.example", WRONG).content.decode()
        )
    assert sign_in(client, student.email, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_limit_per_address_locks_out_for_a_minute_at_most(client, time_machine):
    time_machine.move_to("2026-12-01 09:00:00+00:00", tick=False)
    student = UserFactory()
    for number in range(40):
        sign_in(client, f"spray{number}@school.example", WRONG)
    assert TOO_MANY in sign_in(client, student.email, PASSWORD).content.decode()
    time_machine.shift(61)
    assert sign_in(client, student.email, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_the_limit_per_account_holds_for_five_minutes(client, time_machine):
    time_machine.move_to("2026-12-01 09:00:00+00:00", tick=False)
    target = UserFactory()
    bystander = UserFactory()
    for _attempt in range(5):
        sign_in(client, target.email, WRONG)
    assert TOO_MANY in sign_in(client, target.email, PASSWORD).content.decode()
    assert sign_in(client, bystander.email, PASSWORD).status_code == 302
    client.post(reverse("account_logout"))
    time_machine.shift(4 * 60)
    assert TOO_MANY in sign_in(client, target.email, PASSWORD).content.decode()
    time_machine.shift(61)
    assert sign_in(client, target.email, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_sign_up_does_not_tell_which_addresses_are_registered(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="registered@student.example")

    def sign_up(email: str):
        with django_capture_on_commit_callbacks(execute=True):  # emails go via the outbox
            return client.post(
                reverse("account_signup"),
                {
                    "email": email,
                    "password1": "an-unusual-passphrase-7",
                    "password2": "an-unusual-passphrase-7",
                },
            )

    taken = sign_up("registered@student.example")
    fresh = sign_up("fresh@student.example")
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"] == reverse("account_email_verification_sent")
    assert get_user_model().objects.filter(email__iexact="registered@student.example").count() == 1
    # The owner of the registered address is told, in their mailbox only.
    assert {tuple(message.to) for message in mailoutbox} == {
        ("registered@student.example",),
        ("fresh@student.example",),
    }


@pytest.mark.django_db
def test_claim_links_are_rate_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "claim": "3/m/ip"}
    for _attempt in range(3):
        assert client.get(reverse("students:claim", args=["guess" * 4])).status_code == 404
    assert client.get(reverse("students:claim", args=["guess" * 4])).status_code == 429


# --- across processes ---------------------------------------------------------------------------


def _gunicorn(env: dict, log: Path) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "edubadges.wsgi:application",
            "--bind",
            "127.0.0.1:0",
            "--workers",
            "1",
            "--log-level",
            "info",
            "--error-logfile",
            "-",
            "--capture-output",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    for line in process.stderr:
        found = re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", line)
        if found:
            # Keep reading its log, so that a full pipe never blocks it.
            drain = threading.Thread(target=_drain, args=(process.stderr, log), daemon=True)
            drain.start()
            process.drain = drain
            return process, found.group(1)
    process.kill()
    pytest.fail("gunicorn did not start")


def _drain(stream, log: Path) -> None:
    with log.open("a") as sink:
        for line in stream:
            sink.write(line)


class Browser:
    """A browser session on one web process; all processes serve the same host."""

    def __init__(self, base: str):
        self.base = base
        self.session = requests.Session()
        self.session.headers["Host"] = "testserver"
        self.session.headers["Accept-Language"] = "en"

    def sign_in(self, email: str, password: str) -> requests.Response:
        page = self.session.get(f"{self.base}/accounts/login/", timeout=60)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return self.session.post(
            f"{self.base}/accounts/login/",
            data={"login": email, "password": password, "csrfmiddlewaretoken": token},
            allow_redirects=False,
            timeout=60,
        )


@pytest.mark.parametrize("cache", ["redis", "database"])
@pytest.mark.django_db(transaction=True)
def test_the_limit_per_account_holds_across_web_processes(cache, tmp_path):
    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_WORKER"):
            pytest.fail("PostgreSQL is required for the tests across processes")
        pytest.skip("needs PostgreSQL: separate web processes share the test database")
    broker = os.environ.get("CELERY_BROKER_URL", "")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "edubadges.test_settings",
        "DATABASE_URL": _database_url(),
    }
    for name in ("CACHE_URL", "REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    if cache == "redis":
        if not broker.startswith("redis"):
            pytest.skip("needs Redis (CELERY_BROKER_URL)")
        env["CACHE_URL"] = broker
    user = UserFactory(email=f"target-{uuid.uuid4().hex[:8]}@student.example")
    servers = [_gunicorn(env, tmp_path / f"web{number}.log") for number in range(2)]
    try:
        first, second = (Browser(url) for _process, url in servers)
        # Five wrong passwords, spread over two processes, as a load balancer would.
        for attempt in range(5):
            response = (first, second)[attempt % 2].sign_in(user.email, WRONG)
            logs = "".join(path.read_text() for path in tmp_path.glob("*.log"))
            assert response.status_code == 200 and TOO_MANY not in response.text, logs
        response = first.sign_in(user.email, PASSWORD)
        assert response.status_code == 200 and TOO_MANY in response.text
    finally:
        for process, _url in servers:
            process.terminate()
            process.wait(timeout=30)
            process.drain.join(timeout=10)
            process.stderr.close()


@pytest.mark.django_db
def test_password_reset_mails_to_one_address_are_rate_limited(
    client, time_machine, mailoutbox, django_capture_on_commit_callbacks
):
    time_machine.move_to("2026-12-01 09:00:00+00:00", tick=False)
    student = UserFactory()
    responses = []
    with django_capture_on_commit_callbacks(execute=True):
        for _attempt in range(5):
            responses.append(
                client.post(reverse("account_reset_password"), {"email": student.email})
            )
    assert len(mailoutbox) == 3
    # The portal's own page, in the visitor's language.
    assert responses[-1].status_code == 429
    assert "Too many attempts" in responses[-1].content.decode()
    dutch = client.post(
        reverse("account_reset_password"), {"email": student.email}, HTTP_ACCEPT_LANGUAGE="nl"
    )
    assert dutch.status_code == 429 and "Te veel pogingen" in dutch.content.decode()
    time_machine.shift(5 * 60 + 1)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_reset_password"), {"email": student.email})
    assert len(mailoutbox) == 4
