"""Verify Open Badges 2.0 and 3.0 badges, ours or other issuers'.

:func:`verify_badge` accepts a baked PNG or SVG, OB 2.0 JSON, OB 3.0 JSON, a compact JWS
(OB 2.0 signed badge), a VC-JWT or a URL, and returns a :class:`VerificationReport` with
ordered checks: ``input``, ``structure``, ``hosted`` (OB 2.0 hosted), ``signature``,
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
from badge_credentials.verify.inputs import Presented, read_input
from badge_credentials.verify.ob2 import verify_ob2
from badge_credentials.verify.ob3 import verify_ob3
from badge_credentials.verify.report import (
    FORMAT_OB2_HOSTED,
    FORMAT_OB2_SIGNED,
    FORMAT_OB3_DATA_INTEGRITY,
    FORMAT_OB3_VC_JWT,
    Check,
    VerificationReport,
)
from badge_credentials.verify.resolve import Fetch, Resolver


def verify_badge(
    data: bytes | str,
    *,
    fetch: Fetch | None = None,
    recipient: str | None = None,
    now: datetime | None = None,
    documents: Mapping[str, Any] | None = None,
) -> VerificationReport:
    """Verify one badge and return the report (never raises for a bad badge).

    ``recipient`` is the identity (e-mail address) the badge should have been issued to;
    ``now`` defaults to the current time; ``documents`` maps URLs/DIDs to JSON documents
    that need no fetching (JSON-LD contexts among them are offered to the JSON-LD loader).
    """
    moment = now or datetime.now(UTC)
    report = VerificationReport()
    resolver = Resolver(fetch, documents)
    try:
        presented: Presented = read_input(data, resolver)
    except RevokedAtSourceError as revoked:
        report.format = FORMAT_OB2_HOSTED
        report.add("input", True, f"{revoked.url} answers 410 Gone")
        reason = f": {revoked.reason}" if revoked.reason else ""
        report.add("revocation", False, f"the issuer revoked this badge{reason}")
        return report
    except CredentialError as error:
        return report.failed("input", str(error))
    report.format = presented.format
    report.credential = presented.document
    report.add("input", True, f"recognised as {presented.format}")
    if presented.format in (FORMAT_OB2_HOSTED, FORMAT_OB2_SIGNED):
        verify_ob2(presented, resolver, report, recipient=recipient, now=moment)
    else:
        loader = document_loader(
            {url: doc for url, doc in (documents or {}).items() if isinstance(doc, Mapping)}
        )
        report.credential = verify_ob3(
            presented, resolver, report, loader=loader, recipient=recipient, now=moment
        )
    return report


__all__ = [
    "FORMAT_OB2_HOSTED",
    "FORMAT_OB2_SIGNED",
    "FORMAT_OB3_DATA_INTEGRITY",
    "FORMAT_OB3_VC_JWT",
    "Check",
    "Fetch",
    "VerificationReport",
    "verify_badge",
]
