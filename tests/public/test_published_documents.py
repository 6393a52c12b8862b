"""The hosted assertion and the credential JSON are answered from their stored bytes before
the page middleware: one query, the same security headers, no language variation, and a
revocation visible at the next request."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from badges import issuing
from badges.models import AssertionDocuments
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/ld+json"}
# Headers that describe this answer rather than protect it.
OWN_HEADERS = {
    "content-type",
    "content-length",
    "etag",
    "vary",
    "cache-control",
    "content-language",
    "set-cookie",
    "expires",
    "last-modified",
}


@pytest.fixture
def assertion(issue):
    return issue()


def _urls(assertion) -> dict[str, str]:
    return {
        "hosted": reverse("public:assertion", args=[assertion.public_id]),
        "credential": reverse("public:credential", args=[assertion.public_id]),
    }


def test_each_document_is_one_query_of_its_stored_bytes(
    client, assertion, django_assert_num_queries
):
    stored = AssertionDocuments.objects.get(pk=assertion.pk)
    urls = _urls(assertion)
    client.get(urls["hosted"], **JSON)  # PostgreSQL: the lookup is prepared once per connection
    client.get(urls["credential"])
    with django_assert_num_queries(1):
        hosted = client.get(urls["hosted"], **JSON)
    with django_assert_num_queries(1):
        credential = client.get(urls["credential"])
    assert hosted.status_code == credential.status_code == 200
    assert hosted.content == bytes(stored.ob2_body) and hosted["ETag"] == stored.ob2_etag
    assert credential.content == bytes(stored.ob3_body) and credential["ETag"] == stored.ob3_etag
    assert hosted["Content-Type"] == "application/ld+json; charset=utf-8"
    assert credential["Content-Type"] == "application/vc+ld+json; charset=utf-8"


def test_a_conditional_request_reads_only_the_stored_etag(client, assertion):
    for name, url in _urls(assertion).items():
        etag = client.get(url, **JSON)["ETag"]
        client.get(url, HTTP_IF_NONE_MATCH=etag, **JSON)  # prepared once per connection
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, HTTP_IF_NONE_MATCH=etag, **JSON)
        assert response.status_code == 304, name
        assert response["ETag"] == etag
        assert response.content == b""
        [query] = queries.captured_queries
        assert "_body" not in query["sql"], query["sql"]


def test_json_varies_on_accept_only_and_sets_no_cookie(client, assertion):
    for url in _urls(assertion).values():
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="nl", **JSON)
        assert response["Vary"] == "Accept"
        assert "Content-Language" not in response
        assert not response.cookies
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "public" in response["Cache-Control"]


@pytest.mark.parametrize("secure", [False, True])
def test_the_security_headers_are_those_of_every_other_json_answer(
    client, assertion, settings, secure
):
    settings.SECURE_HSTS_SECONDS = 3600
    badge_class = client.get(
        reverse("public:badge_class", args=[assertion.badge_class.public_id]),
        secure=secure,
        **JSON,
    )
    assert badge_class.status_code == 200
    expected = {
        name.lower(): value
        for name, value in badge_class.headers.items()
        if name.lower() not in OWN_HEADERS
    }
    assert "x-content-type-options" in expected and "referrer-policy" in expected
    assert ("strict-transport-security" in expected) is secure
    for url in _urls(assertion).values():
        response = client.get(url, secure=secure, **JSON)
        served = {
            name.lower(): value
            for name, value in response.headers.items()
            if name.lower() not in OWN_HEADERS
        }
        assert served == expected, url


def test_a_revocation_is_visible_at_the_next_request(client, assertion):
    urls = _urls(assertion)
    first = client.get(urls["hosted"], **JSON)
    assert first.status_code == 200
    issuing.assertion_revoke(
        actor=UserFactory(is_superuser=True), assertion=assertion, reason="Plagiarism"
    )
    again = client.get(urls["hosted"], HTTP_IF_NONE_MATCH=first["ETag"], **JSON)
    assert again.status_code == 410
    assert again.json()["revoked"] is True and again.json()["revocationReason"] == "Plagiarism"
    assert again["ETag"] != first["ETag"]


def test_pages_and_badges_without_a_stored_answer_go_to_the_views(client, assertion):
    page = client.get(_urls(assertion)["hosted"], HTTP_ACCEPT="text/html")
    assert page.status_code == 200 and page["Content-Type"].startswith("text/html")
    AssertionDocuments.objects.filter(pk=assertion.pk).update(ob2_body=None, ob2_etag="")
    built = client.get(_urls(assertion)["hosted"], **JSON)
    assert built.status_code == 200 and built.json()["id"].endswith(assertion.public_id)
    missing = client.get(reverse("public:assertion", args=["nosuchbadge"]), **JSON)
    assert missing.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_prepared_lookup_the_database_session_lost_is_prepared_again(client, assertion):
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are used on PostgreSQL")
    url = _urls(assertion)["hosted"]
    assert client.get(url, **JSON).status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")  # as DISCARD ALL or a pooler would
    again = client.get(url, **JSON)
    assert again.status_code == 200
    assert again.content == bytes(AssertionDocuments.objects.get(pk=assertion.pk).ob2_body)


def test_the_stored_bytes_are_the_documents_as_python_indents_them(assertion):
    import json

    from badges.published import json_body

    documents = AssertionDocuments.objects.get(assertion=assertion)
    for body in (documents.ob2_body, documents.ob3_body):
        # Read in the body's own key order (a jsonb column keeps its own).
        document = json.loads(bytes(body))
        assert bytes(body) == json.dumps(document, ensure_ascii=False, indent=2).encode()
        assert json_body(document) == bytes(body)
    for document in (
        {"name": 'Café ✓ \u2028 \x01 "q" \\ </script>', "e": {}, "l": [], "n": 2.5},
        {"beyond 64 bits": 2**70},
    ):
        assert json_body(document) == json.dumps(document, ensure_ascii=False, indent=2).encode()
