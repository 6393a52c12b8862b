"""Error answers: JSON for the APIs (whatever the status), a plain page for people.

Django's own 400/403/404/500 handlers, the request limits and the API all answer through
``error_response``, so that an API client never has to parse an HTML page.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

OB3_API_PREFIX = "/ims/ob/v3p0/"
API_PREFIXES = ("/api/", OB3_API_PREFIX)


def _default_message(status: int) -> str:
    return {
        400: _("The request is not valid."),
        403: _("You may not do this."),
        404: _("This page does not exist."),
        405: _("This method is not allowed here."),
        413: _("The request is too large."),
        500: _("Something went wrong on this server."),
    }.get(status, _("The request could not be handled."))


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIXES)


def error_response(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    message = message or _default_message(status)
    if request.path.startswith(OB3_API_PREFIX):
        from api.ob3.documents import status_info

        return status_info(status, message)
    if is_api(request):
        return JsonResponse({"detail": message}, status=status)
    # No request context: a 500 must render even when the database is what failed.
    page = loader.get_template("error.html").render({"status": status, "message": message})
    return HttpResponse(page, status=status)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    return error_response(request, 400)


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    return error_response(request, 403)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return error_response(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return error_response(request, 500)
