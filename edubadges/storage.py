"""Storage of uploaded files: an SVG is kept only in its sanitised form.

Every upload passes through here, whichever form, API or admin page it came from, so no SVG
with script or outside references reaches the media folder. The files are served with headers
under which nothing in them runs anyway (``edubadges.headers``); this is the second wall.
"""

from __future__ import annotations

from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage

from issuers.svg import SvgError, looks_like_svg, sanitise_svg

# Larger SVGs than any image limit allows are not worth parsing: they are stored as they are
# and served as downloads.
MAX_SANITISED_BYTES = 8 * 1024 * 1024


def sanitised_content(content: File) -> File:
    """``content`` itself, or the sanitised SVG when it is one."""
    content.seek(0)
    head = content.read(1024)
    if not looks_like_svg(head):
        content.seek(0)
        return content
    data = head + content.read(MAX_SANITISED_BYTES)
    content.seek(0)
    if len(data) > MAX_SANITISED_BYTES:
        return content
    try:
        return ContentFile(sanitise_svg(data).data)
    except SvgError:
        return content


class UploadStorage(FileSystemStorage):
    def _save(self, name: str, content: File) -> str:
        return super()._save(name, sanitised_content(content))
