"""`make run`'s local OpenID Connect providers: both start on loopback, say which identities
they offer, and hand their configuration to the portal."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]


def test_run_starts_both_providers_prints_their_identities_and_configures_the_portal():
    probe = (
        "import os, requests\n"
        "for prefix in ('SURFCONEXT', 'EDUID'):\n"
        "    url = os.environ[prefix + '_OIDC_URL']\n"
        "    config = requests.get(url + '/.well-known/openid-configuration', timeout=10).json()\n"
        "    print(prefix, config['issuer'] == url, os.environ[prefix + '_CLIENT_ID'])\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "accounts.demo_provider", "run", "--", "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    out = result.stdout
    assert "SURFconext (demo provider at http://127.0.0.1:" in out
    assert "eduID (demo provider at http://127.0.0.1:" in out
    for identity in (
        "j.devries@hogeschool.example",
        "p.jansen@elders.example",
        "eduid-sanne-visser",
        "eduid-student1-hbo",
    ):
        assert identity in out
    assert "SURFCONEXT True edubadges-surfconext-demo" in out
    assert "EDUID True edubadges-eduid-demo" in out
    # No warnings from the libraries underneath on the newcomer's console (requests are logged).
    assert "Warning" not in result.stderr


def test_the_provider_pages_load_nothing_from_elsewhere(oidc_providers):
    provider = oidc_providers["eduid"]
    page = requests.get(
        f"{provider.url}/oauth2/authorize?client_id=x&response_type=code&scope=openid"
        "&redirect_uri=http://testserver/cb&state=s&code_challenge=abc&code_challenge_method=S256",
        timeout=10,
    ).text
    assert "eduid-sanne-visser" in page
    assert "https://" not in page and "//cdn" not in page


def test_a_provider_started_for_the_tests_ends_when_its_starter_is_killed():
    # A starter that is killed with SIGKILL cannot stop its provider; the provider notices
    # that its standard input (the starter's pipe) closed and stops by itself.
    starter = (
        "import subprocess, sys, time\n"
        "provider = subprocess.Popen([sys.executable, '-m', 'accounts.demo_provider', 'serve',"
        " '--exit-with-parent'], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)\n"
        "print(provider.pid, provider.stdout.readline().strip(), flush=True)\n"
        "time.sleep(600)\n"
    )
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", starter], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        pid, url = process.stdout.readline().split()
        assert requests.get(f"{url}/.well-known/openid-configuration", timeout=10).ok
    finally:
        process.kill()
        process.wait(timeout=10)
        process.stdout.close()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/.well-known/openid-configuration", timeout=5)
        except requests.ConnectionError:
            break  # the provider stopped listening: it ended
        time.sleep(0.2)
    else:
        pytest.fail(f"the provider (pid {pid}) still answers after its starter was killed")
