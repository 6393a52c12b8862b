"""W3C Bitstring Status List v1.0: status entries and the status list credential.

A credential points at one bit of an issuer's list with a ``BitstringStatusListEntry``
(``statusPurpose`` ``revocation``); the issuer publishes the list as a signed
``BitstringStatusListCredential`` whose ``encodedList`` is the multibase base64url (``u``)
of the GZIP-compressed bitstring. Bit 0 is the most significant bit of the first byte. A
list holds at least 131,072 entries (16 KiB), so that one credential hides among many
("herd privacy"); the terms are defined by the VC 2.0 context.
"""

import base64
import gzip
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from badge_credentials.contexts import VC_V2
from badge_credentials.dates import iso_datetime
from badge_credentials.errors import CredentialError, InvalidInputError

MIN_ENTRIES = 131_072
STATUS_ENTRY_TYPE = "BitstringStatusListEntry"
STATUS_LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
REVOCATION = "revocation"


def encode_bitstring(set_indexes: Iterable[int], size: int = MIN_ENTRIES) -> str:
    """Return the ``encodedList`` of a list of ``size`` bits with ``set_indexes`` set."""
    if size < MIN_ENTRIES or size % 8:
        raise InvalidInputError(f"a status list holds a multiple of 8, at least {MIN_ENTRIES}")
    bits = bytearray(size // 8)
    for index in set_indexes:
        if not 0 <= index < size:
            raise InvalidInputError(f"status index {index} is outside the list")
        bits[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same bits always give the same bytes (and the same signature input).
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")


def decode_bitstring(encoded: str) -> bytes:
    """Return the bitstring of an ``encodedList``; raises :class:`CredentialError`."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise CredentialError("encodedList is not a multibase base64url string")
    body = encoded[1:]
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return gzip.decompress(compressed)
    except (ValueError, OSError, EOFError) as error:
        raise CredentialError(f"encodedList cannot be decoded: {error}") from error


def bit_is_set(bits: bytes, index: int) -> bool:
    """Whether bit ``index`` of a decoded bitstring is set (raises when out of range)."""
    if not 0 <= index < len(bits) * 8:
        raise CredentialError(f"status index {index} is outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def build_status_entry(
    list_credential_url: str, index: int, *, purpose: str = REVOCATION
) -> dict[str, Any]:
    """Return the ``credentialStatus`` entry for bit ``index`` of a status list."""
    return {
        "id": f"{list_credential_url}#{index}",
        "type": STATUS_ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_credential_url,
    }


def build_status_list_credential(
    list_credential_url: str,
    issuer_id: str,
    encoded_list: str,
    *,
    valid_from: datetime,
    purpose: str = REVOCATION,
) -> dict[str, Any]:
    """Return the unsigned ``BitstringStatusListCredential`` (sign it with a Data Integrity
    proof of the issuer's key)."""
    return {
        "@context": [VC_V2],
        "id": list_credential_url,
        "type": ["VerifiableCredential", STATUS_LIST_CREDENTIAL_TYPE],
        "issuer": issuer_id,
        "validFrom": iso_datetime(valid_from),
        "credentialSubject": {
            "id": f"{list_credential_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded_list,
        },
    }
