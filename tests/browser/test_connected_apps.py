"""A student connects a wallet in the browser and disconnects it again; the pages on the
way pass the axe-core checks, in English and in Dutch."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from api.ob3 import registration, scopes
from tests.api.conftest import REDIRECT_URI, pkce_pair, registration_request
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def wallet(live_server, page):
    """A registered wallet (it is not on this network: the browser's way back to it is
    read from the portal's redirect)."""
    application, secret = registration.client_register(
        metadata=registration.parse_metadata(registration_request())
    )
    verifier, challenge = pkce_pair()
    query = {
        "response_type": "code",
        "client_id": application.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": " ".join(scopes.OB_SCOPES),
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    return {
        "authorize": f"/oauth/authorize/?{urlencode(query)}",
        "exchange": lambda code: requests.post(
            f"{live_server.url}/oauth/token/",
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "code_verifier": verifier,
            },
            auth=(application.client_id, secret),
            timeout=30,
        ),
    }


@pytest.mark.parametrize("language", ["en", "nl"])
def test_connecting_and_disconnecting_a_wallet(page, sign_in, axe, wallet, language):
    UserFactory(email="ada@example.org")
    sign_in("ada@example.org", PASSWORD)
    if language == "nl":
        page.get_by_label("Language").select_option("nl")
        page.get_by_role("button", name="Switch").click()
        page.wait_for_load_state()

    assert not axe("/apps/"), axe("/apps/")
    violations = axe(wallet["authorize"])
    assert not violations, violations
    allow = "Toestaan" if language == "nl" else "Allow"
    with page.expect_response(lambda response: response.status == 302) as redirect:
        page.get_by_role("button", name=allow, exact=True).click()
    page.wait_for_url(lambda url: "/oauth/authorize/" not in url)  # the browser leaves
    callback = urlsplit(redirect.value.headers["location"])
    assert callback.netloc == "wallet.example"
    assert parse_qs(callback.query)["state"] == ["xyz"]
    assert wallet["exchange"](parse_qs(callback.query)["code"][0]).status_code == 200

    violations = axe("/privacy/")
    assert not violations, violations
    disconnect = "Example Wallet ontkoppelen" if language == "nl" else "Disconnect Example Wallet"
    page.get_by_role("button", name=disconnect).click()
    page.get_by_role("status").wait_for()
    assert page.get_by_role("button", name=disconnect).count() == 0
