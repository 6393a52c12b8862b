"""The JSON documents of the Open Badges API: the service description, the student's
profile and the ``Imsx_StatusInfo`` errors."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse

from accounts import identities
from badge_credentials.contexts import OB_V3P0_3_0_3

from . import scopes

API_VERSION = "3.0"
TARGET_END_SYSTEM = "TargetEndSystem"

# A fixed namespace for the profile identifiers this server hands out (uuid5).
PROFILE_NAMESPACE = uuid.UUID("6c1b2d8e-5f4a-4e7b-9a0c-3d2e1f0a9b8c")


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# --- errors -------------------------------------------------------------------------------

# HTTP status → (imsx_codeMajor, imsx_severity, default imsx_codeMinorFieldValue)
_STATUS = {
    304: ("success", "status", "not_modified"),
    400: ("failure", "error", "invalid_data"),
    401: ("failure", "error", "unauthorizedrequest"),
    403: ("failure", "error", "forbidden"),
    404: ("failure", "status", "not_found"),
    405: ("failure", "error", "not_allowed"),
    406: ("failure", "error", "not_acceptable"),
    429: ("failure", "error", "server_busy"),
    500: ("failure", "error", "internal_server_error"),
}


def status_info(status: int, description: str, minor: str | None = None) -> JsonResponse:
    """An error as the specification's ``Imsx_StatusInfo``."""
    major, severity, default_minor = _STATUS.get(status, ("failure", "error", "unknown"))
    return JsonResponse(
        {
            "imsx_codeMajor": major,
            "imsx_severity": severity,
            "imsx_description": description,
            "imsx_codeMinor": {
                "imsx_codeMinorField": [
                    {
                        "imsx_codeMinorFieldName": TARGET_END_SYSTEM,
                        "imsx_codeMinorFieldValue": minor or default_minor,
                    }
                ]
            },
        },
        status=status,
    )


# --- the student's profile ----------------------------------------------------------------


def profile_id(user, application) -> str:
    """The student's identifier for one client: each client sees another one, so that
    clients cannot match a student between them by it."""
    name = f"{application.client_id}:{user.pk}:{user.date_joined.isoformat()}"
    return f"urn:uuid:{uuid.uuid5(PROFILE_NAMESPACE, name)}"


def profile(user, application) -> dict[str, Any]:
    document: dict[str, Any] = {
        "@context": [OB_V3P0_3_0_3],
        "type": ["Profile"],
        "id": profile_id(user, application),
    }
    full_name = f"{user.first_name} {user.last_name}".strip()
    if full_name:
        document["name"] = full_name
    if user.first_name:
        document["givenName"] = user.first_name
    if user.last_name:
        document["familyName"] = user.last_name
    # Only an address the student proved to own is handed on as theirs.
    if user.email.lower() in identities.verified_emails(user):
        document["email"] = user.email
    return document


# --- the service description document -----------------------------------------------------


def _error_responses(*codes: int) -> dict[str, Any]:
    status = {"$ref": "#/components/schemas/Imsx_StatusInfo"}
    responses = {
        str(code): {
            "description": description,
            "content": {"application/json": {"schema": status}},
        }
        for code, description in (
            (304, "Not Modified"),
            (400, "Bad Request"),
            (401, "Unauthorized"),
            (403, "Forbidden"),
            (404, "Not Found"),
            (405, "Method Not Allowed"),
            (500, "Internal Server Error"),
        )
        if code in codes
    }
    responses["default"] = {
        "description": "The request was invalid or cannot be served.",
        "content": {"application/json": {"schema": status}},
    }
    return responses


