"""Small binary-to-text encodings: base64url (JOSE), base58btc and multibase/multicodec."""

import base64

_BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {char: index for index, char in enumerate(_BASE58_ALPHABET)}

# Multicodec varint prefix of an Ed25519 public key (0xed, as an unsigned varint).
ED25519_PUBLIC_KEY_MULTICODEC = b"\xed\x01"


def b64url_encode(data: bytes) -> str:
    """Encode bytes as unpadded base64url (RFC 7515 §2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """Decode unpadded base64url; raises ``ValueError`` on characters outside the alphabet."""
    if any(char in text for char in "+/= \n\r\t"):
        raise ValueError("not base64url without padding")
    standard = text.replace("-", "+").replace("_", "/") + "=" * (-len(text) % 4)
    try:
        return base64.b64decode(standard.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as error:
        raise ValueError(f"invalid base64url: {error}") from error


def base58btc_encode(data: bytes) -> str:
    """Encode bytes with the Bitcoin base58 alphabet (leading zero bytes become '1')."""
    number = int.from_bytes(data, "big")
    encoded = []
    while number:
        number, remainder = divmod(number, 58)
        encoded.append(_BASE58_ALPHABET[remainder])
    leading_zeros = len(data) - len(data.lstrip(b"\x00"))
    return "1" * leading_zeros + "".join(reversed(encoded))


def base58btc_decode(text: str) -> bytes:
    """Decode Bitcoin base58; raises ``ValueError`` on characters outside the alphabet."""
    number = 0
    for char in text:
        try:
            number = number * 58 + _BASE58_INDEX[char]
        except KeyError:
            raise ValueError(f"invalid base58 character {char!r}") from None
    leading_ones = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * leading_ones + body


def multibase_encode(data: bytes) -> str:
    """Encode bytes as multibase base58btc: the 'z' prefix followed by base58btc."""
    return "z" + base58btc_encode(data)


def multibase_decode(text: str) -> bytes:
    """Decode a multibase base58btc string ('z' prefix); other bases are refused."""
    if not text.startswith("z"):
        raise ValueError("only multibase base58btc ('z' prefix) is supported")
    return base58btc_decode(text[1:])
