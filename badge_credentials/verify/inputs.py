"""Reading what a verifier is given: baked PNG/SVG, JSON, a compact JWS/VC-JWT or a URL."""

import re
from dataclasses import dataclass
from typing import Any

from badge_credentials import jsontext
from badge_credentials.baking import unbake_all
from badge_credentials.baking.png import is_png
from badge_credentials.baking.svg import is_svg
from badge_credentials.contexts import OB_V2, VC_V1, VC_V2
from badge_credentials.errors import (
    BakingError,
    CredentialError,
    FetchError,
    RevokedAtSourceError,
)
from badge_credentials.jws import decode_unverified
from badge_credentials.verify.report import (
    FORMAT_OB2_HOSTED,
    FORMAT_OB2_SIGNED,
    FORMAT_OB3_DATA_INTEGRITY,
    FORMAT_OB3_VC_JWT,
)
from badge_credentials.verify.resolve import Resolver

_COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Presented:
    """A recognised badge: its format, the JWS (if signed) and its JSON document (for a
    token: the payload, not yet verified)."""

    format: str
    document: dict[str, Any]
    token: str | None = None
    source_url: str | None = None


def _types(document: dict[str, Any]) -> list[str]:
    value = document.get("type", [])
    return [value] if isinstance(value, str) else [item for item in value if isinstance(item, str)]


def _contexts(document: dict[str, Any]) -> list[Any]:
    value = document.get("@context", [])
    return value if isinstance(value, list) else [value]


def is_verifiable_credential(document: dict[str, Any]) -> bool:
    """Tell whether a JSON document is a VC (OB 3.0) rather than an OB 2.0 assertion."""
    contexts = _contexts(document)
    return "VerifiableCredential" in _types(document) or VC_V2 in contexts or VC_V1 in contexts


def is_ob2_assertion(document: dict[str, Any]) -> bool:
    """Tell whether a JSON document is an OB 2.0 assertion."""
    return OB_V2 in _contexts(document) or (
        "Assertion" in _types(document) and "recipient" in document and "badge" in document
    )


def _classify_document(document: dict[str, Any], source_url: str | None) -> Presented:
    if is_verifiable_credential(document):
        return Presented(FORMAT_OB3_DATA_INTEGRITY, document, source_url=source_url)
    if is_ob2_assertion(document):
        verification = document.get("verification")
        kind = verification.get("type") if isinstance(verification, dict) else None
        signed = kind in ("SignedBadge", "signed")
        return Presented(
            FORMAT_OB2_SIGNED if signed else FORMAT_OB2_HOSTED, document, source_url=source_url
        )
    raise CredentialError("the JSON is neither an OB 2.0 assertion nor an OB 3.0 credential")


def _classify_token(token: str, source_url: str | None) -> Presented:
    try:
        _, payload = decode_unverified(token)
    except CredentialError as error:
        raise CredentialError(f"the token cannot be decoded: {error}") from error
    if isinstance(payload.get("vc"), dict) or is_verifiable_credential(payload):
        return Presented(FORMAT_OB3_VC_JWT, payload, token=token, source_url=source_url)
    if is_ob2_assertion(payload):
        return Presented(FORMAT_OB2_SIGNED, payload, token=token, source_url=source_url)
    raise CredentialError("the token carries neither an OB 2.0 assertion nor a credential")


def _revocation_reason(body: bytes | None) -> str:
    try:
        document = jsontext.loads(body or b"")
    except ValueError:
        return ""
    reason = document.get("revocationReason") if isinstance(document, dict) else None
    return reason if isinstance(reason, str) else ""


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.strip()
    try:
        return data.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise CredentialError("the input is not an image, JSON or a token") from None


def _is_url(text: str) -> bool:
    return text.startswith(("https://", "http://")) and not any(char.isspace() for char in text)


def _fetch_body(url: str, resolver: Resolver, depth: int) -> bytes:
    if depth >= 2:
        raise CredentialError("too many redirections between URLs")
    try:
        _, body = resolver.raw(url)
    except FetchError as error:
        if error.status == 410:
            raise RevokedAtSourceError(url, _revocation_reason(error.body)) from error
        raise CredentialError(f"the badge URL could not be retrieved: {error}") from error
    return body


def read_inputs(
    data: bytes | str, resolver: Resolver, *, source_url: str | None = None, depth: int = 0
) -> list[Presented | CredentialError]:
    """Recognise every badge in ``data``: an image may carry several (our PNGs hold an OB 2.0
    assertion and an OB 3.0 credential), anything else holds one.

    Each item is a :class:`Presented` or the :class:`CredentialError` that kept it from being
    read; an input that holds no badge at all raises :class:`CredentialError`.
    """
    if isinstance(data, bytes) and (is_png(data) or is_svg(data)):
        try:
            baked = unbake_all(data)
        except BakingError as error:
            raise CredentialError(f"the image cannot be read: {error}") from error
        if not baked:
            raise CredentialError("the image carries no baked badge")
        found: list[Presented | CredentialError] = []
        for badge in baked:
            try:
                found.append(
                    read_input(badge.payload, resolver, source_url=source_url, depth=depth)
                )
            except CredentialError as error:
                found.append(error)
        return found
    text = _decode(data)
    if _is_url(text):
        body = _fetch_body(text, resolver, depth)
        return read_inputs(body, resolver, source_url=text, depth=depth + 1)
    return [read_input(text, resolver, source_url=source_url, depth=depth)]


def read_input(
    data: bytes | str, resolver: Resolver, *, source_url: str | None = None, depth: int = 0
) -> Presented:
    """Recognise one badge in ``data`` (for an image: the first one baked into it); raises
    :class:`CredentialError` with a readable reason."""
    if isinstance(data, bytes) and (is_png(data) or is_svg(data)):
        found = read_inputs(data, resolver, source_url=source_url, depth=depth)
        if isinstance(found[0], CredentialError):
            raise found[0]
        return found[0]
    text = _decode(data)
    if _is_url(text):
        body = _fetch_body(text, resolver, depth)
        return read_input(body, resolver, source_url=text, depth=depth + 1)
    if text.startswith("{"):
        try:
            document = jsontext.loads(text)
        except ValueError as error:
            raise CredentialError(f"the JSON cannot be parsed: {error}") from error
        if not isinstance(document, dict):
            raise CredentialError("the JSON is not an object")
        return _classify_document(document, source_url)
    if _COMPACT_JWS.match(text):
        return _classify_token(text, source_url)
    raise CredentialError("the input is not a baked image, JSON, a JWS or a URL")
