"""Endpoints of the Open Badges API (``/ims/ob/v3p0/``) and of its authorization server
(``/oauth/``), and the pages a student sees: the consent page and the connected apps."""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import re
from datetime import UTC
from urllib.parse import parse_qs, urlencode, urlsplit

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.models import get_application_model
from oauth2_provider.oauth2_backends import get_oauthlib_core
from oauth2_provider.views import AuthorizationView
from oauthlib.common import add_params_to_uri
from oauthlib.oauth2.rfc6749.errors import InvalidRequestError

from badge_credentials import baking
from badge_credentials.errors import CredentialError
from badge_credentials.verify import FORMAT_OB3_VC_JWT
from badges.models import Assertion
from issuers.audit import audit_log

from . import documents, registration, scopes, selectors, services

logger = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100
COMPACT_JWS = re.compile(r"^[-A-Za-z0-9_]+\.[-A-Za-z0-9_]+\.[-A-Za-z0-9_]+$")
JSON_TYPES = ("application/json", "application/vc+ld+json", "application/ld+json")
DISCOVERY_MAX_AGE = 3600


# --- discovery and registration -----------------------------------------------------------


def _json_bytes(document) -> bytes:
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


@csrf_exempt
def discovery(request: HttpRequest) -> HttpResponse:
    """The Service Description Document (unprotected, cacheable)."""
    if request.method not in ("GET", "HEAD"):
        return _not_allowed(["GET"])
    if ratelimit.consume_or_429(request, action="ob3_discovery", limit_get=True) is not None:
        return _too_many(documents.status_info(429, "Too many requests; try again later."))
    body = _json_bytes(documents.service_description())
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        body, content_type="application/json"
    )
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=DISCOVERY_MAX_AGE)
    return response


def authorization_server_metadata(request: HttpRequest) -> JsonResponse:
    return JsonResponse(documents.authorization_server_metadata())


def _too_many(response: HttpResponse) -> HttpResponse:
    response["Retry-After"] = "60"
    return response


def _registration_error(error: str, description: str) -> JsonResponse:
    return JsonResponse({"error": error, "error_description": description}, status=400)


