"""Checks shared by the OB 2.0 and OB 3.0 verifiers."""

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from badge_credentials.dates import parse_datetime

CLOCK_SKEW_SECONDS = 300


def parse_date(value: Any) -> datetime | None:
    """Parse an ISO 8601 date-time, or return ``None`` when it is missing or invalid."""
    if not isinstance(value, str):
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        return None


def check_dates(
    valid_from: Any, valid_until: Any, now: datetime, *, from_name: str, until_name: str
) -> tuple[bool, str]:
    """Return (passed, reason) for a validity period at ``now``."""
    start = parse_date(valid_from)
    if start is None:
        return False, f"{from_name} is missing or not a date-time"
    if (start - now).total_seconds() > CLOCK_SKEW_SECONDS:
        return False, f"not valid yet: {from_name} is {valid_from}"
    if valid_until is None:
        return True, "no expiry date"
    end = parse_date(valid_until)
    if end is None:
        return False, f"{until_name} is not a date-time"
    if end <= now:
        return False, f"expired on {valid_until}"
    return True, f"valid until {valid_until}"


def host_of(url: str) -> str:
    """Return the lower-case host (with port) of a URL."""
    return (urlsplit(url).netloc or "").lower()


def ids_of(value: Any) -> list[str]:
    """Return the ids of a value that may be an IRI, an object with ``id`` or a list."""
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            found.append(item["id"])
    return found


def text_or_none(value: Any) -> str | None:
    """Return ``value`` when it is a non-empty string (for summaries), else ``None``."""
    return value if isinstance(value, str) and value else None


def _limit(value: Any) -> datetime | None:
    return parse_date(value) if isinstance(value, str) else None


def check_key_validity(
    signed_at: datetime | None, *, expires: Any, revoked: Any
) -> tuple[bool, str] | None:
    """Compare when something was signed with the end of its key's validity.

    ``expires`` ends a retired key's validity; ``revoked`` is the moment a key was
    compromised (a date-time, as in a DID document) or ``True`` (an OB 2.0 key, whose
    ``expires`` then holds that moment). Returns ``None`` for a key without limits, else
    (passed, reason): only what was signed before the limit passes.
    """
    if expires is None and revoked in (None, False):
        return None
    compromised = revoked not in (None, False)
    limits = [moment for moment in (_limit(expires), _limit(revoked)) if moment is not None]
    if not limits:
        if compromised:
            return False, "the key is revoked"
        return False, f"the key's end of validity is not a date-time: {expires!r}"
    limit = min(limits)
    event = "was compromised" if compromised else "was retired"
    if signed_at is None:
        return False, f"the key {event} on {limit.isoformat()} and the signing time is unknown"
    if signed_at >= limit:
        return (
            False,
            f"signed on {signed_at.isoformat()}, after the key {event} on {limit.isoformat()}",
        )
    return True, f"signed on {signed_at.isoformat()}, before the key {event} on {limit.isoformat()}"
