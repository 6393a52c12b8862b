"""``make run`` serves where HOST says and names that address in credentials and emails."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _commands(*arguments: str, env: dict | None = None) -> list[str]:
    result = subprocess.run(
        ["make", "--dry-run", "--always-make", "run", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
    )
    return [line for line in result.stdout.splitlines() if "manage.py" in line]


def test_host_sets_site_url_for_every_step():
    commands = _commands("HOST=192.0.2.7:9000")
    assert len(commands) == 3
    assert all("SITE_URL=http://192.0.2.7:9000 " in command for command in commands)
    assert commands[-1].endswith("runserver 192.0.2.7:9000")


def test_an_explicit_site_url_wins():
    commands = _commands("HOST=0.0.0.0:8000", env={"SITE_URL": "https://badges.example.org"})
    assert all("SITE_URL=https://badges.example.org " in command for command in commands)
