"""Keeps bench/bulk_award.py from rotting: its pieces run here, nothing is timed."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import bulk_award  # noqa: E402

from badges.awarding import bulk  # noqa: E402


def test_the_generated_file_is_a_valid_upload_of_the_requested_size():
    upload = bulk_award.csv_file(25, "20260101")
    text = bulk.decode_upload(upload.read())
    assert bulk.sniff_delimiter(text) == ";"
    lines = text.splitlines()
    assert lines[0] == "email;name;narrative" and len(lines) == 26
    assert bulk.auto_mapping(lines[0].split(";")) == {"email": 0, "name": 1, "narrative": 2}


def test_the_report_is_a_markdown_table(monkeypatch):
    monkeypatch.setattr(sys, "argv", ["bulk_award.py", "--rows", "10"])
    arguments = bulk_award.parse_arguments()
    assert arguments.rows == 10 and arguments.concurrency == 2
    assert "bench" in arguments.database_url
    result = {
        "rows": 10,
        "upload_seconds": 0.01,
        "preview_seconds": 0.02,
        "awards_done_seconds": 1.0,
        "awards_per_second_to_awarded": 10.0,
        "upload_to_last_signed_seconds": 2.0,
        "awards_per_second_to_last_signed": 5.0,
        "emails_sent_by_the_end": 10,
        "worker_cpu_ms_per_award": 100.0,
        "upload_to_last_email_seconds": 3.0,
        "worker_cpu_ms_per_award_with_its_email": 150.0,
        "database_cpu_ms_per_award": 2.0,
        "machine_cpu_ms_per_award": 120.0,
        "machine_cpu_utilisation": 0.9,
        "documents_in_a_batch_ms": 6.0,
        "first_fifth_per_second": 5.0,
        "last_fifth_per_second": 5.5,
        "raw_ms_per_credential": 5.0,
        "raw_limit_per_second": 400.0,
        "cores": 2,
        "share_of_raw_limit": 0.0125,
        "signing_path_ms_per_credential": 1.0,
        "signing_path_limit_per_second": 2000.0,
        "share_of_signing_path_limit": 0.0025,
    }
    table = bulk_award.report(result).splitlines()
    assert table[:2] == ["| measure | value |", "|---|---:|"]
    assert "| **awards per second, upload → last signed** | 5.0 |" in table
    assert "| **share of the raw limit** | 0.0125 |" in table
    assert "| machine CPU per award, everything (ms) | 120.0 |" in table
    assert "| share of that limit | 0.0025 |" in table


def test_the_raw_limit_is_measured_on_an_issued_credential(issue, settings):
    """The primitives as the raw limit counts them (each document canonicalised whole) and the
    portal's own signing path, on a real credential."""
    assertion = issue()
    assert assertion.status == assertion.Status.ISSUED
    raw = bulk_award._raw_limit(assertion, iterations=2)
    assert set(raw["raw_breakdown_ms"]) == set(bulk_award.RAW_PRIMITIVES)
    assert raw["raw_ms_per_credential"] == pytest.approx(
        sum(raw["raw_breakdown_ms"].values()), abs=0.01
    )
    assert raw["raw_limit_per_second"] > 0 and raw["signing_path_limit_per_second"] > 0
    assert raw["documents_in_a_batch_ms"] > 0
