"""The static-file baseline for ``serve_rate.py``: one file, served as a file server would.

Run under the same gunicorn (same worker class, workers and threads) as the portal, so that
the difference between the two measures the portal's own work per request (middleware, URL
routing, the database query, JSON serialisation, the ETag hash), not gunicorn or HTTP.

Like a file server it stats and reads the file on every request and derives its ETag from the
file's size and modification time; it answers ``If-None-Match`` with 304 and sends the same
Content-Type, Cache-Control, Vary and CORS headers as the portal's public endpoint.
``BENCH_STATIC_FILES`` maps each URL path to its file and content type (JSON).

    BENCH_STATIC_FILES='{"/a": ["var/bench/static/a.json", "application/ld+json"]}' \
        gunicorn --pythonpath bench static_app:application
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable

FILES = json.loads(os.environ.get("BENCH_STATIC_FILES") or "{}")
CACHE_HEADERS = [
    ("Cache-Control", "public, max-age=300"),
    ("Vary", "Accept"),
    ("Access-Control-Allow-Origin", "*"),
]


def application(environ: dict, start_response: Callable) -> Iterable[bytes]:
    path, content_type = FILES.get(environ.get("PATH_INFO", ""), ("", ""))
    try:
        status = os.stat(path)
    except OSError:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    etag = f'"{status.st_mtime_ns:x}-{status.st_size:x}"'
    candidates = [tag.strip() for tag in environ.get("HTTP_IF_NONE_MATCH", "").split(",")]
    if etag in candidates:
        start_response("304 Not Modified", [("ETag", etag), *CACHE_HEADERS])
        return []
    with open(path, "rb") as handle:
        body = handle.read()
    headers = [("Content-Type", content_type), *CACHE_HEADERS, ("ETag", etag)]
    start_response("200 OK", [*headers, ("Content-Length", str(len(body)))])
    return [body]
