"""The sign-in data of a person (SURFconext/eduID identities, institution identities, second
factors, sessions) for export and erasure."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .models import InstitutionIdentity


def export(user) -> tuple[dict, list[tuple[str, bytes]]]:
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount

    return {
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user)
        ],
        "sign_in_identities": [
            {
                "provider": account.provider,
                "subject": account.uid,
                "last_login": account.last_login.isoformat() if account.last_login else None,
                "claims": account.extra_data,
            }
            for account in SocialAccount.objects.filter(user=user)
        ],
        "institution_identities": [
            {
                "eppn": identity.eppn,
                "schac_home": identity.schac_home,
                "source": identity.source,
                "first_seen_at": identity.first_seen_at.isoformat(),
                "last_seen_at": identity.last_seen_at.isoformat(),
            }
            for identity in InstitutionIdentity.objects.filter(user=user)
        ],
        "second_factors": [
            {"type": authenticator.type, "created_at": authenticator.created_at.isoformat()}
            for authenticator in Authenticator.objects.filter(user=user)
        ],
    }, []


def erase(user) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.socialaccount.models import SocialAccount
    from allauth.usersessions.models import UserSession

    InstitutionIdentity.objects.filter(user=user).delete()
    SocialAccount.objects.filter(user=user).delete()
    Authenticator.objects.filter(user=user).delete()
    for session in UserSession.objects.filter(user=user):
        session.end()


def describe_withdrawal(user, institution, badge_type) -> list[str]:
    return []


def withdraw(user, institution, badge_type) -> int:
    return 0


def register() -> None:
    from privacy import registry

    registry.register(
        "accounts",
        export=export,
        erase=erase,
        describe_withdrawal=describe_withdrawal,
        withdraw=withdraw,
        personal_data=[
            _("Your email addresses and whether you confirmed them."),
            _(
                "Your SURFconext or eduID sign-in: its identifier and the details it passed on "
                "(name, email address, institution identities)."
            ),
            _("Your institution identities (eppn) and when they were last used to sign in."),
            _("That you set up two-factor authentication, and of which kind."),
        ],
    )
