#!/usr/bin/env python
"""Every benchmark of ``make bench``, one after the other, unattended, then one summary.

    .venv/bin/python bench/run_all.py --runs 3

1. **Issuing**: ``bulk_award.py`` (a bulk award of ``--rows`` recipients on a type that issues
   directly, upload to last signed credential, with a real worker; the raw limit of the
   signing primitives measured in the same run), ``--runs`` times.
2. **Serving**: ``serve_rate.py`` (the hosted assertion and the credential JSON under
   gunicorn against the same bytes as static files: the raw limit of the same gunicorn),
   ``--runs`` runs of ``--serve-duration`` seconds per measurement.
3. **Scale**: ``scale_run.py`` (an issuer with ``--assertions`` badges and a backpack of
   ``--backpack``, against small ones), ``--runs`` runs.

Each script's JSON goes to ``var/bench/``; the summary (median of the runs, range, the raw
limit and the ratio to it, and the goals of each figure) is printed and written to
``var/bench/summary.json``. A script that fails is reported and the others still run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import harness

BENCH = Path(__file__).resolve().parent


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rows", type=int, default=10_000, help="recipients of the bulk award")
    parser.add_argument("--serve-duration", type=float, default=4, help="seconds per serving run")
    parser.add_argument("--assertions", type=int, default=100_000)
    parser.add_argument("--backpack", type=int, default=200)
    parser.add_argument(
        "--quiet-wait", type=float, default=10, help="seconds to wait at most for an idle machine"
    )
    parser.add_argument(
        "--only", choices=("issuing", "serving", "scale"), action="append", help="run only these"
    )
    return parser.parse_args()


def run(name: str, command: list[str], log: Path) -> tuple[bool, float]:
    print(f"\n=== {name}: {' '.join(command)}", flush=True)
    started = time.monotonic()
    with log.open("w") as output:
        process = subprocess.run(
            [sys.executable, *command], cwd=harness.ROOT, stdout=output, stderr=subprocess.STDOUT
        )
    seconds = time.monotonic() - started
    tail = log.read_text().strip().splitlines()[-12:]
    print("\n".join(tail))
    print(f"--- {name}: {'done' if process.returncode == 0 else 'FAILED'} in {seconds:.0f} s")
    return process.returncode == 0, seconds


def _spread(values: list[float]) -> dict | None:
    values = [value for value in values if value is not None]
    if not values:
        return None
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def _text(figure: dict | None, unit: str = "", scale: float = 1, digits: int = 0) -> str:
    if not figure:
        return "–"
    return (
        f"{figure['median'] * scale:.{digits}f}{unit} "
        f"({figure['min'] * scale:.{digits}f}–{figure['max'] * scale:.{digits}f})"
    )


def issuing_summary(paths: list[Path]) -> dict:
    results = [json.loads(path.read_text())["result"] for path in paths if path.exists()]
    if not results:
        return {}

    def figure(key: str) -> dict | None:
        return _spread([result.get(key) for result in results])

    return {
        "rows": results[0].get("rows"),
        "seconds_upload_to_last_signed": figure("upload_to_last_signed_seconds"),
        "credentials_per_second": figure("awards_per_second_to_last_signed"),
        "raw_limit_per_second": figure("raw_limit_per_second"),
        "share_of_raw_limit": figure("share_of_raw_limit"),
        "signing_path_limit_per_second": figure("signing_path_limit_per_second"),
        "share_of_signing_path_limit": figure("share_of_signing_path_limit"),
        "first_fifth_per_second": figure("first_fifth_per_second"),
        "last_fifth_per_second": figure("last_fifth_per_second"),
        "machine_cpu_ms_per_award": figure("machine_cpu_ms_per_award"),
        "raw_ms_per_credential": figure("raw_ms_per_credential"),
        "documents_in_a_batch_ms": figure("documents_in_a_batch_ms"),
        "seconds_upload_to_last_email": figure("upload_to_last_email_seconds"),
    }


def main() -> None:
    arguments = parse_arguments()
    only = set(arguments.only or ("issuing", "serving", "scale"))
    out = harness.VAR_BENCH
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    status: dict[str, dict] = {}
    quiet = ["--quiet-wait", str(arguments.quiet_wait)]

    if "issuing" in only:
        paths = []
        for number in range(1, arguments.runs + 1):
            path = out / f"bulk_award-{number}.json"
            path.unlink(missing_ok=True)
            command = [
                "bench/bulk_award.py",
                "--rows",
                str(arguments.rows),
                *quiet,
                "--output",
                str(path),
            ]
            if number > 1:
                command.append("--reuse")
            ok, seconds = run(
                f"issuing {number}/{arguments.runs}", command, out / f"bulk_award-{number}.log"
            )
            status[f"issuing {number}"] = {"ok": ok, "seconds": round(seconds)}
            paths.append(path)
    if "serving" in only:
        path = out / "serve_rate.json"
        path.unlink(missing_ok=True)
        command = [
            "bench/serve_rate.py",
            "--runs",
            str(arguments.runs),
            "--duration",
            str(arguments.serve_duration),
            "--warmup",
            "1",
            *quiet,
            "--output",
            str(path),
        ]
        ok, seconds = run("serving", command, out / "serve_rate.log")
        status["serving"] = {"ok": ok, "seconds": round(seconds)}
    if "scale" in only:
        path = out / "scale_run.json"
        path.unlink(missing_ok=True)
        command = [
            "bench/scale_run.py",
            "--assertions",
            str(arguments.assertions),
            "--backpack",
            str(arguments.backpack),
            "--runs",
            str(arguments.runs),
            *quiet,
            "--output",
            str(path),
        ]
        ok, seconds = run("scale", command, out / "scale_run.log")
        status["scale"] = {"ok": ok, "seconds": round(seconds)}

    summary = {
        "machine": harness.machine_facts(),
        "runs": arguments.runs,
        "status": status,
        "minutes": round((time.monotonic() - started) / 60, 1),
    }
    lines = [f"\n===== Summary: median of {arguments.runs} runs (range) ====="]
    if "issuing" in only:
        issuing = issuing_summary(
            [out / f"bulk_award-{n}.json" for n in range(1, arguments.runs + 1)]
        )
        summary["issuing"] = issuing
        if issuing:
            lines += [
                f"Issuing, bulk award of {issuing['rows']} (goal: under 60 s, at least 50 % of "
                "the raw limit, last fifth no slower than the first):",
                f"  upload to last signed: {_text(issuing['seconds_upload_to_last_signed'], ' s', digits=1)}",
                f"  credentials per second: {_text(issuing['credentials_per_second'], digits=1)}; "
                f"raw limit (same run): {_text(issuing['raw_limit_per_second'], digits=0)}; "
                f"ratio: {_text(issuing['share_of_raw_limit'], ' %', scale=100)}",
                f"  the portal's own signatures (compiled templates) allow "
                f"{_text(issuing['signing_path_limit_per_second'], digits=0)}; ratio: "
                f"{_text(issuing['share_of_signing_path_limit'], ' %', scale=100)}",
                f"  first fifth {_text(issuing['first_fifth_per_second'], '/s', digits=1)}, "
                f"last fifth {_text(issuing['last_fifth_per_second'], '/s', digits=1)}",
                f"  machine CPU per credential, everything: "
                f"{_text(issuing['machine_cpu_ms_per_award'], ' ms', digits=2)}; primitives "
                f"{_text(issuing['raw_ms_per_credential'], ' ms', digits=2)}; every document "
                f"as a batch builds it {_text(issuing['documents_in_a_batch_ms'], ' ms', digits=2)}",
                f'  upload to the last "badge issued" email: '
                f"{_text(issuing['seconds_upload_to_last_email'], ' s', digits=1)}",
            ]
        else:
            lines.append("Issuing: no result")
    serve_path = out / "serve_rate.json"
    if "serving" in only and serve_path.exists():
        serving = json.loads(serve_path.read_text())
        summary["serving"] = serving["summary"]
        lines.append(
            "Serving under gunicorn, 8 connections (goal: at least 36 % of the static rate, "
            "p99 under 10 ms):"
        )
        for name, figures in serving["summary"].items():
            lines.append(
                f"  {name.replace('_', ', ')}: {_text(figures['portal_requests_per_second'])} "
                f"req/s; static (raw limit) {_text(figures['static_requests_per_second'])}; "
                f"ratio {_text(figures['ratio'], ' %', scale=100)}; "
                f"p99 {_text(figures['portal_p99_ms'], ' ms', digits=1)}"
            )
    elif "serving" in only:
        lines.append("Serving: no result")
    scale_path = out / "scale_run.json"
    if "scale" in only and scale_path.exists():
        scale = json.loads(scale_path.read_text())
        summary["scale"] = {"results": scale["results"], "ratios": scale["ratios"]}
        lines.append(
            f"Scale: {scale['badges_of_big_badge_class']} badges in one badge class, "
            f"{scale['badges_in_backpack']} in a backpack (goal: backpack p95 under 100 ms, the "
            "same queries and speed as small):"
        )
        for name, result in scale["results"].items():
            queries = "" if result["queries"] is None else f", {result['queries']} queries"
            lines.append(
                f"  {name}: median {_text(result['median_ms'], ' ms', digits=1)}, "
                f"p95 {_text(result['p95_ms'], ' ms', digits=1)}{queries}"
            )
        lines.append(
            "  scale / small: "
            + ", ".join(f"{name} {ratio:.2f}" for name, ratio in scale["ratios"].items())
        )
    elif "scale" in only:
        lines.append("Scale: no result")
    failed = [name for name, state in status.items() if not state["ok"]]
    lines.append(
        f"Busy machine? Each script records how much of the CPU other work took (JSON). "
        f"Total {summary['minutes']} min." + (f" FAILED: {', '.join(failed)}" if failed else "")
    )
    print("\n".join(lines))
    harness.write_json(out / "summary.json", summary)
    print(f"JSON: {out / 'summary.json'}")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
