"""Sign-in rules that depend on a person's roles: who must use two-factor authentication and
who may not sign in with a password."""

from __future__ import annotations

from allauth.mfa.models import Authenticator

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
    """The institutions in which ``user`` has a role and whose staff sign in through SURFconext
    only."""
    return Institution.objects.for_user(user).filter(staff_password_login=False)
