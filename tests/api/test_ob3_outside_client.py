"""A wallet as an outside client: a separate OAuth 2.0 library (Authlib) against the portal
served over HTTP, the student's side through the real pages (sign in, consent, privacy
page) with a plain HTTP session, and the fetched credentials checked by the verifiers of
Digital Bazaar and of the Digital Credentials Consortium."""

from __future__ import annotations

import gc
import json
import threading
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
import requests
import time_machine
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session, OAuthError
from django.utils import timezone

from api.ob3 import scopes
from badge_credentials.did import did_web_document_url
from badge_credentials.extension import CONTEXT_V1
from tests.api.conftest import REDIRECT_URI, registration_request, verified
from tests.api.test_ob3_resources import external_credential
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.conformance, pytest.mark.django_db(transaction=True)]
TIMEOUT = 30


class _Forms(HTMLParser):
    """The forms of a page: action, method and the values a browser would send."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(
                {"action": attributes.get("action") or "", "fields": {}, "buttons": []}
            )
        elif self.forms and tag == "input" and attributes.get("name"):
            if attributes.get("type") not in ("checkbox", "submit"):
                self.forms[-1]["fields"][attributes["name"]] = attributes.get("value") or ""
        elif self.forms and tag == "button":
            self.forms[-1]["buttons"].append(attributes)


def submit(browser: requests.Session, response, *, having: str, extra=None, **kwargs):
    """Fill in and send the form of ``response`` that has the field or button ``having``, or
    whose action holds it."""
    parser = _Forms()
    parser.feed(response.text)
    form = next(
        form
        for form in parser.forms
        if having in form["fields"]
        or having in form["action"]
        or any(button.get("name") == having for button in form["buttons"])
    )
    action = urljoin(response.url, form["action"]) if form["action"] else response.url
    return browser.post(action, data={**form["fields"], **(extra or {})}, timeout=TIMEOUT, **kwargs)


def sign_in_and_answer(browser, authorization_url: str, email: str, *, allow: bool) -> str:
    """The student's browser: sign in when asked, answer the consent page; returns where the
    portal sends the browser back to (the wallet's redirect URI)."""
    page = browser.get(authorization_url, timeout=TIMEOUT)
    if "/accounts/login/" in urlsplit(page.url).path:
        page = submit(browser, page, having="login", extra={"login": email, "password": PASSWORD})
    assert page.status_code == 200 and "Example Wallet" in page.text, page.text[:500]
    answer = submit(
        browser, page, having="allow", extra={"allow": "on"} if allow else {}, allow_redirects=False
    )
    assert answer.status_code == 302, answer.text[:500]
    return answer.headers["Location"]


def documents_for(http: requests.Session, credential: dict) -> dict:
    """What a verifier fetches for a credential: the issuer's DID document, contexts that are
    not bundled with it, and the status lists. The development server speaks http, so the
    did:web document (https by the method's rules) is fetched over http here."""
    documents = {}
    did = (
        credential["issuer"]["id"]
        if isinstance(credential["issuer"], dict)
        else credential["issuer"]
    )
    url = did_web_document_url(did).replace("https://", "http://", 1)
    documents[did] = http.get(url, timeout=TIMEOUT).json()
    for context in credential["@context"]:
        if isinstance(context, str) and urlsplit(context).hostname in ("localhost", "127.0.0.1"):
            documents[context] = http.get(context, timeout=TIMEOUT).json()
        elif context == CONTEXT_V1:
            # The vocabulary's persistent identifier leads to a site that serves it.
            served = f"http://{urlsplit(url).netloc}/ns/edubadges/v1"
            documents[context] = http.get(served, timeout=TIMEOUT).json()
    statuses = credential.get("credentialStatus") or []
    for status in statuses if isinstance(statuses, list) else [statuses]:
        list_url = (status.get("statusListCredential") or status["id"]).split("#")[0]
        documents[list_url] = http.get(
            list_url, headers={"Accept": "application/ld+json"}, timeout=TIMEOUT
        ).json()
    return documents


@pytest.fixture
def connection(live_site):
    """Opens HTTP sessions, and closes them before the server stops: the server's thread of
    a connection left open would outlive the test and its database."""
    opened = []

    def open_session(kind=requests.Session, *args, **kwargs):
        session = kind(*args, **kwargs)
        opened.append(session)
        return session

    yield open_session
    for session in opened:
        session.close()
    # Responses that only a reference cycle still holds (an exception's traceback) keep
    # their sockets open until they are collected.
    gc.collect()
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(timeout=TIMEOUT)


@pytest.fixture
def students(live_site, issue):
    ada = verified(UserFactory(email="ada@example.org", first_name="Ada", last_name="Lovelace"))
    grace = verified(UserFactory(email="grace@example.org"))
    return {
        "ada": (ada, [issue(email=ada.email, recipient=ada) for _ in range(3)]),
        "grace": (grace, [issue(email=grace.email, recipient=grace)]),
    }


def test_a_wallet_registers_connects_with_pkce_and_fetches_verifiable_credentials(
    live_site, students, ob3_verifier, dcc_verifier, connection
):
    http = connection()
    ada, ada_badges = students["ada"]
    grace, grace_badges = students["grace"]

    # The wallet discovers the service and registers.
    discovery = http.get(f"{live_site}/ims/ob/v3p0/discovery", timeout=TIMEOUT)
    assert discovery.status_code == 200
    scheme = discovery.json()["components"]["securitySchemes"]["OAuth2ACG"]
    flow = scheme["flows"]["authorizationCode"]
    registered = http.post(
        scheme["x-imssf-registrationUrl"], json=registration_request(), timeout=TIMEOUT
    )
    assert registered.status_code == 201
    registration = registered.json()
    api = discovery.json()["servers"][0]["url"]

    def session(scope: str) -> OAuth2Session:
        return connection(
            OAuth2Session,
            registration["client_id"],
            registration["client_secret"],
            scope=scope,
            redirect_uri=REDIRECT_URI,
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",
        )

    def connect(wallet: OAuth2Session, browser: requests.Session, email: str) -> dict:
        verifier = generate_token(64)
        url, state = wallet.create_authorization_url(
            flow["authorizationUrl"], code_verifier=verifier
        )
        callback = sign_in_and_answer(browser, url, email, allow=True)
        assert callback.startswith(REDIRECT_URI) and f"state={state}" in callback
        return wallet.fetch_token(
            flow["tokenUrl"],
            authorization_response=callback,
            code_verifier=verifier,
            scope=wallet.scope,
        )

    # Ada connects the wallet on the portal's own pages.
    wallet = session(" ".join(scopes.OB_SCOPES))
    ada_browser = connection()
    token = connect(wallet, ada_browser, ada.email)
    assert token["token_type"] == "Bearer" and token["refresh_token"]

    # The wallet fetches Ada's credentials, and only hers.
    response = wallet.get(f"{api}/credentials", params={"limit": 2}, timeout=TIMEOUT)
    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "3"
    assert 'rel="next"' in response.headers["Link"]
    fetched = response.json()["credential"]
    next_url = response.headers["Link"].split(";")[0].strip("<>")
    fetched += wallet.get(next_url, timeout=TIMEOUT).json()["credential"]
    assert sorted(c["id"] for c in fetched) == sorted(b.ob3_credential["id"] for b in ada_badges)
    assert grace_badges[0].ob3_credential["id"] not in {c["id"] for c in fetched}

    # Every fetched credential passes the independent verifiers, Digital Bazaar's and the
    # Digital Credentials Consortium's.
    for credential in fetched:
        documents = documents_for(http, credential)
        for verifier in (ob3_verifier, dcc_verifier):
            report = verifier({"credential": credential, "documents": documents})
            assert report["verified"], report

    # The profile is Ada's.
    profile = wallet.get(f"{api}/profile", timeout=TIMEOUT).json()
    assert profile["email"] == ada.email and profile["name"] == "Ada Lovelace"

    # The wallet adds a badge of another issuer; one of Grace's is refused.
    external = external_credential(ada.email)
    added = wallet.post(f"{api}/credentials", json=external, timeout=TIMEOUT)
    assert added.status_code == 201 and added.json() == external
    refused = wallet.post(
        f"{api}/credentials", json=grace_badges[0].ob3_credential, timeout=TIMEOUT
    )
    assert refused.status_code == 400 and refused.json()["imsx_codeMajor"] == "failure"
    assert wallet.get(f"{api}/credentials", timeout=TIMEOUT).headers["X-Total-Count"] == "4"

    # An expired access token is refused; the refresh token gets a new one.
    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        # (sent without Authlib, which would not send a token it knows has expired)
        expired = http.get(
            f"{api}/credentials",
            headers={"Authorization": f"Bearer {wallet.token['access_token']}"},
            timeout=TIMEOUT,
        )
        assert expired.status_code == 401
        assert 'error="invalid_token"' in expired.headers["WWW-Authenticate"]
        wallet.refresh_token(flow["refreshUrl"])
        assert wallet.get(f"{api}/credentials", timeout=TIMEOUT).status_code == 200

        # Ada disconnects the wallet on her privacy page: it is refused from then on.
        privacy = ada_browser.get(f"{live_site}/privacy/", timeout=TIMEOUT)
        assert "Example Wallet" in privacy.text
        disconnected = submit(ada_browser, privacy, having="/disconnect/")
        assert disconnected.status_code == 200 and "Example Wallet" in disconnected.text
        assert wallet.get(f"{api}/credentials", timeout=TIMEOUT).status_code == 401
        with pytest.raises(OAuthError) as refused_refresh:
            wallet.refresh_token(flow["refreshUrl"])
        assert refused_refresh.value.error == "invalid_grant"


def test_a_wallet_with_too_narrow_a_scope_or_a_denial_gets_nothing(live_site, students, connection):
    http = connection()
    ada, _badges = students["ada"]
    discovery = http.get(f"{live_site}/ims/ob/v3p0/discovery", timeout=TIMEOUT).json()
    scheme = discovery["components"]["securitySchemes"]["OAuth2ACG"]
    flow = scheme["flows"]["authorizationCode"]
    registration = http.post(
        scheme["x-imssf-registrationUrl"], json=registration_request(), timeout=TIMEOUT
    ).json()
    api = discovery["servers"][0]["url"]
    wallet = connection(
        OAuth2Session,
        registration["client_id"],
        registration["client_secret"],
        scope=scopes.PROFILE_READ,
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    browser = connection()

    # Ada denies: the wallet is sent back with access_denied and cannot get a token.
    verifier = generate_token(64)
    url, _state = wallet.create_authorization_url(flow["authorizationUrl"], code_verifier=verifier)
    callback = sign_in_and_answer(browser, url, ada.email, allow=False)
    assert "error=access_denied" in callback
    with pytest.raises(OAuthError):
        wallet.fetch_token(
            flow["tokenUrl"], authorization_response=callback, code_verifier=verifier
        )

    # Ada allows reading her profile only: her credentials stay closed.
    verifier = generate_token(64)
    url, _state = wallet.create_authorization_url(flow["authorizationUrl"], code_verifier=verifier)
    callback = sign_in_and_answer(browser, url, ada.email, allow=True)
    wallet.fetch_token(flow["tokenUrl"], authorization_response=callback, code_verifier=verifier)
    assert wallet.get(f"{api}/profile", timeout=TIMEOUT).status_code == 200
    forbidden = wallet.get(f"{api}/credentials", timeout=TIMEOUT)
    assert forbidden.status_code == 403
    assert (
        forbidden.json()["imsx_codeMinor"]["imsx_codeMinorField"][0]["imsx_codeMinorFieldValue"]
        == "forbidden"
    )
    change = wallet.put(f"{api}/profile", data=json.dumps({"givenName": "Eve"}), timeout=TIMEOUT)
    assert change.status_code == 403
