"""Validation of uploaded images (logos, issuer images, badge images).

Images come from institution staff and end up on public pages and inside baked badges, so
they are checked strictly: real PNG (or SVG where allowed), bounded size and dimensions, and
SVG without scripts, event handlers or references to anything outside the file.
"""

from __future__ import annotations

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image

from .svg import SvgError, looks_like_svg, sanitise_svg

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_DIMENSION = 4096
MIN_DIMENSION = 64


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


def check_svg(data: bytes) -> None:
    """Raise ValidationError unless ``data`` is a self-contained SVG without active content.

    What is stored is the sanitised SVG (``issuers.svg``); an upload whose sanitising would
    remove script, handlers, animation or references outside the file is refused, so that
    staff learn why rather than find their image changed.
    """
    try:
        result = sanitise_svg(data)
    except SvgError as error:
        raise ValidationError(
            _("The SVG image is not well-formed or contains a document type definition."),
            code="bad_svg",
        ) from error
    active = result.removed_of("active")
    if active:
        raise ValidationError(
            _("The SVG image contains active content (%(what)s), which is not allowed.")
            % {"what": ", ".join(dict.fromkeys(active))[:120]},
            code="svg_active_content",
        )
    if result.removed_of("external"):
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
    elif looks_like_svg(data):
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
    if looks_like_svg(data) and not data.startswith(b"\x89PNG"):
        check_svg(data)
    else:
        check_png(data)
