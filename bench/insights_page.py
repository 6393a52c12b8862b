#!/usr/bin/env python
"""The insights page of an institution with 100,000 badges, served in-process.

    .venv/bin/python bench/insights_page.py --assertions 100000

On its own PostgreSQL database (``edubadges_bench_insights``, dropped, created and migrated
here) it loads one institution with ``--assertions`` awards and as many badges (issued, some
revoked, spread over twelve months and the three badge types), enrolment requests, and a
second institution with a tenth of that, all with ``bulk_create``. Then, signed in as the
institution's admin, it requests the insights page and its CSV through Django's test client
(the whole request: middleware, session, permission checks, queries, templates; no network)
and reports the median and 90th percentile time, the queries per request, and how busy the
machine was with other work while it measured (the figures are only comparable on a quiet
machine: run it again there with the same command).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

import harness

DEFAULT_DATABASE_URL = os.environ.get(
    "BENCH_INSIGHTS_DATABASE_URL",
    "postgresql://postgres:postgres@127.0.0.1:5432/edubadges_bench_insights",
)
BATCH = 5000


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assertions", type=int, default=100_000, help="badges in the institution")
    parser.add_argument("--iterations", type=int, default=20, help="timed requests per URL")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--reuse", action="store_true", help="keep the data of an earlier run")
    parser.add_argument(
        "--quiet-wait", type=float, default=60, help="seconds to wait at most for an idle machine"
    )
    parser.add_argument("--output", type=Path, default=harness.VAR_BENCH / "insights_page.json")
    return parser.parse_args()


def load(count: int) -> dict:
    """One institution with ``count`` awards and badges, another with a tenth; returns ids."""
    from django.core.files.base import ContentFile
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from badges.demo_images import badge_png
    from badges.models import Assertion, Award, BadgeClass, Enrollment
    from issuers.badge_types import BadgeType
    from issuers.models import Faculty, Institution, Issuer, Membership
    from issuers.roles import Role

    random.seed(20260101)
    now = timezone.now()
    started = time.perf_counter()

    def institution(key: str) -> list[BadgeClass]:
        school = Institution.objects.create(
            sector="hbo",
            schac_home=f"{key}.bench.example",
            name_nl=f"Bench {key}",
            name_en=f"Bench {key}",
            enabled_badge_types=list(BadgeType.values),
        )
        badge_classes = []
        for number in range(2):
            faculty = Faculty.objects.create(
                institution=school, name_nl=f"Faculteit {number}", name_en=f"Faculty {number}"
            )
            issuer = Issuer.objects.create(
                faculty=faculty,
                name_nl=f"Uitgever {number}",
                name_en=f"Issuer {number}",
                email="bench@example.org",
            )
            for badge_type in BadgeType.values:
                badge_classes.append(
                    BadgeClass.objects.create(
                        issuer=issuer,
                        badge_type=badge_type,
                        name_en=f"{badge_type} {number}",
                        description_en="Bench",
                        criteria_en="Bench",
                        image=ContentFile(badge_png((11, 92, 173)), name="bench.png"),
                    )
                )
        return badge_classes

    def fill(badge_classes: list, count: int) -> None:
        students = User.objects.bulk_create(
            [User(email=f"s{number}-{badge_classes[0].pk}@bench.example") for number in range(200)]
        )
        awards, assertions, enrolments = [], [], []
        for number in range(count):
            badge_class = badge_classes[number % len(badge_classes)]
            created = now - timedelta(days=random.uniform(0, 360))
            wait = timedelta(hours=random.expovariate(1 / 48))
            roll = random.random()
            status = (
                Award.Status.CLAIMED
                if roll < 0.8
                else Award.Status.OFFERED
                if roll < 0.88
                else Award.Status.EXPIRED
                if roll < 0.95
                else Award.Status.DECLINED
            )
            awards.append(
                Award(
                    badge_class=badge_class,
                    status=status,
                    recipient_email=f"student{number}@bench.example",
                    created_at=created,
                    offered_at=created,
                    decided_at=created + wait if status != Award.Status.OFFERED else None,
                    issued_directly=status == Award.Status.CLAIMED and roll < 0.1,
                )
            )
            revoked = random.random() < 0.02
            issued_on = created + wait
            assertions.append(
                Assertion(
                    badge_class=badge_class,
                    status=Assertion.Status.REVOKED if revoked else Assertion.Status.ISSUED,
                    identity_hash="sha256$" + "0" * 64,
                    salt="bench",
                    issued_on=issued_on,
                    revoked_at=issued_on + timedelta(days=5) if revoked else None,
                    revocation_reason="bench" if revoked else "",
                )
            )
            if number % 20 == 0:
                enrolments.append(
                    Enrollment(
                        badge_class=badge_class,
                        user=students[number % len(students)],
                        status=random.choice(["approved", "denied", "withdrawn"]),
                        created_at=created,
                    )
                )
            if len(awards) == BATCH:
                Award.objects.bulk_create(awards)
                Assertion.objects.bulk_create(assertions)
                awards, assertions = [], []
        Award.objects.bulk_create(awards)
        Assertion.objects.bulk_create(assertions)
        Enrollment.objects.bulk_create(enrolments, batch_size=BATCH)

    with transaction.atomic():
        measured = institution("measured")
        fill(measured, count)
        other = institution("other")
        fill(other, max(count // 10, 1))
        admin = User.objects.create(email="insights-admin@bench.example")
        Membership.objects.create(
            user=admin, role=Role.ADMIN, institution=measured[0].issuer.faculty.institution
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "institution": measured[0].issuer.faculty.institution_id,
        "admin": admin.pk,
        "load_seconds": round(time.perf_counter() - started, 1),
    }


def main() -> None:
    arguments = parse_arguments()
    harness.check_services(arguments.database_url, None)
    if not arguments.reuse:
        harness.ensure_database(arguments.database_url, fresh=True)
    environment = harness.bench_environment(arguments.database_url, broker_url=None)
    import subprocess

    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=harness.ROOT,
        env=environment,
        check=True,
    )
    harness.setup_django(arguments.database_url, None)
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from accounts.models import User
    from badges.models import Assertion
    from issuers.models import Institution

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    institution = Institution.objects.filter(schac_home="measured.bench.example").first()
    if institution is None:
        print(f"loading {arguments.assertions} badges ...", file=sys.stderr)
        loaded = load(arguments.assertions)
        institution = Institution.objects.get(pk=loaded["institution"])
    else:
        loaded = {"load_seconds": None}
    badges = Assertion.objects.filter(badge_class__issuer__faculty__institution=institution).count()
    client = Client()
    client.force_login(User.objects.get(email="insights-admin@bench.example"))
    urls = {
        "page": reverse("insights:scope", args=["institution", institution.pk]),
        "csv": reverse("insights:scope_csv", args=["institution", institution.pk]),
    }
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        database = cursor.fetchone()[0]  # this connection's PostgreSQL backend only
    results = {}
    for name, url in urls.items():

        def request(url=url) -> None:
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            response.content  # noqa: B018 - the whole body is rendered

        with CaptureQueriesContext(connection) as queries:
            request()
        query_count = len(queries)
        quiet = harness.wait_for_quiet(arguments.quiet_wait)
        busy_before, total_before = harness.system_cpu_seconds()
        database_before = harness.cpu_seconds(database)
        load_before = os.getloadavg()
        timing = harness.time_calls(request, arguments.iterations)
        database_cpu = harness.cpu_seconds(database) - database_before
        busy_after, total_after = harness.system_cpu_seconds()
        results[name] = {
            **timing,
            # CPU per request of this process (Python) and of PostgreSQL: what the request
            # costs, whatever else runs on the machine.
            "database_cpu_ms": round(database_cpu * 1000 / (arguments.iterations + 2), 1),
            "queries": query_count,
            "machine_busy_before": quiet,
            "machine_busy_during": round(
                (busy_after - busy_before) / max(total_after - total_before, 1e-9), 3
            ),
            "load_average_before": [round(value, 2) for value in load_before],
            "load_average_after": [round(value, 2) for value in os.getloadavg()],
        }
    report = {
        "machine": harness.machine_facts(),
        "software": harness.software_versions(["Django", "psycopg2-binary", "psycopg"]),
        "command": " ".join(["bench/insights_page.py", *sys.argv[1:]]),
        "badges_in_institution": badges,
        "load_seconds": loaded["load_seconds"],
        "results": results,
    }
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        report["software"]["postgresql"] = cursor.fetchone()[0]
    harness.write_json(arguments.output, report)
    print(f"{badges} badges in the institution; data loaded in {loaded['load_seconds']} s")
    print(
        harness.table(
            [
                (
                    name,
                    result["median_ms"],
                    result["p90_ms"],
                    result["cpu_median_ms"],
                    result["database_cpu_ms"],
                    result["queries"],
                    f"{result['machine_busy_during']:.0%}",
                    " ".join(str(value) for value in result["load_average_before"]),
                )
                for name, result in results.items()
            ],
            [
                "request",
                "median ms",
                "p90 ms",
                "Python CPU ms",
                "PostgreSQL CPU ms",
                "queries",
                "busy",
                "load avg",
            ],
        )
    )
    print(f"JSON: {arguments.output}")


if __name__ == "__main__":
    main()
