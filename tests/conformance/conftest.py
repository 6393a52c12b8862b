"""Independent verifiers (not our code) run as subprocesses against what the portal issues.

Install them with ``bash conformance/ob3-verifier/install.sh`` and
``bash conformance/badgecheck/install.sh`` (``make test`` and CI do). Where a verifier is
not installed its tests are skipped, except when REQUIRE_CONFORMANCE is set (as in CI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BADGECHECK_PYTHON = ROOT / "conformance/badgecheck/.venv/bin/python"
BADGECHECK_RUN = ROOT / "conformance/badgecheck/run.py"
OB3_VERIFIER = ROOT / "conformance/ob3-verifier/verify.mjs"
OB3_MODULES = ROOT / "conformance/ob3-verifier/node_modules/@digitalbazaar/vc"
DCC_VERIFIER = ROOT / "conformance/ob3-verifier/dcc-verify.mjs"
DCC_MODULES = ROOT / "conformance/ob3-verifier/node_modules/@digitalcredentials/verifier-core"


def _missing(reason: str) -> None:
    if os.environ.get("REQUIRE_CONFORMANCE"):
        pytest.fail(f"independent verifier not installed: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def badgecheck():
    if not BADGECHECK_PYTHON.exists():
        _missing("run bash conformance/badgecheck/install.sh")

    def run(target: str, recipient: str | None = None) -> dict:
        command = [str(BADGECHECK_PYTHON), str(BADGECHECK_RUN), target]
        if recipient:
            command += ["--recipient", recipient]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert result.returncode in (0, 1), result.stdout + result.stderr
        report = json.loads(result.stdout.strip().splitlines()[-1])
        assert report["valid"] == (result.returncode == 0)
        assert not report.get("blockedRequests"), report["blockedRequests"]
        return report

    return run


@pytest.fixture(scope="session")
def ob3_verifier():
    if shutil.which("node") is None or not OB3_MODULES.exists():
        _missing("install Node.js and run bash conformance/ob3-verifier/install.sh")

    def run(payload: dict) -> dict:
        result = subprocess.run(
            ["node", str(OB3_VERIFIER)],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode in (0, 1), result.stdout + result.stderr
        report = json.loads(result.stdout.strip().splitlines()[-1])
        assert report["verified"] == (result.returncode == 0)
        return report

    return run


@pytest.fixture(scope="session")
def dcc_verifier():
    """The Digital Credentials Consortium's verifier-core, with fetches answered from the
    documents given (nothing goes to the network)."""
    if shutil.which("node") is None or not DCC_MODULES.exists():
        _missing("install Node.js and run bash conformance/ob3-verifier/install.sh")

    def run(payload: dict) -> dict:
        result = subprocess.run(
            ["node", str(DCC_VERIFIER)],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode in (0, 1), result.stdout + result.stderr
        report = json.loads(result.stdout.strip().splitlines()[-1])
        assert report["verified"] == (result.returncode == 0)
        return report

    return run


@pytest.fixture
def live_site(live_server, settings):
    """The portal served on a real port, with credentials pointing at it."""
    settings.SITE_URL = live_server.url
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    return live_server.url
