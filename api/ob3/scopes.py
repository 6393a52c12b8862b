"""The scopes of the Open Badges API, and which of them a registered client may ask for."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from oauth2_provider.scopes import BaseScopes

_PREFIX = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
CREDENTIAL_READ = _PREFIX + "credential.readonly"
CREDENTIAL_UPSERT = _PREFIX + "credential.upsert"
PROFILE_READ = _PREFIX + "profile.readonly"
PROFILE_UPDATE = _PREFIX + "profile.update"
# Asked for by clients that follow the specification's examples; refresh tokens are
# issued either way, so it grants nothing beyond the other scopes.
OFFLINE_ACCESS = "offline_access"

OB_SCOPES = (CREDENTIAL_READ, CREDENTIAL_UPSERT, PROFILE_READ, PROFILE_UPDATE)

# What the student reads on the consent page, per scope.
DESCRIPTIONS = {
    CREDENTIAL_READ: _("See your badges as Open Badges 3.0 credentials"),
    CREDENTIAL_UPSERT: _("Add badges of other issuers to your backpack"),
    PROFILE_READ: _("See your name and email address"),
    PROFILE_UPDATE: _("Change your name"),
    OFFLINE_ACCESS: _("Stay connected without asking you again, until you disconnect it"),
}

# The descriptions of the service description document, in the specification's words.
SPECIFICATION_DESCRIPTIONS = {
    CREDENTIAL_READ: "Permission to read AchievementCredentials for the authenticated entity.",
    CREDENTIAL_UPSERT: (
        "Permission to create or update AchievementCredentials for the authenticated entity."
    ),
    PROFILE_READ: "Permission to read the profile for the authenticated entity.",
    PROFILE_UPDATE: "Permission to update the profile for the authenticated entity.",
    OFFLINE_ACCESS: "Permission to keep access with refresh tokens.",
}

SUPPORTED = (*OB_SCOPES, OFFLINE_ACCESS)


def parse(scope: str) -> list[str]:
    """The scopes of a space-separated ``scope`` value, in order, without repeats."""
    return list(dict.fromkeys(scope.split()))


class RegisteredScopes(BaseScopes):
    """django-oauth-toolkit's scopes backend: a client may ask only for the scopes it
    registered; a client that asks for none gets all of them (RFC 6749 §3.3)."""

    def get_all_scopes(self) -> dict:
        return DESCRIPTIONS

    def get_available_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        registration = getattr(application, "ob_registration", None)
        if registration is None:
            return []
        return [scope for scope in parse(registration.scope) if scope in SUPPORTED]

    def get_default_scopes(self, application=None, request=None, *args, **kwargs) -> list[str]:
        return self.get_available_scopes(application, request)
