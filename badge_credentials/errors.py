"""Exceptions raised by the credentials library.

Every error derives from :class:`CredentialError`, so a caller that only wants to know
"did this work" can catch that one class.
"""


class CredentialError(Exception):
    """Base class of every error raised by ``badge_credentials``."""


class InvalidInputError(CredentialError, ValueError):
    """A builder was given data that would produce a non-conformant document."""


class SignatureError(CredentialError):
    """A signature or proof could not be created or did not verify."""


class KeyFormatError(CredentialError, ValueError):
    """A key could not be parsed, serialised or matched to an algorithm."""


class SealedKeyError(CredentialError):
    """A sealed private key could not be opened: wrong key-encryption key or tampered data."""


class BakingError(CredentialError):
    """An image could not be baked or unbaked (not a PNG/SVG, truncated, hostile input)."""


class ContextLoadError(CredentialError):
    """A JSON-LD document was requested that is neither bundled nor supplied by the caller."""


class UndefinedTermError(CredentialError):
    """A JSON-LD document uses a term that no context defines, so expansion would drop it."""


class VerificationError(CredentialError):
    """A signed credential is well-formed and signed but inconsistent (claims, dates)."""


class FetchError(CredentialError):
    """Raised by a verifier's ``fetch`` callable when a URL could not be retrieved.

    ``status`` is the HTTP status when there was a response (410 Gone marks a revoked
    hosted OB 2.0 assertion).
    """

    def __init__(
        self, url: str, status: int | None = None, message: str = "", body: bytes | None = None
    ) -> None:
        self.url = url
        self.status = status
        self.body = body
        detail = message or (f"HTTP {status}" if status else "could not be fetched")
        super().__init__(f"{url}: {detail}")


class RevokedAtSourceError(CredentialError):
    """The badge URL answers 410 Gone: the issuer revoked the hosted assertion."""

    def __init__(self, url: str, reason: str = "") -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: revoked by the issuer" + (f" ({reason})" if reason else ""))
