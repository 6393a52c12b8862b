"""The Open Badges API's discovery, client registration and authorization server."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from oauth2_provider.models import AccessToken, Application, RefreshToken

from api.models import ClientRegistration
from api.ob3 import scopes
from tests.api.conftest import (
    ALL_SCOPES,
    REDIRECT_URI,
    basic,
    consent_form,
    pkce_pair,
    registration_request,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


# --- discovery ----------------------------------------------------------------------------


def test_discovery_describes_the_api_and_its_oauth_server_without_authentication(client):
    response = client.get(reverse("ob3:discovery"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = response.json()
    assert document["openapi"].startswith("3.0")
    info = document["info"]
    assert info["title"] and info["version"]
    assert info["termsOfService"].startswith("http://testserver/apps/")
    assert info["x-imssf-privacyPolicyUrl"].startswith("http://testserver/apps/")
    scheme = document["components"]["securitySchemes"]["OAuth2ACG"]
    assert scheme["type"] == "oauth2"
    assert scheme["x-imssf-registrationUrl"] == "http://testserver/oauth/register/"
    flow = scheme["flows"]["authorizationCode"]
    assert flow["authorizationUrl"] == "http://testserver/oauth/authorize/"
    assert flow["tokenUrl"] == flow["refreshUrl"] == "http://testserver/oauth/token/"
    assert set(scopes.OB_SCOPES) <= set(flow["scopes"])
    operations = {
        operation["operationId"]
        for path in document["paths"].values()
        for operation in path.values()
    }
    assert operations == {
        "getCredentials",
        "upsertCredential",
        "getProfile",
        "putProfile",
        "getServiceDescription",
    }
    for name in ("GetOpenBadgeCredentialsResponse", "Imsx_StatusInfo", "Profile"):
        assert name in document["components"]["schemas"]


def test_discovery_can_be_cached_and_revalidated(client):
    first = client.get(reverse("ob3:discovery"))
    assert "max-age=3600" in first["Cache-Control"]
    again = client.get(reverse("ob3:discovery"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_discovery_refuses_other_methods_as_imsx_status_info(client):
    response = client.post(reverse("ob3:discovery"))
    assert response.status_code == 405
    assert response.json()["imsx_codeMajor"] == "failure"
    assert (
        response.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
        == "not_allowed"
    )


def test_discovery_is_rate_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "ob3_discovery": "3/m/ip"}
    for _attempt in range(3):
        assert client.get(reverse("ob3:discovery")).status_code == 200
    refused = client.get(reverse("ob3:discovery"))
    assert refused.status_code == 429 and refused["Retry-After"]
    assert (
        refused.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
        == "server_busy"
    )


def test_the_terms_and_privacy_page_is_public(client):
    page = client.get(reverse("apps:about"))
    assert page.status_code == 200
    assert "Open Badges 3.0" in page.content.decode()


def test_authorization_server_metadata_names_the_revocation_endpoint(client):
    metadata = client.get("/.well-known/oauth-authorization-server").json()
    assert metadata["revocation_endpoint"] == "http://testserver/oauth/revoke/"
    assert metadata["code_challenge_methods_supported"] == ["S256"]


# --- registration -------------------------------------------------------------------------


def _register(client, body, content_type="application/json"):
    return client.post(reverse("oauth:register"), body, content_type=content_type)


def test_a_client_registers_with_the_metadata_of_the_specification(client):
    response = _register(client, registration_request())
    assert response.status_code == 201
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["client_id"] and body["client_secret"]
    assert body["client_id_issued_at"] > 0 and body["client_secret_expires_at"] == 0
    for name, value in registration_request().items():
        if name != "scope":
            assert body[name] == value, name
    assert body["scope"] == f"{ALL_SCOPES} offline_access"
    application = Application.objects.get(client_id=body["client_id"])
    assert application.client_secret != body["client_secret"]  # stored hashed
    assert application.client_type == Application.CLIENT_CONFIDENTIAL
    assert application.ob_registration.policy_uri == "https://wallet.example/privacy"


@pytest.mark.parametrize(
    "name",
    [
        "client_name",
        "client_uri",
        "logo_uri",
        "tos_uri",
        "policy_uri",
        "software_id",
        "software_version",
        "scope",
    ],
)
def test_every_required_property_must_be_there(client, name):
    response = _register(client, registration_request(**{name: None}))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_client_metadata"
    assert name in response.json()["error_description"]
    assert not ClientRegistration.objects.exists() and not Application.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"redirect_uris": None}, "invalid_redirect_uri"),
        ({"redirect_uris": []}, "invalid_redirect_uri"),
        ({"redirect_uris": "https://wallet.example/cb"}, "invalid_redirect_uri"),
        ({"redirect_uris": ["http://wallet.example/cb"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["https://wallet.example/cb#part"]}, "invalid_redirect_uri"),
        ({"redirect_uris": ["https://evil.example/cb"]}, "invalid_client_metadata"),
        ({"logo_uri": "http://wallet.example/logo.png"}, "invalid_client_metadata"),
        ({"tos_uri": "https://other.example/terms"}, "invalid_client_metadata"),
        ({"token_endpoint_auth_method": "none"}, "invalid_client_metadata"),
        ({"token_endpoint_auth_method": "client_secret_post"}, "invalid_client_metadata"),
        ({"grant_types": ["implicit"]}, "invalid_client_metadata"),
        ({"grant_types": ["refresh_token"]}, "invalid_client_metadata"),
        ({"response_types": ["token"]}, "invalid_client_metadata"),
        ({"scope": "openid email"}, "invalid_client_metadata"),
        ({"client_name": "x" * 300}, "invalid_client_metadata"),
        ({"contacts": "admin@wallet.example"}, "invalid_client_metadata"),
        ({"software_statement": "header.payload.signature"}, "unapproved_software_statement"),
    ],
)
def test_registrations_outside_the_specification_are_refused(client, overrides, error):
    response = _register(client, registration_request(**overrides))
    assert response.status_code == 400
    assert response.json()["error"] == error
    assert not Application.objects.exists()


def test_registration_is_rate_limited(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "oauth_register": "2/h/ip"}
    for _attempt in range(2):
        assert _register(client, registration_request()).status_code == 201
    refused = _register(client, registration_request())
    assert refused.status_code == 429 and refused.json()["error"] == "temporarily_unavailable"
    assert Application.objects.count() == 2


def test_unknown_scopes_are_left_out_of_the_registration(client):
    body = _register(
        client, registration_request(scope=f"{scopes.CREDENTIAL_READ} openid admin")
    ).json()
    assert body["scope"] == scopes.CREDENTIAL_READ


def test_a_registration_that_is_not_json_is_refused(client):
    assert _register(client, "{not json").json()["error"] == "invalid_client_metadata"
    assert _register(client, "[]").json()["error"] == "invalid_client_metadata"
    response = _register(client, "client_name=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


# --- authorization ------------------------------------------------------------------------


def test_the_consent_page_asks_a_signed_in_student(client, wallet, authorize_url):
    _verifier, challenge = pkce_pair()
    url = authorize_url(wallet, challenge=challenge)
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("account_login"))
    client.force_login(UserFactory(email="ada@example.org"))
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Example Wallet" in text and "wallet.example" in text
    for scope in scopes.OB_SCOPES:
        assert str(scopes.DESCRIPTIONS[scope]) in text
    assert "https://wallet.example/terms" in text and "https://wallet.example/privacy" in text
    assert "ada@example.org" in text


def test_the_consent_page_is_in_dutch_for_dutch_students(client, wallet, authorize_url, settings):
    settings.LANGUAGE_CODE = "nl"
    _verifier, challenge = pkce_pair()
    client.force_login(UserFactory())
    text = client.get(authorize_url(wallet, challenge=challenge)).content.decode()
    assert "Toestaan" in text and "Je badges bekijken" in text


def test_a_student_who_denies_sends_the_client_back_with_access_denied(
    client, wallet, authorize_url
):
    _verifier, challenge = pkce_pair()
    url = authorize_url(wallet, challenge=challenge)
    client.force_login(UserFactory())
    page = client.get(url)
    answer = client.post(url, consent_form(page))
    location = urlsplit(answer["Location"])
    assert location.netloc == "wallet.example"
    assert parse_qs(location.query) == {"error": ["access_denied"], "state": ["state-123"]}
    assert not AccessToken.objects.exists()


@pytest.mark.parametrize(
    ("extra", "error"),
    [
        ({"state": None}, "invalid_request"),
        ({"code_challenge": None, "code_challenge_method": None}, "invalid_request"),
        ({"code_challenge_method": "plain"}, "invalid_request"),
        ({"scope": "https://purl.imsglobal.org/spec/ob/v3p0/scope/unknown"}, "invalid_scope"),
        ({"response_type": "token"}, "unauthorized_client"),
    ],
)
def test_bad_authorization_requests_go_back_with_an_error(
    client, wallet, authorize_url, extra, error
):
    _verifier, challenge = pkce_pair()
    client.force_login(UserFactory())
    url = authorize_url(wallet, challenge=challenge, **extra)
    response = client.get(url)
    if response.status_code == 200:  # the error comes when the student answers
        response = client.post(url, {**consent_form(response), "allow": "on"})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.netloc == "wallet.example"
    assert parse_qs(location.query)["error"] == [error]


def test_a_client_may_ask_only_for_the_scopes_it_registered(client, register, authorize_url):
    reader = register(scope=scopes.CREDENTIAL_READ)
    _verifier, challenge = pkce_pair()
    client.force_login(UserFactory())
    response = client.get(authorize_url(reader, scope=scopes.PROFILE_UPDATE, challenge=challenge))
    assert parse_qs(urlsplit(response["Location"]).query)["error"] == ["invalid_scope"]


@pytest.mark.parametrize(
    "extra",
    [{"client_id": "unknown"}, {"redirect_uri": "https://wallet.example/elsewhere"}],
)
def test_an_unknown_client_or_redirect_is_never_followed(client, wallet, authorize_url, extra):
    _verifier, challenge = pkce_pair()
    client.force_login(UserFactory())
    response = client.get(authorize_url(wallet, challenge=challenge, **extra))
    assert response.status_code == 400
    assert "This app cannot be connected" in response.content.decode()


# --- tokens -------------------------------------------------------------------------------


def _code(client, wallet, authorize_url, user, challenge, scope=ALL_SCOPES) -> str:
    client.force_login(user)
    url = authorize_url(wallet, challenge=challenge, scope=scope)
    answer = client.post(url, {**consent_form(client.get(url)), "allow": "on"})
    query = parse_qs(urlsplit(answer["Location"]).query)
    assert query["state"] == ["state-123"] and query["scope"] == [scope]
    assert query["iss"] == ["http://testserver"]  # RFC 9207, as in the server's metadata
    client.logout()
    return query["code"][0]


def _token(client, wallet, **data):
    return client.post(
        reverse("oauth:token"),
        data,
        HTTP_AUTHORIZATION=basic(wallet["client_id"], wallet["client_secret"]),
    )


def test_the_code_needs_the_pkce_verifier_and_works_once(client, wallet, authorize_url):
    verifier, challenge = pkce_pair()
    code = _code(client, wallet, authorize_url, UserFactory(), challenge)
    exchange = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "scope": ALL_SCOPES,
    }
    wrong = _token(client, wallet, **exchange, code_verifier=pkce_pair()[0])
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    verifier2, challenge2 = pkce_pair()
    code = _code(client, wallet, authorize_url, UserFactory(), challenge2)
    exchange["code"] = code
    tokens = _token(client, wallet, **exchange, code_verifier=verifier2)
    assert tokens.status_code == 200
    body = tokens.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["refresh_token"] and body["scope"] == ALL_SCOPES
    again = _token(client, wallet, **exchange, code_verifier=verifier2)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert verifier != verifier2


def test_tokens_are_stored_hashed(wallet, connect):
    tokens = connect(UserFactory())
    assert not AccessToken.objects.filter(token=tokens["access_token"]).exists()
    assert not RefreshToken.objects.filter(token=tokens["refresh_token"]).exists()


def test_a_refresh_token_gives_new_tokens_once(client, wallet, connect, call):
    tokens = connect(UserFactory())
    refreshed = _token(
        client,
        wallet,
        grant_type="refresh_token",
        refresh_token=tokens["refresh_token"],
        scope=scopes.CREDENTIAL_READ,
    )
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert new["scope"] == scopes.CREDENTIAL_READ
    assert call("get", "credentials", new["access_token"]).status_code == 200
    # Reusing a rotated refresh token is theft: the whole family is revoked.
    reused = _token(
        client, wallet, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    assert call("get", "credentials", new["access_token"]).status_code == 401


def test_a_refresh_may_not_widen_the_scope(client, register, connect):
    reader = register(scope=f"{scopes.CREDENTIAL_READ} {scopes.PROFILE_READ}")
    tokens = connect(UserFactory(), scope=scopes.CREDENTIAL_READ, app=reader)
    response = _token(
        client,
        reader,
        grant_type="refresh_token",
        refresh_token=tokens["refresh_token"],
        scope=scopes.PROFILE_READ,
    )
    assert response.status_code == 400 and response.json()["error"] == "invalid_scope"


def test_a_client_revokes_its_tokens(client, wallet, connect, call):
    tokens = connect(UserFactory())
    response = client.post(
        reverse("oauth:revoke"),
        {"token": tokens["refresh_token"], "token_type_hint": "refresh_token"},
        HTTP_AUTHORIZATION=basic(wallet["client_id"], wallet["client_secret"]),
    )
    assert response.status_code == 200
    assert call("get", "credentials", tokens["access_token"]).status_code == 401
    refreshed = _token(
        client, wallet, grant_type="refresh_token", refresh_token=tokens["refresh_token"]
    )
    assert refreshed.status_code == 400


def test_a_client_cannot_revoke_another_clients_token(client, register, connect, call):
    first, second = register(), register(client_name="Other Wallet")
    tokens = connect(UserFactory(), app=first)
    client.post(
        reverse("oauth:revoke"),
        {"token": tokens["access_token"], "token_type_hint": "access_token"},
        HTTP_AUTHORIZATION=basic(second["client_id"], second["client_secret"]),
    )
    assert call("get", "credentials", tokens["access_token"]).status_code == 200
