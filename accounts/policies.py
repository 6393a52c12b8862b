"""Sign-in rules that depend on a person's roles: who must use two-factor authentication and
who may not sign in with a password."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db.models import Q

from issuers.models import Institution, Membership
from issuers.roles import Role

SECOND_FACTOR_TYPES = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def requires_second_factor(user) -> bool:
    """Platform admins and institution admins who sign in with a password."""
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(user=user, role=Role.ADMIN, institution__isnull=False).exists()


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).exists()


def institutions_without_password_login(user):
    """The institutions in which ``user`` holds a role and whose staff sign in through
    SURFconext only. Roles count, not what a platform admin may see: the switch of one
    institution does not lock the platform's own admins out."""
    memberships = Membership.objects.filter(user=user)
    return Institution.objects.filter(
        Q(pk__in=memberships.values("institution"))
        | Q(pk__in=memberships.values("faculty__institution"))
        | Q(pk__in=memberships.values("issuer__faculty__institution"))
        | Q(pk__in=memberships.values("badge_class__issuer__faculty__institution")),
        staff_password_login=False,
    )


def sso_configured(provider_id: str) -> bool:
    """Whether sign-in through ``provider_id`` (``surfconext``, ``eduid``) is offered."""
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    return any(app.get("provider_id") == provider_id for app in apps)
