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
class VerificationReport:
    """The outcome of verifying one badge.

    ``valid`` is true when every check passed (and there is at least one). ``format`` is
    one of ``ob2-hosted``, ``ob2-signed``, ``ob3-data-integrity``, ``ob3-vc-jwt`` or
    ``None`` when the input could not be recognised. ``credential`` is the assertion or
    credential that was examined (for display), when one was found.
    """

    format: str | None = None
    checks: list[Check] = field(default_factory=list)
    credential: dict[str, Any] | None = None

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

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
        }
