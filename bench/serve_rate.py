#!/usr/bin/env python
"""Requests per second on the public assertion and credential URLs under gunicorn, against
static files.

    .venv/bin/python bench/serve_rate.py --duration 10 --runs 3

Starts, on loopback ports only, gunicorn with the portal (``edubadges.wsgi``, the bench
database with an issued demo assertion) and the same gunicorn configuration
(``gunicorn.conf.py``, as in production) serving static files that hold the exact bytes of
that badge's hosted OB 2.0 assertion and OB 3.0 credential (``bench/static_app.py``): the
static server is the raw limit of this machine for these bytes. Each server gets a plain GET
(200) and a conditional GET with the ETag in ``If-None-Match`` (304) on both documents, from a
bounded load generator: ``wrk`` when it is installed (``apt-get install wrk``), else a small
Python client with a fixed request count. Every run stops by itself: wrk after
``--duration`` seconds, the Python client after ``--requests`` requests or ``--duration``.
The whole comparison is repeated ``--runs`` times; the summary gives the median and range.

It prints a table and writes JSON (``var/bench/serve_rate.json`` unless ``--output``).
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import runpy
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import harness

ACCEPT = "application/ld+json"
CONFIG = harness.ROOT / "gunicorn.conf.py"
DOCUMENTS = {"assertion": "", "credential": "/credential"}


def gunicorn_settings(arguments: argparse.Namespace) -> dict:
    """The worker settings both servers run with: gunicorn.conf.py, then the options given."""
    config = runpy.run_path(str(CONFIG))
    chosen = {
        "workers": arguments.workers or config["workers"],
        "worker_class": arguments.worker_class or config["worker_class"],
        "threads": arguments.threads or config["threads"],
        "worker_connections": arguments.worker_connections or config["worker_connections"],
        "keepalive": config["keepalive"],
    }
    if chosen["worker_class"] != "gthread":
        chosen["threads"] = 1
    return chosen


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per run (at most)")
    parser.add_argument("--warmup", type=float, default=2, help="untimed seconds before a run")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--client-threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--requests", type=int, default=20000, help="Python client: requests per run"
    )
    parser.add_argument("--runs", type=int, default=3, help="repetitions of the comparison")
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py)"
    )
    parser.add_argument("--worker-class", default=None, help="default: gunicorn.conf.py")
    parser.add_argument("--threads", type=int, default=None, help="default: gunicorn.conf.py")
    parser.add_argument(
        "--worker-connections", type=int, default=None, help="default: gunicorn.conf.py"
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120,
        help="seconds to wait at most for an idle machine before each run",
    )
    parser.add_argument("--database-url", default=harness.DEFAULT_DATABASE_URL)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the bench database of an earlier run"
    )
    parser.add_argument("--output", type=Path, default=harness.VAR_BENCH / "serve_rate.json")
    arguments = parser.parse_args()
    if arguments.client == "auto":
        arguments.client = "wrk" if shutil.which("wrk") else "python"
    elif arguments.client == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install wrk), use --client python")
    return arguments


# --- servers ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Accept": ACCEPT, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def start_gunicorn(
    name: str, target: str, env: dict, arguments: argparse.Namespace, extra: list[str]
) -> tuple[subprocess.Popen, int]:
    port = free_port()
    log_path = harness.VAR_BENCH / f"gunicorn-{name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        target,
        "--config",
        str(CONFIG),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        *extra,
    ]
    for option, value in (
        ("--workers", arguments.workers),
        ("--worker-class", arguments.worker_class),
        ("--threads", arguments.threads),
        ("--worker-connections", arguments.worker_connections),
    ):
        if value is not None:
            command += [option, str(value)]
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, cwd=harness.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn ({name}) exited ({server.returncode}); see {log_path}")
        try:
            get(port, "/")
            return server, port
        except OSError:
            time.sleep(0.2)
    harness.stop_process(server)
    sys.exit(f"gunicorn ({name}) did not answer within 60 s; see {log_path}")


# --- load generators --------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def run_wrk(
    port: int, path: str, headers: dict, duration: float, arguments: argparse.Namespace
) -> dict:
    command = [
        "wrk",
        f"-t{arguments.client_threads}",
        f"-c{arguments.connections}",
        f"-d{max(1, round(duration))}s",
        "--timeout",
        "5s",
        "--latency",
    ]
    for name, value in {"Accept": ACCEPT, **headers}.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{port}{path}")
    output = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + 30, check=True
    ).stdout
    return parse_wrk(output)


def parse_wrk(output: str) -> dict:
    """The figures of a ``wrk --latency`` report."""
    latency = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)$", output, re.MULTILINE))
    total = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)\b", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if not total or not rate:
        raise ValueError(f"not a wrk report:\n{output}")
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)$", output, re.MULTILINE)
    seconds = float(total.group(2)) * {"ms": 0.001, "s": 1, "m": 60}[total.group(3)]
    return {
        "client": "wrk",
        "requests": int(total.group(1)),
        "seconds": seconds,
        "requests_per_second": float(rate.group(1)),
        "latency_ms": {
            f"p{rank}": round(_milliseconds(value), 3) for rank, value in latency.items()
        },
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1).strip() if socket_errors else None,
    }


def run_python(
    port: int, path: str, headers: dict, duration: float, arguments: argparse.Namespace
) -> dict:
    """A fixed number of keep-alive GETs from ``--connections`` threads, within ``duration``."""
    lock = threading.Lock()
    remaining = [arguments.requests]
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    deadline = time.monotonic() + duration
    request_headers = {"Accept": ACCEPT, **headers}

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        mine: list[float] = []
        seen: dict[int, int] = {}
        try:
            while time.monotonic() < deadline:
                with lock:
                    if remaining[0] <= 0:
                        break
                    remaining[0] -= 1
                started = time.perf_counter()
                connection.request("GET", path, headers=request_headers)
                response = connection.getresponse()
                response.read()
                mine.append((time.perf_counter() - started) * 1000)
                seen[response.status] = seen.get(response.status, 0) + 1
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)
                for status, count in seen.items():
                    statuses[status] = statuses.get(status, 0) + count

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(arguments.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "client": "python",
        "requests": len(ordered),
        "seconds": round(seconds, 3),
        "requests_per_second": round(len(ordered) / seconds, 2),
        "latency_ms": {
            f"p{rank}": round(harness.percentile(ordered, rank), 3) for rank in (50, 75, 90, 99)
        },
        "errors": sum(count for status, count in statuses.items() if status >= 400),
        "statuses": statuses,
    }


def load(
    server: subprocess.Popen,
    port: int,
    path: str,
    headers: dict,
    arguments: argparse.Namespace,
) -> dict:
    run = run_wrk if arguments.client == "wrk" else run_python
    background_busy = harness.wait_for_quiet(arguments.quiet_wait)
    if arguments.warmup:
        run(port, path, headers, arguments.warmup, arguments)
    database = harness.postgres_server_pid()
    cpu_before = harness.process_tree_cpu_seconds(server.pid)
    database_before = harness.cpu_seconds(database)
    own_before = harness.own_cpu_seconds()
    interrupts_before = harness.interrupt_cpu_seconds()
    busy_before, total_before = harness.system_cpu_seconds()
    result = run(port, path, headers, arguments.duration, arguments)
    busy_after, total_after = harness.system_cpu_seconds()
    server_cpu = harness.process_tree_cpu_seconds(server.pid) - cpu_before
    # A backend that exits during the run takes its CPU time out of the tree: never below 0.
    database_cpu = max(0.0, harness.cpu_seconds(database) - database_before)
    client_cpu = harness.own_cpu_seconds() - own_before
    interrupts = harness.interrupt_cpu_seconds() - interrupts_before
    requests = max(result["requests"], 1)
    result["background_busy_before"] = background_busy
    result["server_cpu_ms_per_request"] = round(server_cpu * 1000 / requests, 4)
    result["database_cpu_ms_per_request"] = round(database_cpu * 1000 / requests, 4)
    result["machine_cpu_ms_per_request"] = round((busy_after - busy_before) * 1000 / requests, 4)
    result["client_cpu_ms_per_request"] = round(client_cpu * 1000 / requests, 4)
    result["other_work_cpu_share"] = harness.others_share(
        busy_after - busy_before, server_cpu, database_cpu, client_cpu, interrupts
    )
    result["interrupt_cpu_ms_per_request"] = round(interrupts * 1000 / requests, 4)
    result["machine_cpu_utilisation"] = round(
        (busy_after - busy_before) / max(total_after - total_before, 1e-9), 3
    )
    return result


# --- main -------------------------------------------------------------------------------------


def main() -> None:
    arguments = parse_arguments()
    harness.check_services(arguments.database_url, broker_url=None)
    print(f"Preparing {arguments.database_url.rsplit('/', 1)[-1]} (migrate, demo data)…")
    harness.prepare_database(arguments.database_url, fresh=not arguments.reuse)
    harness.setup_django(arguments.database_url, broker_url=None)

    from badges.models import Assertion

    assertion = (
        Assertion.objects.filter(
            status=Assertion.Status.ISSUED,
            badge_class__name_en="Data analysis with Python",
            badge_class__issuer__faculty__institution__schac_home="hogeschool.example",
        )
        .order_by("pk")
        .first()
    )
    if assertion is None:
        sys.exit("no issued demo assertion in the bench database")
    base = f"/public/assertions/{assertion.public_id}"
    paths = {name: base + suffix for name, suffix in DOCUMENTS.items()}
    static_dir = harness.VAR_BENCH / "static"
    env = harness.bench_environment(arguments.database_url, broker_url=None)

    servers: list[subprocess.Popen] = []
    runs: list[dict] = []
    sizes: dict[str, int] = {}
    try:
        django_server, django_port = start_gunicorn(
            "portal", "edubadges.wsgi:application", env, arguments, []
        )
        servers.append(django_server)
        files, etags = {}, {}
        for name, path in paths.items():
            status, headers, body = get(django_port, path)
            if status != 200:
                sys.exit(f"GET {path} answered {status}")
            static_dir.mkdir(parents=True, exist_ok=True)
            (static_dir / f"{name}.json").write_bytes(body)
            files[path] = [str(static_dir / f"{name}.json"), headers["Content-Type"]]
            etags[("portal", name)] = headers["ETag"]
            sizes[name] = len(body)
        static_server, static_port = start_gunicorn(
            "static",
            "static_app:application",
            {**env, "BENCH_STATIC_FILES": json.dumps(files)},
            arguments,
            ["--pythonpath", str(Path(__file__).resolve().parent)],
        )
        servers.append(static_server)
        for name, path in paths.items():
            static_status, static_headers, static_body = get(static_port, path)
            if static_status != 200 or static_body != Path(files[path][0]).read_bytes():
                sys.exit(f"the static server does not serve the same bytes for {name}")
            etags[("static", name)] = static_headers["ETag"]

        targets = {"portal": (django_server, django_port), "static": (static_server, static_port)}
        for number in range(1, arguments.runs + 1):
            run: dict = {}
            for document, path in paths.items():
                for kind in ("full", "conditional"):
                    for server_name, (server, port) in targets.items():
                        extra = (
                            {"If-None-Match": etags[(server_name, document)]}
                            if kind == "conditional"
                            else {}
                        )
                        expected = 304 if kind == "conditional" else 200
                        if get(port, path, extra)[0] != expected:
                            sys.exit(
                                f"{server_name}: a {kind} GET of {document} did not answer {expected}"
                            )
                        print(
                            f"run {number}/{arguments.runs}: {document}, {server_name}, "
                            f"{kind} GET ({expected}), {arguments.client}…"
                        )
                        run[f"{document}_{server_name}_{kind}"] = {
                            "status": expected,
                            **load(server, port, path, extra, arguments),
                        }
            runs.append(run)
    finally:
        for server in servers:
            harness.stop_process(server)

    results = {
        "benchmark": "serve_rate",
        "machine": harness.machine_facts(),
        "software": harness.software_versions(["django", "gunicorn", "psycopg2-binary"]),
        "paths": {
            "assertion": "/public/assertions/<public_id> (Accept: application/ld+json)",
            "credential": "/public/assertions/<public_id>/credential",
        },
        "body_bytes": sizes,
        "gunicorn": gunicorn_settings(arguments),
        "load": {
            "client": arguments.client,
            "connections": arguments.connections,
            "client_threads": arguments.client_threads,
            "duration_seconds": arguments.duration,
            "python_requests": arguments.requests if arguments.client == "python" else None,
        },
        "runs": runs,
        "summary": summarise(runs),
    }
    print()
    print(report(results))
    harness.write_json(arguments.output, results)
    print(f"\nJSON: {arguments.output}")


def _spread(values: list[float]) -> dict:
    return {
        "median": round(statistics.median(values), 2),
        "min": round(min(values), 2),
        "max": round(max(values), 2),
    }


def summarise(runs: list[dict]) -> dict:
    """Median and range over the runs: rates, p99, and the portal's rate over the static one
    (the raw limit, measured in the same run)."""
    summary: dict = {}
    for document in DOCUMENTS:
        for kind in ("full", "conditional"):
            portal = [run[f"{document}_portal_{kind}"] for run in runs]
            static = [run[f"{document}_static_{kind}"] for run in runs]
            summary[f"{document}_{kind}"] = {
                "portal_requests_per_second": _spread([r["requests_per_second"] for r in portal]),
                "static_requests_per_second": _spread([r["requests_per_second"] for r in static]),
                "ratio": _spread(
                    [
                        p["requests_per_second"] / max(s["requests_per_second"], 1e-9)
                        for p, s in zip(portal, static, strict=True)
                    ]
                ),
                "portal_p99_ms": _spread(
                    [r["latency_ms"].get("p99", float("nan")) for r in portal]
                ),
                "static_p99_ms": _spread(
                    [r["latency_ms"].get("p99", float("nan")) for r in static]
                ),
                "portal_cpu_ms_per_request": _spread(
                    [
                        r["server_cpu_ms_per_request"] + r["database_cpu_ms_per_request"]
                        for r in portal
                    ]
                ),
                "static_cpu_ms_per_request": _spread(
                    [
                        r["server_cpu_ms_per_request"] + r["database_cpu_ms_per_request"]
                        for r in static
                    ]
                ),
                "other_work_cpu_share": _spread(
                    [r["other_work_cpu_share"] for r in portal + static]
                ),
            }
    return summary


def report(results: dict) -> str:
    rows = []
    for number, run in enumerate(results["runs"], start=1):
        for name, measured in run.items():
            latency = measured["latency_ms"]
            rows.append(
                (
                    number,
                    name.replace("_", ", "),
                    measured["status"],
                    f"{measured['requests_per_second']:.0f}",
                    f"{latency.get('p50', float('nan')):.2f}",
                    f"{latency.get('p99', float('nan')):.2f}",
                    f"{measured['server_cpu_ms_per_request']:.3f}",
                    f"{measured['database_cpu_ms_per_request']:.3f}",
                    f"{measured['other_work_cpu_share']:.0%}",
                    measured["errors"],
                )
            )
    gunicorn = results["gunicorn"]
    lines = [
        f"{results['body_bytes']} bytes; gunicorn {gunicorn['worker_class']} "
        f"{gunicorn['workers']}x{gunicorn['threads']} (worker_connections "
        f"{gunicorn['worker_connections']}); {results['load']['client']}, "
        f"{results['load']['connections']} connections",
        harness.table(
            rows,
            [
                "run",
                "document, server, request",
                "status",
                "req/s",
                "p50 ms",
                "p99 ms",
                "gunicorn CPU ms/req",
                "PostgreSQL",
                "others",
                "errors",
            ],
        ),
        "",
        f"Median of {len(results['runs'])} runs (range); the static server is the raw limit:",
    ]
    for name, figures in results["summary"].items():
        portal, static = (
            figures["portal_requests_per_second"],
            figures["static_requests_per_second"],
        )
        ratio, p99 = figures["ratio"], figures["portal_p99_ms"]
        lines.append(
            f"  {name.replace('_', ', ')}: portal {portal['median']:.0f} req/s "
            f"({portal['min']:.0f}–{portal['max']:.0f}), static {static['median']:.0f} "
            f"({static['min']:.0f}–{static['max']:.0f}), ratio {ratio['median']:.0%} "
            f"({ratio['min']:.0%}–{ratio['max']:.0%}); portal p99 {p99['median']:.1f} ms "
            f"({p99['min']:.1f}–{p99['max']:.1f}); CPU ms/req portal "
            f"{figures['portal_cpu_ms_per_request']['median']:.3f}, static "
            f"{figures['static_cpu_ms_per_request']['median']:.3f}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
