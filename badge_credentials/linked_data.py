"""JSON-LD processing: RDFC-1.0 canonicalisation, expansion, undefined-term checks.

Canonicalisation and the undefined-term check run natively (Oxigraph, see
:mod:`badge_credentials.native_rdf`), each document shape compiled once; pyld is the
reference, checks each compiled shape once and takes over any document the native processor
cannot read.

Every pyld call builds its own ``ContextResolver`` so that resolved contexts are never
shared between calls through pyld's process-wide cache (a document supplied as "extra"
for one call must not leak into another).
"""

import copy
from collections.abc import Mapping
from typing import Any

from cachetools import LRUCache
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from badge_credentials import native_rdf
from badge_credentials.contexts import DocumentLoader
from badge_credentials.errors import ContextLoadError, CredentialError, UndefinedTermError

# RDFC-1.0 is the W3C name of URDNA2015; pyld's own default (URGNA2012) is a different,
# obsolete algorithm and must never be used for Data Integrity proofs.
CANONICALIZATION_ALGORITHM = "URDNA2015"

_UNDEFINED_TERM_VOCAB = native_rdf.UNDEFINED_TERM_VOCAB


def _options(loader: DocumentLoader) -> dict[str, Any]:
    return {
        "documentLoader": loader,
        "contextResolver": ContextResolver(LRUCache(maxsize=64), loader),
    }


def _root_cause(error: BaseException) -> BaseException:
    seen: set[int] = set()
    current: BaseException = error
    while id(current) not in seen:
        seen.add(id(current))
        details = getattr(current, "details", None)
        nested = getattr(current, "cause", None) or (
            details.get("cause") if isinstance(details, dict) else None
        )
        if not isinstance(nested, BaseException):
            break
        current = nested
    return current


def _translate(error: jsonld.JsonLdError) -> CredentialError:
    cause = _root_cause(error)
    if isinstance(cause, CredentialError):
        return cause
    code = getattr(cause, "code", None) or getattr(error, "code", None)
    return CredentialError(f"JSON-LD processing failed ({code}): {cause}")


def canonicalize(document: Mapping[str, Any], loader: DocumentLoader) -> str:
    """Return the RDFC-1.0 canonical N-Quads of a JSON-LD document."""
    try:
        return native_rdf.canonicalize(document, loader, canonicalize_reference)
    except native_rdf.NativeUnsupported:
        return canonicalize_reference(document, loader)


def canonicalize_reference(document: Mapping[str, Any], loader: DocumentLoader) -> str:
    """RDFC-1.0 (URDNA2015) canonical N-Quads by pyld, the pure-Python reference."""
    options = _options(loader)
    options.update({"algorithm": CANONICALIZATION_ALGORITHM, "format": "application/n-quads"})
    try:
        return jsonld.normalize(copy.deepcopy(dict(document)), options)
    except jsonld.JsonLdError as error:
        raise _translate(error) from error


def expand(document: Mapping[str, Any], loader: DocumentLoader) -> list[Any]:
    """Return the expanded form of a JSON-LD document."""
    try:
        return jsonld.expand(copy.deepcopy(dict(document)), _options(loader))
    except jsonld.JsonLdError as error:
        raise _translate(error) from error


def _collect_undefined(node: Any, found: set[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _collect_undefined(item, found)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key.startswith(_UNDEFINED_TERM_VOCAB):
            found.add(key.removeprefix(_UNDEFINED_TERM_VOCAB))
        if key == "@type":
            for type_iri in value if isinstance(value, list) else [value]:
                if isinstance(type_iri, str) and type_iri.startswith(_UNDEFINED_TERM_VOCAB):
                    found.add(type_iri.removeprefix(_UNDEFINED_TERM_VOCAB))
        _collect_undefined(value, found)


def find_undefined_terms(document: Mapping[str, Any], loader: DocumentLoader) -> list[str]:
    """Return the properties and types of ``document`` that no context defines.

    JSON-LD expansion silently drops such terms, so a Data Integrity proof would not cover
    them. The check puts a sentinel ``@vocab`` before the document's own contexts (so that a
    context that sets its own ``@vocab`` still wins) and looks for IRIs that only the
    sentinel vocabulary produced. It runs once per compiled document shape.
    """
    try:
        return native_rdf.undefined_terms(document, loader)
    except native_rdf.NativeUnsupported:
        return find_undefined_terms_reference(document, loader)


def find_undefined_terms_reference(
    document: Mapping[str, Any], loader: DocumentLoader
) -> list[str]:
    """:func:`find_undefined_terms` by pyld's expansion, the pure-Python reference."""
    probe = copy.deepcopy(dict(document))
    contexts = probe.get("@context", [])
    contexts = list(contexts) if isinstance(contexts, list) else [contexts]
    probe["@context"] = [{"@vocab": _UNDEFINED_TERM_VOCAB}, *contexts]
    found: set[str] = set()
    _collect_undefined(expand(probe, loader), found)
    return sorted(found)


def ensure_terms_defined(document: Mapping[str, Any], loader: DocumentLoader) -> None:
    """Raise :class:`UndefinedTermError` when any term of ``document`` is undefined."""
    undefined = find_undefined_terms(document, loader)
    if undefined:
        raise UndefinedTermError(
            "terms not defined by any context (they would be dropped): " + ", ".join(undefined)
        )


__all__ = [
    "CANONICALIZATION_ALGORITHM",
    "ContextLoadError",
    "canonicalize",
    "canonicalize_reference",
    "ensure_terms_defined",
    "expand",
    "find_undefined_terms",
    "find_undefined_terms_reference",
]
