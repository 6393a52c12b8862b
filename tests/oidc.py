"""A real OpenID Connect provider process on loopback (oidc-provider-mock behind a PKCE guard,
``accounts.demo_provider``), standing in for SURFconext and for eduID, and a client that walks
the authorization-code flow over HTTP as a browser would."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
from django.urls import reverse

from edubadges.settings import oidc_app

ROOT = Path(__file__).resolve().parents[1]
CLIENT_SECRET = "edubadges-test-secret"


@dataclass
class Provider:
    name: str
    url: str

    def set_user(self, sub: str, claims: dict) -> None:
        response = requests.put(f"{self.url}/users/{quote(sub, safe='')}", json=claims, timeout=10)
        assert response.status_code == 204, response.text

    def authorize(self, authorize_url: str, sub: str) -> str:
        """Post the provider's authorization form as the person ``sub``; return the callback."""
        response = requests.post(
            authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10
        )
        assert response.status_code == 302, response.text
        return response.headers["Location"]


def _start(name: str):
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-W",
            "ignore",
            "-m",
            "accounts.demo_provider",
            "serve",
            "--name",
            name,
            "--demo-identities",
            "--exit-with-parent",
        ],
        cwd=ROOT,
        # Its end of this pipe closes when the test run ends, however it ends.
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    url = process.stdout.readline().strip()
    if not url.startswith("http://127.0.0.1:"):
        process.kill()
        process.stdin.close()
        process.stdout.close()
        pytest.fail(f"the OpenID Connect provider did not start: {url!r}")
    return process, url


@pytest.fixture(scope="session")
def oidc_providers():
    started = {
        key: _start(name) for key, name in (("surfconext", "SURFconext"), ("eduid", "eduID"))
    }
    try:
        yield {key: Provider(key, url) for key, (_process, url) in started.items()}
    finally:
        for process, _url in started.values():
            process.stdin.close()
            process.terminate()
            process.wait(timeout=10)
            process.stdout.close()


@pytest.fixture
def sso(settings, oidc_providers):
    """The portal configured for both providers, as SURFCONEXT_OIDC_URL/EDUID_OIDC_URL do."""
    surfconext, eduid = oidc_providers["surfconext"], oidc_providers["eduid"]
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                oidc_app(
                    "surfconext",
                    "SURFconext",
                    surfconext.url,
                    "edubadges-surfconext",
                    CLIENT_SECRET,
                ),
                oidc_app("eduid", "eduID", eduid.url, "edubadges-eduid", CLIENT_SECRET),
            ],
        }
    }
    return oidc_providers


def local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@pytest.fixture
def sign_in_with(client, sso):
    """Walk the whole flow: the portal's button, the provider's form, the callback."""

    def run(provider: str, sub: str, claims: dict, *, next_url: str = ""):
        sso[provider].set_user(sub, claims)
        start = client.post(
            reverse("openid_connect_login", args=[provider]), {"next": next_url} if next_url else {}
        )
        assert start.status_code == 302, start.content
        authorize_url = start["Location"]
        query = parse_qs(urlsplit(authorize_url).query)
        assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
        callback = sso[provider].authorize(authorize_url, sub)
        return client.get(local(callback))

    return run
