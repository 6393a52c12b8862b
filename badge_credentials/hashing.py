"""Salted, hashed recipient identities as used by Open Badges 2.0 and 3.0.

The hash is ``sha256$`` followed by the hex SHA-256 of the identity concatenated with the
salt, exactly as the OB 2.0 ``IdentityObject`` and the OB 3.0 ``IdentityObject`` describe.
"""

import hashlib
import hmac
import secrets

_SUPPORTED_ALGORITHMS = ("sha256", "md5")


def new_salt() -> str:
    """Return a fresh random salt (32 hex characters, 128 bits)."""
    return secrets.token_hex(16)


def normalize_identity(identity: str, identity_type: str = "email") -> str:
    """Normalise an identity before hashing: trim it and lower-case e-mail addresses.

    ``identity_type`` may be an OB 2.0 type (``email``) or an OB 3.0 one (``emailAddress``).
    """
    identity = identity.strip()
    if identity_type in ("email", "emailAddress"):
        return identity.lower()
    return identity


def hash_identity(identity: str, salt: str) -> str:
    """Return ``sha256$<hex>`` of ``identity + salt`` (pass an already normalised identity)."""
    digest = hashlib.sha256((identity + salt).encode("utf-8")).hexdigest()
    return f"sha256${digest}"


def identity_matches(
    identity: str,
    recorded: str,
    salt: str | None,
    *,
    hashed: bool = True,
    identity_type: str = "email",
) -> bool:
    """Tell whether ``identity`` is the one recorded in a credential.

    ``recorded`` is the credential's ``identity``/``identityHash``; when ``hashed`` it must
    start with ``sha256$`` or ``md5$`` (OB 2.0 allows both). The comparison is constant-time
    and tries both the normalised and the verbatim identity, since other issuers may not
    lower-case e-mail addresses.
    """
    salt = salt or ""
    candidates = {identity.strip(), normalize_identity(identity, identity_type)}
    if not hashed:
        return any(hmac.compare_digest(recorded, candidate) for candidate in candidates)
    algorithm, separator, expected = recorded.partition("$")
    algorithm = algorithm.lower()
    if not separator or algorithm not in _SUPPORTED_ALGORITHMS:
        return False
    for candidate in candidates:
        actual = hashlib.new(algorithm, (candidate + salt).encode("utf-8")).hexdigest()
        if hmac.compare_digest(actual, expected.lower()):
            return True
    return False
