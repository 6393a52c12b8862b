"""``did:web`` identifiers and DID documents for OB 3.0 issuers.

The DID document lists the issuer's Ed25519 key as a ``Multikey`` (for
``eddsa-rdfc-2022`` proofs) and its RSA key as a ``JsonWebKey`` (for VC-JWT), both under
``assertionMethod``. Retired and compromised keys stay listed, with the moment from which
their proofs are no longer trusted (``expires``/``revoked``), so that what they signed before
keeps verifying.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from badge_credentials.contexts import DID_V1, MULTIKEY_V1
from badge_credentials.dates import iso_datetime
from badge_credentials.errors import InvalidInputError
from badge_credentials.keys import (
    PublicKey,
    ed25519_public_key_to_multibase,
    public_key_to_jwk,
)

JWK_CONTEXT = "https://w3id.org/security/jwk/v1"


def did_web_for(host_with_port: str, path_segments: Sequence[str] = ()) -> str:
    """Return the ``did:web`` of a host (``example.org`` or ``example.org:8443``) and path.

    The port's colon is percent-encoded (``%3A``) and path segments are joined with ``:``,
    as the did:web method requires.
    """
    host = host_with_port.strip().lower()
    if not host or "/" in host or "@" in host:
        raise InvalidInputError(f"not a host name: {host_with_port!r}")
    parts = [quote(host, safe="")]
    for segment in path_segments:
        if not segment:
            raise InvalidInputError("did:web path segments cannot be empty")
        parts.append(quote(segment, safe=""))
    return "did:web:" + ":".join(parts)


def did_web_document_url(did: str) -> str:
    """Return the https URL of the DID document of a ``did:web`` (fragment ignored).

    ``did:web:example.org`` → ``https://example.org/.well-known/did.json``;
    ``did:web:example.org%3A8443:issuers:7`` → ``https://example.org:8443/issuers/7/did.json``.
    """
    bare = did.split("#", 1)[0]
    if not bare.startswith("did:web:"):
        raise InvalidInputError(f"not a did:web: {did!r}")
    host, *segments = bare.removeprefix("did:web:").split(":")
    host = unquote(host)
    if not host or "/" in host:
        raise InvalidInputError(f"not a valid did:web host: {did!r}")
    if not segments:
        return f"https://{host}/.well-known/did.json"
    path = "/".join(quote(unquote(segment), safe="") for segment in segments)
    return f"https://{host}/{path}/did.json"


@dataclass(frozen=True)
class VerificationKey:
    """A public key to list in a DID document under ``<did>#<fragment>``.

    ``expires`` (a retired key) and ``revoked`` (a compromised key) are published as the
    method's ``expires``/``revoked`` (Controlled Identifiers): proofs created at or after
    that moment are not to be trusted; proofs created before it still are.
    """

    fragment: str
    public_key: PublicKey
    expires: datetime | None = None
    revoked: datetime | None = None


def verification_method_id(did: str, fragment: str) -> str:
    """Return the verification method URL ``<did>#<fragment>``."""
    return f"{did}#{fragment}"


def build_verification_method(did: str, key: VerificationKey) -> dict[str, Any]:
    """Return a ``Multikey`` (Ed25519) or ``JsonWebKey`` (RSA) verification method."""
    method_id = verification_method_id(did, key.fragment)
    if isinstance(key.public_key, ed25519.Ed25519PublicKey):
        method = {
            "id": method_id,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": ed25519_public_key_to_multibase(key.public_key),
        }
    elif isinstance(key.public_key, rsa.RSAPublicKey):
        method = {
            "id": method_id,
            "type": "JsonWebKey",
            "controller": did,
            "publicKeyJwk": public_key_to_jwk(key.public_key),
        }
    else:
        raise InvalidInputError("only Ed25519 and RSA keys can be listed")
    if key.expires is not None:
        method["expires"] = iso_datetime(key.expires)
    if key.revoked is not None:
        method["revoked"] = iso_datetime(key.revoked)
    return method


def build_did_document(
    did: str, keys: Sequence[VerificationKey], *, also_known_as: Sequence[str] = ()
) -> dict[str, Any]:
    """Build the DID document of an issuer; every key is an ``assertionMethod``.

    ``also_known_as`` may list the issuer's https profile URL.
    """
    if not keys:
        raise InvalidInputError("a DID document needs at least one key")
    methods = [build_verification_method(did, key) for key in keys]
    document: dict[str, Any] = {
        "@context": [DID_V1, MULTIKEY_V1, JWK_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
    if also_known_as:
        document["alsoKnownAs"] = list(also_known_as)
    return document


def find_verification_method(
    did_document: Mapping[str, Any], method_id: str, *, relationship: str = "assertionMethod"
) -> dict[str, Any] | None:
    """Return the verification method ``method_id`` if the document authorises it for
    ``relationship`` (listed by reference or embedded); otherwise ``None``."""
    controller = str(did_document.get("id", ""))
    authorised: list[Any] = list(did_document.get(relationship) or [])
    methods = {
        _absolute(controller, str(method.get("id", ""))): method
        for method in did_document.get("verificationMethod") or []
        if isinstance(method, Mapping)
    }
    for entry in authorised:
        if isinstance(entry, str) and _absolute(controller, entry) == method_id:
            return dict(methods.get(method_id, {})) or None
        if isinstance(entry, Mapping) and _absolute(controller, str(entry.get("id"))) == method_id:
            return dict(entry)
    return None


def _absolute(controller: str, method_id: str) -> str:
    return controller + method_id if method_id.startswith("#") else method_id
