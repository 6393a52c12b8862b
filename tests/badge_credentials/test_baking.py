import io
import json
import struct
import zlib

import pytest
from PIL import Image

from badge_credentials.baking import bake, unbake
from badge_credentials.baking.png import bake_png, iter_chunks, unbake_png
from badge_credentials.baking.svg import bake_svg, unbake_svg
from badge_credentials.errors import BakingError

JWS = "eyJhbGciOiJSUzI1NiJ9.eyJpZCI6InVybjphIn0.c2lnbmF0dXJl"
ASSERTION = {"id": "https://badges.example.nl/a/1", "narrative": "Café ]]> <b>bold</b>"}


def _badge_chunks(png: bytes) -> list[bytes]:
    return [c.data for c in iter_chunks(png) if c.type == b"iTXt"]


def test_png_round_trip_ob2_jws(png_image) -> None:
    baked = bake(png_image, JWS, ob_version=2)
    found = unbake(baked)
    assert (found.ob_version, found.payload, found.image_format) == (2, JWS, "png")
    Image.open(io.BytesIO(baked)).load()  # still a valid image for Pillow
    chunks = list(iter_chunks(baked))
    assert chunks[0].type == b"IHDR" and chunks[-1].type == b"IEND"
    assert chunks[-2].type == b"iTXt"


def test_png_round_trip_ob3_json(png_image) -> None:
    baked = bake(png_image, {"id": "urn:c", "name": "Ünïcode"}, ob_version=3)
    found = unbake(baked)
    assert found.ob_version == 3
    assert json.loads(found.payload) == {"id": "urn:c", "name": "Ünïcode"}
    assert _badge_chunks(baked)[0].startswith(b"openbadgecredential\x00\x00\x00")


def test_png_rebake_replaces_the_existing_chunk(png_image) -> None:
    once = bake(png_image, JWS, ob_version=2)
    twice = bake(once, ASSERTION, ob_version=2)
    assert len(_badge_chunks(twice)) == 1
    assert json.loads(unbake(twice).payload) == ASSERTION


def test_png_ob2_and_ob3_chunks_can_coexist(png_image) -> None:
    both = bake(bake(png_image, JWS, ob_version=2), "h.p.s", ob_version=3)
    assert unbake_png(both) == ("openbadges", JWS)
    assert len(_badge_chunks(both)) == 2


def test_png_without_badge_unbakes_to_none(png_image) -> None:
    assert unbake(png_image) is None


def test_legacy_text_chunk_is_read(png_image) -> None:
    chunks = list(iter_chunks(png_image))
    data = b"openbadges\x00https://badges.example.nl/a/1"
    legacy = (
        struct.pack(">I", len(data))
        + b"tEXt"
        + data
        + struct.pack(">I", zlib.crc32(b"tEXt" + data))
    )
    body = png_image[:-12]  # drop IEND
    assert chunks[-1].type == b"IEND"
    image = body + legacy + png_image[-12:]
    assert unbake_png(image) == ("openbadges", "https://badges.example.nl/a/1")
    rebaked = bake_png(image, JWS)
    assert unbake_png(rebaked) == ("openbadges", JWS)


def test_non_png_bytes_are_refused() -> None:
    with pytest.raises(BakingError, match="neither a PNG nor an SVG"):
        bake(b"GIF89a....", JWS, ob_version=2)
    with pytest.raises(BakingError, match="not a PNG"):
        bake_png(b"\x00" * 64, JWS)


def test_truncated_png_is_refused(png_image) -> None:
    with pytest.raises(BakingError, match="truncated"):
        unbake(png_image[:-20])
    with pytest.raises(BakingError, match="truncated"):
        unbake(png_image[:12])


def test_corrupt_crc_is_refused(png_image) -> None:
    corrupt = bytearray(png_image)
    corrupt[20] ^= 0xFF  # inside IHDR data
    with pytest.raises(BakingError, match="CRC"):
        unbake(bytes(corrupt))


def test_svg_ob2_signed_is_an_empty_element_with_verify(svg_image) -> None:
    baked = bake(svg_image, JWS, ob_version=2)
    text = baked.decode()
    assert 'xmlns:openbadges="http://openbadges.org"' in text
    assert f'<openbadges:assertion verify="{JWS}"/>' in text
    assert unbake(baked).payload == JWS
    assert "<circle" in text and "<!-- badge -->" in text


def test_svg_ob2_hosted_has_cdata_body_and_verify_url(svg_image) -> None:
    baked = bake(svg_image, ASSERTION, ob_version=2)
    badge = unbake_svg(baked)
    assert badge.verify == ASSERTION["id"]
    assert json.loads(badge.body) == ASSERTION
    assert "<![CDATA[" in baked.decode()


def test_svg_ob3_per_spec(svg_image) -> None:
    baked = bake(svg_image, "h.p.s", ob_version=3)
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked.decode()
    assert '<openbadges:credential verify="h.p.s"/>' in baked.decode()
    embedded = bake(svg_image, {"id": "urn:c"}, ob_version=3)
    badge = unbake_svg(embedded)
    assert badge.verify == "" and json.loads(badge.body) == {"id": "urn:c"}
    assert unbake(embedded).ob_version == 3


def test_svg_rebake_replaces_the_existing_element(svg_image) -> None:
    twice = bake(bake(svg_image, JWS, ob_version=2), "h.p.s", ob_version=3)
    text = twice.decode()
    assert "openbadges:assertion" not in text
    assert text.count("openbadges:credential") == 1
    assert unbake(twice).payload == "h.p.s"
    thrice = bake(twice, "x.y.z", ob_version=3)
    assert thrice.decode().count("openbadges:credential") == 1


def test_svg_entity_bomb_is_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>'
    )
    with pytest.raises(BakingError, match="DOCTYPE or entities"):
        unbake(bomb)
    with pytest.raises(BakingError):
        bake(bomb, JWS, ob_version=2)


def test_svg_with_external_entity_or_doctype_is_refused() -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>'
    )
    with pytest.raises(BakingError):
        unbake(xxe)
    doctype = b'<!DOCTYPE svg><svg xmlns="http://www.w3.org/2000/svg"/>'
    with pytest.raises(BakingError):
        unbake_svg(doctype)


def test_malformed_or_non_svg_xml_is_refused() -> None:
    with pytest.raises(BakingError, match="well-formed"):
        unbake(b'<svg xmlns="http://www.w3.org/2000/svg"><g></svg>')
    with pytest.raises(BakingError, match="not an SVG"):
        bake_svg(b"<html><svg/></html>", verify=JWS)


def test_svg_without_badge_unbakes_to_none(svg_image) -> None:
    assert unbake(svg_image) is None
