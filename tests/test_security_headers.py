"""Headers and limits: a policy without inline script on every page, HSTS and secure cookies
behind https, bodies capped before they are read, deeply nested JSON a 400, and the APIs
answering JSON whatever the status."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import RequestFactory
from django.urls import reverse

from api import services
from edubadges import urls
from edubadges.errors import server_error
from issuers.roles import Role

ROOT = Path(__file__).resolve().parent.parent
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["home", "public:verify", "account_login", "account_signup"])
def test_pages_carry_a_policy_that_allows_no_inline_script_and_have_none(client, name):
    response = client.get(reverse(name))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    page = response.content.decode()
    assert not INLINE_SCRIPT.search(page) and not INLINE_HANDLER.search(page)
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_no_template_has_inline_script_or_handlers():
    for template in (ROOT / "templates").rglob("*.html"):
        if "emails" in template.parts:
            continue
        text = template.read_text()
        assert not INLINE_SCRIPT.search(text), template
        assert not INLINE_HANDLER.search(text), template
        assert "<style" not in text and ' style="' not in text, template


def _raw_request(url: str, head: str) -> bytes:
    """Send only the head of a request and read the answer: a server that waited for the
    announced body would time out here."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        connection.sendall(head.replace("\n", "\r\n").encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
        connection.settimeout(2)
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except TimeoutError:
            pass
    return answer


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("path", "content_type", "json_answer"),
    [
        ("/api/v1/awards/", "application/json", True),
        ("/ims/ob/v3p0/credentials", "application/json", True),
        ("/staff/", "multipart/form-data; boundary=x", False),
        ("/verify/", "application/x-www-form-urlencoded", False),
    ],
)
def test_a_100_mb_body_is_refused_before_it_is_read(live_server, path, content_type, json_answer):
    host = urlsplit(live_server.url).netloc
    answer = _raw_request(
        live_server.url,
        f"POST {path} HTTP/1.1\nHost: {host}\nContent-Type: {content_type}\n"
        f"Content-Length: {100 * 1024 * 1024}\nConnection: close\n\n",
    )
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413"), head
    if json_answer:
        assert b"application/json" in head.lower()
        assert "too large" in json.dumps(json.loads(body))


NESTED = "[" * 50_000 + "]" * 50_000


@pytest.fixture
def api(world, user_with_role):
    from rest_framework.test import APIClient

    institution = world["a"]["institution"]
    admin = user_with_role(Role.ADMIN, institution=institution)
    _client, token = services.api_client_create(actor=admin, institution=institution, name="LMS")
    http = APIClient()
    http.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return http


def test_deeply_nested_json_is_answered_400_not_500(api, client, world):
    badge_class = world["a"]["badge_class"]
    url = reverse("api:award_create", args=[badge_class.public_id])
    response = api.post(url, NESTED, content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    ob3 = client.post("/ims/ob/v3p0/credentials", NESTED, content_type="application/json")
    assert ob3.status_code == 400 and ob3.json()["imsx_codeMajor"] == "failure"
    # Pasted into the verify page, in a form field: the badge is not valid, nothing breaks.
    page = client.post(reverse("public:verify"), {"text": '{"a":' * 5000 + "1" + "}" * 5000})
    assert page.status_code == 200 and "This badge is not valid." in page.content.decode()


def test_the_apis_answer_json_for_every_status(api, client):
    assert api.get("/api/v1/no-such-thing/").json() == {"detail": "This page does not exist."}
    assert api.get("/api/v1/no-such-thing/").status_code == 404
    not_allowed = api.delete(reverse("api:badge_classes"))
    assert not_allowed.status_code == 405 and "detail" in not_allowed.json()
    ob3 = client.get("/ims/ob/v3p0/no-such-thing")
    assert ob3.status_code == 404 and ob3.json()["imsx_codeMajor"] == "failure"
    assert client.get("/no-such-page/").status_code == 404
    assert "text/html" in client.get("/no-such-page/")["Content-Type"]
    # What Django answers when a view fails, for the APIs and for people.
    assert urls.handler500 == "edubadges.errors.server_error"
    failed = server_error(RequestFactory().get("/api/v1/awards/"))
    assert failed.status_code == 500 and json.loads(failed.content)["detail"]
    failed_ob3 = server_error(RequestFactory().get("/ims/ob/v3p0/credentials"))
    assert json.loads(failed_ob3.content)["imsx_codeMajor"] == "failure"
    assert b"<html" in server_error(RequestFactory().get("/staff/")).content


def test_check_deploy_with_production_settings_leaves_only_what_the_proxy_does(tmp_path):
    environment = {
        key: value
        for key, value in os.environ.items()
        # The browser tests allow Django's ORM in Playwright's event loop for this test process;
        # a production process never has that, whichever tests ran before this one.
        if key
        not in {
            "DEBUG",
            "DATABASE_URL",
            "CELERY_BROKER_URL",
            "REDIS_URL",
            "CACHE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "edubadges.settings",
            "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-enough",
            "SIGNING_KEY_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1rZXktZW5jcnlwdGlvbi1rZXktMzI=",
            "SITE_URL": "https://badges.example.org",
            "VAR_DIR": str(tmp_path),
        }
    )
    environment.pop("SIGNING_KEY_ENCRYPTION_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    reported = set(re.findall(r"\(([\w.]+\.[WE]\d+)\)", result.stdout + result.stderr))
    # The reverse proxy redirects http to https (README, "Security").
    assert reported == {"security.W008"}, result.stdout + result.stderr


def test_https_sites_send_hsts_and_keep_cookies_secure(tmp_path):
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "SIGNING_KEY_ENCRYPTION_KEY"}},
        "DJANGO_SETTINGS_MODULE": "edubadges.settings",
        "SECRET_KEY": "a-production-secret-key-that-is-long-and-random-enough",
        "SIGNING_KEY_ENCRYPTION_KEYS": "cHJvZHVjdGlvbi1rZXktZW5jcnlwdGlvbi1rZXktMzI=",
        "SITE_URL": "https://badges.example.org",
        "VAR_DIR": str(tmp_path),
    }
    show = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_PROXY_SSL_HEADER)"
    )
    result = subprocess.run(
        [sys.executable, "-c", show], cwd=ROOT, env=environment, capture_output=True, text=True
    )
    assert result.stdout.split()[:3] == ["31536000", "True", "True"], result.stderr


def test_bodies_without_files_over_five_mb_are_413_before_they_are_read(api, world):
    badge_class = world["a"]["badge_class"]
    large = json.dumps({"email": "x" * (6 * 1024 * 1024)})
    for name in ("api:award_create", "api:bulk_award_create"):
        response = api.post(
            reverse(name, args=[badge_class.public_id]),
            large,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY="large-1",
        )
        assert response.status_code == 413 and "too large" in response.json()["detail"]
