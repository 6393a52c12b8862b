"""Dynamic client registration as the Open Badges specification profiles RFC 7591.

Anyone may register (the specification forbids an initial access token), but only with
the complete metadata it requires: a name, the client's pages (all https, on one host), the
software, the redirect URIs and the scopes. What the student later sees on the consent page
comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from oauth2_provider.models import get_application_model

from issuers.audit import audit_log

from ..models import ClientRegistration
from . import scopes

REQUIRED_URLS = ("client_uri", "logo_uri", "tos_uri", "policy_uri")
REQUIRED_TEXT = ("client_name", "software_id", "software_version")
MAX_TEXT = 255
MAX_URL = 2000
MAX_REDIRECT_URIS = 10
MAX_CONTACTS = 10
GRANT_TYPES = ("authorization_code", "refresh_token")
AUTH_METHOD = "client_secret_basic"


class RegistrationError(Exception):
    """An RFC 7591 error: ``invalid_redirect_uri`` or ``invalid_client_metadata``."""

    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error = error
        self.description = description


@dataclass(frozen=True)
class ClientMetadata:
    client_name: str
    client_uri: str
    logo_uri: str
    tos_uri: str
    policy_uri: str
    software_id: str
    software_version: str
    redirect_uris: tuple[str, ...]
    scope: str
    contacts: tuple[str, ...] = ()

    def as_response(self) -> dict[str, Any]:
        """The registered metadata as RFC 7591 returns it."""
        return {
            "client_name": self.client_name,
            "client_uri": self.client_uri,
            "logo_uri": self.logo_uri,
            "tos_uri": self.tos_uri,
            "policy_uri": self.policy_uri,
            "software_id": self.software_id,
            "software_version": self.software_version,
            "redirect_uris": list(self.redirect_uris),
            "token_endpoint_auth_method": AUTH_METHOD,
            "grant_types": list(GRANT_TYPES),
            "response_types": ["code"],
            "scope": self.scope,
            **({"contacts": list(self.contacts)} if self.contacts else {}),
        }


def _text(data: dict, name: str) -> str:
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise RegistrationError("invalid_client_metadata", f"{name} is required")
    if len(value) > MAX_TEXT:
        raise RegistrationError("invalid_client_metadata", f"{name} is too long")
    return value.strip()


def _https_url(value: Any, name: str, error: str = "invalid_client_metadata") -> str:
    if not isinstance(value, str) or not value:
        raise RegistrationError(error, f"{name} is required")
    if len(value) > MAX_URL:
        raise RegistrationError(error, f"{name} is too long")
    try:
        URLValidator(schemes=["https"])(value)
    except ValidationError as invalid:
        raise RegistrationError(error, f"{name} must be an https URL") from invalid
    if urlsplit(value).fragment:
        raise RegistrationError(error, f"{name} must not have a fragment")
    return value


def _string_list(data: dict, name: str, default: list[str]) -> list[str]:
    value = data.get(name, default)
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise RegistrationError("invalid_client_metadata", f"{name} must be an array of strings")
    return value


def parse_metadata(data: Any) -> ClientMetadata:
    """Check a registration request against the specification; raise ``RegistrationError``."""
    if not isinstance(data, dict):
        raise RegistrationError("invalid_client_metadata", "the body must be a JSON object")
    if "software_statement" in data:
        raise RegistrationError(
            "unapproved_software_statement", "software statements are not accepted"
        )
    text = {name: _text(data, name) for name in REQUIRED_TEXT}
    urls = {name: _https_url(data.get(name), name) for name in REQUIRED_URLS}

    redirect_uris = data.get("redirect_uris")
    if not isinstance(redirect_uris, list) or not redirect_uris:
        raise RegistrationError("invalid_redirect_uri", "redirect_uris must be a non-empty array")
    if len(redirect_uris) > MAX_REDIRECT_URIS:
        raise RegistrationError("invalid_redirect_uri", "too many redirect_uris")
    redirect_uris = [
        _https_url(uri, "redirect_uris", "invalid_redirect_uri") for uri in redirect_uris
    ]

    hosts = {urlsplit(url).hostname for url in [*urls.values(), *redirect_uris]}
    if len(hosts) != 1:
        raise RegistrationError("invalid_client_metadata", "all URLs must have the same host name")

    if data.get("token_endpoint_auth_method", AUTH_METHOD) != AUTH_METHOD:
        raise RegistrationError(
            "invalid_client_metadata", f"token_endpoint_auth_method must be {AUTH_METHOD}"
        )
    grant_types = _string_list(data, "grant_types", ["authorization_code"])
    if "authorization_code" not in grant_types or not set(grant_types) <= set(GRANT_TYPES):
        raise RegistrationError(
            "invalid_client_metadata",
            "grant_types must be authorization_code, optionally with refresh_token",
        )
    if _string_list(data, "response_types", ["code"]) != ["code"]:
        raise RegistrationError("invalid_client_metadata", "response_types must be code")

    requested = data.get("scope")
    if not isinstance(requested, str) or not requested.strip():
        raise RegistrationError("invalid_client_metadata", "scope is required")
    # The server may narrow the metadata (RFC 7591 §3.2.1): unknown scopes are left out.
    granted = [scope for scope in scopes.parse(requested) if scope in scopes.SUPPORTED]
    if not any(scope in scopes.OB_SCOPES for scope in granted):
        raise RegistrationError(
            "invalid_client_metadata", "scope holds none of the Open Badges API scopes"
        )

    contacts = _string_list(data, "contacts", [])
    if len(contacts) > MAX_CONTACTS or any(len(contact) > MAX_TEXT for contact in contacts):
        raise RegistrationError("invalid_client_metadata", "too many or too long contacts")

    return ClientMetadata(
        **text,
        **urls,
        redirect_uris=tuple(dict.fromkeys(redirect_uris)),
        scope=" ".join(granted),
        contacts=tuple(contacts),
    )


@transaction.atomic
def client_register(*, metadata: ClientMetadata):
    """Register a confidential client; return it and its secret, which is stored hashed and
    cannot be shown again."""
    application_model = get_application_model()
    application = application_model(
        name=metadata.client_name,
        client_type=application_model.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application_model.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(metadata.redirect_uris),
        skip_authorization=False,
    )
    secret = application.client_secret  # generated in plain text; hashed when saved
    try:
        application.full_clean()
    except ValidationError as invalid:
        raise RegistrationError("invalid_client_metadata", "; ".join(invalid.messages)) from invalid
    application.save()
    ClientRegistration.objects.create(
        application=application,
        client_uri=metadata.client_uri,
        logo_uri=metadata.logo_uri,
        tos_uri=metadata.tos_uri,
        policy_uri=metadata.policy_uri,
        software_id=metadata.software_id,
        software_version=metadata.software_version,
        scope=metadata.scope,
        contacts=list(metadata.contacts),
    )
    audit_log(
        actor=None,
        action="oauth_client_register",
        obj=application,
        summary=metadata.client_name,
        data={"client_id": application.client_id, "client_uri": metadata.client_uri},
    )
    return application, secret
