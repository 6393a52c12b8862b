"""JSON-LD contexts bundled for offline use, and a document loader that never fetches.

The context documents in this folder were taken from registry packages (see
``index.json`` for the exact source of each) and are served by their canonical URLs.
Canonicalisation (RDFC-1.0) and expansion must not depend on the network: a context that
changed or could not be reached would change or break every signature.
"""

import copy
import hashlib
import json
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from badge_credentials.errors import ContextLoadError

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_V3P0_3_0_3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_V3P0_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
OB_V2 = "https://w3id.org/openbadges/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
DID_V1 = "https://www.w3.org/ns/did/v1"

DocumentLoader = Callable[..., dict[str, Any]]


@cache
def _index() -> dict[str, dict[str, str]]:
    text = resources.files(__name__).joinpath("index.json").read_text(encoding="utf-8")
    return json.loads(text)


@cache
def _load(url: str) -> dict[str, Any]:
    entry = _index()[url]
    text = resources.files(__name__).joinpath(entry["file"]).read_text(encoding="utf-8")
    return json.loads(text)


def bundled_context_urls() -> list[str]:
    """Return the URLs of every bundled context."""
    return sorted(_index())


def bundled_context_source(url: str) -> str:
    """Return where the bundled copy of ``url`` was taken from (package and file)."""
    return _index()[url]["source"]


def bundled_context_bytes(url: str) -> bytes:
    """Return the bundled file of ``url`` as it is stored (for serving it unchanged)."""
    if url not in _index():
        raise ContextLoadError(f"the JSON-LD document {url!r} is not bundled")
    return resources.files(__name__).joinpath(_index()[url]["file"]).read_bytes()


def get_context(url: str) -> dict[str, Any]:
    """Return a copy of the bundled context document for ``url``.

    Raises :class:`ContextLoadError` when it is not bundled.
    """
    if url not in _index():
        raise ContextLoadError(f"the JSON-LD document {url!r} is not bundled")
    return copy.deepcopy(_load(url))


def document_loader(extra: Mapping[str, Mapping[str, Any]] | None = None) -> DocumentLoader:
    """Return a pyld document loader serving bundled contexts and the ``extra`` documents.

    ``extra`` maps URLs to documents the caller vouches for: our extension context (see
    :mod:`badge_credentials.extension`), DID documents, etc. ``extra`` wins over a bundled
    document with the same URL. Any other URL raises :class:`ContextLoadError`; the loader
    never touches the network.
    """
    documents = {url: copy.deepcopy(dict(document)) for url, document in (extra or {}).items()}

    def load(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        if url in documents:
            document = copy.deepcopy(documents[url])
        elif url in _index():
            document = copy.deepcopy(_load(url))
        else:
            raise ContextLoadError(
                f"refusing to load {url!r}: it is neither a bundled context nor a document "
                "supplied by the caller, and remote loading is disabled"
            )
        return {
            "contextUrl": None,
            "documentUrl": url,
            "document": document,
            "contentType": "application/ld+json",
        }

    # Loaders serving the same documents share compiled templates (see ``native_rdf``).
    load.fingerprint = _fingerprint(documents)  # type: ignore[attr-defined]
    return load


def _fingerprint(documents: Mapping[str, Any]) -> str:
    text = json.dumps(documents, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
