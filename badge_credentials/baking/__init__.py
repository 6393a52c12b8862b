"""Bake Open Badges into PNG and SVG images and get them out again.

:func:`bake` and :func:`unbake` pick the image format from its content; the format
modules (:mod:`.png`, :mod:`.svg`) hold the details.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from badge_credentials.baking.png import (
    OB2_KEYWORD,
    OB3_KEYWORD,
    bake_png,
    is_png,
    unbake_png,
    unbake_png_all,
)
from badge_credentials.baking.svg import (
    OB3_NAMESPACE,
    bake_svg,
    is_svg,
    unbake_svg,
    unbake_svg_all,
)
from badge_credentials.errors import BakingError


@dataclass(frozen=True)
class BakedBadge:
    """A badge found in an image.

    ``ob_version`` is 2 or 3; ``payload`` the baked text (JSON, a JWS/VC-JWT or, for legacy
    and hosted OB 2.0 SVGs without a body, a URL); ``image_format`` ``png`` or ``svg``.
    """

    ob_version: int
    payload: str
    image_format: str


def _as_text(payload: str | Mapping[str, Any]) -> str:
    if isinstance(payload, str):
        return payload
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def bake(image: bytes, payload: str | Mapping[str, Any], *, ob_version: int) -> bytes:
    """Bake ``payload`` into a PNG or SVG image.

    ``payload`` is a signed token (OB 2.0 JWS / OB 3.0 VC-JWT) or a JSON document (dict or
    text). For OB 2.0 SVGs a JSON assertion is baked with ``verify`` = its ``id``.
    """
    text = _as_text(payload).strip()
    is_json = text.startswith("{")
    if is_png(image):
        return bake_png(image, text, keyword=OB2_KEYWORD if ob_version == 2 else OB3_KEYWORD)
    if is_svg(image):
        if not is_json:
            return bake_svg(image, verify=text, ob_version=ob_version)
        if ob_version == 2:
            assertion_id = json.loads(text).get("id")
            if not isinstance(assertion_id, str):
                raise BakingError("a hosted OB 2.0 assertion needs an id to bake into SVG")
            return bake_svg(image, verify=assertion_id, body=text, ob_version=2)
        return bake_svg(image, body=text, ob_version=3)
    raise BakingError("the image is neither a PNG nor an SVG")


def unbake_all(image: bytes) -> list[BakedBadge]:
    """Return every badge baked into a PNG or SVG image, in file order (a PNG of ours
    carries an OB 2.0 assertion and an OB 3.0 credential)."""
    if is_png(image):
        return [
            BakedBadge(3 if keyword == OB3_KEYWORD else 2, text, "png")
            for keyword, text in unbake_png_all(image)
        ]
    if is_svg(image):
        return [
            BakedBadge(
                3 if badge.namespace == OB3_NAMESPACE else 2, badge.body or badge.verify, "svg"
            )
            for badge in unbake_svg_all(image)
        ]
    raise BakingError("the image is neither a PNG nor an SVG")


def unbake(image: bytes) -> BakedBadge | None:
    """Return the first badge baked into a PNG or SVG image, or ``None`` when it has none."""
    found = unbake_all(image)
    return found[0] if found else None


__all__ = [
    "BakedBadge",
    "bake",
    "bake_png",
    "bake_svg",
    "unbake",
    "unbake_all",
    "unbake_png",
    "unbake_svg",
]
