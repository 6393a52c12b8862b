"""Writes of the Open Badges API: a student disconnects a client, a client acting for a
student changes the profile or adds a credential."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_refresh_token_model,
)

from accounts.services import user_name_update
from backpack.services import Upserted, external_badge_upsert
from issuers.audit import audit_log

from . import documents
from .selectors import OB3_FORMATS


@transaction.atomic
def client_disconnect(*, user, application) -> int:
    """Withdraw every permission ``user`` gave ``application``: its refresh tokens are
    revoked (and their access tokens with them), other access tokens and unused
    authorisation codes deleted. Returns how many tokens and codes it took away."""
    audit_log(
        actor=user,
        action="oauth_client_disconnect",
        obj=application,
        subject=user,
        summary=application.name,
    )
    taken = 0
    refresh_tokens = get_refresh_token_model().objects.filter(
        user=user, application=application, revoked__isnull=True
    )
    for refresh_token in refresh_tokens:
        refresh_token.revoke()
        taken += 1
    taken += get_access_token_model().objects.filter(user=user, application=application).delete()[0]
    taken += get_grant_model().objects.filter(user=user, application=application).delete()[0]
    return taken


@transaction.atomic
def client_remove(*, actor, application) -> None:
    """A platform admin removes a registered client, and with it every token and code that
    students gave it."""
    if not actor.is_superuser:
        raise PermissionDenied(_("Only platform admins may remove Open Badges API clients."))
    audit_log(
        actor=actor,
        action="oauth_client_remove",
        obj=application,
        summary=application.name,
        data={"client_id": application.client_id},
    )
    application.delete()


# The properties of a profile that this server serves; others are refused, not dropped.
PROFILE_PROPERTIES = {"@context", "id", "type", "name", "givenName", "familyName", "email"}


def _string(document: dict, name: str) -> str:
    value = document.get(name, "")
    if not isinstance(value, str):
        raise ValidationError(_("%(name)s must be a string.") % {"name": name})
    return value.strip()


@transaction.atomic
def profile_update(*, user, application, document: Any) -> dict[str, Any]:
    """Replace the student's profile with ``document`` (the whole profile, as the
    specification asks); only the given and family name can change."""
    if not isinstance(document, dict):
        raise ValidationError(_("Send the profile as a JSON object."))
    unknown = sorted(set(document) - PROFILE_PROPERTIES)
    if unknown:
        raise ValidationError(
            _("This server does not keep these properties of a profile: %(names)s.")
            % {"names": ", ".join(unknown)}
        )
    types = document.get("type")
    if types != "Profile" and not (isinstance(types, list) and "Profile" in types):
        raise ValidationError(_("The type of a profile must include Profile."))
    if document.get("id") != documents.profile_id(user, application):
        raise ValidationError(_("The id of the profile cannot change."))
    email = _string(document, "email")
    if email and email.lower() != user.email.lower():
        raise ValidationError(
            _("The email address can only be changed on the portal, where it is verified.")
        )
    given_name, family_name = _string(document, "givenName"), _string(document, "familyName")
    name = _string(document, "name")
    if name and name != f"{given_name} {family_name}".strip():
        raise ValidationError(_("The name must be the given name followed by the family name."))
    user_name_update(actor=user, user=user, first_name=given_name, last_name=family_name)
    return documents.profile(user, application)


def credential_upsert(*, user, data: bytes | str) -> Upserted:
    """Verify an Open Badges 3.0 credential of the student exactly as the backpack import
    does, and add it to their backpack (or replace the one it equals)."""
    return external_badge_upsert(user=user, data=data, formats=OB3_FORMATS)
