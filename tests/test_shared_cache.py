"""The shared cache survives Redis going away: the database's cache table stands in, so the
rate limits keep holding and sign-in keeps answering; a Redis that drops packets costs one short
time-out per process and interval; Redis is used again once it answers.

Redis is real: a redis-server process of the test's own, stopped and started again, and
listeners on loopback that never answer."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis
from django.core.cache import caches
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from tests.stack import free_port, silent_server, wait_until

pytestmark = pytest.mark.django_db

WRONG = "not-the-password"
TOO_MANY = "Too many failed login attempts"


@pytest.fixture
def use_cache(settings):
    """Make ``LOCATION`` the Redis of the shared cache, as the settings do with CACHE_URL."""

    def configure(location: str, **params):
        settings.CACHES = {
            "default": {
                "BACKEND": "edubadges.cache.RedisWithDatabaseFallback",
                "LOCATION": location,
                "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
                "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
                "FALLBACK_TABLE": "edubadges_cache",
                **params,
            }
        }
        return caches["default"]

    return configure


@contextmanager
def redis_server(port: int) -> Iterator[subprocess.Popen]:
    """A redis-server of this test's own, keeping nothing on disk."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("REQUIRE_WORKER"):
            pytest.fail("redis-server is needed")
        pytest.skip("needs redis-server")
    process = subprocess.Popen(  # noqa: S603
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, socket_connect_timeout=1)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False

    try:
        wait_until(answers, timeout=30, what="redis-server")
        yield process
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=30)


def sign_in(client, email: str, password: str):
    return client.post(reverse("account_login"), {"login": email, "password": password})


def test_with_redis_down_the_limit_per_account_holds_in_the_database(client, use_cache, caplog):
    use_cache(f"redis://127.0.0.1:{free_port()}/0")
    target = UserFactory()
    with caplog.at_level(logging.WARNING, logger="edubadges.cache"):
        for _attempt in range(5):
            response = sign_in(client, target.email, WRONG)
            assert response.status_code == 200 and TOO_MANY not in response.content.decode()
        assert TOO_MANY in sign_in(client, target.email, PASSWORD).content.decode()
    assert "the database cache stands in" in caplog.text
    assert sign_in(client, UserFactory().email, PASSWORD).status_code == 302


@pytest.mark.parametrize("kind", ["drops", "mute"])
def test_a_redis_that_never_answers_costs_one_short_wait_per_interval(use_cache, caplog, kind):
    with silent_server(kind) as port, caplog.at_level(logging.WARNING, logger="edubadges.cache"):
        cache = use_cache(f"redis://127.0.0.1:{port}/0")
        started = time.monotonic()
        cache.set("first", "stored")
        waited = time.monotonic() - started
        for number in range(20):
            cache.set(f"key-{number}", number)
        assert cache.get("first") == "stored"
    # The first command waited for Redis's time-out (half a second) and the database took
    # over; the others, in the same interval, did not try Redis at all.
    assert 0.5 <= waited < 3, waited
    assert caplog.text.count("cannot be reached") == 1, caplog.text


def test_redis_is_used_again_once_it_answers(use_cache, caplog):
    port = free_port()
    cache = use_cache(f"redis://127.0.0.1:{port}/0", RETRY_AFTER=0)
    direct = redis.Redis(port=port)
    with caplog.at_level(logging.WARNING, logger="edubadges.cache"):
        with redis_server(port):
            cache.set("before", 1)
            assert direct.dbsize() == 1
        # Down: the database holds what is written meanwhile.
        cache.set("during", 2)
        assert cache.get("during") == 2
        assert "cannot be reached" in caplog.text
        with redis_server(port):
            cache.set("after", 3)
            assert cache.get("after") == 3
            assert direct.dbsize() == 1  # a fresh server: only what was written since
        direct.close()
    assert "answers again" in caplog.text
