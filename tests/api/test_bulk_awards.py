"""Bulk awards through the REST API: a whole cohort in one request, through the same staging
and processing as a CSV upload."""

from __future__ import annotations

import pytest
from django.urls import reverse

from badges.models import Assertion, Award, BulkAward
from issuers.models import AuditEntry
from tests.awarding.factories import make_issuable

pytestmark = pytest.mark.django_db


def _url(badge_class) -> str:
    return reverse("api:bulk_award_create", args=[badge_class.public_id])


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_cohort_is_awarded_in_the_background_and_reported_with_errors_per_line(
    api_client_of, ready_world, commits
):
    http, _client, _admin = api_client_of("a")
    badge_class = ready_world["a"]["badge_class"]
    recipients = [
        {"email": "Anna@Student.example", "name": "Anna", "narrative": "Led the team"},
        {"email": "bram@student.example", "name": "Bram", "evidence_url": "https://x.example/b"},
        {"email": "not-an-email", "name": "Carla"},
        {"email": "anna@student.example", "name": "Anna again"},
        {"name": "Nobody"},
        {"email": "dirk@student.example", "evidence_url": "ftp://x.example/d"},
    ]
    with commits():
        response = http.post(
            _url(badge_class), {"recipients": recipients}, format="json", HTTP_IDEMPOTENCY_KEY="c1"
        )
    assert response.status_code == 202, response.json()
    body = response.json()
    assert response["Location"] == reverse("api:bulk_award", args=[body["id"]])
    assert body["total"] == 6
    assert body["failed"] == 4

    report = http.get(response["Location"]).json()
    assert report["status"] == BulkAward.Status.DONE
    assert (report["total"], report["awarded"], report["failed"], report["pending"]) == (6, 2, 4, 0)
    assert report["issued"] == 0  # offers wait for the students to claim them
    errors = {
        line["line"]: [error["code"] for error in line["errors"]] for line in report["errors"]
    }
    assert errors == {
        3: ["invalid_email"],
        4: ["duplicate"],
        5: ["missing_identity"],
        6: ["invalid_evidence_url"],
    }
    messages = {line["line"]: line["errors"][0]["message"] for line in report["errors"]}
    assert messages[3] == "“not-an-email” is not a valid email address."
    assert messages[4] == "Same recipient as line 1."
    awards = Award.objects.filter(badge_class=badge_class).order_by("recipient_email")
    assert [(a.recipient_email, a.recipient_name, a.status) for a in awards] == [
        ("anna@student.example", "Anna", Award.Status.OFFERED),
        ("bram@student.example", "Bram", Award.Status.OFFERED),
    ]
    assert awards[0].narrative == "Led the team"
    assert awards[1].evidence_url == "https://x.example/b"
    bulk = BulkAward.objects.get(public_id=body["id"])
    assert {award.bulk_award_id for award in awards} == {bulk.pk}
    assert AuditEntry.objects.filter(action="bulk_award_start", object_id=str(bulk.pk)).exists()


def test_the_report_counts_badges_issued_directly(api_client_of, ready_world, commits):
    make_issuable(ready_world["a"]["institution"], direct=True)
    http, _client, _admin = api_client_of("a")
    recipients = [{"email": f"s{i}@student.example"} for i in range(3)]
    with commits():
        response = http.post(
            _url(ready_world["a"]["badge_class"]),
            {"recipients": recipients},
            format="json",
            HTTP_IDEMPOTENCY_KEY="direct",
        )
    assert response.status_code == 202, response.json()
    report = http.get(response["Location"]).json()
    assert (report["awarded"], report["issued"], report["failed"]) == (3, 3, 0)
    assert Assertion.objects.filter(status=Assertion.Status.ISSUED).count() == 3


