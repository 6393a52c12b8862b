import mimetypes
import posixpath

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from edubadges.headers import INLINE_IMAGE_TYPES, protect_uploaded_file
from issuers.models import Institution, Membership


def home(request: HttpRequest) -> HttpResponse:
    is_staff_member = request.user.is_authenticated and (
        request.user.is_superuser or Membership.objects.filter(user=request.user).exists()
    )
    return render(
        request,
        "home.html",
        {"institutions": Institution.objects.education(), "is_staff_member": is_staff_member},
    )


def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# Evidence is personal: it is served only by its own view, which checks who may see it.
PRIVATE_MEDIA_FOLDERS = ("evidence/",)


@require_safe
def media(request: HttpRequest, path: str) -> FileResponse:
    """An uploaded file (badge image, logo), with headers under which nothing in it can run."""
    name = posixpath.normpath(path)
    if name.startswith(("/", "..", ".")) or name.startswith(PRIVATE_MEDIA_FOLDERS):
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, SuspiciousFileOperation):
        raise Http404 from None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    filename = None if content_type in INLINE_IMAGE_TYPES else posixpath.basename(name)
    return protect_uploaded_file(response, content_type=content_type, filename=filename)
