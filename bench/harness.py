"""Shared set-up for the benchmarks: a dedicated PostgreSQL database, environment, machine facts.

The benchmarks never touch another database: they drop and create (or with ``--reuse`` keep)
only the one named in ``--database-url``, which must have "bench" in its name. Redis database 14 is used
as the broker so that the test suite's (15) and a developer's (0) queues are left alone.
"""

from __future__ import annotations

import base64
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
VAR_BENCH = ROOT / "var" / "bench"
DEFAULT_DATABASE_URL = os.environ.get(
    "BENCH_DATABASE_URL", "postgresql://postgres:postgres@127.0.0.1:5432/edubadges_bench"
)
DEFAULT_BROKER_URL = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/14")
# Bench-only values: the bench database holds demo data only, sealed under this key.
BENCH_SECRET = "bench-only-secret-key-never-use-in-production-0123456789"  # noqa: S105
BENCH_KEY_ENCRYPTION_KEY = base64.urlsafe_b64encode(b"bench-only-key-encryption-key-32").decode()
SITE_URL = "http://127.0.0.1:8000"


def bench_environment(database_url: str, broker_url: str | None) -> dict[str, str]:
    """Environment for the portal's processes (this one, the worker, gunicorn)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "edubadges.settings",
        "DEBUG": "false",
        "SECRET_KEY": BENCH_SECRET,
        "SIGNING_KEY_ENCRYPTION_KEY": BENCH_KEY_ENCRYPTION_KEY,
        "SITE_URL": SITE_URL,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(VAR_BENCH / "media"),
        "LOG_LEVEL": "WARNING",
    }
    for name in ("CELERY_BROKER_URL", "REDIS_URL", "CELERY_RESULT_BACKEND"):
        env.pop(name, None)
    if broker_url:
        env["CELERY_BROKER_URL"] = broker_url
    return env


def _database_name(database_url: str) -> str:
    return urlsplit(database_url).path.lstrip("/")


def _maintenance_url(database_url: str) -> str:
    parts = urlsplit(database_url)
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))


def check_services(database_url: str, broker_url: str | None) -> None:
    """Fail early, with a clear message, when PostgreSQL or Redis is not running."""
    import psycopg2

    try:
        psycopg2.connect(_maintenance_url(database_url), connect_timeout=5).close()
    except psycopg2.OperationalError as error:
        sys.exit(f"PostgreSQL is not reachable at {_maintenance_url(database_url)}: {error}")
    if broker_url:
        import redis

        try:
            redis.Redis.from_url(broker_url, socket_timeout=5).ping()
        except redis.RedisError as error:
            sys.exit(f"Redis is not reachable at {broker_url}: {error}")


def ensure_database(database_url: str, *, fresh: bool) -> None:
    """Create the bench database if missing (drop it first with ``fresh``); nothing else."""
    import psycopg2
    from psycopg2 import sql

    name = _database_name(database_url)
    if "bench" not in name:
        sys.exit(f"refusing to use database {name!r}: its name must contain 'bench'")
    connection = psycopg2.connect(_maintenance_url(database_url))
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            if fresh:
                cursor.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def prepare_database(database_url: str, *, fresh: bool = False) -> None:
    """Migrate the bench database and load the demo data (signed inline, without a broker)."""
    ensure_database(database_url, fresh=fresh)
    env = bench_environment(database_url, broker_url=None)
    for command in (["migrate", "--no-input", "-v", "0"], ["seed_demo"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def setup_django(database_url: str, broker_url: str | None) -> None:
    """Configure this process as the portal (call once, before importing any app)."""
    os.environ.clear()
    os.environ.update(bench_environment(database_url, broker_url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- measuring -------------------------------------------------------------------------------


def time_calls(function: Callable[[], Any], iterations: int, *, warmup: int = 2) -> dict:
    """Call ``function`` repeatedly in this thread; per-call wall and CPU times in ms.

    The CPU time (this thread's) barely moves when other processes compete for the cores,
    so a median CPU time far below the median wall time says the machine was busy.
    """
    for _ in range(warmup):
        function()
    samples, cpu_samples = [], []
    for _ in range(iterations):
        started, cpu_started = time.perf_counter(), time.thread_time()
        function()
        samples.append((time.perf_counter() - started) * 1000)
        cpu_samples.append((time.thread_time() - cpu_started) * 1000)
    return {**summarize(samples), "cpu_median_ms": round(statistics.median(cpu_samples), 3)}


def summarize(samples_ms: Sequence[float]) -> dict:
    ordered = sorted(samples_ms)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
        "min_ms": round(ordered[0], 3),
        "p90_ms": round(percentile(ordered, 90), 3),
    }


def percentile(ordered: Sequence[float], rank: float) -> float:
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(rank / 100 * (len(ordered) - 1))))
    return ordered[index]


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; the fields after it are split safely.
    return text[text.rindex(")") + 2 :].split()


def process_tree_cpu_seconds(root_pid: int) -> float:
    """User + system CPU seconds of a process and all its descendants (Linux /proc)."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _proc_stat(int(entry.name))
        if fields is None:
            continue
        parents[int(entry.name)] = int(fields[1])
        times[int(entry.name)] = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    tree = {root_pid}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return sum(times.get(pid, 0.0) for pid in tree)


def postgres_server_pid() -> int | None:
    """The PostgreSQL server process (parent of this process's backend), when it runs here."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    fields = _proc_stat(backend)
    return int(fields[1]) if fields else None


def redis_server_pid(broker_url: str) -> int | None:
    """The Redis server process, when it runs on this machine."""
    import redis

    pid = redis.Redis.from_url(broker_url).info("server").get("process_id")
    return int(pid) if pid and Path(f"/proc/{pid}").exists() else None


def own_cpu_seconds() -> float:
    """CPU seconds of this process and of the children it has waited for (wrk)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def others_share(machine: float, *ours: float) -> float:
    """The share of the machine's busy CPU that none of the measured processes used."""
    if machine <= 0:
        return 0.0
    share = max(0.0, machine - sum(value for value in ours if value == value)) / machine
    if share > 0.15:
        print(
            f"warning: {share:.0%} of the CPU went to other work during the measurement",
            file=sys.stderr,
        )
    return round(share, 3)


def cpu_seconds(pid: int | None) -> float:
    return process_tree_cpu_seconds(pid) if pid else float("nan")


def interrupt_cpu_seconds() -> float:
    """Hard and soft interrupt CPU seconds of the machine (loopback TCP is processed there).

    That time is charged to no process, so it is counted apart from the processes' own.
    """
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    return (fields[5] + fields[6]) / _CLOCK_TICKS


def system_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores summed."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    total = sum(fields[:8])
    idle = fields[3] + fields[4]
    return (total - idle) / _CLOCK_TICKS, total / _CLOCK_TICKS


def wait_for_quiet(max_wait: float, *, threshold: float = 0.15, window: float = 2.0) -> float:
    """Wait up to ``max_wait`` s for the machine to be idle; return the last busy fraction.

    Other people's test runs on a shared machine would slow every figure down; the fraction
    found is written into the results, and a warning is printed when it stays high.
    """
    deadline = time.monotonic() + max_wait
    while True:
        busy_before, total_before = system_cpu_seconds()
        time.sleep(window)
        busy_after, total_after = system_cpu_seconds()
        busy = (busy_after - busy_before) / max(total_after - total_before, 1e-9)
        if busy <= threshold:
            return round(busy, 3)
        if time.monotonic() >= deadline:
            print(
                f"warning: the machine is {busy:.0%} busy with other work; figures will be low",
                file=sys.stderr,
            )
            return round(busy, 3)


# --- processes -------------------------------------------------------------------------------


def stop_process(process: subprocess.Popen, *, timeout: float = 20) -> None:
    """Stop a process this script started (TERM, then KILL), and wait for it."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


# --- reporting -------------------------------------------------------------------------------


def machine_facts() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    changes = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_model": model,
        "cores": len(os.sched_getaffinity(0)),
        "memory_gib": memory_gib,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "git_commit": commit or None,
        "uncommitted_changes": bool(changes) if commit else None,
    }


def software_versions(names: Iterable[str]) -> dict[str, str]:
    from importlib import metadata

    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str]) -> str:
    cells = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(width) if column == 0 else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        )

    return "\n".join(
        [line(cells[0]), "  ".join("-" * width for width in widths), *map(line, cells[1:])]
    )


def write_json(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
