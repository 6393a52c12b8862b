"""Uploaded images: real PNG or safe SVG within limits, with a clear error otherwise."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from issuers.images import validate_png, validate_png_or_svg


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 10, 10)).save(buffer, format="PNG")
    return buffer.getvalue()


def _upload(data: bytes, name: str = "x.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def _code(data: bytes, validator=validate_png_or_svg) -> str:
    with pytest.raises(ValidationError) as caught:
        validator(_upload(data))
    return caught.value.code


def test_a_normal_png_passes():
    validate_png(_upload(_png(256, 256)))


def test_a_png_with_huge_dimensions_is_refused_without_decoding():
    # A tiny file that claims 100000×100000 pixels: the IHDR says so, the data is empty.
    header = b"\x89PNG\r\n\x1a\n"
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    chunk = (
        struct.pack(">I", len(ihdr))
        + b"IHDR"
        + ihdr
        + struct.pack(">I", zlib.crc32(b"IHDR" + ihdr))
    )
    iend = struct.pack(">I", 0) + b"IEND" + struct.pack(">I", zlib.crc32(b"IEND"))
    assert _code(header + chunk + iend) == "too_big"


def test_too_small_and_too_large_files_are_refused():
    assert _code(_png(10, 10)) == "too_small"
    assert _code(b"\x89PNG" + b"0" * (3 * 1024 * 1024)) == "too_large"


def test_corrupt_png_and_other_types_are_refused():
    assert _code(_png(256, 256)[:200]) == "corrupt"
    assert _code(b"GIF89a....") == "bad_type"
    assert _code(b"%PDF-1.7") == "bad_type"


SAFE_SVG = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4" cx="5" cy="5"/></svg>'


@pytest.mark.parametrize(
    ("svg", "code"),
    [
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "svg_active_content",
        ),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>', "svg_active_content"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
            b'<image xlink:href="https://evil.example/x.png"/></svg>',
            "svg_external_reference",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://x.example/a.css);</style></svg>',
            "svg_external_reference",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>',
            "svg_active_content",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>',
            "bad_svg",
        ),
        (b"<svg", "bad_svg"),
    ],
)
def test_hostile_svg_is_refused(svg, code):
    assert _code(svg) == code


def test_a_safe_svg_passes():
    validate_png_or_svg(_upload(SAFE_SVG, "x.svg"))
