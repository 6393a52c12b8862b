"""allauth adapters: where signing in meets the portal's rules.

- Password sign-in: refused for staff of an institution that switched it off; platform and
  institution admins must set up a second factor before they can do anything else.
- SURFconext and eduID: what the provider vouched for is kept (``accounts.sso``), staff land
  on their pages or on the "ask your admin" page, students in their backpack. An account is
  linked only through an address the provider reports as verified (allauth's email
  authentication, which also locks out whoever pre-registered an unverified address) or after
  the person proves the mailbox (``accounts.linking``).
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.internal.stagekit import clear_login
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib.auth import get_user_model
from django.shortcuts import render
from django.urls import reverse

from . import linking, policies, sso

MFA_SETUP_SESSION_KEY = "accounts_second_factor_setup"
SSO_OUTCOME_SESSION_KEY = "accounts_sso_outcome"


def _signed_in_with_password(request, user) -> bool:
    records = get_authentication_records(request, user)
    return bool(records) and records[-1].get("method") == "password"


class AccountAdapter(DefaultAccountAdapter):
    def get_login_stages(self) -> list[str]:
        return [
            "accounts.stages.SecondFactorStage"
            if path == "allauth.mfa.stages.AuthenticateStage"
            else path
            for path in super().get_login_stages()
        ]

    def pre_login(self, request, user, **kwargs):
        response = super().pre_login(request, user, **kwargs)
        if response is not None:
            return response
        if _signed_in_with_password(request, user):
            closed = list(policies.institutions_without_password_login(user))
            if closed:
                clear_login(request)
                return render(
                    request,
                    "accounts/password_login_off.html",
                    {"institutions": closed},
                    status=403,
                )
        return None

    def post_login(self, request, user, *, signal_kwargs=None, redirect_url=None, **kwargs):
        sociallogin = (signal_kwargs or {}).get("sociallogin")
        if sociallogin is not None:
            redirect_url = self._after_sso(request, user, sociallogin, redirect_url)
        elif policies.requires_second_factor(user) and not policies.has_second_factor(user):
            request.session[MFA_SETUP_SESSION_KEY] = True
            redirect_url = reverse("accounts:second_factor_required")
        return super().post_login(
            request, user, signal_kwargs=signal_kwargs, redirect_url=redirect_url, **kwargs
        )

    def _after_sso(self, request, user, sociallogin, redirect_url):
        account = sociallogin.account
        outcome = sso.sign_in(
            user=user,
            provider=account.provider,
            claims=sso.claims_of(account.extra_data or {}),
            email_addresses=sociallogin.email_addresses,
        )
        request.session[SSO_OUTCOME_SESSION_KEY] = {
            "provider": outcome.provider,
            "schac_home": outcome.schac_home,
            "eppn": outcome.eppn,
            "eppn_refused": outcome.eppn_refused,
            "institution": outcome.institution.pk if outcome.institution else None,
        }
        if outcome.provider == sso.SURFCONEXT:
            if not outcome.is_staff_member:
                # Never a staff page: the page that says what is missing, whatever was asked.
                return reverse("accounts:no_access")
            return redirect_url or reverse("staff:dashboard")
        return redirect_url or reverse("backpack:list")

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails (confirm an address, reset a password, link an identity) go through
        the outbox like every other: after commit, once, retried when the mail server fails."""
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        from notifications.services import notification_queue_prepared

        request = allauth_context.request
        message = self.render_mail(
            template_prefix,
            email,
            {
                "request": request,
                "email": email,
                "current_site": get_current_site(request),
                **context,
            },
        )
        user = context.get("user")
        notification_queue_prepared(message, about=user if getattr(user, "pk", None) else None)

    def get_login_redirect_url(self, request) -> str:
        return reverse("home")


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def populate_user(self, request, sociallogin, data):
        """SURFconext passes on whatever address an institution releases, and vouches only for
        the institution itself (``schac_home_organization``). An address counts as verified when
        it lies in the domain of that institution, and that institution is onboarded; any other
        is unverified, whatever the sign-in says, so that one institution cannot sign in to the
        account of another's staff."""
        user = super().populate_user(request, sociallogin, data)
        if sociallogin.account.provider == sso.SURFCONEXT:
            claims = sso.claims_of(sociallogin.account.extra_data or {})
            for address in sociallogin.email_addresses:
                address.verified = sso.surfconext_vouches_for(claims, address.email)
        return user

    def pre_social_login(self, request, sociallogin) -> None:
        """An unknown SSO identity is linked to the account that already holds an eppn it
        vouches for (a student known through eduID who signs in through SURFconext, or the
        other way round): one person, one account. Else, when an existing account holds its
        address and the provider did not verify it: no link until the person proves the
        mailbox."""
        if sociallogin.is_existing or request.user.is_authenticated:
            return
        account = sociallogin.account
        holder = sso.account_of_eppns(account.provider, sso.claims_of(account.extra_data or {}))
        if holder is not None:
            sociallogin.connect(request, holder)
            return
        email = (sociallogin.user.email or "").strip().lower() if sociallogin.user else ""
        if not email:
            return
        holder = get_user_model().objects.filter(email__iexact=email).first()
        if holder is None:
            return
        raise ImmediateHttpResponse(linking.link_start(request, sociallogin, holder, email))


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator) -> bool:
        """Admins keep at least one second factor (an app or a security key)."""
        user = authenticator.user
        if authenticator.type not in policies.SECOND_FACTOR_TYPES:
            return True
        if not policies.requires_second_factor(user):
            return True
        others = (
            type(authenticator)
            .objects.filter(user=user, type__in=policies.SECOND_FACTOR_TYPES)
            .exclude(pk=authenticator.pk)
        )
        return others.exists()
