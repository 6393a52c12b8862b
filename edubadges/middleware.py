"""Request limits and security headers, for every request before any view runs."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from badge_credentials.jsontext import json_depth

from .errors import error_response
from .headers import apply_security_headers

JSON_CONTENT = re.compile(r"application/([\w.+-]+\+)?json", re.IGNORECASE)


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    return error_response(
        request,
        413,
        _("The request is too large: at most %(size)s.") % {"size": filesizeformat(limit)},
    )


class RequestLimitsMiddleware:
    """Refuse a body larger than its limit by its Content-Length, before a byte of it is read
    (413): ``REQUEST_MAX_BYTES`` for a form with files (the largest is a bulk award's CSV),
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for any other body, which is read into memory whole; and
    JSON nested deeper than ``JSON_MAX_DEPTH`` (400)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _content_length(request) > settings.REQUEST_MAX_BYTES:
            return _too_large(request, settings.REQUEST_MAX_BYTES)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        length = _content_length(request)
        if not length or request.content_type == "multipart/form-data":
            return None
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return _too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        if (
            JSON_CONTENT.fullmatch(request.content_type or "")
            and json_depth(request.body) > settings.JSON_MAX_DEPTH
        ):
            return error_response(request, 400, _("The JSON is nested too deeply."))
        return None


class SecurityHeadersMiddleware:
    """The headers of ``edubadges.headers`` on every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return apply_security_headers(self.get_response(request))
