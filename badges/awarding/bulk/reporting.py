"""Reporting on a bulk award: what is wrong with a line (in the reader's language), the
progress, and the result per line as a CSV that no spreadsheet will execute."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from ...models import Assertion, BulkAward, BulkAwardRow
from .parsing import COLUMN_BY_FIELD

# Per-line problems: code → message (with %(...)s parameters), in the reader's language.
ROW_ERRORS = {
    "missing_identity": gettext_lazy("No email address and no eppn."),
    "invalid_email": gettext_lazy("“%(value)s” is not a valid email address."),
    "eppn_mismatch": gettext_lazy(
        "eppn “%(value)s” does not match the pattern of the institution."
    ),
    "duplicate": gettext_lazy("Same recipient as line %(line)s."),
    "already_holds": gettext_lazy("The recipient already holds this badge."),
    "already_offered": gettext_lazy("This badge has already been offered to the recipient."),
    "narrative_required": gettext_lazy("This badge requires a narrative; the cell is empty."),
    "evidence_required": gettext_lazy("This badge requires evidence; no evidence URL."),
    "invalid_evidence_url": gettext_lazy("“%(value)s” is not a valid http(s) URL."),
    "invalid_language": gettext_lazy("Language must be nl or en, not “%(value)s”."),
    "too_long": gettext_lazy("%(column)s is longer than %(max)s characters."),
    "too_many_cells": gettext_lazy(
        "This line has %(count)s cells, the header %(header)s: is there a delimiter in a value "
        "without quotes?"
    ),
    "prerequisites_missing": gettext_lazy(
        "The recipient does not hold the required badges: %(names)s."
    ),
}


def row_error_text(error: dict) -> str:
    message = ROW_ERRORS.get(error.get("code", ""), error.get("code", ""))
    params = dict(error.get("params") or {})
    if "column" in params and params["column"] in COLUMN_BY_FIELD:
        params["column"] = COLUMN_BY_FIELD[params["column"]].label
    try:
        return str(message) % params if params else str(message)
    except (KeyError, TypeError, ValueError):
        return str(message)


def row_errors_text(row: BulkAwardRow) -> str:
    return " ".join(row_error_text(error) for error in row.errors)


def bulk_award_progress(bulk: BulkAward) -> dict:
    return {
        "status": bulk.status,
        "status_label": str(bulk.get_status_display()),
        "valid": bulk.valid_rows,
        "processed": bulk.processed_rows,
        "awarded": bulk.created_awards,
        "skipped": bulk.skipped_rows,
        "percent": bulk.percent,
        "finished": bulk.is_finished,
        "message": progress_message(bulk),
    }


def progress_message(bulk: BulkAward) -> str:
    if bulk.status == BulkAward.Status.QUEUED:
        return _("Waiting for a worker to start…")
    if bulk.status == BulkAward.Status.PROCESSING:
        return _("%(processed)s of %(total)s lines processed.") % {
            "processed": bulk.processed_rows,
            "total": bulk.valid_rows,
        }
    if bulk.status == BulkAward.Status.DONE:
        return ngettext(
            "Done: %(count)s badge awarded.", "Done: %(count)s badges awarded.", bulk.created_awards
        ) % {"count": bulk.created_awards}
    if bulk.status == BulkAward.Status.FAILED:
        return bulk.failure or _("The processing failed.")
    if bulk.status == BulkAward.Status.CANCELLED:
        return _("Cancelled after %(count)s lines.") % {"count": bulk.processed_rows}
    return str(bulk.get_status_display())


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value) -> str:
    """A cell a spreadsheet shows as text: one that would start a formula (``=``, ``+``,
    ``-``, ``@``, tab or carriage return) gets a leading apostrophe (OWASP: CSV injection)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


REPORT_RESULTS = {
    BulkAwardRow.Status.VALID: gettext_lazy("not processed"),
    BulkAwardRow.Status.INVALID: gettext_lazy("error"),
    BulkAwardRow.Status.CREATED: gettext_lazy("awarded"),
    BulkAwardRow.Status.SKIPPED: gettext_lazy("skipped"),
}


def report_rows(bulk: BulkAward) -> Iterator[list[str]]:
    """The result per line, header first; every cell made spreadsheet-safe."""
    yield [
        _("line"),
        _("email"),
        _("eppn"),
        _("name"),
        _("result"),
        _("message"),
        _("award status"),
        _("claim link sent"),
    ]
    rows = bulk.rows.select_related("award").order_by("line").iterator(chunk_size=2000)
    for row in rows:
        award = row.award
        yield [
            spreadsheet_safe(value)
            for value in (
                row.line,
                row.email,
                row.eppn,
                row.name,
                REPORT_RESULTS.get(row.status, row.status),
                row_errors_text(row),
                award.get_status_display() if award else "",
                _("yes") if award and award.offered_at else "",
            )
        ]


def bulk_award_report(bulk: BulkAward) -> dict:
    """Where a bulk award stands, for the API: counts and what was wrong with each line that
    was not awarded (in the reader's language)."""
    issued = (
        Assertion.objects.filter(
            award__bulk_award=bulk,
            status__in=(Assertion.Status.ISSUED, Assertion.Status.REVOKED),
        ).count()
        if bulk.created_awards
        else 0
    )
    failed_rows = bulk.rows.filter(
        status__in=(BulkAwardRow.Status.INVALID, BulkAwardRow.Status.SKIPPED)
    ).order_by("line")
    return {
        "id": bulk.public_id,
        "badge_class": bulk.badge_class.public_id,
        "status": bulk.status,
        "total": bulk.total_rows,
        "awarded": bulk.created_awards,
        "issued": issued,
        "failed": bulk.error_rows + bulk.skipped_rows,
        "pending": max(0, bulk.valid_rows - bulk.processed_rows) if not bulk.is_finished else 0,
        "created_at": bulk.created_at,
        "finished_at": bulk.finished_at,
        "errors": lines_in_error(failed_rows),
    }


def lines_in_error(rows) -> list[dict]:
    return [
        {
            "line": row.line,
            "email": row.email,
            "eppn": row.eppn,
            "errors": [
                {"code": error.get("code", ""), "message": row_error_text(error)}
                for error in row.errors
            ],
        }
        for row in rows
        if row.errors
    ]
