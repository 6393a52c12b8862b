#!/usr/bin/env python
"""A bulk award of 10,000 recipients on a type that issues directly, from the upload of the
CSV file to the last signed credential.

    .venv/bin/python bench/bulk_award.py --rows 10000

On a dedicated PostgreSQL database (``edubadges_bench_bulk``, created, migrated and seeded
here) and Redis (database 12, so that the test suite's and the other benchmarks' queues are
left alone), it:

1. makes the demo institution's extra-curricular type issue directly on award (legal basis:
   legitimate interest, so allowed) and defines a fresh badge class for the run;
2. starts a real Celery worker (prefork, ``--concurrency 2``) — emails go to Django's dummy
   backend: they are rendered, not delivered;
3. times, in this process, the upload (read, decode, detect the delimiter, map columns) and
   the preview (check every line), then starts the award: the worker creates the awards in
   batches and, because the type issues directly, one assertion per line, each queued for
   signing, and the notification emails;
4. waits until every line's credential is ISSUED, and reports awards per second from the
   upload to the last signed credential, with where the time went, and the signing rate of
   the first and the last fifth of the credentials;
5. in the same run, after the worker has stopped, measures the raw limit of the signing
   primitives (``bench/issue_rate.py``'s measurement, single-threaded, on one of the
   credentials just issued: RS256 JWS; the Ed25519 Data Integrity proof with RDFC-1.0 of the
   credential and of the proof configuration, each read whole by Oxigraph with the contexts
   inlined; VC-JWT RS256) and reports the bulk rate as a share of what the primitives allow on
   all cores. It also reports the share of a stricter yardstick: the same three signatures as
   the portal makes them, with its compiled RDFC-1.0 templates.

It writes JSON (``var/bench/bulk_award.json`` unless ``--output``) and prints a Markdown
table for ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import harness

DEFAULT_DATABASE_URL = os.environ.get(
    "BENCH_BULK_DATABASE_URL",
    "postgresql://postgres:postgres@127.0.0.1:5432/edubadges_bench_bulk",
)
DEFAULT_BROKER_URL = os.environ.get("BENCH_BULK_BROKER_URL", "redis://127.0.0.1:6379/12")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="recipients in the CSV file")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--pool", default="prefork", help="Celery pool (prefork, solo, threads)")
    parser.add_argument("--timeout", type=float, default=7200, help="seconds to wait at most")
    parser.add_argument(
        "--quiet-wait", type=float, default=120, help="seconds to wait for an idle machine"
    )
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--broker-url", default=DEFAULT_BROKER_URL)
    parser.add_argument("--reuse", action="store_true", help="keep the bench database")
    parser.add_argument("--output", type=Path, default=harness.VAR_BENCH / "bulk_award.json")
    arguments = parser.parse_args()
    if arguments.rows < 1 or arguments.concurrency < 1:
        parser.error("--rows and --concurrency must be positive")
    return arguments


def environment(arguments: argparse.Namespace) -> dict[str, str]:
    env = harness.bench_environment(arguments.database_url, arguments.broker_url)
    env["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    return env


def start_worker(arguments: argparse.Namespace, log_path: Path) -> subprocess.Popen:
    from edubadges.celery import app

    app.control.purge()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "edubadges",
                "worker",
                f"--pool={arguments.pool}",
                f"--concurrency={arguments.concurrency}",
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"bench-bulk-{time.time_ns()}@%h",
            ],
            cwd=harness.ROOT,
            env=environment(arguments),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            sys.exit(f"the Celery worker exited ({worker.returncode}); see {log_path}")
        if app.control.ping(timeout=1):
            return worker
    harness.stop_process(worker)
    sys.exit(f"the Celery worker did not answer within 90 s; see {log_path}")


def badge_for_the_run(stamp: str):
    """A fresh extra-curricular badge of the demo hogeschool, whose type issues directly."""
    from django.contrib.auth import get_user_model

    from badges import services as badge_services
    from badges.models import BadgeClass
    from privacy.models import PrivacyPolicy

    template = BadgeClass.objects.select_related("issuer__faculty__institution").get(
        issuer__faculty__institution__schac_home="hogeschool.example",
        name_en="Student ambassador",
    )
    institution = template.issuer.faculty.institution
    policy = PrivacyPolicy.objects.get(institution=institution, badge_type=template.badge_type)
    if policy.requires_consent:
        sys.exit("the demo extra-curricular type is under consent: it cannot issue directly")
    PrivacyPolicy.objects.filter(pk=policy.pk).update(issue_directly_on_award=True)
    admin = get_user_model().objects.get(email="admin@edubadges.example")
    with template.image.open("rb") as handle:
        from django.core.files.base import ContentFile

        image = ContentFile(handle.read(), name=f"bench-{stamp}.png")
    badge_class = badge_services.badge_class_create(
        actor=admin,
        issuer=template.issuer,
        badge_type=template.badge_type,
        name_nl=f"Bench {stamp}",
        name_en=f"Bench {stamp}",
        description_nl="Badge voor de benchmark.",
        description_en="Badge for the benchmark.",
        criteria_en="Be part of the benchmark.",
        image=image,
    )
    awarder = get_user_model().objects.get(email="awarder@hogeschool.example")
    return badge_class, awarder


def csv_file(rows: int, stamp: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    lines = ["email;name;narrative"] + [
        f"bench-{stamp}-{number:06d}@student.example;Student {number};Took part in the benchmark"
        for number in range(rows)
    ]
    return SimpleUploadedFile("cohort.csv", ("\n".join(lines) + "\n").encode(), "text/csv")


def wait_for(condition, deadline: float, interval: float = 0.25) -> bool:
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


def measure(arguments: argparse.Namespace) -> dict:
    from django.db.models import Count, Max

    from badges.awarding import bulk
    from badges.models import Assertion, Award, BulkAward
    from notifications.models import Notification

    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    badge_class, awarder = badge_for_the_run(stamp)
    upload_file = csv_file(arguments.rows, stamp)
    worker = start_worker(arguments, harness.VAR_BENCH / "bulk_award_worker.log")
    try:
        background_busy = harness.wait_for_quiet(arguments.quiet_wait)
        database = harness.postgres_server_pid()
        database_cpu_before = harness.cpu_seconds(database)
        worker_cpu_before = harness.process_tree_cpu_seconds(worker.pid)
        busy_before, total_before = harness.system_cpu_seconds()
        deadline = time.monotonic() + arguments.timeout

        started_wall = datetime.now(UTC)
        started = time.perf_counter()
        upload = bulk.bulk_award_upload(actor=awarder, badge_class=badge_class, file=upload_file)
        uploaded = time.perf_counter()
        upload = bulk.bulk_award_prepare(actor=awarder, bulk=upload, mapping=upload.mapping)
        previewed = time.perf_counter()
        if upload.valid_rows != arguments.rows:
            sys.exit(f"the preview found errors: {upload.error_rows} of {arguments.rows} lines")
        bulk.bulk_award_start(actor=awarder, bulk=upload)
        queued = time.perf_counter()

        def awarded() -> bool:
            return BulkAward.objects.filter(pk=upload.pk, status=BulkAward.Status.DONE).exists()

        def issued() -> bool:
            return (
                Assertion.objects.filter(
                    badge_class=badge_class, status=Assertion.Status.ISSUED
                ).count()
                == arguments.rows
            )

        if not wait_for(awarded, deadline):
            sys.exit(f"the bulk award did not finish: {BulkAward.objects.get(pk=upload.pk)}")
        awards_done = time.perf_counter()
        if not wait_for(issued, deadline, interval=1.0):
            statuses = dict(
                Assertion.objects.filter(badge_class=badge_class)
                .values_list("status")
                .annotate(n=Count("pk"))
            )
            sys.exit(f"not every credential was signed within {arguments.timeout} s: {statuses}")
        # The "badge issued" emails are about the signed badges.
        emails_sent = Notification.objects.filter(
            assertion__award__bulk_award=upload, status=Notification.Status.SENT
        ).count()
        worker_cpu = harness.process_tree_cpu_seconds(worker.pid) - worker_cpu_before
        database_cpu = harness.cpu_seconds(database) - database_cpu_before
        busy_after, total_after = harness.system_cpu_seconds()
        # Then the rest of the "badge issued" emails, which wait behind the signing.
        told = Notification.objects.filter(assertion__award__bulk_award=upload)
        all_told = wait_for(
            lambda: told.filter(status=Notification.Status.SENT).count() == arguments.rows,
            deadline,
            interval=1.0,
        )
        last_email = told.aggregate(last=Max("sent_at"))["last"] if all_told else None
        worker_cpu_with_emails = harness.process_tree_cpu_seconds(worker.pid) - worker_cpu_before
    finally:
        harness.stop_process(worker)

    assertions = Assertion.objects.filter(badge_class=badge_class)
    last_signed = assertions.aggregate(last=Max("updated_at"))["last"]
    total = (last_signed - started_wall).total_seconds()
    upload.refresh_from_db()
    rows = arguments.rows
    fifths = _fifths(assertions, started_wall)
    raw = _raw_limit(assertions.filter(status=Assertion.Status.ISSUED).first())
    rate = rows / total
    return {
        "rows": rows,
        "pool": arguments.pool,
        "concurrency": arguments.concurrency,
        "batch_size": _setting("BULK_AWARD_BATCH_SIZE"),
        "background_busy_before": background_busy,
        "awards_created": Award.objects.filter(bulk_award=upload).count(),
        "credentials_issued": assertions.filter(status=Assertion.Status.ISSUED).count(),
        "emails_sent_by_the_end": emails_sent,
        "upload_seconds": round(uploaded - started, 3),
        "preview_seconds": round(previewed - uploaded, 3),
        "start_seconds": round(queued - previewed, 3),
        "awards_done_seconds": round(awards_done - started, 3),
        "upload_to_last_signed_seconds": round(total, 3),
        "awards_per_second_to_awarded": round(rows / (awards_done - started), 1),
        "awards_per_second_to_last_signed": round(rows / total, 2),
        "worker_cpu_ms_per_award": round(worker_cpu * 1000 / rows, 2),
        "upload_to_last_email_seconds": (
            round((last_email - started_wall).total_seconds(), 3) if last_email else None
        ),
        "worker_cpu_ms_per_award_with_its_email": round(worker_cpu_with_emails * 1000 / rows, 2),
        "database_cpu_ms_per_award": round(database_cpu * 1000 / rows, 2),
        "machine_cpu_ms_per_award": round((busy_after - busy_before) * 1000 / rows, 2),
        "machine_cpu_utilisation": round(
            (busy_after - busy_before) / max(total_after - total_before, 1e-9), 3
        ),
        **fifths,
        **raw,
        "share_of_raw_limit": round(rate / raw["raw_limit_per_second"], 3),
        "share_of_signing_path_limit": round(rate / raw["signing_path_limit_per_second"], 3),
    }


def _fifths(assertions, started_wall) -> dict:
    """Credentials per second while the first fifth was signed (from the upload) and while
    the last fifth was (from the end of the fourth fifth)."""
    signed = sorted(
        (moment - started_wall).total_seconds()
        for moment in assertions.values_list("updated_at", flat=True)
    )
    fifth = len(signed) // 5
    if fifth == 0:
        return {}
    first = fifth / signed[fifth - 1]
    last = fifth / max(signed[-1] - signed[-fifth - 1], 1e-9)
    return {
        "first_fifth_per_second": round(first, 1),
        "last_fifth_per_second": round(last, 1),
    }


# The raw limit: what the signing primitives alone allow — RS256 JWS (OB 2.0), the Ed25519 Data
# Integrity proof with RDFC-1.0 of the credential and of the proof configuration read whole by a
# native implementation (Oxigraph, contexts inlined), VC-JWT RS256 (OB 3.0).
RAW_PRIMITIVES = ("jws_rs256", "di_proof_whole_document", "vc_jwt_rs256")
# The same signatures as the portal makes them, with its compiled RDFC-1.0 templates (only the
# values of each credential canonicalised): a stricter yardstick, reported beside the raw limit.
SIGNING_PATH = ("jws_rs256", "di_proof_eddsa_rdfc_2022", "vc_jwt_rs256")


def _raw_limit(sample, iterations: int = 60) -> dict:
    """The signing primitives alone, single-threaded (``issue_rate.measure_primitives``), and
    what they allow per second on every core of the machine; the same for the portal's own
    signing path."""
    import issue_rate

    from badges import issuing

    measured = issue_rate.measure_primitives(sample, iterations)
    cores = os.cpu_count() or 1
    per_credential = sum(measured[name]["median_ms"] for name in RAW_PRIMITIVES)
    signing_path = sum(measured[name]["median_ms"] for name in SIGNING_PATH)
    shared = issuing._Shared()
    in_batch = harness.time_calls(lambda: issuing._signed_documents(sample, shared), iterations)
    return {
        "documents_in_a_batch_ms": in_batch["median_ms"],
        "raw_ms_per_credential": round(per_credential, 3),
        "raw_breakdown_ms": {name: measured[name]["median_ms"] for name in RAW_PRIMITIVES},
        "raw_limit_per_second": round(cores * 1000 / per_credential, 1),
        "signing_path_ms_per_credential": round(signing_path, 3),
        "signing_path_limit_per_second": round(cores * 1000 / signing_path, 1),
        "cores": cores,
    }


def _setting(name: str):
    from django.conf import settings

    return getattr(settings, name)


def report(result: dict) -> str:
    rows = [
        ("recipients (lines in the CSV file)", f"{result['rows']:,}"),
        ("upload: read, decode, delimiter, columns (s)", result["upload_seconds"]),
        ("preview: check every line (s)", result["preview_seconds"]),
        ("upload → every award created (s)", result["awards_done_seconds"]),
        ("awards per second, upload → awarded", result["awards_per_second_to_awarded"]),
        ("upload → last credential signed (s)", result["upload_to_last_signed_seconds"]),
        ("**awards per second, upload → last signed**", result["awards_per_second_to_last_signed"]),
        ("emails sent by then", f"{result['emails_sent_by_the_end']:,}"),
        ("worker CPU per award (ms)", result["worker_cpu_ms_per_award"]),
        ('upload → last "badge issued" email sent (s)', result["upload_to_last_email_seconds"]),
        (
            "worker CPU per award with its email (ms)",
            result["worker_cpu_ms_per_award_with_its_email"],
        ),
        ("PostgreSQL CPU per award (ms)", result["database_cpu_ms_per_award"]),
        ("machine CPU utilisation", result["machine_cpu_utilisation"]),
        ("credentials per second, first fifth", result.get("first_fifth_per_second", "–")),
        ("credentials per second, last fifth", result.get("last_fifth_per_second", "–")),
        ("machine CPU per award, everything (ms)", result["machine_cpu_ms_per_award"]),
        ("raw primitives per credential, one core (ms)", result["raw_ms_per_credential"]),
        (
            "every document of a credential as a batch builds it, one core (ms)",
            result["documents_in_a_batch_ms"],
        ),
        (f"raw limit on {result['cores']} cores (credentials/s)", result["raw_limit_per_second"]),
        ("**share of the raw limit**", result["share_of_raw_limit"]),
        (
            "the portal's own signatures per credential (compiled templates), one core (ms)",
            result["signing_path_ms_per_credential"],
        ),
        (
            f"their limit on {result['cores']} cores (credentials/s)",
            result["signing_path_limit_per_second"],
        ),
        ("share of that limit", result["share_of_signing_path_limit"]),
    ]
    lines = ["| measure | value |", "|---|---:|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    return "\n".join(lines)


def main() -> None:
    arguments = parse_arguments()
    harness.check_services(arguments.database_url, arguments.broker_url)
    print(f"Preparing {arguments.database_url.rsplit('/', 1)[-1]} (migrate, demo data)…")
    harness.prepare_database(arguments.database_url, fresh=not arguments.reuse)
    harness.setup_django(arguments.database_url, arguments.broker_url)
    print(
        f"Bulk award of {arguments.rows} lines, issued directly, Celery {arguments.pool} "
        f"x{arguments.concurrency}…"
    )
    result = measure(arguments)
    results = {
        "benchmark": "bulk_award",
        "machine": harness.machine_facts(),
        "software": harness.software_versions(
            ["django", "celery", "kombu", "redis", "psycopg2-binary", "cryptography", "pyld"]
        ),
        "result": result,
    }
    harness.write_json(arguments.output, results)
    print(report(result))
    print(f"\nWritten to {arguments.output}")


if __name__ == "__main__":
    main()
