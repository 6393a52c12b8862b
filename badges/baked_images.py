"""Badge images with the signed badge baked in, made when they are downloaded.

A PNG carries both the OB 2.0 assertion and the OB 3.0 credential; an SVG carries one badge:
the OB 2.0 assertion (``svg``) or the OB 3.0 credential (``svg_credential``); a badge class
with a PNG image gets its SVGs as the PNG wrapped in an SVG. Each is made from the badge's
stored documents and its badge class's image, which cannot change once the badge class has
awarded a badge, so nothing is stored per badge and every download carries the badge as it
stands. A badge has no baked image before it is signed, nor once its signatures went with its
erased personal data.
"""

from __future__ import annotations

import base64
import io

from badge_credentials import baking

from .models import Assertion, AssertionDocuments, BadgeClass

PNG, SVG, SVG_CREDENTIAL = "png", "svg", "svg_credential"
KINDS = (PNG, SVG, SVG_CREDENTIAL)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _image(badge_class: BadgeClass) -> bytes:
    with badge_class.image.open("rb") as handle:
        return bytes(handle.read())


def has_png(badge_class: BadgeClass) -> bool:
    """Whether the badges of ``badge_class`` come as a PNG (its image is one)."""
    if not badge_class.image:
        return False
    with badge_class.image.open("rb") as handle:
        return handle.read(len(_PNG_SIGNATURE)) == _PNG_SIGNATURE


def svg_wrapping_png(png: bytes) -> bytes:
    """An SVG that shows ``png`` at its own size."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as picture:
        width, height = picture.size
    encoded = base64.b64encode(png).decode("ascii")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><image width="{width}" height="{height}" '
        f'href="data:image/png;base64,{encoded}"/></svg>'
    ).encode()


def _bake(image: bytes, documents: AssertionDocuments, kind: str) -> bytes | None:
    """``image`` (a badge class's) with the badge of ``documents`` baked in as ``kind``."""
    is_png = image.startswith(_PNG_SIGNATURE)
    hosted, credential = documents.ob2_assertion, documents.ob3_credential
    if kind == PNG:
        if not is_png:
            return None
        return baking.bake(baking.bake(image, hosted, ob_version=2), credential, ob_version=3)
    svg = svg_wrapping_png(image) if is_png else image
    if kind == SVG:
        return baking.bake(svg, hosted, ob_version=2)
    if kind == SVG_CREDENTIAL:
        return baking.bake(svg, credential, ob_version=3)
    raise ValueError(f"no baked image of kind {kind!r}")


def baked(assertion: Assertion, kind: str) -> bytes | None:
    """The image of ``kind`` with ``assertion``'s signed badge baked in, or None when it has
    none (not signed, its signatures erased, or a PNG asked of an SVG badge class)."""
    if kind not in KINDS:
        raise ValueError(f"no baked image of kind {kind!r}")
    try:
        documents = assertion.documents
    except AssertionDocuments.DoesNotExist:
        return None
    credential = documents.ob3_credential
    if not documents.ob2_jws or not documents.ob2_assertion or not credential:
        return None
    if "proof" not in credential:
        return None
    return _bake(_image(assertion.badge_class), documents, kind)
