"""Concurrent requests with one Idempotency-Key: twenty at once against a live server on
PostgreSQL all get the first answer, and a different body with the key is always 422."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request

import pytest
from django.db import connection
from django.urls import reverse

from api import services
from api.models import IdempotencyRecord
from badges.models import Award
from issuers.roles import Role
from tests.factories import BadgeClassFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

REQUESTS = 20


@pytest.fixture
def api(live_server, world):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite has one writer)")
    from tests.awarding.factories import make_issuable

    institution = world["a"]["institution"]
    make_issuable(institution)
    admin = UserFactory()
    MembershipFactory(user=admin, institution=institution, role=Role.ADMIN)
    _client, token = services.api_client_create(actor=admin, institution=institution, name="LMS")
    # Consent-based: every award is an offer, so the requests do not wait for signing.
    badge_class = BadgeClassFactory(issuer=world["a"]["issuer"], microcredential=True)
    return {
        "url": live_server.url + reverse("api:award_create", args=[badge_class.public_id]),
        "token": token,
        "badge_class": badge_class,
    }


def _post_all(api, bodies: list[dict], key: str) -> list[tuple[int, dict]]:
    """Send every body at the same moment, each from its own thread."""
    start = threading.Barrier(len(bodies))
    answers: list[tuple[int, dict] | None] = [None] * len(bodies)

    def send(index: int) -> None:
        request = urllib.request.Request(
            api["url"],
            data=json.dumps(bodies[index]).encode(),
            method="POST",
            headers={
                "Authorization": f"Bearer {api['token']}",
                "Idempotency-Key": key,
                "Content-Type": "application/json",
            },
        )
        start.wait()
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                answers[index] = (response.status, json.loads(response.read()))
        except urllib.error.HTTPError as error:
            answers[index] = (error.code, json.loads(error.read()))

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert None not in answers
    return answers  # type: ignore[return-value]


def test_twenty_concurrent_requests_with_one_key_all_get_the_first_answer(api):
    body = {"email": "concurrent@student.example", "recipient_name": "Con Current"}
    answers = _post_all(api, [body] * REQUESTS, key="same-key")
    statuses = [status for status, _body in answers]
    assert statuses == [201] * REQUESTS, answers
    assert len({json.dumps(answer, sort_keys=True) for _status, answer in answers}) == 1
    assert Award.objects.filter(badge_class=api["badge_class"]).count() == 1
    assert IdempotencyRecord.objects.filter(key="same-key").count() == 1


def test_different_bodies_with_one_key_get_422_except_the_first(api):
    bodies = [{"email": f"student{n}@student.example"} for n in range(REQUESTS)]
    answers = _post_all(api, bodies, key="shared-key")
    statuses = sorted(status for status, _body in answers)
    assert statuses == [201] + [422] * (REQUESTS - 1), answers
    created = next(answer for status, answer in answers if status == 201)
    award = Award.objects.get(badge_class=api["badge_class"])
    assert str(award.public_id) == created["id"]
    # Later, too: the key stays bound to the first request.
    later = _post_all(api, [{"email": "late@student.example"}], key="shared-key")
    assert later[0][0] == 422
