"""SURFconext and eduID are configured by environment variables; unset means no button."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import json, django\n"
    "django.setup()\n"
    "from django.conf import settings\n"
    "from django.test import RequestFactory\n"
    "from accounts.context_processors import sign_in_options\n"
    "buttons = sign_in_options(RequestFactory().get('/'))['sso_providers']\n"
    "apps = settings.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS']\n"
    "print(json.dumps({'buttons': [b['name'] for b in buttons], 'apps': apps}))\n"
)
NAMES = [
    f"{prefix}_{suffix}"
    for prefix in ("SURFCONEXT", "EDUID")
    for suffix in ("OIDC_URL", "CLIENT_ID", "CLIENT_SECRET")
]


def _configured(**variables) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in NAMES}
    env.update(variables, DJANGO_SETTINGS_MODULE="edubadges.settings", DEBUG="true")
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_unset_means_no_button():
    assert _configured()["buttons"] == []


def test_each_provider_appears_with_its_own_variables():
    found = _configured(
        SURFCONEXT_OIDC_URL="https://connect.surfconext.nl/",
        SURFCONEXT_CLIENT_ID="edubadges.example.org",
        SURFCONEXT_CLIENT_SECRET="s3cret",
    )
    assert found["buttons"] == ["SURFconext"]
    (app,) = found["apps"]
    assert app["client_id"] == "edubadges.example.org" and app["secret"] == "s3cret"
    # The issuer named in ID tokens must be exactly the configured one.
    assert app["settings"]["server_url"] == "https://connect.surfconext.nl"
    assert app["settings"]["openid_configuration_overrides"]["issuer"] == (
        "https://connect.surfconext.nl"
    )
    assert app["settings"]["oauth_pkce_enabled"] is True

    both = _configured(
        SURFCONEXT_OIDC_URL="https://connect.surfconext.nl",
        SURFCONEXT_CLIENT_ID="a",
        EDUID_OIDC_URL="https://connect.eduid.nl",
        EDUID_CLIENT_ID="b",
    )
    assert both["buttons"] == ["SURFconext", "eduID"]
