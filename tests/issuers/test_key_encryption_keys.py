"""Rotating the key-encryption key: SIGNING_KEY_ENCRYPTION_KEYS (newest first, the old ones
still open what they sealed), ``signing_keys_reseal``, and a clear refusal to start — not a
failure at a student's claim — when no configured key opens the sealed keys."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from badge_credentials import keys as key_library
from badges.models import Assertion
from issuers import signing
from issuers.models import SigningKey
from tests.factories import BadgeClassFactory, IssuerFactory
from tests.stack import free_port
from tests.worker import ROOT, _database_url

OLD = key_library.new_key_encryption_key()
NEW = key_library.new_key_encryption_key()
UNKNOWN = key_library.new_key_encryption_key()


@pytest.fixture
def sealed_with_old(db, settings):
    settings.SIGNING_KEY_ENCRYPTION_KEYS = [OLD]
    issuers = [IssuerFactory(), IssuerFactory()]
    for issuer in issuers:
        signing.signing_keys_ensure(issuer=issuer)
    signing.signing_keys_rotate(actor=None, issuer=issuers[0])  # two retired keys as well
    return issuers


def test_old_keys_still_open_and_new_keys_are_sealed_with_the_newest(sealed_with_old, settings):
    settings.SIGNING_KEY_ENCRYPTION_KEYS = [NEW, OLD]
    for key in SigningKey.objects.all():
        assert signing.private_key(key) is not None
    fresh = signing.signing_keys_ensure(issuer=IssuerFactory())
    for key in fresh.values():
        assert key_library.sealing_key_index(key.sealed_private_key, [NEW, OLD]) == 0


def test_reseal_seals_every_key_with_the_newest_so_the_old_one_can_go(
    sealed_with_old, settings, issue
):
    settings.SIGNING_KEY_ENCRYPTION_KEYS = [NEW, OLD]
    out = StringIO()
    call_command("signing_keys_reseal", stdout=out)
    assert (
        "6 key(s) re-sealed with the newest key-encryption key; 0 already were." in out.getvalue()
    )
    out = StringIO()
    call_command("signing_keys_reseal", stdout=out)
    assert (
        "0 key(s) re-sealed with the newest key-encryption key; 6 already were." in out.getvalue()
    )

    settings.SIGNING_KEY_ENCRYPTION_KEYS = [NEW]
    signing.ensure_key_encryption_keys_open()
    for key in SigningKey.objects.all():
        assert signing.private_key(key) is not None
    badge_class = BadgeClassFactory(issuer=sealed_with_old[1], microcredential=True)
    assert issue(badge_class=badge_class).status == Assertion.Status.ISSUED


def test_reseal_names_the_active_keys_it_cannot_open(sealed_with_old, settings):
    settings.SIGNING_KEY_ENCRYPTION_KEYS = [NEW]
    err = StringIO()
    with pytest.raises(Exception, match="open with none of the configured key-encryption keys"):
        call_command("signing_keys_reseal", stdout=StringIO(), stderr=err)
    assert "Retired key" in err.getvalue()
    assert all(
        key_library.sealing_key_index(key.sealed_private_key, [OLD]) == 0
        for key in SigningKey.objects.all()
    )


def test_a_wrong_key_is_a_configuration_error_and_a_failed_check(sealed_with_old, settings):
    settings.SIGNING_KEY_ENCRYPTION_KEYS = [UNKNOWN]
    with pytest.raises(ImproperlyConfigured, match="opens 4 active signing key"):
        signing.ensure_key_encryption_keys_open()
    with pytest.raises(SystemCheckError, match="issuers.E001"):
        call_command("check", "--database", "default", stdout=StringIO(), stderr=StringIO())
    settings.SIGNING_KEY_ENCRYPTION_KEYS = [UNKNOWN, OLD]
    call_command("check", "--database", "default", stdout=StringIO(), stderr=StringIO())


def _settings_error(env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SIGNING_KEY_ENCRYPTION")}
    clean.update(env, DJANGO_SETTINGS_MODULE="edubadges.settings", DEBUG="false")
    clean.setdefault("SECRET_KEY", "x" * 50)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stderr if result.returncode else ""


def test_settings_take_a_list_newest_first_and_refuse_bad_values(tmp_path):
    base = {"VAR_DIR": str(tmp_path)}
    assert _settings_error({**base, "SIGNING_KEY_ENCRYPTION_KEYS": f"{NEW},{OLD}"}) == ""
    assert "not both" in _settings_error(
        {**base, "SIGNING_KEY_ENCRYPTION_KEYS": NEW, "SIGNING_KEY_ENCRYPTION_KEY": OLD}
    )
    assert "lists a key twice" in _settings_error(
        {**base, "SIGNING_KEY_ENCRYPTION_KEYS": f"{NEW},{NEW}"}
    )
    assert "too short" in _settings_error({**base, "SIGNING_KEY_ENCRYPTION_KEYS": f"{NEW},short"})
    assert "must be set" in _settings_error(base)


# --- the processes refuse to start ---------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_web_and_worker_refuse_to_start_when_no_key_opens_the_signing_keys(settings, tmp_path):
    from django.db import connection

    if connection.vendor != "postgresql":
        if os.environ.get("REQUIRE_WORKER"):
            pytest.fail("needs PostgreSQL (separate processes)")
        pytest.skip("needs PostgreSQL (separate processes)")
    settings.SIGNING_KEY_ENCRYPTION_KEYS = [OLD]
    signing.signing_keys_ensure(issuer=IssuerFactory(name_en="Refusing Issuer"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SIGNING_KEY_ENCRYPTION")},
        "DJANGO_SETTINGS_MODULE": "tests.stack_settings",
        "DATABASE_URL": _database_url(),
        "SIGNING_KEY_ENCRYPTION_KEYS": UNKNOWN,
        "CELERY_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0",
    }
    commands = {
        "web": [
            sys.executable,
            "-m",
            "gunicorn",
            "edubadges.wsgi:application",
            "--bind",
            f"127.0.0.1:{free_port()}",
            "--workers",
            "1",
        ],
        "worker": [sys.executable, "-m", "celery", "-A", "edubadges", "worker", "--pool=solo"],
    }
    for name, command in commands.items():
        result = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert result.returncode != 0, name
        assert "None of the 1 configured key-encryption keys" in result.stderr, (
            name,
            result.stderr,
        )
        assert "Refusing Issuer" in result.stderr, name


@pytest.mark.django_db(transaction=True)
def test_the_checks_that_migrate_runs_first_pass_on_a_new_empty_database(tmp_path):
    """``migrate`` on a new database runs the system checks before any table exists."""
    from django.db import connection

    if connection.vendor == "postgresql":
        empty = f"{connection.settings_dict['NAME']}_empty"
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{empty}"')
            cursor.execute(f'CREATE DATABASE "{empty}"')
        database_url = _database_url().rpartition("/")[0] + f"/{empty}"
    else:
        database_url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    try:
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--database", "default"],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "edubadges.test_settings",
                "DATABASE_URL": database_url,
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{empty}"')
    assert result.returncode == 0, result.stderr
