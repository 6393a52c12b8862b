"""Verify any Open Badge — ours or another issuer's — and explain each check.

Our own documents are resolved inside the process (no network). Other issuers' documents are
fetched only when ``VERIFY_ALLOW_FETCH`` is on, from public addresses only, with a size limit
and a time-out (``edubadges.outbound``).
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import RequestFactory
from django.urls import Resolver404, resolve

from badge_credentials.errors import FetchError
from badge_credentials.extension import extension_documents
from badge_credentials.verify import VerificationReport, verify_badge
from edubadges.outbound import FetchRefused, fetch_public_url

MAX_FETCH_BYTES = 2 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 10
logger = logging.getLogger(__name__)
ACCEPT = "application/ld+json, application/json;q=0.9, */*;q=0.1"


def _is_ours(url: str) -> bool:
    return urlsplit(url).netloc == urlsplit(settings.SITE_URL).netloc


# The public documents a badge refers to; nothing else of ours is run to verify a badge.
LOCAL_DOCUMENTS = frozenset(
    {
        "issuer", "issuer_image", "issuer_did", "revocations", "status_list",
        "status_list_credential", "key", "key_issuer", "key_badge_class", "badge_class",
        "badge_class_image", "assertion", "credential", "credential_jwt", "credential_image",
        "signed_assertion", "assertion_image", "extension_context", "vocabulary_context",
    }
)  # fmt: skip


def _local_fetch(url: str) -> tuple[str, bytes]:
    """One of our public documents, answered in the process as to an anonymous visitor."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404 as error:
        raise FetchError(url, 404) from error
    if match.namespace != "public" or match.url_name not in LOCAL_DOCUMENTS:
        raise FetchError(url, 404)
    request = RequestFactory().get(
        parts.path, data=None, HTTP_ACCEPT=ACCEPT, SERVER_NAME=parts.hostname
    )
    request.user = AnonymousUser()
    try:
        response = match.func(request, *match.args, **match.kwargs)
    except Http404 as error:
        raise FetchError(url, 404) from error
    except Exception as error:
        logger.exception("Verifying: our own document %s failed", url)
        raise FetchError(url) from error
    if not 200 <= response.status_code < 300:
        raise FetchError(url, response.status_code, body=response.content)
    return response.get("Content-Type", "application/json"), response.content


def _remote_fetch(url: str) -> tuple[str, bytes]:
    if not settings.VERIFY_ALLOW_FETCH:
        raise FetchError(url, None, "fetching other sites is switched off on this server")
    try:
        fetched = fetch_public_url(
            url, accept=ACCEPT, max_bytes=MAX_FETCH_BYTES, timeout=FETCH_TIMEOUT_SECONDS
        )
    except FetchRefused as error:
        # One answer for every failure: which hosts and ports exist is not ours to tell.
        raise FetchError(url) from error
    if not 200 <= fetched.status < 300:
        raise FetchError(url, fetched.status, body=fetched.body)
    return fetched.content_type, fetched.body


def fetch(url: str) -> tuple[str, bytes]:
    return _local_fetch(url) if _is_ours(url) else _remote_fetch(url)


def badge_verify(*, data: bytes | str, recipient: str | None = None) -> VerificationReport:
    return verify_badge(
        data,
        fetch=fetch,
        recipient=recipient or None,
        documents=extension_documents(settings.SITE_URL),
    )
