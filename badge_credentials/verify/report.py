"""The verification report: an ordered list of named checks and an overall verdict."""

from dataclasses import dataclass, field
from typing import Any

FORMAT_OB2_HOSTED = "ob2-hosted"
FORMAT_OB2_SIGNED = "ob2-signed"
FORMAT_OB3_DATA_INTEGRITY = "ob3-data-integrity"
FORMAT_OB3_VC_JWT = "ob3-vc-jwt"


@dataclass(frozen=True)
class Check:
    """One verification step: ``name`` (e.g. ``signature``), whether it passed, and why."""

    name: str
    passed: bool
    reason: str


@dataclass
class Summary:
    """What a badge says, as far as the verifier read it: the badge, its issuer, the
    recipient and the dates (``None`` where the badge does not say)."""

    badge: str | None = None
    issuer: str | None = None
    issuer_id: str | None = None
    recipient: str | None = None
    recipient_hashed: bool = False
    issued_on: str | None = None
    expires: str | None = None
    id: str | None = None

    def to_dict(self) -> dict[str, str | bool | None]:
        """``recipient`` is the plain identity, or the one given to check a hashed identity
        against when it matched; ``recipient_hashed`` tells that the badge only holds a
        salted hash of it."""
        return {
            "badge": self.badge,
            "issuer": self.issuer,
            "issuer_id": self.issuer_id,
            "recipient": self.recipient,
            "recipient_hashed": self.recipient_hashed,
            "issued_on": self.issued_on,
            "expires": self.expires,
            "id": self.id,
        }


@dataclass
class VerificationReport:
    """The outcome of verifying one badge, or an image that carries several.

    ``valid`` is true when every check passed (and there is at least one) and every part is
    valid. ``format`` is one of ``ob2-hosted``, ``ob2-signed``, ``ob3-data-integrity``,
    ``ob3-vc-jwt`` or ``None`` when the input could not be recognised. ``credential`` is the
    assertion or credential that was examined (for display), when one was found;
    ``summary`` what it says. For an image with several badges, ``parts`` holds one report
    per badge, in the image's order, and ``format``/``credential``/``summary`` are the
    first part's.
    """

    format: str | None = None
    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None
    summary: Summary = field(default_factory=Summary)
    parts: list["VerificationReport"] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return (
            bool(self.checks)
            and all(check.passed for check in self.checks)
            and all(part.valid for part in self.parts)
        )

    @property
    def reports(self) -> list["VerificationReport"]:
        """The report of every badge examined: the parts, or this report itself."""
        return self.parts or [self]

    def add(self, name: str, passed: bool, reason: str) -> bool:
        """Record a check and return whether it passed."""
        self.checks.append(Check(name, passed, reason))
        return passed

    def failed(self, name: str, reason: str) -> "VerificationReport":
        """Record a failed check and return the report (for early exits)."""
        self.add(name, False, reason)
        return self

    def check(self, name: str) -> Check | None:
        """Return the check called ``name``, if it was performed."""
        return next((check for check in self.checks if check.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable view of the report."""
        return {
            "valid": self.valid,
            "format": self.format,
            "checks": [
                {"name": check.name, "passed": check.passed, "reason": check.reason}
                for check in self.checks
            ],
            "credential": self.credential,
            "summary": self.summary.to_dict(),
            "parts": [part.to_dict() for part in self.parts],
        }
