"""RDFC-1.0 canonicalisation in native code (Oxigraph), with each document shape compiled once.

Turning a JSON-LD document into RDF costs far more than canonicalising the result: most of it
is processing the (large) VC and OB contexts, again for every document. Credentials of one
badge class differ only in a few values (the credential id, the recipient's hash and salt,
dates, evidence), so a document is split into its *shape* and its *values*:

1. Every string value outside ``@context`` is replaced by a placeholder IRI and the result is
   parsed once. Where a placeholder comes out as a literal's text, any string gives that
   literal verbatim; where it comes out as an IRI, an absolute ``scheme://…`` value does
   (JSON-LD never rewrites those); anything else (types, vocabulary terms, values turned
   into other text) stays part of the shape.
2. The shape with those slots is parsed once more into RDF quads (the *template*), with a
   sentinel ``@vocab`` that reveals terms no context defines.
3. For each document the template's slots are filled with its values and Oxigraph's RDFC-1.0
   labels the blank nodes (the labels depend on the values, so this runs per document).

The first time a template is used its output is compared with the pure-Python reference
(pyld); a template that does not match is not used (that document shape goes to the
reference from then on, with a warning), so a new context or term that the native
processor reads differently cannot produce a wrong signature. The two differ by design in one
respect: RDFC-1.0 (and Digital Bazaar's verifiers) escape control characters other than tab,
line feed and carriage return in literals as ``\\b``, ``\\f`` or ``\\uXXXX``, which pyld 2
leaves raw; for documents holding such characters the native result is taken.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from cachetools import LRUCache

from badge_credentials.contexts import DocumentLoader
from badge_credentials.errors import CredentialError

logger = logging.getLogger(__name__)

_PLACEHOLDER = f"https://slot-{secrets.token_hex(6)}.invalid/"
_PLACEHOLDER_PATTERN = re.compile(re.escape(_PLACEHOLDER) + r"(\d+)")
UNDEFINED_TERM_VOCAB = "urn:badge-credentials:undefined-term:"
# JSON-LD keeps a value with a scheme followed by // as it is (it is never a compact IRI).
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\x00-\x20<>\"{}|^`\\]*")
# Characters that RDFC-1.0 escapes in literals and pyld 2 does not (see the module docstring).
_ESCAPED_BY_RDFC_ONLY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MARKER = "\ue000"  # stands for any string value in a shape key

_SHAPE_CACHE_SIZE = 256
_TEMPLATE_CACHE_SIZE = 512


class NativeUnsupported(Exception):
    """The native processor cannot take this document; use the reference implementation."""


# --- contexts -------------------------------------------------------------------------------


def _inline_context(value: Any, loader: DocumentLoader, depth: int = 0) -> Any:
    """``value`` (an ``@context`` value) with every referenced context replaced by its
    content, recursively (Oxigraph's JSON-LD parser loads nothing)."""
    if depth > 16:
        raise NativeUnsupported("contexts nested too deeply")
    if isinstance(value, list):
        return [_inline_context(item, loader, depth + 1) for item in value]
    if isinstance(value, str):
        if not _ABSOLUTE_IRI.fullmatch(value):
            raise NativeUnsupported(f"relative context reference {value!r}")
        document = loader(value)["document"]
        if not isinstance(document, Mapping) or "@context" not in document:
            raise NativeUnsupported(f"{value} is not a context document")
        return _inline_context(document["@context"], loader, depth + 1)
    if isinstance(value, Mapping):
        inlined: dict[str, Any] = {}
        if "@import" in value:
            imported = _inline_context(value["@import"], loader, depth + 1)
            if not isinstance(imported, Mapping):
                raise NativeUnsupported("@import of something other than one context")
            inlined.update(imported)
        for key, definition in value.items():
            if key == "@import":
                continue
            if isinstance(definition, Mapping) and "@context" in definition:
                definition = {
                    **definition,
                    "@context": _inline_context(definition["@context"], loader, depth + 1),
                }
            inlined[key] = definition
        return inlined
    return value


# --- shapes and values ------------------------------------------------------------------------


def _split(node: Any, values: list[str]) -> Any:
    """The shape of ``node`` (string values replaced by ``_MARKER``), collecting the values in
    document order. ``@context`` values belong to the shape."""
    if isinstance(node, str):
        values.append(node)
        return _MARKER
    if isinstance(node, list):
        return [_split(item, values) for item in node]
    if isinstance(node, Mapping):
        return {
            key: (value if key == "@context" else _split(value, values))
            for key, value in node.items()
        }
    return node


def _fill(shape: Any, replacement, counter: list[int]) -> Any:
    if shape == _MARKER:
        index = counter[0]
        counter[0] += 1
        return replacement(index)
    if isinstance(shape, list):
        return [_fill(item, replacement, counter) for item in shape]
    if isinstance(shape, dict):
        return {
            key: (value if key == "@context" else _fill(value, replacement, counter))
            for key, value in shape.items()
        }
    return shape


def _placeholder(index: int) -> str:
    return f"{_PLACEHOLDER}{index}"


LITERAL, IRI, FIXED = "literal", "iri", "fixed"
_UNSUPPORTED: Any = object()


def _terms(quad: ox.Quad):
    yield quad.subject
    yield quad.predicate
    yield quad.object
    if not isinstance(quad.graph_name, ox.DefaultGraph):
        yield quad.graph_name


def _classify(quads: list[ox.Quad], count: int) -> tuple[str, ...]:
    """Which of the ``count`` placeholders came out whole as a literal's text or as an IRI."""
    kinds: dict[int, set[str]] = {}
    for quad in quads:
        for term in _terms(quad):
            if isinstance(term, ox.Literal):
                texts = [(term.value, LITERAL), (term.datatype.value, FIXED)]
            elif isinstance(term, ox.NamedNode):
                texts = [(term.value, IRI)]
            else:
                continue
            for text, kind in texts:
                for match in _PLACEHOLDER_PATTERN.finditer(text):
                    whole = match.group(0) == text
                    kinds.setdefault(int(match.group(1)), set()).add(kind if whole else FIXED)
    result = []
    for index in range(count):
        found = kinds.get(index, set())
        result.append(found.pop() if len(found) == 1 else FIXED)
    return tuple(result)


@dataclass(frozen=True)
class _Slot:
    kind: str  # LITERAL or IRI
    index: int
    suffix: str = ""  # a literal's datatype or language


def _escape_literal(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def _term_text(term: Any) -> str:
    if isinstance(term, ox.Literal):
        text = f'"{_escape_literal(term.value)}"'
        if term.language:
            return f"{text}@{term.language}"
        return f"{text}^^<{term.datatype.value}>"
    if isinstance(term, ox.DefaultGraph):
        return ""
    return str(term)


@dataclass
class Template:
    """The RDF of one document shape as N-Quads text, with slots for the values: a list of
    fixed text and ``_Slot``s."""

    parts: list[Any]
    undefined_terms: list[str]
    checked: bool = False
    matches_reference: bool = True

    def nquads(self, values: list[str]) -> str:
        text = []
        for part in self.parts:
            if isinstance(part, str):
                text.append(part)
            elif part.kind == IRI:
                text.append(f"<{values[part.index]}>")
            else:
                text.append(f'"{_escape_literal(values[part.index])}"{part.suffix}')
        return "".join(text)


def _parse(document: Any) -> list[ox.Quad]:
    try:
        return list(ox.parse(json.dumps(document), format=ox.RdfFormat.JSON_LD))
    except (SyntaxError, ValueError) as error:
        raise NativeUnsupported(str(error)) from error


def serialize(nquads: str) -> str:
    """Canonical N-Quads (RDFC-1.0) of the N-Quads ``nquads``: blank nodes labelled, lines
    sorted."""
    return _canonical(ox.Dataset(ox.parse(nquads, format=ox.RdfFormat.N_QUADS)))


def _canonical(dataset: ox.Dataset) -> str:
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    text = ox.serialize(dataset, format=ox.RdfFormat.N_QUADS).decode("utf-8")
    lines = [line + "\n" for line in text.split("\n") if line]
    lines.sort()
    return "".join(lines)


def inline_contexts(document: Mapping[str, Any], loader: DocumentLoader) -> dict[str, Any]:
    """``document`` with every ``@context`` in it (top-level and embedded) inlined, so that
    Oxigraph's JSON-LD parser, which loads nothing, can read it."""

    def inline(node: Any) -> Any:
        if isinstance(node, list):
            return [inline(item) for item in node]
        if isinstance(node, Mapping):
            return {
                key: _inline_context(value, loader) if key == "@context" else inline(value)
                for key, value in node.items()
            }
        return node

    return inline(document)


def canonicalize_json_ld(text: str) -> str:
    """RDFC-1.0 canonical N-Quads of the JSON-LD document ``text`` (contexts inlined), read
    and canonicalised whole in native code: the cost of the primitive itself, without the
    compiled templates that :func:`canonicalize` uses."""
    try:
        dataset = ox.Dataset(ox.parse(text, format=ox.RdfFormat.JSON_LD))
    except (SyntaxError, ValueError) as error:
        raise NativeUnsupported(str(error)) from error
    return _canonical(dataset)


def canonicalize_whole(document: Mapping[str, Any], loader: DocumentLoader) -> str:
    """RDFC-1.0 of ``document`` read whole by Oxigraph, every time (no template)."""
    return canonicalize_json_ld(json.dumps(inline_contexts(document, loader)))


# --- the compiler -----------------------------------------------------------------------------


class Compiler:
    """Templates for the documents read with one set of context documents (one loader)."""

    def __init__(self, loader: DocumentLoader) -> None:
        self._loader = loader
        self._lock = threading.Lock()
        self._contexts: LRUCache = LRUCache(maxsize=64)
        self._shapes: LRUCache = LRUCache(maxsize=_SHAPE_CACHE_SIZE)
        self._kept: LRUCache = LRUCache(maxsize=_SHAPE_CACHE_SIZE)
        self._templates: LRUCache = LRUCache(maxsize=_TEMPLATE_CACHE_SIZE)

    def _inlined(self, shape: Any) -> Any:
        """The shape with its top-level ``@context`` inlined (embedded contexts deeper in the
        document are inlined as they come)."""

        def inline(node: Any) -> Any:
            if isinstance(node, list):
                return [inline(item) for item in node]
            if isinstance(node, dict):
                result = {}
                for key, value in node.items():
                    if key == "@context":
                        cache_key = json.dumps(value, sort_keys=True)
                        inlined = self._contexts.get(cache_key)
                        if inlined is None:
                            inlined = _inline_context(value, self._loader)
                            self._contexts[cache_key] = inlined
                        result[key] = inlined
                    else:
                        result[key] = inline(value)
                return result
            return node

        return inline(shape)

    def _kinds(self, shape: Any, shape_key: str, values: list[str]) -> tuple[str, ...]:
        """What each value of the shape is: a literal's text, an IRI, or part of the shape.

        Type values decide which (type-scoped) context the rest of a node is read with, so a
        value that comes out as a vocabulary IRI (``"Achievement"``) is put back as it is and
        the shape read again, until no more such values turn up.
        """
        guess = self._kept.get(shape_key, ())
        cache_key = (shape_key, tuple((index, values[index]) for index in guess))
        kinds = self._shapes.get(cache_key)
        if kinds is None:
            kept: set[int] = set()
            try:
                for _round in range(8):
                    probe = _fill(
                        shape,
                        lambda index, kept=frozenset(kept): (
                            values[index] if index in kept else _placeholder(index)
                        ),
                        [0],
                    )
                    kinds = _classify(_parse(self._inlined(probe)), len(values))
                    named = {
                        index
                        for index, kind in enumerate(kinds)
                        if kind == IRI and not _ABSOLUTE_IRI.fullmatch(values[index])
                    }
                    if named <= kept:
                        break
                    kept |= named
                else:
                    raise NativeUnsupported("the types of this document did not settle")
            except NativeUnsupported:
                kinds = _UNSUPPORTED
            self._kept[shape_key] = tuple(sorted(kept))
            cache_key = (shape_key, tuple((index, values[index]) for index in sorted(kept)))
            self._shapes[cache_key] = kinds
        if kinds is _UNSUPPORTED:
            raise NativeUnsupported("the native processor cannot read this document shape")
        return kinds

    def template_for(self, document: Mapping[str, Any]) -> tuple[Template, list[str]]:
        """The compiled template of ``document`` and the values that fill its slots."""
        values: list[str] = []
        shape = _split(document, values)
        shape_key = json.dumps(shape, ensure_ascii=False)
        with self._lock:
            kinds = self._kinds(shape, shape_key, values)
            slotted = [
                kind == LITERAL or (kind == IRI and bool(_ABSOLUTE_IRI.fullmatch(values[index])))
                for index, kind in enumerate(kinds)
            ]
            template_key = (
                shape_key,
                tuple(None if slotted[index] else value for index, value in enumerate(values)),
            )
            template = self._templates.get(template_key)
            if template is None:
                try:
                    template = self._compile(shape, values, kinds, slotted)
                except NativeUnsupported:
                    template = _UNSUPPORTED
                self._templates[template_key] = template
        if template is _UNSUPPORTED:
            raise NativeUnsupported("the native processor cannot read this document")
        return template, values

    def _compile(
        self, shape: Any, values: list[str], kinds: tuple[str, ...], slotted: list[bool]
    ) -> Template:
        def value_or_slot(index: int) -> str:
            return _placeholder(index) if slotted[index] else values[index]

        document = self._inlined(_fill(shape, value_or_slot, [0]))
        if not isinstance(document, dict):
            raise NativeUnsupported("the document is not a JSON object")
        contexts = document.get("@context", [])
        contexts = contexts if isinstance(contexts, list) else [contexts]
        probe = {**document, "@context": [{"@vocab": UNDEFINED_TERM_VOCAB}, *contexts]}
        quads = _parse(probe)
        undefined = sorted(
            {
                term.value.removeprefix(UNDEFINED_TERM_VOCAB)
                for quad in quads
                for term in (quad.predicate, quad.object)
                if isinstance(term, ox.NamedNode) and term.value.startswith(UNDEFINED_TERM_VOCAB)
            }
        )
        if undefined:
            quads = _parse(document)
        parts: list[Any] = []
        for quad in quads:
            for position, term in enumerate(_terms(quad)):
                spec = self._spec(term, kinds)
                if position:
                    parts.append(" ")
                parts.append(spec if isinstance(spec, _Slot) else _term_text(term))
            parts.append(" .\n")
        merged: list[Any] = []
        for part in parts:  # join neighbouring text
            if isinstance(part, str) and merged and isinstance(merged[-1], str):
                merged[-1] += part
            else:
                merged.append(part)
        return Template(parts=merged, undefined_terms=undefined)

    @staticmethod
    def _spec(term: Any, kinds: tuple[str, ...]) -> Any:
        value = getattr(term, "value", None)
        if not isinstance(value, str) or not value.startswith(_PLACEHOLDER):
            return term
        match = _PLACEHOLDER_PATTERN.fullmatch(value)
        if match is None:
            raise NativeUnsupported("a value came out changed")
        index = int(match.group(1))
        if isinstance(term, ox.Literal):
            if kinds[index] != LITERAL:
                raise NativeUnsupported("a value came out as a literal and as an IRI")
            suffix = f"@{term.language}" if term.language else f"^^<{term.datatype.value}>"
            return _Slot(LITERAL, index, suffix=suffix)
        if isinstance(term, ox.NamedNode) and kinds[index] == IRI:
            return _Slot(IRI, index)
        raise NativeUnsupported("a value came out in an unexpected place")


# One compiler per set of context documents, found by the loader's fingerprint (loaders made
# by ``contexts.document_loader`` have one) or else by the loader itself.
_compilers: LRUCache = LRUCache(maxsize=32)
_compilers_lock = threading.Lock()


def compiler_for(loader: DocumentLoader) -> Compiler:
    key = getattr(loader, "fingerprint", None) or ("loader", id(loader))
    with _compilers_lock:
        compiler = _compilers.get(key)
        if compiler is None or (isinstance(key, tuple) and compiler._loader is not loader):
            compiler = Compiler(loader)
            _compilers[key] = compiler
        return compiler


def has_characters_escaped_differently(node: Any) -> bool:
    """Whether ``node`` holds a character that RDFC-1.0 escapes and pyld 2 does not."""
    if isinstance(node, str):
        return bool(_ESCAPED_BY_RDFC_ONLY.search(node))
    if isinstance(node, Mapping):
        return any(
            has_characters_escaped_differently(key) or has_characters_escaped_differently(value)
            for key, value in node.items()
        )
    if isinstance(node, list):
        return any(has_characters_escaped_differently(item) for item in node)
    return False


def canonicalize(document: Mapping[str, Any], loader: DocumentLoader, reference) -> str:
    """RDFC-1.0 of ``document`` through its compiled template; ``reference(document, loader)``
    checks each template once. Raises :class:`NativeUnsupported` where it cannot be used."""
    template, values = compiler_for(loader).template_for(document)
    if not template.matches_reference:
        raise NativeUnsupported("this document shape differs from the reference")
    try:
        result = serialize(template.nquads(values))
    except (SyntaxError, ValueError, TypeError) as error:
        raise NativeUnsupported(str(error)) from error
    if not template.checked:
        _check(template, document, loader, reference, result)
        if not template.matches_reference:
            raise NativeUnsupported("this document shape differs from the reference")
    return result


def _check(template: Template, document, loader, reference, result: str) -> None:
    if has_characters_escaped_differently(document):
        return  # the reference cannot judge this one; check on the next document
    try:
        expected = reference(document, loader)
    except CredentialError:
        expected = None
    template.checked = True
    if expected != result:
        template.matches_reference = False
        logger.warning(
            "Native RDFC-1.0 differs from the reference for a document shape; using the "
            "reference for it"
        )


def undefined_terms(document: Mapping[str, Any], loader: DocumentLoader) -> list[str]:
    template, _values = compiler_for(loader).template_for(document)
    if not template.matches_reference:
        raise NativeUnsupported("this document shape differs from the reference")
    return list(template.undefined_terms)