@csrf_exempt
def register(request: HttpRequest) -> HttpResponse:
    """Dynamic client registration (RFC 7591, as the specification profiles it)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not ratelimit.consume(request, action="oauth_register"):
        return _too_many(
            JsonResponse(
                {
                    "error": "temporarily_unavailable",
                    "error_description": "too many registrations from this address",
                },
                status=429,
            )
        )
    if request.content_type != "application/json":
        return _registration_error(
            "invalid_client_metadata", "send the metadata as application/json"
        )
    try:
        metadata = registration.parse_metadata(json.loads(request.body))
        application, secret = registration.client_register(metadata=metadata)
    except (ValueError, RequestDataTooBig):
        return _registration_error("invalid_client_metadata", "the body is not valid JSON")
    except registration.RegistrationError as error:
        return _registration_error(error.error, error.description)
    body = {
        "client_id": application.client_id,
        "client_secret": secret,
        "client_id_issued_at": int(application.created.timestamp()),
        "client_secret_expires_at": 0,
        **metadata.as_response(),
    }
    response = JsonResponse(body, status=201)
    response["Cache-Control"] = "no-store"
    return response


# --- the consent page ---------------------------------------------------------------------


class ConsentView(AuthorizationView):
    """django-oauth-toolkit's authorization endpoint with our consent page. The
    specification requires ``state``; a request without it goes back with an error."""

    template_name = "api/ob3/authorize.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("state"):
            return super().get(request, *args, **kwargs)
        try:
            _scopes, credentials = self.validate_authorization_request(request)
        except OAuthToolkitError as error:
            return self.error_response(error, application=None)
        missing_state = InvalidRequestError(description="state is required")
        application = get_application_model().objects.get(client_id=credentials["client_id"])
        return self.error_response(
            OAuthToolkitError(error=missing_state, redirect_uri=credentials["redirect_uri"]),
            application,
        )

    @transaction.atomic
    def create_authorization_response(self, request, scopes, credentials, allow):
        """Records the student's permission with the code it creates; the specification
        wants the granted scope in the redirect, next to the code."""
        uri, headers, body, status = super().create_authorization_response(
            request, scopes, credentials, allow
        )
        if "code" in parse_qs(urlsplit(uri).query):
            granted = scopes if isinstance(scopes, str) else " ".join(scopes)
            uri = add_params_to_uri(uri, [("scope", granted)])
            application = get_application_model().objects.get(client_id=credentials["client_id"])
            audit_log(
                actor=request.user,
                action="oauth_client_authorise",
                obj=application,
                subject=request.user,
                summary=application.name,
                data={"scope": granted},
            )
        return uri, headers, body, status

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = context.get("application")
        if application is not None:
            context["registration"] = getattr(application, "ob_registration", None)
            context["permissions"] = [
                scopes.DESCRIPTIONS[scope]
                for scope in context.get("scopes", [])
                if scope in scopes.DESCRIPTIONS
            ]
            context["redirect_host"] = urlsplit(context.get("redirect_uri") or "").hostname
        return context


# --- the resource endpoints ---------------------------------------------------------------


def _not_allowed(allowed: list[str]) -> JsonResponse:
    response = documents.status_info(405, "This method is not allowed here.")
    response["Allow"] = ", ".join(allowed)
    return response


def _challenge(response: JsonResponse, **attributes: str) -> JsonResponse:
    parts = ['realm="edubadges"'] + [f'{name}="{value}"' for name, value in attributes.items()]
    response["WWW-Authenticate"] = "Bearer " + ", ".join(parts)
    return response


def _authenticate(request: HttpRequest, scope: str):
    """The access token of the request when it is valid and holds ``scope``; otherwise the
    error response (401 without a valid token, 403 without the scope)."""
    valid, oauthlib_request = get_oauthlib_core().verify_request(request, scopes=[])
    token = getattr(oauthlib_request, "access_token", None) if valid else None
    if token is None or token.user is None or not token.user.is_active:
        response = documents.status_info(
            401, "Send a valid access token: Authorization: Bearer <token>."
        )
        if request.headers.get("Authorization"):
            return None, _challenge(response, error="invalid_token")
        return None, _challenge(response)
    if not token.allow_scopes([scope]):
        response = documents.status_info(403, f"The access token does not hold the scope {scope}.")
        return None, _challenge(response, error="insufficient_scope", scope=scope)
    return token, None


@method_decorator(csrf_exempt, name="dispatch")
class ResourceView(View):
    """A protected endpoint: each method needs its scope; errors are ``Imsx_StatusInfo``."""

    required_scopes: dict[str, str] = {}

    def dispatch(self, request, *args, **kwargs):
        handler = getattr(self, request.method.lower(), None)
        if request.method not in self.required_scopes or handler is None:
            return _not_allowed(list(self.required_scopes))
        token, error = _authenticate(request, self.required_scopes[request.method])
        if error is not None:
            return error
        try:
            return handler(request, token)
        except ValidationError as invalid:
            return documents.status_info(400, " ".join(invalid.messages))
        except RequestDataTooBig:
            return documents.status_info(400, "The request body is too large.")
        except Exception:
            logger.exception("Open Badges API request failed")
            return documents.status_info(500, "Something went wrong on this server.")


def _page_number(request: HttpRequest, name: str, default: int, minimum: int) -> int:
    value = request.GET.get(name)
    if value is None or value == "":
        return default
    if not value.isdigit() or int(value) < minimum:
        raise _QueryError(f"{name} must be an integer of at least {minimum}.")
    return int(value)


class _QueryError(Exception):
    pass


def _since(request: HttpRequest):
    value = request.GET.get("since")
    if not value:
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise _QueryError("since must be a date and time, e.g. 2025-01-31T12:00:00Z.")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _links(request: HttpRequest, *, offset: int, limit: int, total: int) -> str:
    def url(at: int) -> str:
        query = {"limit": limit, "offset": at}
        if request.GET.get("since"):
            query["since"] = request.GET["since"]
        return f"<{documents.absolute(request.path)}?{urlencode(query)}>"

    last = ((total - 1) // limit) * limit if total else 0
    links = []
    if offset + limit < total:
        links.append(f'{url(offset + limit)}; rel="next"')
    links.append(f'{url(last)}; rel="last"')
    links.append(f'{url(0)}; rel="first"')
    if offset > 0:
        links.append(f'{url(max(offset - limit, 0))}; rel="prev"')
    return ", ".join(links)


def _compact_jws(external) -> str | None:
    """The VC-JWT of an imported credential: as sent, or baked into the image sent."""
    original = bytes(external.original or b"")
    candidates = [original]
    with contextlib.suppress(CredentialError):
        candidates.append(baking.unbake(original) or b"")
    for candidate in candidates:
        text = candidate.decode("utf-8", "replace") if isinstance(candidate, bytes) else candidate
        if isinstance(text, str) and COMPACT_JWS.match(text.strip()):
            return text.strip()
    return None


class Credentials(ResourceView):
    required_scopes = {"GET": scopes.CREDENTIAL_READ, "POST": scopes.CREDENTIAL_UPSERT}

    def get(self, request, token):
        try:
            limit = min(_page_number(request, "limit", DEFAULT_PAGE_SIZE, 1), MAX_PAGE_SIZE)
            offset = _page_number(request, "offset", 0, 0)
            since = _since(request)
        except _QueryError as error:
            return documents.status_info(400, str(error), "invalid_query_parameter")
        page = selectors.credential_page(token.user, offset=offset, limit=limit, since=since)
        credential, compact = [], []
        for item in page.items:
            if isinstance(item, Assertion):
                credential.append(item.ob3_credential)
            elif item.ob_format == FORMAT_OB3_VC_JWT:
                if jws := _compact_jws(item):
                    compact.append(jws)
            else:
                credential.append(item.credential)
        response = JsonResponse({"credential": credential, "compactJwsString": compact})
        response["X-Total-Count"] = str(page.total)
        response["Link"] = _links(request, offset=offset, limit=limit, total=page.total)
        response["Cache-Control"] = "no-store"
        return response

    def post(self, request, token):
        if request.content_type == "text/plain":
            data = request.body.decode("utf-8", "replace").strip()
            if not COMPACT_JWS.match(data):
                return documents.status_info(400, "A text/plain body must be a compact JWS.")
        elif request.content_type in JSON_TYPES:
            data = request.body.decode("utf-8", "replace")
            try:
                if not isinstance(json.loads(data), dict):
                    raise ValueError
            except ValueError:
                return documents.status_info(400, "The body is not a JSON object.")
        else:
            return documents.status_info(
                400, "Send the credential as application/json or its VC-JWT as text/plain."
            )
        outcome = services.credential_upsert(user=token.user, data=data)
        status = 201 if outcome.created else 200
        if request.content_type == "text/plain":
            return HttpResponse(data, status=status, content_type="text/plain")
        return HttpResponse(data, status=status, content_type="application/json")


class Profile(ResourceView):
    required_scopes = {"GET": scopes.PROFILE_READ, "PUT": scopes.PROFILE_UPDATE}

    def get(self, request, token):
        return JsonResponse(documents.profile(token.user, token.application))

    def put(self, request, token):
        if request.content_type not in JSON_TYPES:
            return documents.status_info(400, "Send the profile as application/json.")
        try:
            document = json.loads(request.body)
        except ValueError:
            return documents.status_info(400, "The body is not valid JSON.")
        return JsonResponse(
            services.profile_update(
                user=token.user, application=token.application, document=document
            )
        )


# --- pages for people ---------------------------------------------------------------------


@require_GET
def about(request: HttpRequest) -> HttpResponse:
    """Terms and privacy of connecting an app or wallet, linked from the service
    description and the consent page."""
    return render(
        request,
        "api/ob3/about.html",
        {
            "scopes": [scopes.DESCRIPTIONS[scope] for scope in scopes.OB_SCOPES],
            "refresh_days": settings.OB3_API_REFRESH_TOKEN_DAYS,
        },
    )


@login_required
@require_POST
def disconnect(request: HttpRequest, client_id: str) -> HttpResponse:
    application = get_object_or_404(
        get_application_model(), client_id=client_id, ob_registration__isnull=False
    )
    services.client_disconnect(user=request.user, application=application)
    messages.success(
        request,
        _("%(name)s can no longer see or change your badges and profile.")
        % {"name": application.name},
    )
    return redirect("privacy:overview")
