"""A full backpack reads as little as an almost empty one: the same queries, only the columns
its cards show."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from badges.models import Assertion
from tests.factories import BadgeClassFactory, UserFactory

pytestmark = pytest.mark.django_db

BLOB_COLUMNS = ("ob2_assertion", "ob2_jws", "ob3_credential", "ob3_jwt")


@pytest.fixture
def student(db):
    return UserFactory(email="ada@example.org")


def _badges(student, count: int, *, status=Assertion.Status.ISSUED, **fields) -> list[Assertion]:
    """Badges of ``student`` as rows (the signing itself is tested elsewhere)."""
    now = timezone.now()
    return [
        Assertion.objects.create(
            badge_class=BadgeClassFactory(),
            recipient=student,
            recipient_identity=student.email,
            identity_hash="sha256$" + "0" * 64,
            salt="salt",
            status=status,
            issued_on=now - timedelta(days=number),
            **fields,
        )
        for number in range(count)
    ]


def test_the_backpack_reads_as_many_queries_for_thirty_badges_as_for_one(
    client, student, django_assert_num_queries
):
    _badges(student, 1)
    client.force_login(student)
    url = reverse("backpack:list")
    client.get(url)  # the session and the language are settled
    with CaptureQueriesContext(connection) as one_badge:
        assert client.get(url).status_code == 200
    _badges(student, 25)
    _badges(student, 2, status=Assertion.Status.REVOKED, revocation_reason="Fraud")
    _badges(student, 2, expires_at=timezone.now() - timedelta(days=1))
    with django_assert_num_queries(len(one_badge)):
        page = client.get(url)
    assert page.content.decode().count('<li class="card">') == 30


def test_the_backpack_reads_no_signed_documents_or_images(client, student):
    _badges(student, 3)
    client.force_login(student)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("backpack:list"))
    listing = [
        query["sql"] for query in queries if '"badges_assertion"."issued_on"' in query["sql"]
    ]
    assert listing
    for sql in listing:
        assert not [column for column in BLOB_COLUMNS if f'."{column}"' in sql], sql


def test_a_card_shows_name_institution_status_and_links(client, student):
    [valid] = _badges(student, 1, is_public=True)
    [revoked] = _badges(student, 1, status=Assertion.Status.REVOKED, revocation_reason="Mistake")
    [expired] = _badges(student, 1, expires_at=timezone.now() - timedelta(days=1))
    _badges(student, 1, status=Assertion.Status.SIGNING)
    client.force_login(student)
    page = client.get(reverse("backpack:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    institution = valid.badge_class.issuer.faculty.institution
    assert f'href="{reverse("backpack:detail", args=[valid.public_id])}"' in page
    image = reverse("public:badge_class_image", args=[valid.badge_class.public_id])
    assert f'src="{image}"' in page
    assert valid.badge_class.name_en in page and institution.name_en in page
    assert '<span class="status-tag valid">Valid</span> <span class="status-tag">Public</span>' in (
        page
    )
    assert '<span class="status-tag revoked">Revoked</span>' in page
    assert "Reason: Mistake" in page
    assert '<span class="status-tag expired">Expired</span>' in page
    assert '<span class="status-tag pending">Being issued</span>' in page
    assert revoked.badge_class.name_en in page and expired.badge_class.name_en in page
