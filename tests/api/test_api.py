"""The REST API for learning and student information systems."""

from __future__ import annotations

import pytest
from django.urls import reverse

from api import services
from api.models import ApiClient
from badges.models import Award
from issuers.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _award_url(badge_class) -> str:
    return reverse("api:award_create", args=[badge_class.public_id])


def test_a_client_sees_only_its_own_institutions_badge_classes(api_client_of, ready_world):
    http, _client, _admin = api_client_of("a")
    ids = {row["id"] for row in http.get(reverse("api:badge_classes")).json()["results"]}
    assert ids == {str(ready_world["a"]["badge_class"].public_id)}
    other = ready_world["b"]["badge_class"]
    assert http.get(reverse("api:badge_class", args=[other.public_id])).status_code == 404
    response = http.post(
        _award_url(other), {"email": "x@example.org"}, format="json", HTTP_IDEMPOTENCY_KEY="k1"
    )
    assert response.status_code == 404
    assert not Award.objects.filter(badge_class=other).exists()


def test_award_with_idempotency_key_is_created_once(
    api_client_of, ready_world, django_capture_on_commit_callbacks
):
    http, _client, _admin = api_client_of("a")
    badge_class = ready_world["a"]["badge_class"]
    body = {"email": "student@example.org", "recipient_name": "Sam"}
    with django_capture_on_commit_callbacks(execute=True):
        first = http.post(
            _award_url(badge_class), body, format="json", HTTP_IDEMPOTENCY_KEY="award-42"
        )
    assert first.status_code == 201, first.json()
    again = http.post(_award_url(badge_class), body, format="json", HTTP_IDEMPOTENCY_KEY="award-42")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Award.objects.filter(badge_class=badge_class).count() == 1
    different = http.post(
        _award_url(badge_class),
        {"email": "other@example.org"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="award-42",
    )
    assert different.status_code == 422
    award = http.get(reverse("api:award", args=[first.json()["id"]])).json()
    assert award["recipient_email"] == "student@example.org"


def test_awarding_needs_an_idempotency_key_and_valid_input(api_client_of, ready_world):
    http, _client, _admin = api_client_of("a")
    badge_class = ready_world["a"]["badge_class"]
    assert (
        http.post(_award_url(badge_class), {"email": "s@example.org"}, format="json").status_code
        == 400
    )
    bad = http.post(
        _award_url(badge_class), {"email": "not-an-email"}, format="json", HTTP_IDEMPOTENCY_KEY="k2"
    )
    assert bad.status_code == 400 and "email" in bad.json()
    # A refused request stores nothing: the corrected retry with the same key succeeds.
    fixed = http.post(
        _award_url(badge_class),
        {"email": "s@example.org"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k2",
    )
    assert fixed.status_code == 201


def test_business_rules_come_back_as_field_errors(api_client_of, ready_world):
    http, _client, _admin = api_client_of("a")
    badge_class = ready_world["a"]["badge_class"]
    http.post(
        _award_url(badge_class),
        {"email": "s@example.org"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="one",
    )
    twice = http.post(
        _award_url(badge_class),
        {"email": "s@example.org"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="two",
    )
    assert twice.status_code == 400
    assert "email" in twice.json()


def test_forged_and_revoked_tokens_are_refused(api_client_of, ready_world):
    from rest_framework.test import APIClient

    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Bearer eb_forged-token")
    assert forged.get(reverse("api:badge_classes")).status_code == 401
    assert APIClient().get(reverse("api:badge_classes")).status_code == 401
    http, client, admin = api_client_of("a")
    services.api_client_revoke(actor=admin, client=client)
    assert http.get(reverse("api:badge_classes")).status_code == 401


def test_a_client_limited_to_an_issuer_cannot_award_elsewhere(api_client_of, ready_world):
    from tests.factories import BadgeClassFactory, IssuerFactory

    world = ready_world["a"]
    other_issuer = IssuerFactory(faculty=world["faculty"])
    other_badge = BadgeClassFactory(issuer=other_issuer)
    http, _client, _admin = api_client_of("a", issuer=world["issuer"])
    assert (
        http.post(
            _award_url(other_badge),
            {"email": "s@example.org"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="x",
        ).status_code
        == 404
    )


def test_withdraw_an_award(api_client_of, ready_world):
    http, _client, _admin = api_client_of("a")
    created = http.post(
        _award_url(ready_world["a"]["badge_class"]),
        {"email": "s@example.org"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="w",
    )
    response = http.post(
        reverse("api:award_withdraw", args=[created.json()["id"]]),
        {"reason": "Sent by mistake"},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


def test_openapi_schema_is_public_and_describes_awarding(client):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    schema = response.json()
    assert "/api/v1/badge-classes/{public_id}/awards/" in schema["paths"]


def test_institution_admin_manages_clients_and_sees_the_token_once(
    client, ready_world, user_with_role
):
    institution = ready_world["a"]["institution"]
    admin = user_with_role(Role.ADMIN, institution=institution)
    client.force_login(admin)
    url = reverse("api_staff:clients", args=[institution.pk])
    page = client.post(url, {"name": "Brightspace"}).content.decode()
    api_client = ApiClient.objects.get(institution=institution)
    assert "shown only once" in page and api_client.token_prefix in page
    assert api_client.token_prefix not in api_client.token_hash
    assert "shown only once" not in client.get(url).content.decode()
    client.force_login(user_with_role(Role.ADMIN, institution=ready_world["b"]["institution"]))
    assert client.get(url).status_code == 404
    revoke = reverse("api_staff:client_revoke", args=[institution.pk, api_client.public_id])
    assert client.post(revoke).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
