"""Date-time helpers: credentials use UTC ISO 8601 with a ``Z`` suffix, JWTs NumericDate."""

from datetime import UTC, datetime


def iso_datetime(moment: datetime) -> str:
    """Format an aware datetime as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC, whole seconds)."""
    if moment.tzinfo is None:
        raise ValueError("credential dates must be timezone-aware")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_datetime(text: str) -> datetime:
    """Parse an ISO 8601 date-time; a value without offset is taken as UTC."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def numeric_date(moment: datetime) -> int:
    """Return the JWT NumericDate (whole seconds since the epoch) of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("credential dates must be timezone-aware")
    return int(moment.timestamp())


def from_numeric_date(value: int | float) -> datetime:
    """Return the aware UTC datetime of a JWT NumericDate."""
    return datetime.fromtimestamp(value, tz=UTC)
