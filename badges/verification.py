"""Verify any Open Badge — ours or another issuer's — and explain each check.

Our own documents are resolved inside the process (no network). Other issuers' documents are
fetched only when ``VERIFY_ALLOW_FETCH`` is on, with a size limit and a time-out.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit

from django.conf import settings
from django.test import RequestFactory
from django.urls import Resolver404, resolve

from badge_credentials.errors import FetchError
from badge_credentials.extension import extension_documents
from badge_credentials.verify import VerificationReport, verify_badge

MAX_FETCH_BYTES = 2 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 10
ACCEPT = "application/ld+json, application/json;q=0.9, */*;q=0.1"


def _is_ours(url: str) -> bool:
    return urlsplit(url).netloc == urlsplit(settings.SITE_URL).netloc


def _local_fetch(url: str) -> tuple[str, bytes]:
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404 as error:
        raise FetchError(url, 404) from error
    request = RequestFactory().get(
        parts.path, data=None, HTTP_ACCEPT=ACCEPT, SERVER_NAME=parts.hostname
    )
    response = match.func(request, *match.args, **match.kwargs)
    if not 200 <= response.status_code < 300:
        raise FetchError(url, response.status_code, body=response.content)
    return response.get("Content-Type", "application/json"), response.content


def _remote_fetch(url: str) -> tuple[str, bytes]:
    if not settings.VERIFY_ALLOW_FETCH:
        raise FetchError(url, None, "fetching other sites is switched off on this server")
    if urlsplit(url).scheme not in {"http", "https"}:
        raise FetchError(url, None, "only http(s) URLs can be fetched")
    headers = {"Accept": ACCEPT, "User-Agent": "edubadges-verifier"}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - scheme checked above
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_SECONDS) as response:  # noqa: S310
            body = response.read(MAX_FETCH_BYTES + 1)
            if len(body) > MAX_FETCH_BYTES:
                raise FetchError(url, None, "the document is too large")
            return response.headers.get("Content-Type", ""), body
    except urllib.error.HTTPError as error:
        raise FetchError(url, error.code, body=error.read(MAX_FETCH_BYTES)) from error
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise FetchError(url, None, str(error)) from error


def fetch(url: str) -> tuple[str, bytes]:
    return _local_fetch(url) if _is_ours(url) else _remote_fetch(url)


def badge_verify(*, data: bytes | str, recipient: str | None = None) -> VerificationReport:
    return verify_badge(
        data,
        fetch=fetch,
        recipient=recipient or None,
        documents=extension_documents(settings.SITE_URL),
    )
