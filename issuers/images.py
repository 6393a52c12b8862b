"""Validation of uploaded images (logos, issuer images, badge images).

Images come from institution staff and end up on public pages and inside baked badges, so
they are checked strictly: real PNG (or SVG where allowed), bounded size and dimensions, and
SVG without scripts, event handlers or references to anything outside the file.
"""

from __future__ import annotations

import io
import re
import warnings

from defusedxml import ElementTree as SafeElementTree
from defusedxml.common import DefusedXmlException
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_DIMENSION = 4096
MIN_DIMENSION = 64
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
FORBIDDEN_SVG_ELEMENTS = {"script", "foreignObject", "iframe", "embed", "object", "handler"}
_URL_IN_STYLE = re.compile(r"url\s*\(\s*['\"]?\s*(?!#)", re.IGNORECASE)
_IMPORT_IN_STYLE = re.compile(r"@import", re.IGNORECASE)


def _read(file: UploadedFile) -> bytes:
    if file.size is not None and file.size > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("The image is %(size)d KB; the maximum is %(max)d KB.")
            % {"size": file.size // 1024, "max": MAX_IMAGE_BYTES // 1024},
            code="too_large",
        )
    file.seek(0)
    data = file.read(MAX_IMAGE_BYTES + 1)
    file.seek(0)
    if len(data) > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("The image is larger than %(max)d KB.") % {"max": MAX_IMAGE_BYTES // 1024},
            code="too_large",
        )
    return data


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip().lower()
    return head.startswith(b"<?xml") or head.startswith(b"<svg") or b"<svg" in head


def check_png(data: bytes) -> None:
    """Raise ValidationError unless ``data`` is a PNG within the size limits."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValidationError(_("The file is not a PNG image."), code="not_png")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if image.format != "PNG":
                    raise ValidationError(_("The file is not a PNG image."), code="not_png")
                if width > MAX_DIMENSION or height > MAX_DIMENSION:
                    raise ValidationError(
                        _("The image is %(w)d×%(h)d pixels; at most %(max)d×%(max)d is allowed.")
                        % {"w": width, "h": height, "max": MAX_DIMENSION},
                        code="too_big",
                    )
                if width < MIN_DIMENSION or height < MIN_DIMENSION:
                    raise ValidationError(
                        _("The image is %(w)d×%(h)d pixels; at least %(min)d×%(min)d is needed.")
                        % {"w": width, "h": height, "min": MIN_DIMENSION},
                        code="too_small",
                    )
                image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise ValidationError(_("The image has too many pixels."), code="too_big") from error
    except Exception as error:  # Pillow raises many kinds for corrupt files
        raise ValidationError(
            _("The PNG image is damaged or unreadable."), code="corrupt"
        ) from error


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag


def check_svg(data: bytes) -> None:
    """Raise ValidationError unless ``data`` is a self-contained SVG without active content."""
    try:
        root = SafeElementTree.fromstring(data, forbid_dtd=True)
    except (DefusedXmlException, SafeElementTree.ParseError, ValueError) as error:
        raise ValidationError(
            _("The SVG image is not well-formed or contains a document type definition."),
            code="bad_svg",
        ) from error
    if root.tag not in {f"{{{SVG_NAMESPACE}}}svg", "svg"}:
        raise ValidationError(_("The file is not an SVG image."), code="bad_svg")
    for element in root.iter():
        name = _local_name(element.tag) if isinstance(element.tag, str) else ""
        if name in FORBIDDEN_SVG_ELEMENTS:
            raise ValidationError(
                _("The SVG image contains a <%(element)s> element, which is not allowed.")
                % {"element": name},
                code="svg_active_content",
            )
        for attribute, value in element.attrib.items():
            attribute_name = _local_name(attribute).lower()
            if attribute_name.startswith("on"):
                raise ValidationError(
                    _(
                        "The SVG image contains an event handler (%(attribute)s), which is not allowed."
                    )
                    % {"attribute": attribute_name},
                    code="svg_active_content",
                )
            if attribute_name == "href" or attribute == XLINK_HREF:
                reference = value.strip()
                if not (reference.startswith("#") or reference.startswith("data:image/png")):
                    raise ValidationError(
                        _(
                            "The SVG image refers to %(reference)s outside the file; embed it instead."
                        )
                        % {"reference": reference[:60]},
                        code="svg_external_reference",
                    )
            if attribute_name == "style" and (
                _URL_IN_STYLE.search(value) or _IMPORT_IN_STYLE.search(value)
            ):
                raise ValidationError(
                    _("The SVG image loads styles or images from outside the file."),
                    code="svg_external_reference",
                )
        if (
            name == "style"
            and element.text
            and (_URL_IN_STYLE.search(element.text) or _IMPORT_IN_STYLE.search(element.text))
        ):
            raise ValidationError(
                _("The SVG image loads styles or images from outside the file."),
                code="svg_external_reference",
            )


def _already_stored(file) -> bool:
    """A file already saved to storage was checked when it was uploaded."""
    return bool(getattr(file, "_committed", False))


def validate_png_or_svg(file: UploadedFile) -> None:
    if _already_stored(file):
        return
    data = _read(file)
    if data.startswith(b"\x89PNG"):
        check_png(data)
    elif _looks_like_svg(data):
        check_svg(data)
    else:
        raise ValidationError(_("Upload a PNG or SVG image."), code="bad_type")


def validate_png(file: UploadedFile) -> None:
    if _already_stored(file):
        return
    check_png(_read(file))


def validate_logo(file: UploadedFile) -> None:
    if _already_stored(file):
        return
    data = _read(file)
    if _looks_like_svg(data) and not data.startswith(b"\x89PNG"):
        check_svg(data)
    else:
        check_png(data)
