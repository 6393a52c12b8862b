"""`make run`'s local OpenID Connect providers: both start on loopback, say which identities
they offer, and hand their configuration to the portal."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
