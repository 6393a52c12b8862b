"""Every credential gets a bit in its issuer's W3C Bitstring Status List."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from badge_credentials import data_integrity
from badge_credentials.contexts import document_loader
from badge_credentials.status_list import bit_is_set, decode_bitstring
from badge_credentials.verify import verify_badge
from badges import issuing, links, status_lists
from badges.models import Assertion, StatusList
from badges.verification import badge_verify, fetch
from issuers import signing
from issuers.models import SigningKey
from tests.factories import BadgeClassFactory, UserFactory

pytestmark = pytest.mark.django_db


def _entry(assertion) -> dict:
    statuses = assertion.ob3_credential["credentialStatus"]
    return statuses[0]


def _served(client, url: str):
    return client.get(url.removeprefix("http://testserver"))


def test_credentials_carry_a_bitstring_entry_first_and_the_1edtech_list_second(issue):
    assertion = issue()
    first, second = assertion.ob3_credential["credentialStatus"]
    assert first == {
        "id": f"{links.status_list_credential_url(assertion.status_list)}#{assertion.status_index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(assertion.status_index),
        "statusListCredential": links.status_list_credential_url(assertion.status_list),
    }
    assert second["type"] == "1EdTechRevocationList"
    assert assertion.status_list.size >= 131_072


def test_the_list_is_served_signed_cached_and_marks_revocations(client, issue):
    assertion = issue()
    url = _entry(assertion)["statusListCredential"]
    response = _served(client, url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vc+ld+json")
    assert "public" in response["Cache-Control"] and response["ETag"]
    assert _served(client, url).content == response.content  # kept, not signed anew
    again = client.get(url.removeprefix("http://testserver"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    listed = response.json()
    assert listed["issuer"] == links.issuer_did(assertion.badge_class.issuer)
    assert listed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    bits = decode_bitstring(listed["credentialSubject"]["encodedList"])
    assert not bit_is_set(bits, assertion.status_index)

    issuing.assertion_revoke(
        actor=UserFactory(is_superuser=True), assertion=assertion, reason="Fraud"
    )
    revoked = _served(client, url)
    assert revoked["ETag"] != response["ETag"]
    bits = decode_bitstring(revoked.json()["credentialSubject"]["encodedList"])
    assert bit_is_set(bits, assertion.status_index)
    assert sum(bin(byte).count("1") for byte in bits) == 1
    report = badge_verify(data=json.dumps(assertion.ob3_credential))
    assert [check.name for check in report.checks if not check.passed] == ["revocation"]


def test_our_verifier_reads_the_bitstring_list(client, issue):
    assertion = issue()
    report = badge_verify(data=json.dumps(assertion.ob3_credential))
    assert report.valid
    assert "bit" in report.check("revocation").reason
    assert "1EdTech" in report.check("revocation").reason


def test_a_status_list_of_another_issuer_or_number_is_404(client, issue):
    assertion = issue()
    other = issue()
    assert (
        _served(client, links.status_list_credential_url(assertion.status_list)).status_code == 200
    )
    wrong = f"/public/issuers/{other.badge_class.issuer.public_id}/status-lists/2"
    assert client.get(wrong).status_code == 404


def test_indexes_are_unique_and_not_in_order_of_issuing(issue):
    badge_class = BadgeClassFactory()
    assertions = [issue(badge_class=badge_class) for _ in range(12)]
    indexes = [a.status_index for a in assertions]
    assert len(set(indexes)) == 12
    assert {a.status_list_id for a in assertions} == {assertions[0].status_list_id}
    assert indexes != sorted(indexes) or indexes != list(range(indexes[0], indexes[0] + 12))


def test_a_full_list_is_followed_by_a_new_one(issue):
    first = issue()
    StatusList.objects.filter(pk=first.status_list_id).update(next_position=first.status_list.size)
    second = issue(badge_class=first.badge_class)
    assert second.status_list.number == 2
    assert second.status_list.issuer_id == first.status_list.issuer_id


def test_a_list_signed_by_a_key_later_found_compromised_is_signed_again(client, issue):
    assertion = issue()
    url = _entry(assertion)["statusListCredential"]
    before = _served(client, url).json()
    issuer = assertion.badge_class.issuer
    signing.signing_keys_compromise(
        actor=UserFactory(is_superuser=True),
        issuer=issuer,
        compromised_at=assertion.status_list.created_at,
    )
    after = _served(client, url).json()
    new_key = SigningKey.objects.get(issuer=issuer, algorithm="EdDSA", retired_at__isnull=True)
    assert after["proof"]["verificationMethod"] == links.verification_method(new_key)
    assert after["proof"]["verificationMethod"] != before["proof"]["verificationMethod"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_signing_never_shares_a_bit():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite runs one writer at a time anyway")
    badge_class = BadgeClassFactory()
    assertions = [
        Assertion.objects.create(
            badge_class=badge_class, identity_hash="sha256$x", salt="s", recipient_identity="a@b.c"
        )
        for _ in range(40)
    ]
    errors = []

    def allocate(batch):
        try:
            for assertion in batch:
                fresh = Assertion.objects.select_related("badge_class").get(pk=assertion.pk)
                status_lists.status_bits_allocate(assertions=[fresh])
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=allocate, args=(assertions[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    bits = list(Assertion.objects.values_list("status_list_id", "status_index"))
    assert len(bits) == 40 and len(set(bits)) == 40
    assert StatusList.objects.get().next_position == 40


def test_a_status_list_signed_after_its_key_was_compromised_is_not_trusted(issue):
    """Someone holding a stolen key could publish a list in which nothing is revoked."""
    start = timezone.now()
    with time_machine.travel(start - timedelta(days=1), tick=False):
        assertion = issue()
    issuer = assertion.badge_class.issuer
    stolen_key = SigningKey.objects.get(issuer=issuer, algorithm="EdDSA", retired_at__isnull=True)
    signing.signing_keys_compromise(
        actor=UserFactory(is_superuser=True),
        issuer=issuer,
        compromised_at=start - timedelta(hours=1),
    )
    url = links.status_list_credential_url(assertion.status_list)
    genuine = json.loads(status_lists.status_list_document(assertion.status_list))
    forged = data_integrity.add_proof(
        {name: value for name, value in genuine.items() if name != "proof"},
        signing.private_key(stolen_key),
        verification_method=links.verification_method(stolen_key),
        loader=document_loader({}),
    )

    def serving(document):
        return lambda u: (
            ("application/json", json.dumps(document).encode()) if u == url else fetch(u)
        )

    credential = json.dumps(assertion.ob3_credential)
    assert verify_badge(credential, fetch=serving(genuine)).check("revocation").passed
    refused = verify_badge(credential, fetch=serving(forged)).check("revocation")
    assert not refused.passed
    assert "cannot be trusted" in refused.reason
    # The portal itself re-signs a list it finds signed by a key compromised before it signed.
    StatusList.objects.filter(pk=assertion.status_list_id).update(published=json.dumps(forged))
    assert badge_verify(data=credential).check("revocation").passed
