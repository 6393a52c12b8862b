"""Fetching and resolving documents for the verifier: JSON by URL, DID documents and keys.

All network access goes through the caller's ``fetch`` callable; with ``fetch=None`` only
the caller's ``documents`` can be consulted.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from badge_credentials import jsontext
from badge_credentials.did import did_web_document_url, find_verification_method
from badge_credentials.errors import CredentialError, FetchError

Fetch = Callable[[str], tuple[str, bytes]]

MAX_DOCUMENT_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class ResolvedMethod:
    """A verification method and the identifier that controls it (DID or profile URL)."""

    method: dict[str, Any]
    controller: str | None


class Resolver:
    """Looks documents up in ``documents`` first, then through ``fetch``."""

    def __init__(self, fetch: Fetch | None, documents: Mapping[str, Any] | None = None) -> None:
        self._fetch = fetch
        self._documents = dict(documents or {})
        self._cache: dict[str, tuple[str, bytes]] = {}

    def raw(self, url: str) -> tuple[str, bytes]:
        """Return ``(content_type, body)`` of ``url``; raises :class:`FetchError`."""
        if url in self._documents:
            document = self._documents[url]
            if isinstance(document, bytes):
                return "application/octet-stream", document
            if isinstance(document, str):
                return "text/plain", document.encode("utf-8")
            return "application/json", json.dumps(document).encode("utf-8")
        if url in self._cache:
            return self._cache[url]
        if self._fetch is None:
            raise FetchError(url, message="outbound fetches are disabled (no fetch given)")
        if not url.startswith(("https://", "http://")):
            raise FetchError(url, message="only http(s) URLs can be fetched")
        try:
            content_type, body = self._fetch(url)
        except FetchError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure of the caller's fetch
            # The error's text may tell internals (hosts, ports, our own code): not shown.
            raise FetchError(url) from error
        if len(body) > MAX_DOCUMENT_BYTES:
            raise FetchError(url, message="the response is too large")
        self._cache[url] = (content_type, body)
        return content_type, body

    def json(self, url: str) -> dict[str, Any]:
        """Return the JSON object at ``url``; raises :class:`FetchError` when it is not one."""
        _, body = self.raw(url)
        try:
            document = jsontext.loads(body)
        except (ValueError, UnicodeDecodeError) as error:
            raise FetchError(url, message="the response is not JSON") from error
        if not isinstance(document, dict):
            raise FetchError(url, message="the response is not a JSON object")
        return document

    def did_document(self, did: str) -> dict[str, Any]:
        """Return the DID document of a ``did:web``, checking that its ``id`` is the DID."""
        if did in self._documents:
            document = dict(self._documents[did])
        else:
            document = self.json(did_web_document_url(did))
        if document.get("id") != did:
            raise CredentialError(f"the DID document of {did} has another id")
        return document

    def verification_method(
        self, method_id: str, relationship: str = "assertionMethod"
    ) -> ResolvedMethod:
        """Resolve a verification method URL (``did:web``, ``did:key`` or https).

        For DIDs the method must be listed under ``relationship`` in the DID document.
        """
        base = method_id.split("#", 1)[0]
        if base.startswith("did:key:"):
            fingerprint = base.removeprefix("did:key:")
            return ResolvedMethod(
                {"id": method_id, "type": "Multikey", "publicKeyMultibase": fingerprint}, base
            )
        if base.startswith("did:"):
            if not base.startswith("did:web:") and base not in self._documents:
                raise CredentialError(f"unsupported DID method in {method_id}")
            document = self.did_document(base)
            method = find_verification_method(document, method_id, relationship=relationship)
            if method is None:
                raise CredentialError(f"{method_id} is not an {relationship} of {base}")
            return ResolvedMethod(method, str(method.get("controller") or document["id"]))
        document = self.json(base)
        return _method_from_http_document(document, method_id, base, relationship)


def _method_from_http_document(
    document: dict[str, Any], method_id: str, base: str, relationship: str
) -> ResolvedMethod:
    if document.get("id") == method_id or ("kty" in document and "#" not in method_id):
        controller = document.get("controller") or document.get("owner")
        if "kty" in document:
            return ResolvedMethod({"id": method_id, "publicKeyJwk": document}, controller)
        return ResolvedMethod(document, controller)
    for key in document.get("keys") or []:
        if isinstance(key, Mapping) and key.get("kid") in (method_id, method_id.split("#")[-1]):
            return ResolvedMethod({"id": method_id, "publicKeyJwk": dict(key)}, base)
    if relationship in document:
        method = find_verification_method(document, method_id, relationship=relationship)
    else:
        method = next(
            (
                dict(item)
                for item in document.get("verificationMethod") or []
                if isinstance(item, Mapping) and item.get("id") == method_id
            ),
            None,
        )
    if method is None:
        raise CredentialError(f"{method_id} was not found in {base}")
    return ResolvedMethod(method, str(method.get("controller") or document.get("id") or base))
