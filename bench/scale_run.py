#!/usr/bin/env python
"""Speed at scale: one issuer with 100,000 badges, one student with 200, against small ones.

    .venv/bin/python bench/scale_run.py --assertions 100000 --backpack 200

On its own PostgreSQL database (``edubadges_bench_scale``, dropped, created and migrated here
unless ``--reuse``) it loads, with ``bulk_create``, an issuer whose badge class holds
``--assertions`` awards and badges, a second issuer with a handful, and a student holding
``--backpack`` badges of twenty badge classes (each with the signed documents and baked
images of a real signed badge, copied). Then, in this process, through Django's test client
(the whole request: middleware, session, permissions, queries, templates; no network), it
times each page ``--iterations`` times and counts its queries (all of it ``--runs`` times;
the summary gives the median and range over the runs):

- the student's backpack with ``--backpack`` badges, against a backpack with one badge;
- the staff list of awards and badges of the big badge class (first page, and a deep page:
  the rows the next-to-last page held when the lists had page numbers, reached through the
  position of the row before them), against the same list of the small one;
- the hosted OB 2.0 assertion JSON of a badge in the big issuer and in the small one;
- issuing: ``assertion_sign`` (build, sign, bake, store, audit) of ``--sign`` pending badges
  in the big badge class and in the small one.

Each scale figure comes with its small counterpart and their ratio: "no slowdown" is a
ratio near 1 and the same number of queries. Prints a table, writes JSON
(``var/bench/scale_run.json`` unless ``--output``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import harness

DEFAULT_DATABASE_URL = os.environ.get(
    "BENCH_SCALE_DATABASE_URL",
    "postgresql://postgres:postgres@127.0.0.1:5432/edubadges_bench_scale",
)
BATCH = 5000
BIG = "scale-big.bench.example"


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assertions", type=int, default=100_000, help="badges of the big issuer")
    parser.add_argument("--backpack", type=int, default=200, help="badges of the student")
    parser.add_argument("--iterations", type=int, default=30, help="timed requests per page")
    parser.add_argument("--sign", type=int, default=10, help="badges signed per issuer")
    parser.add_argument("--runs", type=int, default=3, help="repetitions of the measurements")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--reuse", action="store_true", help="keep the data of an earlier run")
    parser.add_argument(
        "--quiet-wait", type=float, default=60, help="seconds to wait at most for an idle machine"
    )
    parser.add_argument("--output", type=Path, default=harness.VAR_BENCH / "scale_run.json")
    return parser.parse_args()


# --- data ---------------------------------------------------------------------------------------


def _issuer(key: str):
    from django.core.files.base import ContentFile

    from badges.demo_images import badge_png
    from badges.models import BadgeClass
    from issuers.badge_types import BadgeType
    from issuers.models import Faculty, Institution, Issuer
    from privacy.models import LegalBasis, PrivacyPolicy, PrivacyStatement

    school = Institution.objects.create(
        sector="hbo",
        schac_home=key,
        name_nl=f"Bench {key}",
        name_en=f"Bench {key}",
        enabled_badge_types=list(BadgeType.values),
    )
    faculty = Faculty.objects.create(institution=school, name_nl="Faculteit", name_en="Faculty")
    issuer = Issuer.objects.create(
        faculty=faculty, name_nl="Uitgever", name_en="Issuer", email="bench@example.org"
    )
    policy = PrivacyPolicy.objects.create(
        institution=school, badge_type=BadgeType.EXTRACURRICULAR, legal_basis=LegalBasis.PUBLIC_TASK
    )
    PrivacyStatement.objects.create(
        policy=policy,
        version=1,
        text_nl="Bench",
        text_en="Bench",
        excerpt_nl="Bench",
        excerpt_en="Bench",
    )
    badge_classes = [
        BadgeClass.objects.create(
            issuer=issuer,
            badge_type=BadgeType.EXTRACURRICULAR,
            name_nl=f"Badge {number}",
            name_en=f"Badge {number}",
            description_en="Bench",
            criteria_en="Bench",
            image=ContentFile(badge_png((11, 92, 173)), name="bench.png"),
        )
        for number in range(20)
    ]
    return issuer, badge_classes


def _rows(badge_class, count: int, *, prefix: str, student=None) -> list:
    """``count`` claimed awards with their issued badges (rows only, no documents)."""
    from django.utils import timezone

    from badges.models import Assertion, Award

    now = timezone.now()
    made = []
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        awards = Award.objects.bulk_create(
            Award(
                badge_class=badge_class,
                status=Award.Status.CLAIMED,
                recipient_email=f"{prefix}{number}@student.example",
                recipient_name=f"Student {number}",
                recipient=student,
                created_at=now - timedelta(minutes=number),
                offered_at=now - timedelta(minutes=number),
                decided_at=now - timedelta(minutes=number),
            )
            for number in range(start, start + size)
        )
        made += Assertion.objects.bulk_create(
            Assertion(
                badge_class=badge_class,
                award=award,
                recipient=student,
                status=Assertion.Status.ISSUED,
                recipient_identity=award.recipient_email,
                recipient_name=award.recipient_name,
                identity_hash="sha256$" + "0" * 64,
                salt="bench",
                issued_on=award.created_at,
            )
            for award in awards
        )
    return made


def _copy_documents(source, targets: list) -> None:
    """Give ``targets`` the signed documents of ``source`` (sizes as real)."""
    from badges.models import AssertionDocuments

    original = AssertionDocuments.objects.get(assertion=source)
    fields = [
        field.name
        for field in AssertionDocuments._meta.concrete_fields
        if field.name not in ("assertion", "updated_at")
    ]
    AssertionDocuments.objects.bulk_create(
        [
            AssertionDocuments(
                assertion=target, **{name: getattr(original, name) for name in fields}
            )
            for target in targets
        ],
        batch_size=500,
    )


def load(arguments: argparse.Namespace) -> dict:
    from django.db import connection, transaction

    from accounts.models import User
    from badges import issuing
    from badges.models import Assertion
    from issuers.models import Membership
    from issuers.roles import Role

    started = time.perf_counter()
    with transaction.atomic():
        big_issuer, big_classes = _issuer(BIG)
        small_issuer, small_classes = _issuer("scale-small.bench.example")
        _rows(big_classes[0], arguments.assertions, prefix="big")
        _rows(small_classes[0], 200, prefix="small")
        student = User.objects.create(email="scale-student@bench.example", first_name="Sam")
        single = User.objects.create(email="scale-single@bench.example", first_name="Sol")
        admin = User.objects.create(email="scale-admin@bench.example", is_superuser=True)
        for issuer in (big_issuer, small_issuer):
            Membership.objects.create(
                user=admin, role=Role.ADMIN, institution=issuer.faculty.institution
            )
    # One real signed badge of the student; the others get copies of its documents.
    signed = issuing.assertion_create(
        actor=admin, badge_class=big_classes[1], email=student.email, recipient=student
    )
    issuing.assertion_sign(assertion_id=signed.pk)
    signed = Assertion.objects.get(pk=signed.pk)
    with transaction.atomic():
        held = []
        per_class = max(1, (arguments.backpack - 1) // 19 + 1)
        for badge_class in big_classes[1:]:
            room = arguments.backpack - 1 - len(held)
            if room <= 0:
                break
            held += _rows(badge_class, min(per_class, room), prefix="held", student=student)
        _copy_documents(signed, held)
        [lone] = _rows(small_classes[1], 1, prefix="lone", student=single)
        _copy_documents(signed, [lone])
    with connection.cursor() as cursor:
        # As autovacuum leaves a table in use: statistics and the visibility map, which lets
        # counts read an index alone.
        cursor.execute("VACUUM ANALYZE")
    return {"load_seconds": round(time.perf_counter() - started, 1)}


# --- measuring ----------------------------------------------------------------------------------


def _pending(badge_class, admin, count: int) -> list[int]:
    """``count`` badges waiting to be signed: created, with the signing this process would
    run inline after commit left to the measurement."""
    from django.db import connection, transaction

    from badges import issuing

    with transaction.atomic():
        ids = [
            issuing.assertion_create(
                actor=admin,
                badge_class=badge_class,
                email=f"sign{number}-{time.time_ns()}@bench.example",
            ).pk
            for number in range(count)
        ]
        connection.run_on_commit.clear()
    return ids


def main() -> None:
    arguments = parse_arguments()
    harness.check_services(arguments.database_url, None)
    if not arguments.reuse:
        harness.ensure_database(arguments.database_url, fresh=True)
    environment = harness.bench_environment(arguments.database_url, broker_url=None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=harness.ROOT,
        env=environment,
        check=True,
    )
    harness.setup_django(arguments.database_url, None)
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from accounts.models import User
    from badges.models import Assertion, BadgeClass

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    loaded = {"load_seconds": None}
    if not BadgeClass.objects.filter(issuer__faculty__institution__schac_home=BIG).exists():
        print(
            f"loading {arguments.assertions} badges and a backpack of {arguments.backpack}…",
            file=sys.stderr,
        )
        loaded = load(arguments)
    big = BadgeClass.objects.filter(issuer__faculty__institution__schac_home=BIG).order_by("pk")[0]
    small = BadgeClass.objects.filter(
        issuer__faculty__institution__schac_home="scale-small.bench.example"
    ).order_by("pk")[0]
    big_count = Assertion.objects.filter(badge_class=big).count()
    student = User.objects.get(email="scale-student@bench.example")
    single = User.objects.get(email="scale-single@bench.example")
    admin = User.objects.get(email="scale-admin@bench.example")
    backpack_size = Assertion.objects.filter(recipient=student).count()

    clients = {}
    for user in (student, single, admin):
        clients[user.pk] = Client()
        clients[user.pk].force_login(user)
    anonymous = Client()

    def hosted(holder) -> str:
        """A signed badge of ``holder`` (under the big issuer for the student)."""
        public_id = (
            Assertion.objects.filter(recipient=holder, status=Assertion.Status.ISSUED)
            .order_by("pk")
            .values_list("public_id", flat=True)[0]
        )
        return reverse("public:assertion", args=[public_id])

    # (name, client, url, headers): measured at scale, against its small counterpart. The
    # deep page holds the rows that page 999 of 1,000 held when the lists had page numbers:
    # it follows the position (the cursor of its "Older" link) of the row just before them.
    deep_page = max(1, big_count // 100 - 1)
    deep_after = deep_cursors(big, max(0, (deep_page - 1) * 100 - 1))
    pages = [
        ("backpack", clients[student.pk], reverse("backpack:list"), {}),
        ("backpack (1 badge)", clients[single.pk], reverse("backpack:list"), {}),
        ("staff list", clients[admin.pk], reverse("staff:badge_awards", args=[big.pk]), {}),
        (
            "staff list (small)",
            clients[admin.pk],
            reverse("staff:badge_awards", args=[small.pk]),
            {},
        ),
        (
            "staff list, deep page",
            clients[admin.pk],
            reverse("staff:badge_awards", args=[big.pk])
            + f"?after={deep_after['awards']}&badges_after={deep_after['badges']}",
            {},
        ),
        ("hosted JSON", anonymous, hosted(student), {"HTTP_ACCEPT": "application/ld+json"}),
        ("hosted JSON (small)", anonymous, hosted(single), {"HTTP_ACCEPT": "application/ld+json"}),
    ]
    runs = []
    for number in range(1, arguments.runs + 1):
        print(f"run {number}/{arguments.runs}…", file=sys.stderr)
        runs.append(measure_once(pages, arguments, big, small, admin))
    results = aggregate(runs)
    pairs = [
        ("backpack", "backpack (1 badge)"),
        ("staff list", "staff list (small)"),
        ("staff list, deep page", "staff list (small)"),
        ("hosted JSON", "hosted JSON (small)"),
        ("sign", "sign (small)"),
    ]
    report = {
        "benchmark": "scale_run",
        "machine": harness.machine_facts(),
        "command": " ".join(["bench/scale_run.py", *sys.argv[1:]]),
        "badges_of_big_badge_class": big_count,
        "badges_in_backpack": backpack_size,
        "deep_page": deep_page,
        "deep_page_url": pages[4][2],
        "load_seconds": loaded["load_seconds"],
        "runs": runs,
        "results": results,
        "ratios": {
            scale: round(
                results[scale]["median_ms"]["median"]
                / max(results[small_]["median_ms"]["median"], 1e-9),
                2,
            )
            for scale, small_ in pairs
        },
    }
    harness.write_json(arguments.output, report)
    print(
        f"{big_count} badges in one badge class (deep page: {deep_page}); {backpack_size} in the "
        f"backpack; data loaded in {loaded['load_seconds']} s; median of {arguments.runs} runs"
    )

    def spread(figure: dict) -> str:
        return f"{figure['median']} ({figure['min']}–{figure['max']})"

    print(
        harness.table(
            [
                (
                    name,
                    spread(result["median_ms"]),
                    spread(result["p95_ms"]),
                    "" if result["queries"] is None else result["queries"],
                    result.get("bytes", ""),
                )
                for name, result in results.items()
            ],
            ["request", "median ms (range)", "p95 ms (range)", "queries", "bytes"],
        )
    )
    print(
        "scale / small, median: "
        + ", ".join(f"{name} {ratio:.2f}" for name, ratio in report["ratios"].items())
    )
    print(f"JSON: {arguments.output}")


def deep_cursors(badge_class, offset: int) -> dict[str, str]:
    """The positions (``edubadges.listing.Cursor``) of the award and of the badge at ``offset``
    in the staff lists of ``badge_class``, newest first."""
    from badges.models import Assertion, Award
    from edubadges.listing import Cursor

    award = Award.objects.filter(badge_class=badge_class).order_by("-created_at", "-pk")[offset]
    badge = Assertion.objects.filter(badge_class=badge_class).order_by("-issued_on", "-pk")[offset]
    return {
        "awards": str(Cursor.of(award, "created_at")),
        "badges": str(Cursor.of(badge, "issued_on")),
    }


def measure_once(pages, arguments: argparse.Namespace, big, small, admin) -> dict:
    """One pass over the pages and the signing: per request, median and p95 time, queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from badges import issuing

    results = {}
    for name, client, url, headers in pages:

        def request(client=client, url=url, headers=headers) -> None:
            response = client.get(url, **headers)
            assert response.status_code == 200, (url, response.status_code)
            response.content  # noqa: B018 - the whole body is rendered

        request()
        with CaptureQueriesContext(connection) as queries:
            request()
        query_count = len(queries)  # the log is cleared by the next request
        quiet = harness.wait_for_quiet(arguments.quiet_wait)
        samples, cpu = [], []
        for _ in range(arguments.iterations):
            started, cpu_started = time.perf_counter(), time.thread_time()
            request()
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.thread_time() - cpu_started) * 1000)
        ordered = sorted(samples)
        results[name] = {
            "url": url,
            "queries": query_count,
            "bytes": len(client.get(url, **headers).content),
            "median_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(harness.percentile(ordered, 95), 2),
            "cpu_median_ms": round(statistics.median(cpu), 2),
            "machine_busy_before": quiet,
        }

    for name, badge_class in (("sign", big), ("sign (small)", small)):
        pending = _pending(badge_class, admin, arguments.sign + 1)
        issuing.assertion_sign(assertion_id=pending.pop())  # warm-up
        quiet = harness.wait_for_quiet(arguments.quiet_wait)
        samples = []
        for assertion_id in pending:
            started = time.perf_counter()
            assert issuing.assertion_sign(assertion_id=assertion_id)
            samples.append((time.perf_counter() - started) * 1000)
        ordered = sorted(samples)
        results[name] = {
            "queries": None,
            "median_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(harness.percentile(ordered, 95), 2),
            "machine_busy_before": quiet,
        }
    return results


def aggregate(runs: list[dict]) -> dict:
    """Per request: the median and range over the runs of its median and p95 times."""

    def spread(values: list[float]) -> dict:
        return {
            "median": round(statistics.median(values), 2),
            "min": round(min(values), 2),
            "max": round(max(values), 2),
        }

    return {
        name: {
            "queries": runs[0][name]["queries"],
            "bytes": runs[0][name].get("bytes"),
            "median_ms": spread([run[name]["median_ms"] for run in runs]),
            "p95_ms": spread([run[name]["p95_ms"] for run in runs]),
        }
        for name in runs[0]
    }


if __name__ == "__main__":
    main()