def _json(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


def _credential_bodies() -> dict[str, Any]:
    return {
        "application/json": {"schema": {"$ref": "#/components/schemas/AchievementCredential"}},
        "application/vc+ld+json": {
            "schema": {"$ref": "#/components/schemas/AchievementCredential"}
        },
        "text/plain": {"schema": {"$ref": "#/components/schemas/CompactJws"}},
    }


def _paths() -> dict[str, Any]:
    security = lambda *granted: [{"OAuth2ACG": list(granted)}]  # noqa: E731
    return {
        "/credentials": {
            "get": {
                "tags": ["OpenBadgeCredentials"],
                "operationId": "getCredentials",
                "summary": "The student's OpenBadgeCredentials, oldest first.",
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1},
                        "description": "The maximum number of credentials per page.",
                    },
                    {
                        "name": "offset",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 0},
                        "description": "The index of the first credential (zero indexed).",
                    },
                    {
                        "name": "since",
                        "in": "query",
                        "schema": {"type": "string", "format": "date-time"},
                        "description": (
                            "Only credentials issued after this moment (imported ones: "
                            "added after it)."
                        ),
                    },
                ],
                "responses": {
                    "200": {
                        "description": "The credentials of this page.",
                        "headers": {
                            "X-Total-Count": {"schema": {"type": "integer"}},
                            "Link": {"schema": {"type": "string"}},
                        },
                        "content": _json("GetOpenBadgeCredentialsResponse"),
                    },
                    **_error_responses(400, 401, 403, 405, 500),
                },
                "security": security(scopes.CREDENTIAL_READ),
            },
            "post": {
                "tags": ["OpenBadgeCredentials"],
                "operationId": "upsertCredential",
                "summary": "Add a credential of another issuer, verified first, or replace it.",
                "requestBody": {"required": True, "content": _credential_bodies()},
                "responses": {
                    "200": {"description": "Replaced.", "content": _credential_bodies()},
                    "201": {"description": "Added.", "content": _credential_bodies()},
                    **_error_responses(400, 401, 403, 405, 500),
                },
                "security": security(scopes.CREDENTIAL_UPSERT),
            },
        },
        "/profile": {
            "get": {
                "tags": ["Profile"],
                "operationId": "getProfile",
                "responses": {
                    "200": {"description": "The profile.", "content": _json("Profile")},
                    **_error_responses(400, 401, 403, 404, 405, 500),
                },
                "security": security(scopes.PROFILE_READ),
            },
            "put": {
                "tags": ["Profile"],
                "operationId": "putProfile",
                "summary": "Change the student's given and family name.",
                "requestBody": {"required": True, "content": _json("Profile")},
                "responses": {
                    "200": {"description": "The profile.", "content": _json("Profile")},
                    **_error_responses(400, 401, 403, 404, 405, 500),
                },
                "security": security(scopes.PROFILE_UPDATE),
            },
        },
        "/discovery": {
            "get": {
                "tags": ["Discovery"],
                "operationId": "getServiceDescription",
                "responses": {
                    "200": {
                        "description": "This document.",
                        "content": _json("ServiceDescriptionDocument"),
                    },
                    **_error_responses(),
                },
            }
        },
    }


