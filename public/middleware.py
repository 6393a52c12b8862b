"""The hosted OB 2.0 assertion and the OB 3.0 credential, answered before the middleware that
pages need.

Verifiers fetch these two documents far more often than anyone opens a page, and what they
get is fixed when the badge is signed or revoked: the exact bytes and their ETag are stored
then (``AssertionDocuments``). So this middleware answers a JSON request for either URL with
one indexed query and no sessions, language, CSRF, messages or accounts: it sits right after
the middlewares that set security headers, which still wrap its answers. A conditional
request reads only the stored ETag. A badge is read from the database at every request, so a
revocation is visible at once. Anything else (a page, an unknown or unsigned badge, a
document not stored) goes on to the views as before.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    connection,
)
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified

from badges.models import Assertion, AssertionDocuments

from .negotiation import not_modified, public_headers, wants_html

_DOCUMENT = re.compile(r"^/public/assertions/(?P<public_id>[^/]+?)(?P<credential>/credential)?$")
_ISSUED = (Assertion.Status.ISSUED, Assertion.Status.REVOKED)
OB2_TYPE = "application/ld+json; charset=utf-8"
OB3_TYPE = "application/vc+ld+json; charset=utf-8"


class PublishedDocumentMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET":
            match = _DOCUMENT.match(request.path_info)
            if match is not None:
                credential = match["credential"] is not None
                if credential or not wants_html(request):
                    response = published_document(
                        request, match["public_id"], credential=credential
                    )
                    if response is not None:
                        return response
        return self.get_response(request)


def published_document(
    request: HttpRequest, public_id: str, *, credential: bool
) -> HttpResponse | None:
    """The stored answer for ``public_id``, or None to let the view answer."""
    body_field, etag_field = ("ob3_body", "ob3_etag") if credential else ("ob2_body", "ob2_etag")
    if request.headers.get("If-None-Match"):
        found = _read(public_id, (etag_field, "assertion__status"))
        if found is None or not found[0]:
            return None
        if not_modified(request, found[0]):
            return _finish(HttpResponseNotModified(), found[0])
    found = _read(public_id, (body_field, etag_field, "assertion__status"))
    if found is None or found[0] is None or not found[1]:
        return None
    body, etag, status = found
    revoked = status == Assertion.Status.REVOKED and not credential
    response = HttpResponse(
        bytes(body),
        status=410 if revoked else 200,
        content_type=OB3_TYPE if credential else OB2_TYPE,
    )
    return _finish(response, etag)


_MARK = "\x00public-id\x00"


@functools.cache
def _statement(fields: tuple[str, ...]) -> tuple[str, tuple]:
    """The SQL of the lookup, compiled by the ORM once per process instead of per request."""
    query = AssertionDocuments.objects.filter(
        assertion__public_id=_MARK, assertion__status__in=_ISSUED
    ).values_list(*fields)[:1]
    return query.query.get_compiler(using=DEFAULT_DB_ALIAS).as_sql()


@functools.cache
def _prepared(fields: tuple[str, ...]) -> tuple[str, str]:
    """PostgreSQL: the lookup as a prepared statement (``PREPARE``, ``EXECUTE``), so that it is
    planned once per connection; planning costs far more than running this lookup."""
    sql, template = _statement(fields)
    name = "published_" + "_".join(field.split("__")[-1] for field in fields)
    numbered = sql
    for number in range(1, len(template) + 1):
        numbered = numbered.replace("%s", f"${number}", 1)
    return name, f"PREPARE {name} AS {numbered}"


@receiver(connection_created)
def _forget_prepared(sender, connection, **kwargs) -> None:
    connection.published_statements = set()


def _read(public_id: str, fields: tuple[str, ...]) -> tuple | None:
    sql, template = _statement(fields)
    params = [public_id if value == _MARK else value for value in template]
    # The lookup itself tells whether a kept connection still works, so the separate
    # health-check round trip Django makes at the first query of a request is skipped; a
    # connection found broken is closed and the lookup tried once more on a new one.
    for attempt in (1, 2):
        connection.health_check_done = True
        try:
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    name, prepare = _prepared(fields)
                    known = getattr(connection, "published_statements", None)
                    if known is None:
                        known = connection.published_statements = set()
                    if name not in known:
                        cursor.execute(prepare)
                        known.add(name)
                    cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)
                else:
                    cursor.execute(sql, params)
                return cursor.fetchone()
        except (InterfaceError, OperationalError):
            if attempt == 2 or connection.in_atomic_block:
                raise
            connection.close()
        except DatabaseError:
            # A prepared statement the session lost (a pooler, DISCARD ALL) or that a
            # migration made stale: prepare them again.
            if attempt == 2 or connection.in_atomic_block or connection.vendor != "postgresql":
                raise
            connection.published_statements = set()
            with connection.cursor() as cursor:
                cursor.execute("DEALLOCATE ALL")
    return None


def _finish(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    # What the middlewares skipped here would have added to a JSON answer.
    response.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
    return public_headers(response)
