"""Baking Open Badges into PNG images: an uncompressed ``iTXt`` chunk before ``IEND``.

OB 2.0 uses the keyword ``openbadges`` (value: assertion JSON or a JWS), OB 3.0 the keyword
``openbadgecredential`` (value: credential JSON or a VC-JWT). Baking replaces an existing
chunk with the same keyword, so a PNG never holds two.
"""

import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from badge_credentials.errors import BakingError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB2_KEYWORD = "openbadges"
OB3_KEYWORD = "openbadgecredential"
BADGE_KEYWORDS = (OB2_KEYWORD, OB3_KEYWORD)

_MAX_CHUNK_LENGTH = 2**31 - 1
_MAX_INFLATED_TEXT = 16 * 1024 * 1024


@dataclass(frozen=True)
class Chunk:
    """A PNG chunk: its 4-letter type and data (the CRC is recomputed on writing)."""

    type: bytes
    data: bytes


def is_png(data: bytes) -> bool:
    """Tell whether ``data`` starts with the PNG signature."""
    return data.startswith(PNG_SIGNATURE)


def iter_chunks(data: bytes) -> Iterator[Chunk]:
    """Yield the chunks of a PNG, checking the signature, lengths, CRCs and ``IEND``.

    Raises :class:`BakingError` for anything that is not a complete, intact PNG.
    """
    if not is_png(data):
        raise BakingError("not a PNG image (bad signature)")
    offset = len(PNG_SIGNATURE)
    first = True
    while True:
        if offset + 8 > len(data):
            raise BakingError("truncated PNG: missing IEND chunk")
        length, chunk_type = struct.unpack(">I4s", data[offset : offset + 8])
        if length > _MAX_CHUNK_LENGTH or not chunk_type.isalpha():
            raise BakingError("corrupt PNG chunk header")
        end = offset + 8 + length + 4
        if end > len(data):
            raise BakingError(f"truncated PNG: chunk {chunk_type!r} is cut off")
        chunk_data = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(chunk_type + chunk_data) != crc:
            raise BakingError(f"corrupt PNG: CRC mismatch in chunk {chunk_type!r}")
        if first and chunk_type != b"IHDR":
            raise BakingError("corrupt PNG: the first chunk is not IHDR")
        first = False
        yield Chunk(chunk_type, chunk_data)
        offset = end
        if chunk_type == b"IEND":
            return


def _encode_chunk(chunk: Chunk) -> bytes:
    crc = zlib.crc32(chunk.type + chunk.data)
    return struct.pack(">I", len(chunk.data)) + chunk.type + chunk.data + struct.pack(">I", crc)


def _itxt_data(keyword: str, text: str) -> bytes:
    # keyword, null, compression flag 0, method 0, empty language tag and translated keyword
    return keyword.encode("latin-1") + b"\x00\x00\x00" + b"\x00" + b"\x00" + text.encode("utf-8")


def _parse_itxt(data: bytes) -> tuple[str, str]:
    keyword, separator, rest = data.partition(b"\x00")
    if not separator or len(rest) < 2:
        raise BakingError("corrupt iTXt chunk")
    compressed, method = rest[0], rest[1]
    language, separator, rest = rest[2:].partition(b"\x00")
    translated, separator2, text = rest.partition(b"\x00")
    if not separator or not separator2:
        raise BakingError("corrupt iTXt chunk")
    if compressed:
        if method != 0:
            raise BakingError("unknown iTXt compression method")
        inflater = zlib.decompressobj()
        text = inflater.decompress(text, _MAX_INFLATED_TEXT)
        if inflater.unconsumed_tail:
            raise BakingError("compressed iTXt text is too large")
    try:
        return keyword.decode("latin-1"), text.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BakingError("iTXt text is not UTF-8") from error


def _chunk_keyword(chunk: Chunk) -> str | None:
    if chunk.type not in (b"iTXt", b"tEXt"):
        return None
    keyword = chunk.data.split(b"\x00", 1)[0]
    return keyword.decode("latin-1", errors="replace")


def bake_png(image: bytes, text: str, *, keyword: str = OB2_KEYWORD) -> bytes:
    """Return ``image`` with ``text`` baked in an ``iTXt`` chunk named ``keyword``.

    An existing ``iTXt``/legacy ``tEXt`` chunk with that keyword is replaced; the new chunk
    goes just before ``IEND``.
    """
    if keyword not in BADGE_KEYWORDS:
        raise BakingError(f"unknown badge keyword {keyword!r}")
    chunks = [chunk for chunk in iter_chunks(image) if _chunk_keyword(chunk) != keyword]
    baked = Chunk(b"iTXt", _itxt_data(keyword, text))
    chunks.insert(len(chunks) - 1, baked)
    return PNG_SIGNATURE + b"".join(_encode_chunk(chunk) for chunk in chunks)


def unbake_png_all(image: bytes) -> list[tuple[str, str]]:
    """Return ``(keyword, text)`` of every badge chunk of a PNG, in file order.

    Looks for ``iTXt`` chunks named ``openbadges`` or ``openbadgecredential`` and the
    legacy OB 1.x ``tEXt`` chunk ``openbadges`` (whose text is a hosted assertion URL).
    """
    found = []
    for chunk in iter_chunks(image):
        keyword = _chunk_keyword(chunk)
        if keyword not in BADGE_KEYWORDS:
            continue
        if chunk.type == b"iTXt":
            found.append(_parse_itxt(chunk.data))
            continue
        text = chunk.data.split(b"\x00", 1)[1] if b"\x00" in chunk.data else b""
        found.append((keyword, text.decode("latin-1")))
    return found


def unbake_png(image: bytes) -> tuple[str, str] | None:
    """Return ``(keyword, text)`` of the first badge chunk of a PNG, or ``None``."""
    found = unbake_png_all(image)
    return found[0] if found else None
