"""Security headers, written once and applied wherever a response is built.

Pages get a Content-Security-Policy without inline script; files that someone uploaded
(badge images, logos, evidence, imported badges) get a policy under which nothing in them can
run, ``nosniff``, and are downloaded rather than shown unless they are images.
"""

from __future__ import annotations

from django.http import HttpResponseBase
from django.utils.http import content_disposition_header

# Nothing may load or run; inline styles (SVG presentation) and embedded raster images (an SVG
# badge wrapping a PNG) may show; ``sandbox`` gives the document an opaque origin, so even a
# file that a browser renders cannot reach the portal's.
UPLOADED_FILE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox; img-src data:"
INLINE_IMAGE_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml"}
)


def protect_uploaded_file(
    response: HttpResponseBase,
    *,
    content_type: str,
    filename: str | None = None,
    download: bool = False,
) -> HttpResponseBase:
    """Headers for a file that came from outside: shown inline only when it is an image and
    not asked to be a ``download``."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    response["Content-Security-Policy"] = UPLOADED_FILE_POLICY
    response["X-Content-Type-Options"] = "nosniff"
    inline = media_type in INLINE_IMAGE_TYPES and not download
    if filename is not None or not inline:
        response["Content-Disposition"] = content_disposition_header(
            not inline, filename or "download"
        )
    return response


# Pages: scripts and styles from our own static files only (no inline script, no inline event
# handler), images from us or embedded; nothing may be a plugin or change the base URL.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'"
)
HTML_TYPES = ("text/html", "application/xhtml+xml")


def apply_security_headers(response: HttpResponseBase) -> HttpResponseBase:
    """The headers every response carries, whichever way it was built (pages, documents, files):
    a page policy on HTML, ``nosniff`` and the referrer policy everywhere. A policy the view
    already set (uploaded files, the embeddable card) is kept."""
    content_type = response.get("Content-Type", "").split(";", 1)[0].strip().lower()
    if content_type in HTML_TYPES and "Content-Security-Policy" not in response:
        response["Content-Security-Policy"] = PAGE_POLICY
    response.setdefault("X-Content-Type-Options", "nosniff")
    response.setdefault("Referrer-Policy", "same-origin")
    return response
