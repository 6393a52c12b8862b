"""Baking Open Badges into SVG images.

- OB 2.0: ``xmlns:openbadges="http://openbadges.org"`` on ``<svg>`` and, as its first
  child, ``<openbadges:assertion verify="…">``: for a signed badge ``verify`` is the JWS
  and the element is empty; for a hosted one ``verify`` is the assertion URL and the
  assertion JSON is the element's CDATA body.
- OB 3.0: ``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`` and
  ``<openbadges:credential>``: a VC-JWT goes in ``verify`` (empty element), a credential
  with an embedded proof is the CDATA body (no ``verify``).

SVG is parsed with defusedxml: a DOCTYPE, entity declarations or external references are
refused, so entity-expansion bombs never get expanded.
"""

from dataclasses import dataclass
from xml.dom import minidom
from xml.parsers.expat import ExpatError

from defusedxml import DefusedXmlException
from defusedxml.minidom import parseString

from badge_credentials.errors import BakingError

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
OB2_NAMESPACE = "http://openbadges.org"
OB3_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
_ELEMENTS = {OB2_NAMESPACE: "assertion", OB3_NAMESPACE: "credential"}


@dataclass(frozen=True)
class SvgBadge:
    """What an SVG carries: the namespace (OB 2.0 or 3.0), the ``verify`` attribute and
    the element body (JSON), either of which may be empty."""

    namespace: str
    verify: str
    body: str


def _parse(image: bytes | str) -> minidom.Document:
    data = image.encode("utf-8") if isinstance(image, str) else image
    try:
        document = parseString(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise BakingError(f"refusing SVG with a DOCTYPE or entities: {error!r}") from error
    except (ExpatError, ValueError) as error:
        raise BakingError(f"not a well-formed SVG document: {error}") from error
    root = document.documentElement
    if root is None or root.localName != "svg" or root.namespaceURI not in (SVG_NAMESPACE, None):
        raise BakingError("the XML document is not an SVG image")
    return document


def is_svg(data: bytes | str) -> bool:
    """Tell cheaply whether ``data`` looks like an SVG (an ``<svg`` tag near the start)."""
    head = data[:4096] if isinstance(data, str) else data[:4096].decode("utf-8", "ignore")
    return "<svg" in head


def _remove_badges(document: minidom.Document) -> None:
    for namespace, local_name in _ELEMENTS.items():
        for element in list(document.getElementsByTagNameNS(namespace, local_name)):
            parent = element.parentNode
            following = element.nextSibling
            parent.removeChild(element)
            is_blank = (
                following is not None
                and following.nodeType == following.TEXT_NODE
                and not following.data.strip()
            )
            if is_blank:
                parent.removeChild(following)


def _check(verify: str | None, body: str | None, ob_version: int) -> None:
    if ob_version not in (2, 3):
        raise BakingError("ob_version must be 2 or 3")
    if not verify and not body:
        raise BakingError("nothing to bake: give verify and/or body")
    if ob_version == 2 and not verify:
        raise BakingError("OB 2.0 SVG baking requires the verify attribute")


def _cdata(body: str) -> str:
    # ">" only occurs inside JSON strings, where \u003e is equivalent; this keeps "]]>" out
    # of the CDATA section.
    return body.replace(">", "\\u003e")


def bake_svg(
    image: bytes | str, *, verify: str | None = None, body: str | None = None, ob_version: int = 2
) -> bytes:
    """Return the SVG with a badge element as the first child of ``<svg>``.

    ``verify`` fills the ``verify`` attribute (a JWS/VC-JWT, or for a hosted OB 2.0
    assertion its URL); ``body`` (assertion or credential JSON) becomes a CDATA section.
    An existing OB 2.0 or 3.0 badge element is replaced.
    """
    _check(verify, body, ob_version)
    namespace = OB2_NAMESPACE if ob_version == 2 else OB3_NAMESPACE
    document = _parse(image)
    _remove_badges(document)
    root = document.documentElement
    root.setAttribute("xmlns:openbadges", namespace)
    element = document.createElementNS(namespace, f"openbadges:{_ELEMENTS[namespace]}")
    if verify:
        element.setAttribute("verify", verify)
    if body:
        element.appendChild(document.createCDATASection(_cdata(body)))
    root.insertBefore(document.createTextNode("\n"), root.firstChild)
    root.insertBefore(element, root.firstChild)
    return document.toxml(encoding="utf-8")


def unbake_svg_all(image: bytes | str) -> list[SvgBadge]:
    """Return every OB 2.0/3.0 badge element of an SVG, in document order."""
    document = _parse(image)
    found = []
    for element in document.getElementsByTagNameNS("*", "*"):
        local_name = _ELEMENTS.get(element.namespaceURI or "")
        if local_name and element.localName == local_name:
            body = "".join(
                child.data
                for child in element.childNodes
                if child.nodeType in (child.TEXT_NODE, child.CDATA_SECTION_NODE)
            ).strip()
            found.append(SvgBadge(element.namespaceURI, element.getAttribute("verify"), body))
    return found


def unbake_svg(image: bytes | str) -> SvgBadge | None:
    """Return the first OB 2.0/3.0 badge element of an SVG, or ``None`` if there is none."""
    found = unbake_svg_all(image)
    return found[0] if found else None
