import gzip

import pytest

from badge_credentials import status_list
from badge_credentials.encoding import b64url_decode
from badge_credentials.errors import CredentialError, InvalidInputError


def test_bit_zero_is_the_leftmost_bit_of_the_first_byte() -> None:
    encoded = status_list.encode_bitstring({0, 9, 131_071})
    assert encoded.startswith("u")
    bits = gzip.decompress(b64url_decode(encoded[1:]))
    assert len(bits) == 16 * 1024
    assert bits[0] == 0x80 and bits[1] == 0x40 and bits[-1] == 0x01
    decoded = status_list.decode_bitstring(encoded)
    assert [i for i in (0, 1, 9, 10, 131_071) if status_list.bit_is_set(decoded, i)] == [
        0,
        9,
        131_071,
    ]


def test_the_same_bits_always_encode_to_the_same_text() -> None:
    assert status_list.encode_bitstring([5, 7]) == status_list.encode_bitstring([7, 5])


def test_lists_hold_at_least_131072_entries() -> None:
    with pytest.raises(InvalidInputError):
        status_list.encode_bitstring([], size=1024)
    with pytest.raises(InvalidInputError):
        status_list.encode_bitstring([131_072])


def test_a_broken_list_is_a_credential_error() -> None:
    with pytest.raises(CredentialError):
        status_list.decode_bitstring("zabc")
    with pytest.raises(CredentialError):
        status_list.decode_bitstring("unot-gzip")
    with pytest.raises(CredentialError):
        status_list.bit_is_set(b"\x00", 8)


def test_entry_and_list_credential_use_the_w3c_terms() -> None:
    url = "https://badges.example.nl/public/issuers/uni/status-lists/1"
    assert status_list.build_status_entry(url, 42) == {
        "id": f"{url}#42",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": url,
    }
    from datetime import UTC, datetime

    credential = status_list.build_status_list_credential(
        url, "did:web:badges.example.nl", "uH4sI", valid_from=datetime(2025, 1, 1, tzinfo=UTC)
    )
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["credentialSubject"]["type"] == "BitstringStatusList"
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
