"""W3C Bitstring Status Lists: a bit for every credential, and the signed list per issuer.

Next to the 1EdTech revocation list, every OB 3.0 credential carries a
``BitstringStatusListEntry``, which generic VC verifiers understand. Bits are handed out
under a lock on the issuer row (so concurrent signing never shares a bit), and the signed
``BitstringStatusListCredential`` is stored on its list and renewed in the same transaction
as every revocation, so that what is served is always what was committed.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections import defaultdict
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from badge_credentials import data_integrity, status_list
from badge_credentials.contexts import document_loader
from badge_credentials.dates import parse_datetime
from edubadges.bulk import update_columns
from issuers import signing
from issuers.models import Issuer, SigningKey

from . import links
from .models import Assertion, StatusList

LIST_SIZE = status_list.MIN_ENTRIES


def _new_list(issuer: Issuer, number: int) -> StatusList:
    return StatusList.objects.create(
        issuer=issuer,
        number=number,
        size=LIST_SIZE,
        # Odd multipliers are coprime with a power of two: every position a different bit.
        multiplier=secrets.randbelow(LIST_SIZE // 2) * 2 + 1,
        offset=secrets.randbelow(LIST_SIZE),
    )


@transaction.atomic
def status_bits_allocate(*, assertions: Sequence[Assertion]) -> None:
    """Give every stored assertion that has none a bit in its issuer's current status list.

    One lock per issuer for the whole batch; a full list is followed by a new one.
    """
    by_issuer: dict[int, list[Assertion]] = defaultdict(list)
    for assertion in assertions:
        if assertion.status_list_id is None:
            by_issuer[assertion.badge_class.issuer_id].append(assertion)
    for issuer_id, group in by_issuer.items():
        issuer = Issuer.objects.select_for_update().get(pk=issuer_id)
        assigned = dict(
            Assertion.objects.filter(pk__in=[a.pk for a in group]).values_list(
                "pk", "status_list_id"
            )
        )
        given: list[Assertion] = []
        for assertion in group:
            if assigned.get(assertion.pk) is not None:
                assertion.refresh_from_db(fields=["status_list", "status_index"])
            else:
                given.append(assertion)
        _assign(issuer, given)
        update_columns(
            Assertion,
            ["status_list", "status_index"],
            {a.pk: (a.status_list_id, a.status_index) for a in given},
        )


@transaction.atomic
def status_bits_assign_new(*, issuer: Issuer, assertions: Sequence[Assertion]) -> None:
    """Give assertions not stored yet (a batch about to be inserted) their bits, so that
    signing them has none to hand out; the lock on the issuer row is held until the batch
    is committed."""
    _assign(Issuer.objects.select_for_update().get(pk=issuer.pk), assertions)


def _assign(issuer: Issuer, assertions: Sequence[Assertion]) -> None:
    """Hand out the next bits of ``issuer``'s lists (its row locked by the caller)."""
    if not assertions:
        return
    current = StatusList.objects.filter(issuer=issuer).order_by("-number").first()
    advanced: dict[int, StatusList] = {}
    for assertion in assertions:
        if current is None or current.is_full:
            current = _new_list(issuer, current.number + 1 if current else 1)
        assertion.status_list = current
        assertion.status_index = current.index_at(current.next_position)
        current.next_position += 1
        advanced[current.pk] = current
    for status_list_row in advanced.values():
        StatusList.objects.filter(pk=status_list_row.pk).update(
            next_position=status_list_row.next_position
        )


def _sign(status_list_row: StatusList) -> dict:
    issuer = status_list_row.issuer
    revoked = Assertion.objects.filter(
        status_list=status_list_row, status=Assertion.Status.REVOKED
    ).values_list("status_index", flat=True)
    unsigned = status_list.build_status_list_credential(
        links.status_list_credential_url(status_list_row),
        links.issuer_did(issuer),
        status_list.encode_bitstring(revoked, status_list_row.size),
        valid_from=timezone.now(),
    )
    key = signing.signing_keys_ensure(issuer=issuer)[SigningKey.Algorithm.EDDSA]
    return data_integrity.add_proof(
        unsigned,
        signing.private_key(key),
        verification_method=links.verification_method(key),
        loader=document_loader({}),
    )


@transaction.atomic
def status_list_publish(*, status_list_id: int) -> StatusList:
    """Sign the list as it stands (under its row lock) and keep the result for serving."""
    row = StatusList.objects.select_for_update().select_related("issuer").get(pk=status_list_id)
    row.published = json.dumps(_sign(row), ensure_ascii=False, indent=2)
    row.published_at = timezone.now()
    row.save(update_fields=["published", "published_at"])
    return row


def _signed_with_a_distrusted_key(row: StatusList) -> bool:
    proof = json.loads(row.published).get("proof", {})
    method = str(proof.get("verificationMethod", ""))
    try:
        public_id = uuid.UUID(method.rpartition("#key-")[2])
        signed_at = parse_datetime(str(proof.get("created")))
    except ValueError:
        return True
    key = SigningKey.objects.filter(issuer_id=row.issuer_id, public_id=public_id).first()
    if key is None:
        return True
    limit = key.valid_until
    return limit is not None and signed_at >= limit.replace(microsecond=0)


def status_list_document(row: StatusList) -> bytes:
    """The signed list credential to serve, as stored: signed now if it never was, or if
    the key that signed it has since been found compromised before it signed."""
    if not row.published or _signed_with_a_distrusted_key(row):
        row = status_list_publish(status_list_id=row.pk)
    return row.published.encode("utf-8")
