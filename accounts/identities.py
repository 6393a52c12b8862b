"""Who a person provably is: the addresses they verified and the institution identities
(eppn) that SURFconext or eduID vouched for.

Roles, offers and claims rely on these only; an address typed at sign-up counts once its
owner proved the mailbox (allauth's email confirmation, an SSO provider that reports it as
verified, or the token of a mail sent to it).
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import transaction

from .models import InstitutionIdentity


def verified_emails(user) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return {
        email.lower()
        for email in EmailAddress.objects.filter(user=user, verified=True).values_list(
            "email", flat=True
        )
    }


def eppns(user) -> set[str]:
    """The eppns vouched for by a sign-in, and the one a platform admin entered."""
    if not getattr(user, "is_authenticated", False):
        return set()
    found = {
        eppn.lower()
        for eppn in InstitutionIdentity.objects.filter(user=user).values_list("eppn", flat=True)
    }
    if user.eppn:
        found.add(user.eppn.lower())
    return found


def has_sso_identity(user) -> bool:
    from allauth.socialaccount.models import SocialAccount

    return SocialAccount.objects.filter(user=user).exists()


def is_verified(user) -> bool:
    """The account's own address is proven, or the person signed in through SURFconext/eduID."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.email.lower() in verified_emails(user) or has_sso_identity(user)


def email_owner(email: str):
    """The account that verified ``email``, if any."""
    address = (
        EmailAddress.objects.filter(email__iexact=email, verified=True)
        .select_related("user")
        .first()
    )
    return address.user if address else None


@transaction.atomic
def email_bind(*, user, email: str) -> EmailAddress:
    """Record ``email`` as a verified address of ``user`` (the caller holds the proof).

    An unverified claim of the same address by another account is dropped: proving the
    mailbox decides who owns it. Refuses when another account already verified it.
    """
    email = email.strip().lower()
    owner = email_owner(email)
    if owner is not None and owner.pk != user.pk:
        raise ValueError("address verified by another account")
    EmailAddress.objects.filter(email__iexact=email, verified=False).exclude(user=user).delete()
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        address = EmailAddress.objects.create(
            user=user,
            email=email,
            verified=True,
            primary=not EmailAddress.objects.filter(user=user, primary=True).exists(),
        )
    elif not address.verified:
        address.verified = True
        address.save(update_fields=["verified"])
    return address


def eppn_owner(eppn: str):
    """The account that signed in with ``eppn`` (or to which a platform admin gave it)."""
    from django.contrib.auth import get_user_model

    identity = InstitutionIdentity.objects.filter(eppn__iexact=eppn).select_related("user").first()
    if identity is not None:
        return identity.user
    return get_user_model().objects.filter(eppn__iexact=eppn, is_active=True).first()
