"""A Redis outage never turns a stored award into an error, nor takes sign-in down.

The portal runs under gunicorn with Redis URLs where nothing listens, for the broker and for
the shared cache of the rate limits; a real worker and Celery beat run on the real broker.
Signing in, the public badge page, awarding on the staff page, through the API and claiming
all answer success; the cache's work goes to the database, the rows wait and the log says
that queueing failed; once the outage is over the sweeps queue the rows again and the worker
signs the badges and sends the emails.
"""

from __future__ import annotations

import json
import re
import time
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
from tests.factories import PASSWORD, BadgeClassFactory, MembershipFactory, UserFactory
from tests.stack import Browser, free_port, silent_server, wait_until

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


def test_signing_in_awarding_and_claiming_succeed_while_redis_is_down(
    campus, start_web, celery_beat, celery_worker_process, issue
):
    # Redis is down for the web process: broker and shared cache alike.
    redis_down = f"redis://127.0.0.1:{free_port()}"
    web_url, web = start_web(CELERY_BROKER_URL=f"{redis_down}/0", CACHE_URL=f"{redis_down}/1")

    # Signing in with a password counts the attempt in the shared cache.
    page = Browser(web_url)
    status, _headers, body = page.get(reverse("account_login"))
    assert status == 200, web.output()
    student = UserFactory(email="signing.in@student.example")
    status, headers, _body = page.post(
        reverse("account_login"), form={"login": student.email, "password": PASSWORD}
    )
    assert status == 302 and reverse("account_login") not in headers["Location"], web.output()
    assert "the database cache stands in" in web.output()

    # A badge's public page, for people and for verifiers.
    issued = issue(email="public@student.example")
    public_page = reverse("public:assertion", args=[issued.public_id])
    status, _headers, body = Browser(web_url).get(public_page, headers={"Accept": "text/html"})
    assert status == 200, web.output()
    status, _headers, body = Browser(web_url).get(
        public_page, headers={"Accept": "application/ld+json"}
    )
    assert (status, json.loads(body)["id"]) == (200, issued.ob2_assertion["id"]), web.output()

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
    assertions.update(updated_at=earlier, queued_at=earlier)
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


@pytest.mark.parametrize("kind", ["drops", "mute"])
def test_a_redis_host_that_never_answers_holds_no_request_for_long(campus, start_web, kind):
    """Broker and cache on a host that drops every packet (or accepts and never answers):
    each request waits about a second on the broker, half a second once on the cache."""
    with silent_server(kind) as port:
        web_url, web = start_web(
            CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/0",
            CACHE_URL=f"redis://127.0.0.1:{port}/1",
        )

        def timed(browser: Browser, path: str, **kwargs):
            started = time.monotonic()
            answer = browser.post(path, timeout=15, **kwargs)
            return time.monotonic() - started, answer

        staff = Browser.signed_in(web_url, campus["awarder"])
        durations = []
        for number in range(2):
            took, (status, _headers, _body) = timed(
                staff,
                reverse("staff:award_create", args=[campus["direct"].pk]),
                form={"email": f"page{number}@student.example"},
            )
            assert status == 302, web.output()
            durations.append(took)

        _client, token = api_services.api_client_create(
            actor=campus["admin"], institution=campus["institution"], name="LMS"
        )
        took, (status, _headers, _body) = timed(
            Browser(web_url),
            reverse("api:award_create", args=[campus["direct"].public_id]),
            json_body=json.dumps({"email": "api@student.example"}).encode(),
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "silent-1"},
        )
        assert status == 201, web.output()
        durations.append(took)

    # Without bounded timeouts each request hangs until the client gives up (15 s); the bound
    # leaves room for a machine that is busy with other work.
    assert max(durations) < 10, (durations, web.output())
    assert web.output().count("Could not queue badges.tasks.sign_assertion") == 3
    waiting = Assertion.objects.filter(recipient_identity__endswith="@student.example")
    assert list(waiting.values_list("status", flat=True)) == [Assertion.Status.PENDING] * 3
