"""Settings come from the environment; production refuses to start without real secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from edubadges.env import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parent.parent


def _start(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "SECRET_KEY",
            "DEBUG",
            "SIGNING_KEY_ENCRYPTION_KEY",
            "SIGNING_KEY_ENCRYPTION_KEYS",
            "DATABASE_URL",
            "SITE_URL",
            "CELERY_BROKER_URL",
            "REDIS_URL",
        }
    }
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "edubadges.settings"
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default']['ENGINE'], settings.CELERY_TASK_ALWAYS_EAGER)",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = _start({"VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_development_secret(tmp_path):
    result = _start(
        {
            "VAR_DIR": str(tmp_path),
            "SECRET_KEY": "insecure-development-secret-do-not-use-in-production",
        }
    )
    assert result.returncode != 0


def test_debug_runs_on_embedded_default(tmp_path):
    result = _start({"VAR_DIR": str(tmp_path), "DEBUG": "true"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "True"]


def test_database_and_broker_urls_switch_to_postgres_and_workers(tmp_path):
    result = _start(
        {
            "VAR_DIR": str(tmp_path),
            "DEBUG": "true",
            "DATABASE_URL": "postgresql://u:p@db.example:5432/x",
            "CELERY_BROKER_URL": "redis://localhost:6379/0",
        }
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.postgresql", "False"]


def test_typed_helpers_fail_loudly(monkeypatch, tmp_path):
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_BOOL")
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_LIST", "a, b,,c")
    assert env_list("X_LIST") == ["a", "b", "c"]
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_str("X_SECRET") == "from-a-file"


_PRODUCTION_SECRETS = {
    "SECRET_KEY": "a-production-secret-that-is-long-enough-0123456789",
    "SIGNING_KEY_ENCRYPTION_KEY": "c2lnbmluZy1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM",
}


@pytest.mark.parametrize("site_url", ["http://badges.example.org", "http://10.0.0.5:8000"])
def test_production_refuses_a_plain_http_site_url(tmp_path, site_url):
    result = _start({"VAR_DIR": str(tmp_path), "SITE_URL": site_url, **_PRODUCTION_SECRETS})
    assert result.returncode != 0
    assert "SITE_URL must be an https URL in production" in result.stderr


@pytest.mark.parametrize(
    "site_url",
    ["https://badges.example.org", "http://127.0.0.1:8000", "http://localhost:8123"],
)
def test_production_accepts_https_and_loopback_site_urls(tmp_path, site_url):
    result = _start({"VAR_DIR": str(tmp_path), "SITE_URL": site_url, **_PRODUCTION_SECRETS})
    assert result.returncode == 0, result.stderr


def test_development_may_use_http_anywhere(tmp_path):
    result = _start(
        {"VAR_DIR": str(tmp_path), "SITE_URL": "http://portal.test:8000", "DEBUG": "true"}
    )
    assert result.returncode == 0, result.stderr
