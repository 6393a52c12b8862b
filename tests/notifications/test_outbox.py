"""Every email goes through the outbox: no app sends mail itself."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from notifications import services
from tests.factories import InstitutionFactory

ROOT = Path(__file__).resolve().parents[2]
APPS = [
    "accounts",
    "api",
    "backpack",
    "badges",
    "edubadges",
    "issuers",
    "privacy",
    "public",
    "staff",
    "students",
    "notifications",
]
SENDING = re.compile(r"\b(send_mail|send_mass_mail|mail_admins|mail_managers)\(|\.send\(\)")


def test_only_the_outbox_sends_email():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if path == ROOT / "notifications" / "services.py" or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if SENDING.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_a_kind_nobody_builds_is_refused_when_queued(db):
    with pytest.raises(LookupError):
        services.notification_queue("no-such-kind", target=InstitutionFactory(), key="x")
