"""A broker outage never turns a stored award into an error.

The portal runs under gunicorn with a broker URL where nothing listens; a real worker and
Celery beat run on the real broker. Awarding on the staff page, through the API and claiming
all answer success, store their rows and log that queueing failed; once the outage is over
the sweeps queue the rows again and the worker signs the badges and sends the emails.
"""

from __future__ import annotations

import json
import os
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api import services as api_services
from badges.awarding import awards
from badges.models import Assertion, Award
from issuers.roles import Role
from notifications.models import Notification
from privacy.models import ConsentRecord, RecordKind
from tests.factories import BadgeClassFactory, MembershipFactory, UserFactory
from tests.stack import Browser, free_port, wait_until

from .factories import make_issuable

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def campus(world):
    institution = world["a"]["institution"]
    statements = make_issuable(institution, direct=True)
    issuer = world["a"]["issuer"]
    awarder = UserFactory(email="awarder@campus.example")
    MembershipFactory(user=awarder, issuer=issuer, role=Role.AWARDER)
    admin = UserFactory(email="admin@campus.example")
    MembershipFactory(user=admin, institution=institution, role=Role.ADMIN)
    return {
        "institution": institution,
        "statements": statements,
        "awarder": awarder,
        "admin": admin,
        # Extra-curricular (a public task, issued directly on award) and a microcredential
        # (consent: offered, then claimed).
        "direct": world["a"]["badge_class"],
        "offered": BadgeClassFactory(issuer=issuer, microcredential=True),
    }


def _dead_broker() -> str:
    return f"redis://127.0.0.1:{free_port()}/0"


def test_awarding_and_claiming_succeed_while_the_broker_is_down(
    campus, start_web, celery_beat, celery_worker_process
):
    # Only the broker is down; the shared cache of the rate limits lives elsewhere.
    web_url, web = start_web(
        CELERY_BROKER_URL=_dead_broker(), CACHE_URL=os.environ["CELERY_BROKER_URL"]
    )

    # The staff page: a direct award creates the award and the badge waiting for signing.
    staff = Browser.signed_in(web_url, campus["awarder"])
    status, headers, body = staff.post(
        reverse("staff:award_create", args=[campus["direct"].pk]),
        form={"email": "page@student.example", "recipient_name": "Page Student"},
    )
    assert status == 302, web.output()
    award_page = headers["Location"]
    assert re.fullmatch(r"/staff/awards/\d+/", award_page)
    status, _headers, body = staff.get(award_page)
    assert status == 200 and "page@student.example" in body

    # The API, with an idempotency key: 201, and a retry gets the same answer.
    _client, token = api_services.api_client_create(
        actor=campus["admin"], institution=campus["institution"], name="LMS"
    )
    api = Browser(web_url)
    request = {
        "json_body": json.dumps({"email": "api@student.example"}).encode(),
        "headers": {"Authorization": f"Bearer {token}", "Idempotency-Key": "outage-1"},
    }
    award_url = reverse("api:award_create", args=[campus["direct"].public_id])
    status, _headers, first = api.post(award_url, **request)
    assert status == 201, web.output()
    status, headers, again = api.post(award_url, **request)
    assert (status, json.loads(again)) == (201, json.loads(first))
    assert headers.get("Idempotent-Replayed") == "true"

    # The claim of an offered microcredential by a student who consented.
    student = UserFactory(email="claimer@student.example")
    statement = campus["statements"]["microcredential"]
    ConsentRecord.objects.create(
        user=student,
        statement=statement,
        institution=campus["institution"],
        badge_type="microcredential",
        legal_basis=statement.policy.legal_basis,
        kind=RecordKind.CONSENT,
    )
    offer = awards.award_create(
        actor=campus["awarder"], badge_class=campus["offered"], email=student.email
    )
    status, headers, body = Browser.signed_in(web_url, student).post(
        reverse("students:claim", args=[offer.claim_token]), form={}
    )
    assert (status, headers.get("Location")) == (302, reverse("backpack:list")), web.output()

    # Everything is stored and waits for signing; nothing was queued, and the log says so.
    assertions = Assertion.objects.filter(
        recipient_identity__in=["page@student.example", "api@student.example", student.email]
    )
    assert assertions.count() == 3
    assert set(assertions.values_list("status", flat=True)) == {Assertion.Status.PENDING}
    assert Award.objects.get(pk=offer.pk).status == Award.Status.CLAIMED
    assert "Could not queue badges.tasks.sign_assertion" in web.output()
    assert "Traceback" in web.output() and "Internal Server Error" not in web.output()

    # The outage is over (as if the sweeps' grace period had passed): beat's sweeps queue
    # the waiting rows again and the worker signs every badge and sends every email.
    earlier = timezone.now() - timedelta(hours=1)
    assertions.update(updated_at=earlier)
    Notification.objects.filter(status=Notification.Status.QUEUED).update(updated_at=earlier)
    wait_until(
        lambda: set(assertions.values_list("status", flat=True)) == {Assertion.Status.ISSUED},
        timeout=120,
        what="the sweep and the worker to sign the badges",
    )
    unsent = Notification.objects.exclude(
        status__in=[Notification.Status.SENT, Notification.Status.SKIPPED]
    )
    wait_until(
        lambda: not unsent.exists(),
        timeout=120,
        what="the sweep and the worker to send the emails",
    )
