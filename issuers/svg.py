"""An allow-list sanitiser for SVG images that staff upload (badge images, logos).

The result keeps the drawing and nothing else: only listed SVG elements and attributes survive,
references may point inside the file (``#id``) or be embedded raster images, and styles may not
import, load or escape anything. Scripts, event handlers, animation (which can rewrite a link
to ``javascript:``), ``foreignObject`` and foreign namespaces are dropped. The document is
written anew from the parsed tree, so comments, processing instructions and CDATA tricks do
not survive either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XLINK_NAMESPACE = "http://www.w3.org/1999/xlink"
XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"

ALLOWED_ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "symbol", "use", "title", "desc",
        "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
        "text", "tspan", "textPath",
        "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker",
        "image", "style", "switch",
        "filter", "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite",
        "feConvolveMatrix", "feDiffuseLighting", "feDisplacementMap", "feDistantLight",
        "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR",
        "feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset",
        "fePointLight", "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence",
    }
)  # fmt: skip

# Elements that carry behaviour rather than drawing: their removal is worth telling staff.
ACTIVE_ELEMENTS = frozenset(
    {
        "script", "foreignObject", "iframe", "embed", "object", "handler", "listener",
        "set", "animate", "animateMotion", "animateTransform", "animateColor", "discard",
        "feImage",
    }
)  # fmt: skip
# Elements replaced by their content.
UNWRAPPED_ELEMENTS = frozenset({"a"})

ALLOWED_ATTRIBUTES = frozenset(
    {
        # structure and geometry
        "id", "class", "style", "viewBox", "preserveAspectRatio", "width", "height",
        "x", "y", "x1", "x2", "y1", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "fr",
        "d", "points", "pathLength", "transform", "version", "baseProfile",
        "gradientUnits", "gradientTransform", "spreadMethod", "offset",
        "patternUnits", "patternContentUnits", "patternTransform",
        "clipPathUnits", "maskUnits", "maskContentUnits",
        "markerWidth", "markerHeight", "markerUnits", "refX", "refY", "orient",
        "href", "lang", "space", "role", "aria-label", "aria-hidden", "focusable",
        "systemLanguage", "requiredExtensions",
        # text
        "dx", "dy", "rotate", "textLength", "lengthAdjust", "startOffset", "method", "spacing",
        "side", "text-anchor", "dominant-baseline", "alignment-baseline", "baseline-shift",
        "font-family", "font-size", "font-size-adjust", "font-stretch", "font-style",
        "font-variant", "font-weight", "letter-spacing", "word-spacing", "writing-mode",
        "direction", "unicode-bidi", "text-decoration", "text-rendering",
        # presentation
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-dasharray",
        "stroke-dashoffset", "stroke-linecap", "stroke-linejoin", "stroke-miterlimit",
        "stroke-opacity", "stroke-width", "opacity", "color", "display", "visibility",
        "overflow", "clip", "clip-path", "clip-rule", "mask", "marker-start", "marker-mid",
        "marker-end", "stop-color", "stop-opacity", "color-interpolation",
        "color-interpolation-filters", "color-rendering", "shape-rendering",
        "image-rendering", "vector-effect", "paint-order", "mix-blend-mode", "isolation",
        "filter", "flood-color", "flood-opacity", "lighting-color",
        # filters
        "filterUnits", "primitiveUnits", "in", "in2", "result", "mode", "type", "values",
        "operator", "k1", "k2", "k3", "k4", "stdDeviation", "edgeMode", "order",
        "kernelMatrix", "divisor", "bias", "targetX", "targetY", "preserveAlpha",
        "surfaceScale", "diffuseConstant", "specularConstant", "specularExponent",
        "kernelUnitLength", "scale", "xChannelSelector", "yChannelSelector", "azimuth",
        "elevation", "z", "pointsAtX", "pointsAtY", "pointsAtZ", "limitingConeAngle",
        "radius", "baseFrequency", "numOctaves", "seed", "stitchTiles", "tableValues",
        "slope", "intercept", "amplitude", "exponent",
    }
)  # fmt: skip

# Attributes that browsers never read as CSS or as a reference.
PLAIN_TEXT_ATTRIBUTES = frozenset({"id", "class", "aria-label", "lang", "role"})

# Raster images may be embedded; nothing else may be referred to outside the file.
_EMBEDDED_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z")
_LOCAL_REFERENCE = re.compile(r"#[A-Za-z_][\w.:-]*\Z")
# ``url(`` that points anywhere but to an element of this file.
_OUTSIDE_URL = re.compile(r"url\s*\(\s*(?![\"']?\s*#)", re.IGNORECASE)
# CSS that could reach out or run: at-rules (``@import``), escapes (``@im\port``), script
# schemes, legacy behaviours; an HTML-ish ``<`` has no place in SVG styles either.
_UNSAFE_CSS = re.compile(r"[@\\<]|image-set|src\s*\(", re.IGNORECASE)
_SCRIPT_IN_CSS = re.compile(r"javascript:|expression\s*\(|behavior|binding", re.IGNORECASE)


class SvgError(ValueError):
    """The data is not a well-formed SVG document (or declares a DTD)."""


@dataclass
class SanitisedSvg:
    data: bytes
    # What was removed, as (kind, what): kind "active" (script, handlers, animation, script
    # URLs), "external" (references or styles reaching outside the file) or "other".
    removed: list[tuple[str, str]] = field(default_factory=list)

    def removed_of(self, kind: str) -> list[str]:
        return [what for removed_kind, what in self.removed if removed_kind == kind]


def _split(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, local = tag[1:].split("}", 1)
        return namespace, local
    return None, tag


def _unsafe_css(text: str) -> str | None:
    """Why ``text`` (a style sheet or a presentation value) is unsafe, or None."""
    if _OUTSIDE_URL.search(text):
        return "external"
    if _SCRIPT_IN_CSS.search(text):
        return "active"
    if _UNSAFE_CSS.search(text):
        return "external"
    return None


def _check_reference(element: str, value: str) -> str | None:
    reference = value.strip()
    if _LOCAL_REFERENCE.match(reference):
        return None
    if element == "image" and _EMBEDDED_IMAGE.match(reference):
        return None
    squashed = re.sub(r"[\s\x00-\x1f]", "", reference).lower()
    return "active" if squashed.startswith(("javascript:", "vbscript:", "data:")) else "external"


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.removed: list[tuple[str, str]] = []
        self.uses_xlink = False

    def element(self, node, *, root: bool = False) -> bool:
        namespace, name = _split(node.tag) if isinstance(node.tag, str) else ("", "")
        if namespace in (SVG_NAMESPACE, None) and name in UNWRAPPED_ELEMENTS:
            # A link goes, what it links stays (its href still tells if it was hostile).
            self.attributes(name, node.attrib)
            self.removed.append(("other", f"<{name}>"))
            self.content(node)
            return False
        if namespace not in (SVG_NAMESPACE, None) or name not in ALLOWED_ELEMENTS:
            kind = "active" if name in ACTIVE_ELEMENTS else "other"
            self.removed.append((kind, f"<{name}>"))
            return False
        if name == "style":
            reason = _unsafe_css(node.text or "")
            if reason or len(node):
                self.removed.append((reason or "other", "<style>"))
                return False
        attributes = self.attributes(name, node.attrib)
        self.parts.append(f"<{name}")
        if root:
            self.parts.append(f' xmlns="{SVG_NAMESPACE}"')
            self.root_position = len(self.parts)
        for attribute, value in attributes:
            self.parts.append(f" {attribute}={quoteattr(value)}")
        self.parts.append(">")
        self.content(node)
        self.parts.append(f"</{name}>")
        return True

    def content(self, node) -> None:
        if node.text:
            self.parts.append(escape(node.text))
        for child in node:
            self.element(child)
            if child.tail:
                self.parts.append(escape(child.tail))

    def attributes(self, element: str, attrib: dict[str, str]) -> list[tuple[str, str]]:
        kept = []
        for qualified, value in attrib.items():
            namespace, name = _split(qualified)
            if namespace == XLINK_NAMESPACE and name == "href":
                written = "xlink:href"
            elif namespace == XML_NAMESPACE and name in {"space", "lang"}:
                written = f"xml:{name}"
            elif namespace is None and name in ALLOWED_ATTRIBUTES:
                written = name
            else:
                kind = "active" if name.lower().startswith("on") else "other"
                self.removed.append((kind, f"{name}="))
                continue
            if name == "href":
                reason = _check_reference(element, value)
            elif name in PLAIN_TEXT_ATTRIBUTES:
                reason = None
            else:
                reason = _unsafe_css(value)
            if reason:
                self.removed.append((reason, f"{name}={value.strip()[:60]}"))
                continue
            if written == "xlink:href":
                self.uses_xlink = True
            kept.append((written, value))
        return kept


def sanitise_svg(data: bytes) -> SanitisedSvg:
    """Return the SVG rebuilt from allowed parts only; raises :class:`SvgError` when ``data``
    is not a well-formed SVG document."""
    try:
        root = SafeElementTree.fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, SafeElementTree.ParseError, ValueError) as error:
        raise SvgError("not a well-formed SVG document without a DTD") from error
    if root.tag not in {f"{{{SVG_NAMESPACE}}}svg", "svg"}:
        raise SvgError("not an SVG document")
    writer = _Writer()
    writer.element(root, root=True)
    if writer.uses_xlink:
        writer.parts.insert(writer.root_position, f' xmlns:xlink="{XLINK_NAMESPACE}"')
    document = '<?xml version="1.0" encoding="UTF-8"?>\n' + "".join(writer.parts) + "\n"
    return SanitisedSvg(document.encode("utf-8"), writer.removed)


def looks_like_svg(data: bytes) -> bool:
    if data.startswith(b"\x89PNG"):
        return False
    head = data[:1024].lstrip().lower()
    return head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head
