"""Content negotiation and caching for the public Open Badges endpoints."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers

from badges import published
from edubadges.headers import protect_uploaded_file

JSON_TYPES = ("application/ld+json", "application/json", "application/vc+ld+json")
PUBLIC_MAX_AGE = 300


def wants_html(request: HttpRequest) -> bool:
    """A browser asks for HTML first; verifiers ask for JSON or anything (*/*)."""
    if request.GET.get("format") == "json":
        return False
    if request.GET.get("format") == "html":
        return True
    accepted = request.headers.get("Accept", "")
    best = None
    for position, part in enumerate(accepted.split(",")):
        media = part.split(";")[0].strip().lower()
        if media == "text/html" or media == "application/xhtml+xml":
            best = best or ("html", position)
        elif media in JSON_TYPES:
            best = best or ("json", position)
    return best is not None and best[0] == "html"


def _etag_for(body: bytes) -> str:
    return published.etag_for(body)


def not_modified(request: HttpRequest, etag: str) -> bool:
    candidates = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
    return etag in candidates or f"W/{etag}" in candidates


def cached(
    request: HttpRequest, response: HttpResponse, *, max_age: int = PUBLIC_MAX_AGE
) -> HttpResponse:
    """Add ETag, public cache headers and CORS; answer 304 when the client has it."""
    etag = _etag_for(response.content)
    if response.status_code == 200 and not_modified(request, etag):
        response = HttpResponseNotModified()
        response["ETag"] = etag
    else:
        response["ETag"] = etag
    return public_headers(response, max_age=max_age)


def public_headers(response: HttpResponse, *, max_age: int = PUBLIC_MAX_AGE) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=max_age)
    patch_vary_headers(response, ["Accept"])
    response["Access-Control-Allow-Origin"] = "*"
    return response


def json_ld(
    request: HttpRequest,
    document: dict,
    *,
    status: int = 200,
    content_type: str = "application/ld+json",
) -> HttpResponse:
    body = published.json_body(document)
    response = HttpResponse(body, status=status, content_type=f"{content_type}; charset=utf-8")
    return cached(request, response)


def stored_json(
    request: HttpRequest,
    body: bytes,
    etag: str,
    *,
    status: int = 200,
    content_type: str = "application/ld+json",
) -> HttpResponse:
    """A JSON answer stored with its ETag when it was signed: neither built nor hashed."""
    if status == 200 and not_modified(request, etag):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(
            bytes(body), status=status, content_type=f"{content_type}; charset=utf-8"
        )
    response["ETag"] = etag
    return public_headers(response)


def raw(
    request: HttpRequest, body: bytes, content_type: str, *, filename: str | None = None
) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    if filename:
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    if content_type.startswith("image/"):
        # An image opened directly must not run anything, whatever it contains.
        protect_uploaded_file(response, content_type=content_type, filename=filename)
    return cached(request, response)
