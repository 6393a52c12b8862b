"""Idempotency keys: a retried POST gets the first answer instead of acting twice."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response

from .models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def _fingerprint(request, path: str) -> str:
    body = json.dumps(request.data, sort_keys=True, default=str)
    return hashlib.sha256(f"{request.method} {path}\n{body}".encode()).hexdigest()


def idempotent(request, action: Callable[[], Response]) -> Response:
    """Run ``action`` once per (client, Idempotency-Key); replay its answer afterwards.

    The key is claimed first, in the transaction of the action: a concurrent request with
    the same key waits on the unique index until the first one ends, then replays its
    answer (or, if the first was refused, runs instead of it). A refused or failed request
    leaves nothing behind, so the client may correct it and retry with the same key.
    """
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return Response(
            {"detail": _("Send an Idempotency-Key header with every award.")},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if len(key) > MAX_KEY_LENGTH:
        return Response(
            {"detail": _("The Idempotency-Key is too long.")}, status=status.HTTP_400_BAD_REQUEST
        )
    client = request.api_client
    fingerprint = _fingerprint(request, request.path)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    client=client, key=key, fingerprint=fingerprint, status_code=0, response={}
                )
        except IntegrityError:
            # Another request holds (held) the key and has committed: answer as it did.
            return _replay(IdempotencyRecord.objects.get(client=client, key=key), fingerprint)
        response = action()
        if response.status_code < 400:
            record.status_code = response.status_code
            record.response = response.data
            record.save(update_fields=["status_code", "response"])
        else:
            # Nothing of a refused request stays; the client may correct and retry.
            transaction.set_rollback(True)
        return response


def _replay(stored: IdempotencyRecord, fingerprint: str) -> Response:
    if stored.fingerprint != fingerprint:
        return Response(
            {"detail": _("This Idempotency-Key was used for a different request.")},
            status=status.HTTP_422_UNPROCESSABLE_ENTITY,
        )
    response = Response(stored.response, status=stored.status_code)
    response["Idempotent-Replayed"] = "true"
    return response
