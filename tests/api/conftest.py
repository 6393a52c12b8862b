"""A wallet that registers for the Open Badges API and is connected by a student, through
the real endpoints and the real consent page (Django's test client)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from api import services
from api.ob3 import scopes
from issuers.roles import Role
from tests.conformance.conftest import (  # noqa: F401 - fixtures
    dcc_verifier,
    live_site,
    ob3_verifier,
)
from tests.factories import PrivacyStatementFactory

WALLET = "https://wallet.example"
REDIRECT_URI = f"{WALLET}/callback"
ALL_SCOPES = " ".join(scopes.OB_SCOPES)


def registration_request(**overrides) -> dict:
    request = {
        "client_name": "Example Wallet",
        "client_uri": f"{WALLET}/",
        "logo_uri": f"{WALLET}/logo.png",
        "tos_uri": f"{WALLET}/terms",
        "policy_uri": f"{WALLET}/privacy",
        "software_id": "c88b6ed8-269e-448e-99be-7e2ff47167d1",
        "software_version": "v4.0.30319",
        "redirect_uris": [REDIRECT_URI],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "scope": f"{ALL_SCOPES} offline_access",
    }
    request.update(overrides)
    return {name: value for name, value in request.items() if value is not None}


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=")
    return verifier, challenge.decode()


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def verified(user):
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    return user


@pytest.fixture
def register(client):
    def do(**overrides) -> dict:
        response = client.post(
            reverse("oauth:register"),
            registration_request(**overrides),
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        return response.json()

    return do


@pytest.fixture
def wallet(register):
    return register()


@pytest.fixture
def authorize_url():
    def make(wallet: dict, *, scope: str = ALL_SCOPES, challenge: str, **extra) -> str:
        query = {
            "response_type": "code",
            "client_id": wallet["client_id"],
            "redirect_uri": REDIRECT_URI,
            "scope": scope,
            "state": "state-123",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            **extra,
        }
        query = {name: value for name, value in query.items() if value is not None}
        return f"{reverse('oauth:authorize')}?{urlencode(query)}"

    return make


def consent_form(page) -> dict:
    """The hidden fields of the consent form, as a browser would post them."""
    return {bound.name: bound.value() or "" for bound in page.context["form"] if bound.is_hidden}


@pytest.fixture
def connect(client, wallet, authorize_url):
    """The student allows the wallet on the consent page; the wallet exchanges the code.
    Returns the token response."""

    def do(user, *, scope: str = ALL_SCOPES, app: dict | None = None) -> dict:
        app = app or wallet
        verifier, challenge = pkce_pair()
        client.force_login(user)
        url = authorize_url(app, scope=scope, challenge=challenge)
        page = client.get(url)
        assert page.status_code == 200, page.content
        answer = client.post(url, {**consent_form(page), "allow": "on"})
        assert answer.status_code == 302, answer.content
        callback = urlsplit(answer["Location"])
        assert f"{callback.scheme}://{callback.netloc}{callback.path}" == REDIRECT_URI
        code = parse_qs(callback.query)["code"][0]
        client.logout()
        tokens = client.post(
            reverse("oauth:token"),
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": REDIRECT_URI,
                "scope": scope,
                "code_verifier": verifier,
            },
            HTTP_AUTHORIZATION=basic(app["client_id"], app["client_secret"]),
        )
        assert tokens.status_code == 200, tokens.content
        return tokens.json()

    return do


@pytest.fixture
def call(client):
    """An API request with a bearer token."""

    def do(method: str, name: str, token: str | None, **kwargs):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        path = kwargs.pop("path", None) or reverse(f"ob3:{name}")
        return getattr(client, method)(path, **headers, **kwargs)

    return do


@pytest.fixture
def ready_world(world):
    """Both institutions may issue extra-curricular certificates (the world's badge type)."""
    for side in ("a", "b"):
        institution = world[side]["institution"]
        PrivacyStatementFactory(
            policy__institution=institution, policy__badge_type="extracurricular"
        )
    return world


@pytest.fixture
def api_client_of(ready_world, user_with_role):
    from rest_framework.test import APIClient

    def make(side: str = "a", **kwargs):
        institution = ready_world[side]["institution"]
        admin = user_with_role(Role.ADMIN, institution=institution)
        client, token = services.api_client_create(
            actor=admin, institution=institution, name="LMS", **kwargs
        )
        http = APIClient()
        http.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return http, client, admin

    return make
