"""The benchmark scripts' helpers: report parsing and the static baseline server.

Benchmarks are never timed here; these tests only keep the scripts from rotting.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import harness  # noqa: E402
import serve_rate  # noqa: E402
import static_app  # noqa: E402

WRK_REPORT = """Running 10s test @ http://127.0.0.1:40000/public/assertions/abc
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    28.17ms   12.42ms 117.12ms   75.67%
    Req/Sec   273.82     48.45   616.00     81.82%
  Latency Distribution
     50%   28.17ms
     75%   35.34ms
     90%   50.22ms
     99%  1.20s
  2731 requests in 10.03s, 2.85MB read
  Non-2xx or 3xx responses: 3
Requests/sec:    272.28
Transfer/sec:    290.41KB
"""


def test_wrk_report_is_read_with_latencies_in_milliseconds():
    figures = serve_rate.parse_wrk(WRK_REPORT)

    assert figures["requests"] == 2731
    assert figures["seconds"] == pytest.approx(10.03)
    assert figures["requests_per_second"] == pytest.approx(272.28)
    assert figures["latency_ms"] == {"p50": 28.17, "p75": 35.34, "p90": 50.22, "p99": 1200.0}
    assert figures["errors"] == 3


def test_output_that_is_not_a_wrk_report_is_refused():
    with pytest.raises(ValueError):
        serve_rate.parse_wrk("wrk: command failed")


def _call(environ: dict) -> tuple[str, dict, bytes]:
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = status, dict(headers)

    body = b"".join(static_app.application(environ, start_response))
    return answer["status"], answer["headers"], body


def test_static_baseline_serves_the_file_and_answers_304_to_its_etag(tmp_path, monkeypatch):
    document = tmp_path / "assertion.json"
    document.write_bytes(b'{"type": "Assertion"}')
    monkeypatch.setattr(
        static_app, "FILES", {"/a": [str(document), "application/ld+json; charset=utf-8"]}
    )

    status, headers, body = _call({"PATH_INFO": "/a"})
    assert status == "200 OK"
    assert body == b'{"type": "Assertion"}'
    assert headers["Content-Length"] == str(len(body))
    assert headers["Content-Type"] == "application/ld+json; charset=utf-8"

    status, headers, body = _call({"PATH_INFO": "/a", "HTTP_IF_NONE_MATCH": headers["ETag"]})
    assert status == "304 Not Modified"
    assert body == b""
    assert _call({"PATH_INFO": "/b"})[0] == "404 Not Found"


def test_the_serving_summary_gives_the_median_range_and_ratio_of_the_runs():
    def run(portal: float, static: float) -> dict:
        measured = {
            "requests_per_second": 0.0,
            "latency_ms": {"p99": 5.0},
            "server_cpu_ms_per_request": 0.5,
            "database_cpu_ms_per_request": 0.1,
            "other_work_cpu_share": 0.0,
        }
        return {
            f"{document}_{server}_{kind}": {
                **measured,
                "requests_per_second": portal if server == "portal" else static,
            }
            for document in serve_rate.DOCUMENTS
            for server in ("portal", "static")
            for kind in ("full", "conditional")
        }

    summary = serve_rate.summarise([run(400, 1000), run(500, 1000), run(300, 600)])
    figures = summary["assertion_full"]
    assert figures["portal_requests_per_second"] == {"median": 400, "min": 300, "max": 500}
    assert figures["ratio"] == {"median": 0.5, "min": 0.4, "max": 0.5}


def test_percentiles_and_summaries_of_samples():
    summary = harness.summarize([4.0, 1.0, 3.0, 2.0, 5.0])

    assert summary["median_ms"] == 3.0
    assert summary["min_ms"] == 1.0
    assert summary["p90_ms"] == 5.0
    assert harness.percentile([1.0, 2.0, 3.0], 50) == 2.0


def test_the_bench_database_must_be_named_as_such():
    with pytest.raises(SystemExit):
        harness.ensure_database("postgresql://postgres@127.0.0.1:5432/edubadges", fresh=True)