def _schemas() -> dict[str, Any]:
    string = {"type": "string"}
    return {
        "GetOpenBadgeCredentialsResponse": {
            "type": "object",
            "properties": {
                "credential": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/AchievementCredential"},
                },
                "compactJwsString": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/CompactJws"},
                },
            },
            "additionalProperties": False,
        },
        "AchievementCredential": {
            "type": "object",
            "description": (
                "An Open Badges 3.0 AchievementCredential with an embedded proof "
                "(https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
                "ob_v3p0_achievementcredential_schema.json)."
            ),
            "required": ["@context", "id", "type", "issuer", "validFrom", "credentialSubject"],
            "additionalProperties": True,
        },
        "CompactJws": {
            "type": "string",
            "pattern": r"^[-A-Za-z0-9_]*\.[-A-Za-z0-9_]*\.[-A-Za-z0-9_]*$",
        },
        "Profile": {
            "type": "object",
            "required": ["id", "type"],
            "properties": {
                "@context": {"type": "array", "items": string},
                "id": string,
                "type": {"type": "array", "items": string},
                "name": string,
                "givenName": string,
                "familyName": string,
                "email": string,
            },
        },
        "ServiceDescriptionDocument": {
            "type": "object",
            "required": ["openapi", "info", "components"],
            "additionalProperties": True,
        },
        "Imsx_StatusInfo": {
            "type": "object",
            "required": ["imsx_codeMajor", "imsx_severity"],
            "properties": {
                "imsx_codeMajor": {
                    "type": "string",
                    "enum": ["failure", "processing", "success", "unsupported"],
                },
                "imsx_severity": {"type": "string", "enum": ["error", "status", "warning"]},
                "imsx_description": string,
                "imsx_codeMinor": {"$ref": "#/components/schemas/Imsx_CodeMinor"},
            },
        },
        "Imsx_CodeMinor": {
            "type": "object",
            "required": ["imsx_codeMinorField"],
            "properties": {
                "imsx_codeMinorField": {
                    "type": "array",
                    "minItems": 1,
                    "items": {"$ref": "#/components/schemas/Imsx_CodeMinorField"},
                }
            },
        },
        "Imsx_CodeMinorField": {
            "type": "object",
            "required": ["imsx_codeMinorFieldName", "imsx_codeMinorFieldValue"],
            "properties": {
                "imsx_codeMinorFieldName": string,
                "imsx_codeMinorFieldValue": {
                    "type": "string",
                    "enum": sorted(
                        {minor for _major, _severity, minor in _STATUS.values()}
                        | {"fullsuccess", "invalid_query_parameter", "unknown"}
                    ),
                },
            },
        },
    }


def terms_url() -> str:
    return settings.OB3_API_TERMS_URL or absolute(reverse("apps:about"))


def privacy_url() -> str:
    return settings.OB3_API_PRIVACY_URL or absolute(reverse("apps:about") + "#privacy")


def service_description() -> dict[str, Any]:
    """The Service Description Document: a profiled OpenAPI 3.0 document of this API."""
    title = "edubadges"
    token_url = absolute(reverse("oauth:token"))
    return {
        "openapi": "3.0.1",
        "info": {
            "title": title,
            "description": (
                "The 1EdTech Open Badges 3.0 API of this edubadges portal: wallets and other "
                "hosts read a student's badges and profile, and add credentials of other "
                "issuers, with the student's permission."
            ),
            "version": API_VERSION,
            "termsOfService": terms_url(),
            "x-imssf-privacyPolicyUrl": privacy_url(),
        },
        "servers": [{"url": absolute("/ims/ob/v3p0"), "description": title}],
        "tags": [
            {"name": "OpenBadgeCredentials"},
            {"name": "Profile"},
            {"name": "Discovery"},
        ],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "OAuth2ACG": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 Authorization Code Grant authorization",
                    "x-imssf-name": title,
                    "x-imssf-privacyPolicyUrl": privacy_url(),
                    "x-imssf-registrationUrl": absolute(reverse("oauth:register")),
                    "x-imssf-termsOfServiceUrl": terms_url(),
                    "flows": {
                        "authorizationCode": {
                            "authorizationUrl": absolute(reverse("oauth:authorize")),
                            "tokenUrl": token_url,
                            "refreshUrl": token_url,
                            "scopes": scopes.SPECIFICATION_DESCRIPTIONS,
                        }
                    },
                }
            },
            "schemas": _schemas(),
        },
    }


def authorization_server_metadata() -> dict[str, Any]:
    """RFC 8414 metadata, for clients that discover the revocation endpoint there."""
    return {
        "issuer": settings.SITE_URL,
        "authorization_endpoint": absolute(reverse("oauth:authorize")),
        "token_endpoint": absolute(reverse("oauth:token")),
        "revocation_endpoint": absolute(reverse("oauth:revoke")),
        "registration_endpoint": absolute(reverse("oauth:register")),
        "scopes_supported": list(scopes.SUPPORTED),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
        "authorization_response_iss_parameter_supported": True,
        "service_documentation": absolute(reverse("ob3:discovery")),
    }