def test_a_retry_with_the_same_idempotency_key_awards_the_cohort_once(
    api_client_of, ready_world, commits
):
    http, _client, _admin = api_client_of("a")
    badge_class = ready_world["a"]["badge_class"]
    body = {"recipients": [{"email": "a@student.example"}, {"email": "b@student.example"}]}
    with commits():
        first = http.post(_url(badge_class), body, format="json", HTTP_IDEMPOTENCY_KEY="cohort-7")
    with commits():
        again = http.post(_url(badge_class), body, format="json", HTTP_IDEMPOTENCY_KEY="cohort-7")
    assert first.status_code == again.status_code == 202
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert BulkAward.objects.count() == 1
    assert Award.objects.filter(badge_class=badge_class).count() == 2
    changed = http.post(
        _url(badge_class),
        {"recipients": [{"email": "c@student.example"}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="cohort-7",
    )
    assert changed.status_code == 422


def test_a_bulk_award_without_idempotency_key_is_refused(api_client_of, ready_world):
    http, _client, _admin = api_client_of("a")
    response = http.post(
        _url(ready_world["a"]["badge_class"]),
        {"recipients": [{"email": "a@student.example"}]},
        format="json",
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not BulkAward.objects.exists()


def test_another_institutions_client_gets_404_for_the_badge_class_and_the_report(
    api_client_of, ready_world, commits
):
    http_a, _client, _admin = api_client_of("a")
    http_b, _client_b, _admin_b = api_client_of("b")
    badge_class = ready_world["a"]["badge_class"]
    body = {"recipients": [{"email": "a@student.example"}]}
    refused = http_b.post(_url(badge_class), body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert refused.status_code == 404
    assert not BulkAward.objects.exists()
    with commits():
        accepted = http_a.post(_url(badge_class), body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert accepted.status_code == 202
    assert http_b.get(accepted["Location"]).status_code == 404
    assert http_a.get(accepted["Location"]).status_code == 200


def test_when_no_recipient_can_be_awarded_nothing_is_kept_and_every_line_is_explained(
    api_client_of, ready_world
):
    http, _client, _admin = api_client_of("a")
    response = http.post(
        _url(ready_world["a"]["badge_class"]),
        {"recipients": [{"email": "nope"}, {"eppn": "", "name": "x" * 300, "email": "a@b"}]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="bad",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["recipients"] == ["No recipient can be awarded; see the errors per line."]
    assert [(line["line"], [e["code"] for e in line["errors"]]) for line in body["errors"]] == [
        (1, ["invalid_email"]),
        (2, ["too_long", "invalid_email"]),
    ]
    assert body["errors"][1]["errors"][0]["message"] == "Name is longer than 255 characters."
    assert not BulkAward.objects.exists()
    assert not Award.objects.exists()


def test_more_recipients_than_an_upload_may_hold_are_refused(api_client_of, ready_world, settings):
    settings.BULK_AWARD_MAX_ROWS = 2
    http, _client, _admin = api_client_of("a")
    response = http.post(
        _url(ready_world["a"]["badge_class"]),
        {"recipients": [{"email": f"s{i}@student.example"} for i in range(3)]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="many",
    )
    assert response.status_code == 400
    assert response.json()["recipients"] == [
        "3 recipients were sent; at most 2 can be awarded at once."
    ]
    assert not BulkAward.objects.exists()


def test_a_body_larger_than_an_upload_may_be_is_refused_before_it_is_read(
    api_client_of, ready_world, settings
):
    settings.BULK_AWARD_MAX_BYTES = 100
    http, _client, _admin = api_client_of("a")
    response = http.post(
        _url(ready_world["a"]["badge_class"]),
        {"recipients": [{"email": f"s{i}@student.example"} for i in range(10)]},
        format="json",
        HTTP_IDEMPOTENCY_KEY="big",
    )
    assert response.status_code == 413
    assert not BulkAward.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "recipients"),
        ({"recipients": []}, "recipients"),
        ({"recipients": "a@student.example"}, "recipients"),
        ({"recipients": [{"email": "a@student.example"}, "b@student.example"]}, "recipients"),
    ],
)
def test_a_malformed_body_is_refused_with_the_field_in_error(
    api_client_of, ready_world, body, field
):
    http, _client, _admin = api_client_of("a")
    response = http.post(
        _url(ready_world["a"]["badge_class"]), body, format="json", HTTP_IDEMPOTENCY_KEY="shape"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not BulkAward.objects.exists()


def test_the_openapi_schema_describes_the_bulk_award_endpoints(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()
    create = schema["paths"]["/api/v1/badge-classes/{public_id}/bulk-awards/"]["post"]
    assert "202" in create["responses"]
    assert any(parameter["name"] == "Idempotency-Key" for parameter in create["parameters"])
    report = schema["components"]["schemas"]["BulkAward"]["properties"]
    assert {"total", "awarded", "issued", "failed", "errors"} <= set(report)
    assert "/api/v1/bulk-awards/{public_id}/" in schema["paths"]
