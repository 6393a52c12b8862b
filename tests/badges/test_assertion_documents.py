"""The signed documents and baked images live beside the assertion, with the stored public
answers (bytes and ETag) that a conditional request is checked against."""

from __future__ import annotations

import json

import pytest
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from badges import issuing, published
from badges.models import Assertion, AssertionDocuments
from tests.factories import BadgeClassFactory, UserFactory

BEFORE = ("badges", "0007_endorsement")
AFTER = ("badges", "0010_remove_assertion_documents_from_assertion")
JSON = {"HTTP_ACCEPT": "application/ld+json"}


def test_the_assertion_row_that_lists_read_carries_no_document_or_image():
    heavy = [
        field.name
        for field in Assertion._meta.concrete_fields
        if isinstance(field, models.BinaryField | models.JSONField)
    ]
    assert heavy == []


@pytest.mark.django_db
def test_signing_stores_the_exact_public_answers_and_their_etags(client, issue):
    assertion = issue()
    stored = AssertionDocuments.objects.get(pk=assertion.pk)

    hosted = client.get(reverse("public:assertion", args=[assertion.public_id]), **JSON)
    assert hosted.status_code == 200
    assert hosted.content == bytes(stored.ob2_body)
    assert hosted["ETag"] == stored.ob2_etag == published.etag_for(bytes(stored.ob2_body))
    assert json.loads(bytes(stored.ob2_body)) == stored.ob2_assertion

    credential = client.get(reverse("public:credential", args=[assertion.public_id]))
    assert credential.status_code == 200
    assert credential.content == bytes(stored.ob3_body)
    assert credential["ETag"] == stored.ob3_etag
    assert json.loads(bytes(stored.ob3_body)) == stored.ob3_credential


@pytest.mark.django_db
def test_a_conditional_request_is_answered_304_without_loading_the_documents(client, issue):
    assertion = issue()
    etag = AssertionDocuments.objects.get(pk=assertion.pk).ob2_etag
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            reverse("public:assertion", args=[assertion.public_id]),
            HTTP_IF_NONE_MATCH=etag,
            **JSON,
        )
    assert response.status_code == 304 and response["ETag"] == etag
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    for column in ("ob2_assertion", "ob3_credential", "ob2_jws"):
        assert column not in sql


@pytest.mark.django_db
def test_revoking_stores_the_revocation_notice_with_a_new_etag(client, issue):
    assertion = issue()
    before = AssertionDocuments.objects.get(pk=assertion.pk).ob2_etag
    issuing.assertion_revoke(
        actor=UserFactory(is_superuser=True), assertion=assertion, reason="issued in error"
    )
    stored = AssertionDocuments.objects.get(pk=assertion.pk)
    assert stored.ob2_etag != before
    assert json.loads(bytes(stored.ob2_body))["revoked"] is True

    response = client.get(
        reverse("public:assertion", args=[assertion.public_id]),
        HTTP_IF_NONE_MATCH=before,
        **JSON,
    )
    assert response.status_code == 410
    assert response.content == bytes(stored.ob2_body)
    assert response.json()["revocationReason"] == "issued in error"


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_the_documents_of_existing_assertions():
    badge_class = BadgeClassFactory(microcredential=True)
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old_assertion = executor.loader.project_state([BEFORE]).apps.get_model("badges", "Assertion")
    hosted = {"id": "https://example.org/a", "type": "Assertion", "naïve": "ü"}
    credential = {"id": "https://example.org/c", "type": ["VerifiableCredential"]}
    signed = old_assertion.objects.create(
        badge_class_id=badge_class.pk,
        status="issued",
        identity_hash="sha256$x",
        salt="s",
        ob2_assertion=hosted,
        ob2_jws="header.payload.signature",
        ob3_credential=credential,
        ob3_jwt="a.b.c",
        baked_png=b"\x89PNG baked",
        baked_svg=b"<svg/>",
        baked_svg_credential=b"<svg>3</svg>",
    )
    revoked = old_assertion.objects.create(
        badge_class_id=badge_class.pk,
        status="revoked",
        identity_hash="sha256$y",
        salt="t",
        ob2_assertion=hosted,
        ob3_credential=credential,
    )
    pending = old_assertion.objects.create(
        badge_class_id=badge_class.pk, status="pending", identity_hash="sha256$z", salt="u"
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    moved = AssertionDocuments.objects.get(pk=signed.pk)
    assert (moved.ob2_assertion, moved.ob3_credential) == (hosted, credential)
    assert (moved.ob2_jws, moved.ob3_jwt) == ("header.payload.signature", "a.b.c")
    assert json.loads(bytes(moved.ob2_body)) == hosted
    assert moved.ob2_etag == published.etag_for(bytes(moved.ob2_body))
    assert json.loads(bytes(moved.ob3_body)) == credential
    # A revoked badge's notice is built when first asked for.
    assert AssertionDocuments.objects.get(pk=revoked.pk).ob2_body is None
    assert not AssertionDocuments.objects.filter(pk=pending.pk).exists()
    assert Assertion.objects.get(pk=signed.pk).ob3_jwt == "a.b.c"
