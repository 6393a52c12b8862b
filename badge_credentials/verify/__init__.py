"""Verify Open Badges 2.0 and 3.0 badges, ours or other issuers'.

:func:`verify_badge` accepts a baked PNG or SVG, OB 2.0 JSON, OB 3.0 JSON, a compact JWS
(OB 2.0 signed badge), a VC-JWT or a URL, and returns a :class:`VerificationReport` with
ordered checks (for an image carrying several badges: one report per badge in ``parts``):
``input``, ``structure``, ``hosted`` (OB 2.0 hosted), ``signature``,
``issuer_key``, ``recipient`` (when a recipient is given), ``expiry`` and ``revocation``.

All network access goes through the caller's ``fetch(url) -> (content_type, body)``, which
must raise :class:`~badge_credentials.errors.FetchError` (with ``status``) for a non-2xx
answer. ``fetch=None`` disables outbound requests; ``documents`` (URL or DID → JSON) is
consulted first, e.g. for our own extension context and DID documents.
"""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from badge_credentials.contexts import document_loader
from badge_credentials.errors import CredentialError, RevokedAtSourceError
from badge_credentials.verify.inputs import Presented, read_inputs
from badge_credentials.verify.ob2 import verify_ob2
from badge_credentials.verify.ob3 import verify_ob3
from badge_credentials.verify.report import (
    FORMAT_OB2_HOSTED,
    FORMAT_OB2_SIGNED,
    FORMAT_OB3_DATA_INTEGRITY,
    FORMAT_OB3_VC_JWT,
    Check,
    Summary,
    VerificationReport,
)
from badge_credentials.verify.resolve import Fetch, Resolver


def _report_for_error(error: CredentialError) -> VerificationReport:
    report = VerificationReport()
    if isinstance(error, RevokedAtSourceError):
        report.format = FORMAT_OB2_HOSTED
        report.summary.id = error.url
        report.add("input", True, f"{error.url} answers 410 Gone")
        reason = f": {error.reason}" if error.reason else ""
        report.add("revocation", False, f"the issuer revoked this badge{reason}")
        return report
    return report.failed("input", str(error))


def _verify_presented(
    presented: Presented,
    resolver: Resolver,
    *,
    documents: Mapping[str, Any] | None,
    recipient: str | None,
    now: datetime,
) -> VerificationReport:
    report = VerificationReport(format=presented.format, credential=presented.document)
    report.add("input", True, f"recognised as {presented.format}")
    if presented.format in (FORMAT_OB2_HOSTED, FORMAT_OB2_SIGNED):
        verify_ob2(presented, resolver, report, recipient=recipient, now=now)
    else:
        loader = document_loader(
            {url: doc for url, doc in (documents or {}).items() if isinstance(doc, Mapping)}
        )
        report.credential = verify_ob3(
            presented, resolver, report, loader=loader, recipient=recipient, now=now
        )
    return report


def _kind(report: VerificationReport) -> str:
    if report.format in (FORMAT_OB2_HOSTED, FORMAT_OB2_SIGNED):
        return "an OB 2.0 assertion"
    if report.format in (FORMAT_OB3_DATA_INTEGRITY, FORMAT_OB3_VC_JWT):
        return "an OB 3.0 credential"
    return "an unreadable badge"


def verify_badge(
    data: bytes | str,
    *,
    fetch: Fetch | None = None,
    recipient: str | None = None,
    now: datetime | None = None,
    documents: Mapping[str, Any] | None = None,
) -> VerificationReport:
    """Verify a badge and return the report (never raises for a bad badge).

    An image may carry several badges (ours hold an OB 2.0 assertion and an OB 3.0
    credential): each is verified, the report's ``parts`` hold one report per badge, and
    the image is valid only when every one of them is.

    ``recipient`` is the identity (e-mail address) the badge should have been issued to;
    ``now`` defaults to the current time; ``documents`` maps URLs/DIDs to JSON documents
    that need no fetching (JSON-LD contexts among them are offered to the JSON-LD loader).
    """
    moment = now or datetime.now(UTC)
    resolver = Resolver(fetch, documents)
    try:
        found = read_inputs(data, resolver)
    except CredentialError as error:
        return _report_for_error(error)
    reports = [
        _report_for_error(item)
        if isinstance(item, CredentialError)
        else _verify_presented(item, resolver, documents=documents, recipient=recipient, now=moment)
        for item in found
    ]
    if len(reports) == 1:
        return reports[0]
    first = reports[0]
    combined = VerificationReport(
        format=first.format, credential=first.credential, summary=first.summary, parts=reports
    )
    kinds = ", ".join(_kind(report) for report in reports)
    combined.add("input", True, f"the image carries {len(reports)} badges: {kinds}")
    return combined


__all__ = [
    "FORMAT_OB2_HOSTED",
    "FORMAT_OB2_SIGNED",
    "FORMAT_OB3_DATA_INTEGRITY",
    "FORMAT_OB3_VC_JWT",
    "Check",
    "Fetch",
    "Summary",
    "VerificationReport",
    "verify_badge",
]
