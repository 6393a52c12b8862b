"""The exact bytes and ETags of an assertion's public JSON answers.

The public endpoints serialise documents with :func:`json_body` and tag them with
:func:`etag_for`; the same two functions fill ``AssertionDocuments.ob2_body``/``ob3_body``
when an assertion is signed, revoked or erased, so a stored answer and a freshly built one
are byte for byte the same and carry the same ETag.
"""

from __future__ import annotations

import hashlib
import json

import orjson
from django.utils.http import quote_etag

from . import links


def json_body(document: dict) -> bytes:
    """The document as UTF-8 JSON indented by two spaces: what ``json.dumps(document,
    ensure_ascii=False, indent=2)`` writes, by orjson (Python's own encoder cannot indent
    without falling back to pure Python). A value orjson does not take (an integer beyond
    64 bits) goes through ``json``."""
    try:
        return orjson.dumps(document, option=orjson.OPT_INDENT_2)
    except orjson.JSONEncodeError:
        return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def etag_for(body: bytes) -> str:
    return quote_etag(hashlib.sha256(body).hexdigest()[:32])


def revoked_assertion(assertion) -> dict:
    """What the hosted OB 2.0 assertion URL answers (with 410) once the badge is revoked."""
    return {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": links.assertion_url(assertion),
        "revoked": True,
        "revocationReason": assertion.revocation_reason,
    }


def published_answers(
    assertion, *, ob2_assertion: dict | None, ob3_credential: dict | None
) -> tuple[bytes | None, str, bytes | None, str]:
    """``(ob2_body, ob2_etag, ob3_body, ob3_etag)`` for ``assertion`` in its current status:
    the hosted assertion or, when revoked, its revocation notice; the OB 3.0 credential while
    it is kept."""
    from .models import Assertion

    if assertion.status == Assertion.Status.REVOKED:
        ob2_body: bytes | None = json_body(revoked_assertion(assertion))
    elif ob2_assertion:
        ob2_body = json_body(ob2_assertion)
    else:
        ob2_body = None
    ob3_body = json_body(ob3_credential) if ob3_credential else None
    return (
        ob2_body,
        etag_for(ob2_body) if ob2_body is not None else "",
        ob3_body,
        etag_for(ob3_body) if ob3_body is not None else "",
    )


PUBLISHED_FIELDS = ("ob2_body", "ob2_etag", "ob3_body", "ob3_etag", "updated_at")


def published_refresh(assertion) -> None:
    """Store the public answers of ``assertion`` again after its status or documents changed."""
    from .models import AssertionDocuments

    stored = AssertionDocuments.objects.filter(pk=assertion.pk).first()
    if stored is None:
        return
    stored.refresh_published(assertion)
    stored.save(update_fields=PUBLISHED_FIELDS)
