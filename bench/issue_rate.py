#!/usr/bin/env python
"""Credentials issued per second through the real task path, against the raw primitives.

    .venv/bin/python bench/issue_rate.py --count 200

On a dedicated PostgreSQL database (``edubadges_bench``, created and migrated here, with the
demo data) it measures, in one run:

1. the raw signing primitives of ``badge_credentials``, single-threaded, with keys already
   loaded and documents already built: RS256 JWS (OB 2.0 signed badge), Ed25519 Data
   Integrity proof ``eddsa-rdfc-2022`` (RDFC-1.0 canonicalisation included), VC-JWT RS256,
   baking a PNG (both formats); plus the other work a credential needs (unsealing keys,
   building the documents, SVG baking) and their breakdown;
2. ``assertion_sign`` called in this process, one assertion after the other (the service
   without Celery);
3. the real task path: ``assertion_create`` for ``--count`` assertions, each queuing
   ``badges.tasks.sign_assertion`` on Redis after commit, signed by a real Celery worker
   process (prefork, ``--concurrency 2``) started here, from the first queued assertion to
   the last one ISSUED.

It prints a table and writes JSON (``var/bench/issue_rate.json`` unless ``--output``);
``--profile`` adds a cProfile of the signing of one assertion.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import harness

PRIMITIVES = ("jws_rs256", "di_proof_eddsa_rdfc_2022", "vc_jwt_rs256", "bake_png")
LABELS = {
    "jws_rs256": "RS256 JWS, OB 2.0 signed badge",
    "di_proof_eddsa_rdfc_2022": "Ed25519 DI proof eddsa-rdfc-2022 (compiled RDFC-1.0 templates)",
    "di_proof_whole_document": "Ed25519 DI proof, each document canonicalised whole (native)",
    "di_canonicalize_credential_whole": "  of which: RDFC-1.0 of the credential read whole",
    "vc_jwt_rs256": "VC-JWT RS256, OB 3.0",
    "bake_png": "PNG bake (OB 2.0 + OB 3.0 chunks)",
    "di_terms_check": "  of which: undefined-term check (JSON-LD expand)",
    "di_canonicalize_credential": "  of which: RDFC-1.0 of the credential",
    "di_canonicalize_proof_config": "  of which: RDFC-1.0 of the proof configuration",
    "di_ed25519_sign": "  of which: Ed25519 signature",
    "unseal_rsa_key": "unseal RSA-2048 key (done 2x per credential)",
    "unseal_ed25519_key": "unseal Ed25519 key",
    "build_documents": "build OB 2.0 hosted + signed, OB 3.0 (ORM reads)",
    "document_loader": "JSON-LD document loader",
    "bake_svg": "SVG bakes (OB 2.0 + OB 3.0)",
    "signed_documents": "all documents of one assertion (no row written)",
    "assertion_sign": "assertion_sign: claim, build, sign, store, audit",
}


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=200, help="assertions through the worker")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--pool", default="prefork", help="Celery pool (prefork, solo, threads)")
    parser.add_argument(
        "--iterations", type=int, default=30, help="calls per primitive (single-threaded)"
    )
    parser.add_argument(
        "--sign-count", type=int, default=10, help="assertions signed in-process, one by one"
    )
    parser.add_argument("--warmup", type=int, default=4, help="untimed assertions first")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait at most")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120,
        help="seconds to wait at most for an idle machine before each measurement",
    )
    parser.add_argument("--database-url", default=harness.DEFAULT_DATABASE_URL)
    parser.add_argument("--broker-url", default=harness.DEFAULT_BROKER_URL)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the bench database of an earlier run"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also profile the signing of one assertion (cProfile, var/bench/signing.prof)",
    )
    parser.add_argument("--output", type=Path, default=harness.VAR_BENCH / "issue_rate.json")
    arguments = parser.parse_args()
    if arguments.count < 1 or arguments.iterations < 1 or arguments.sign_count < 0:
        parser.error("--count and --iterations must be positive")
    return arguments


# --- 1. the raw primitives --------------------------------------------------------------------


def measure_primitives(sample, iterations: int) -> dict[str, dict]:
    """Time each primitive alone, single-threaded, on the documents of ``sample``."""
    import hashlib
    import json

    from django.conf import settings

    from badge_credentials import baking, data_integrity, jws, linked_data, native_rdf, vc_jwt
    from badge_credentials.contexts import document_loader
    from badge_credentials.extension import extension_documents
    from badges import baked_images, credentials, issuing, links
    from issuers import signing

    issuer = sample.badge_class.issuer
    keys = signing.signing_keys_ensure(issuer=issuer)
    rsa_key = signing.private_key(keys["RS256"])
    ed_key = signing.private_key(keys["EdDSA"])
    identity = sample.recipient_identity or "student@example.org"
    hosted = credentials.assertion_v2(sample, identity=identity)
    signed_payload = credentials.assertion_v2(sample, identity=identity, signing_key=keys["RS256"])
    credential = credentials.credential_v3(sample, identity=identity)
    loader = document_loader(extension_documents(settings.SITE_URL))
    ed_method = links.verification_method(keys["EdDSA"])
    rsa_method = links.verification_method(keys["RS256"])
    proven = data_integrity.add_proof(
        credential, ed_key, verification_method=ed_method, loader=loader
    )
    proof_config = {k: v for k, v in proven["proof"].items() if k != "proofValue"}
    proof_config["@context"] = credential["@context"]
    digest = hashlib.sha256(b"proof").digest() + hashlib.sha256(b"document").digest()
    with sample.badge_class.image.open("rb") as handle:
        image = bytes(handle.read())
    svg_source = baked_images.svg_wrapping_png(image) if image.startswith(b"\x89PNG") else image

    def build_documents():
        credentials.assertion_v2(sample, identity=identity)
        credentials.assertion_v2(sample, identity=identity, signing_key=keys["RS256"])
        credentials.credential_v3(sample, identity=identity)

    def bake_svg():
        baking.bake(svg_source, hosted, ob_version=2)
        baking.bake(svg_source, proven, ob_version=3)

    # The DI proof as the primitives alone do it: Oxigraph reads each document whole (contexts
    # inlined and the JSON text made beforehand) and canonicalises it, SHA-256 of both, Ed25519.
    credential_text = json.dumps(native_rdf.inline_contexts(credential, loader))
    proof_config_text = json.dumps(native_rdf.inline_contexts(proof_config, loader))

    def di_proof_whole_document():
        proof_hash = hashlib.sha256(native_rdf.canonicalize_json_ld(proof_config_text).encode())
        document_hash = hashlib.sha256(native_rdf.canonicalize_json_ld(credential_text).encode())
        ed_key.sign(proof_hash.digest() + document_hash.digest())

    calls = {
        "jws_rs256": lambda: jws.sign_badge(signed_payload, rsa_key),
        "di_proof_whole_document": di_proof_whole_document,
        "di_canonicalize_credential_whole": lambda: native_rdf.canonicalize_json_ld(
            credential_text
        ),
        "di_proof_eddsa_rdfc_2022": lambda: data_integrity.add_proof(
            credential, ed_key, verification_method=ed_method, loader=loader
        ),
        "vc_jwt_rs256": lambda: vc_jwt.sign_vc_jwt(credential, rsa_key, kid=rsa_method),
        "bake_png": lambda: baking.bake(
            baking.bake(image, hosted, ob_version=2), proven, ob_version=3
        ),
        "di_terms_check": lambda: linked_data.ensure_terms_defined(credential, loader),
        "di_canonicalize_credential": lambda: linked_data.canonicalize(credential, loader),
        "di_canonicalize_proof_config": lambda: linked_data.canonicalize(proof_config, loader),
        "di_ed25519_sign": lambda: ed_key.sign(digest),
        "unseal_rsa_key": lambda: signing.private_key(keys["RS256"]),
        "unseal_ed25519_key": lambda: signing.private_key(keys["EdDSA"]),
        "build_documents": build_documents,
        "document_loader": lambda: document_loader(extension_documents(settings.SITE_URL)),
        "bake_svg": bake_svg,
        "signed_documents": lambda: issuing._signed_documents(sample),
    }
    return {name: harness.time_calls(call, iterations) for name, call in calls.items()}


def profile_signing(sample, iterations: int) -> str:
    """cProfile of building and signing every document of ``sample``; the top lines."""
    import cProfile
    import io
    import pstats

    from badges import issuing

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(iterations):
        issuing._signed_documents(sample)
    profiler.disable()
    path = harness.VAR_BENCH / "signing.prof"
    path.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(path)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(25)
    return f"{text.getvalue()}\n(full profile: {path})"


# --- 2. the service, in this process ------------------------------------------------------------


def create_assertions(badge_class, actor, count: int, label: str) -> list[int]:
    from badges import issuing

    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    return [
        issuing.assertion_create(
            actor=actor,
            badge_class=badge_class,
            email=f"bench-{label}-{stamp}-{number}@example.org",
            recipient_name=f"Bench {label} {number}",
            narrative="Benchmark run.",
        ).pk
        for number in range(count)
    ]


def measure_service_inline(badge_class, actor, count: int) -> dict | None:
    """``assertion_sign`` called here, one by one, with no worker running."""
    if count == 0:
        return None
    from badges import issuing
    from edubadges.celery import app

    ids = create_assertions(badge_class, actor, count, "inline")
    app.control.purge()  # no worker runs yet: these messages would only be duplicates
    samples = []
    for assertion_id in ids:
        started = time.perf_counter()
        if not issuing.assertion_sign(assertion_id=assertion_id):
            sys.exit(f"assertion {assertion_id} was not signed in-process")
        samples.append((time.perf_counter() - started) * 1000)
    return harness.summarize(samples)


# --- 3. the task path -------------------------------------------------------------------------


def start_worker(arguments: argparse.Namespace, log_path: Path) -> subprocess.Popen:
    from edubadges.celery import app

    app.control.purge()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("w")
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
            f"bench-{time.time_ns()}@%h",
        ],
        cwd=harness.ROOT,
        env=harness.bench_environment(arguments.database_url, arguments.broker_url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            sys.exit(f"the Celery worker exited ({worker.returncode}); see {log_path}")
        if app.control.ping(timeout=1):
            return worker
    harness.stop_process(worker)
    sys.exit(f"the Celery worker did not answer within 90 s; see {log_path}")


def wait_until_issued(ids: list[int], deadline: float) -> bool:
    from badges.models import Assertion

    while time.monotonic() < deadline:
        issued = Assertion.objects.filter(pk__in=ids, status=Assertion.Status.ISSUED).count()
        if issued == len(ids):
            return True
        time.sleep(0.05)
    return False


def measure_task_path(badge_class, actor, arguments: argparse.Namespace) -> dict:
    from django.db.models import Count, Max

    from badges.models import Assertion

    worker = start_worker(arguments, harness.VAR_BENCH / "worker.log")
    try:
        deadline = time.monotonic() + arguments.timeout
        if arguments.warmup:
            warmup = create_assertions(badge_class, actor, arguments.warmup, "warmup")
            if not wait_until_issued(warmup, deadline):
                sys.exit("the warm-up assertions were not issued in time")

        background_busy = harness.wait_for_quiet(arguments.quiet_wait)
        database = harness.postgres_server_pid()
        broker = harness.redis_server_pid(arguments.broker_url)
        database_cpu_before = harness.cpu_seconds(database)
        broker_cpu_before = harness.cpu_seconds(broker)
        own_cpu_before = harness.own_cpu_seconds()
        interrupts_before = harness.interrupt_cpu_seconds()
        worker_cpu_before = harness.process_tree_cpu_seconds(worker.pid)
        busy_before, total_before = harness.system_cpu_seconds()
        started_wall = datetime.now(UTC)
        started = time.perf_counter()
        create_cpu_before = time.process_time()
        ids = create_assertions(badge_class, actor, arguments.count, "task")
        create_cpu = time.process_time() - create_cpu_before
        queued_seconds = time.perf_counter() - started
        complete = wait_until_issued(ids, deadline)
        worker_cpu = harness.process_tree_cpu_seconds(worker.pid) - worker_cpu_before
        database_cpu = harness.cpu_seconds(database) - database_cpu_before
        broker_cpu = harness.cpu_seconds(broker) - broker_cpu_before
        own_cpu = harness.own_cpu_seconds() - own_cpu_before
        interrupts = harness.interrupt_cpu_seconds() - interrupts_before
        busy_after, total_after = harness.system_cpu_seconds()
    finally:
        harness.stop_process(worker)

    rows = Assertion.objects.filter(pk__in=ids)
    if not complete:
        statuses = dict(rows.values_list("status").annotate(n=Count("pk")))
        sys.exit(f"not every assertion was issued within {arguments.timeout} s: {statuses}")
    last_issued = rows.aggregate(last=Max("updated_at"))["last"]
    elapsed = (last_issued - started_wall).total_seconds()
    latencies = [
        (updated - created).total_seconds() * 1000
        for created, updated in rows.values_list("created_at", "updated_at")
    ]
    return {
        "count": arguments.count,
        "pool": arguments.pool,
        "concurrency": arguments.concurrency,
        "warmup": arguments.warmup,
        "background_busy_before": background_busy,
        "elapsed_seconds": round(elapsed, 3),
        "credentials_per_second": round(arguments.count / elapsed, 3),
        "queueing_seconds": round(queued_seconds, 3),
        "assertion_create_per_second": round(arguments.count / queued_seconds, 1),
        "assertion_create_cpu_ms_each": round(create_cpu * 1000 / arguments.count, 3),
        "worker_cpu_ms_per_credential": round(worker_cpu * 1000 / arguments.count, 2),
        "database_cpu_ms_per_credential": round(database_cpu * 1000 / arguments.count, 2),
        "machine_cpu_ms_per_credential": round(
            (busy_after - busy_before) * 1000 / arguments.count, 2
        ),
        "machine_cpu_utilisation": round(
            (busy_after - busy_before) / max(total_after - total_before, 1e-9), 3
        ),
        "queued_to_issued_ms": harness.summarize(latencies),
        "other_work_cpu_share": harness.others_share(
            busy_after - busy_before, worker_cpu, database_cpu, broker_cpu, own_cpu, interrupts
        ),
    }


# --- report -------------------------------------------------------------------------------------


def analyse(primitives: dict, task: dict) -> dict:
    primitive_sum = sum(primitives[name]["median_ms"] for name in PRIMITIVES)
    workers = task["concurrency"]
    core_ms = workers * 1000 / task["credentials_per_second"]
    return {
        "primitive_sum_ms": round(primitive_sum, 3),
        "primitives_per_second_single_thread": round(1000 / primitive_sum, 2),
        "primitives_per_second_ideal": round(workers * 1000 / primitive_sum, 2),
        "task_path_worker_ms_per_credential": round(core_ms, 2),
        "overhead_ratio_wall": round(core_ms / primitive_sum, 2),
        "overhead_ratio_worker_cpu": round(task["worker_cpu_ms_per_credential"] / primitive_sum, 2),
        "rsa_key_unsealing_ms_per_credential": round(
            2 * primitives["unseal_rsa_key"]["median_ms"], 2
        ),
    }


def report(results: dict) -> str:
    primitives, analysis = results["primitives"], results["analysis"]

    def row(name: str, timing: dict) -> tuple:
        return (
            LABELS[name],
            f"{timing['median_ms']:.2f}",
            f"{timing['mean_ms']:.2f}",
            f"{timing['cpu_median_ms']:.2f}" if "cpu_median_ms" in timing else "",
        )

    rows = [row(name, primitives[name]) for name in PRIMITIVES]
    rows.append(("sum of the primitives", f"{analysis['primitive_sum_ms']:.2f}", "", ""))
    rows += [row(name, timing) for name, timing in primitives.items() if name not in PRIMITIVES]
    if results.get("service_inline"):
        rows.append(row("assertion_sign", results["service_inline"]))
    task = results["task_path"]
    lines = [
        "Per credential, single-threaded (ms)",
        harness.table(rows, ["step", "median", "mean", "CPU median"]),
        "",
        f"Task path: {task['count']} assertions, Celery {task['pool']} x{task['concurrency']} on "
        "Redis, PostgreSQL",
        harness.table(
            [
                ("credentials issued per second", task["credentials_per_second"]),
                ("first queued -> last ISSUED (s)", task["elapsed_seconds"]),
                ("assertion_create per second (queueing)", task["assertion_create_per_second"]),
                ("queued -> issued, median / p90 (ms)", _latency(task["queued_to_issued_ms"])),
                ("worker CPU per credential (ms)", task["worker_cpu_ms_per_credential"]),
                ("PostgreSQL CPU per credential (ms)", task["database_cpu_ms_per_credential"]),
                ("machine CPU per credential (ms)", task["machine_cpu_ms_per_credential"]),
                ("machine CPU utilisation", task["machine_cpu_utilisation"]),
                ("share of it used by other work", task["other_work_cpu_share"]),
                (
                    f"primitives alone, 1 thread / {task['concurrency']} ideal (per s)",
                    f"{analysis['primitives_per_second_single_thread']} / "
                    f"{analysis['primitives_per_second_ideal']}",
                ),
                ("overhead ratio (worker-ms / primitive sum)", analysis["overhead_ratio_wall"]),
                (
                    "overhead ratio (worker CPU / primitive sum)",
                    analysis["overhead_ratio_worker_cpu"],
                ),
            ],
            ["task path", "value"],
        ),
    ]
    return "\n".join(lines)


def _latency(summary: dict) -> str:
    return f"{summary['median_ms']:.0f} / {summary['p90_ms']:.0f}"


def main() -> None:
    arguments = parse_arguments()
    harness.check_services(arguments.database_url, arguments.broker_url)
    print(f"Preparing {arguments.database_url.rsplit('/', 1)[-1]} (migrate, demo data)…")
    harness.prepare_database(arguments.database_url, fresh=not arguments.reuse)
    harness.setup_django(arguments.database_url, arguments.broker_url)

    from django.contrib.auth import get_user_model

    from badges.models import Assertion, BadgeClass

    badge_class = BadgeClass.objects.select_related("issuer__faculty__institution").get(
        issuer__faculty__institution__schac_home="hogeschool.example",
        name_en="Data analysis with Python",
    )
    actor = get_user_model().objects.get(email="awarder@hogeschool.example")
    sample = (
        Assertion.objects.select_related("badge_class__issuer__faculty__institution")
        .filter(badge_class=badge_class, status=Assertion.Status.ISSUED)
        .earliest("pk")
    )

    background = {}
    print(f"Primitives, {arguments.iterations} calls each, single-threaded…")
    background["primitives"] = harness.wait_for_quiet(arguments.quiet_wait)
    primitives = measure_primitives(sample, arguments.iterations)
    if arguments.profile:
        print(profile_signing(sample, arguments.iterations))
    print(f"assertion_sign in-process, {arguments.sign_count} assertions…")
    background["service_inline"] = harness.wait_for_quiet(arguments.quiet_wait)
    service_inline = measure_service_inline(badge_class, actor, arguments.sign_count)
    print(
        f"Task path: {arguments.count} assertions, Celery {arguments.pool} "
        f"x{arguments.concurrency}…"
    )
    task = measure_task_path(badge_class, actor, arguments)
    background["task_path"] = task["background_busy_before"]

    results = {
        "benchmark": "issue_rate",
        "machine": harness.machine_facts(),
        "software": harness.software_versions(
            ["django", "celery", "cryptography", "pyld", "psycopg2-binary", "redis", "pillow"]
        ),
        "badge_class": f"{badge_class.badge_type}: {badge_class.name_en}",
        "background_busy_before": background,
        "primitives": primitives,
        "service_inline": service_inline,
        "task_path": task,
    }
    results["analysis"] = analyse(primitives, task)
    print()
    print(report(results))
    harness.write_json(arguments.output, results)
    print(f"\nJSON: {arguments.output}")


if __name__ == "__main__":
    main()
