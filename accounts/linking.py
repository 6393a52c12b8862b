"""Linking an SURFconext or eduID identity to an existing account by proving the mailbox.

When the provider does not vouch for the address that an existing account holds, the sign-in
is parked in the session and a link goes to that address. Opening it in the same browser proves
the mailbox: the identity is connected to the account, the address becomes verified and, if
the account had never verified it, its password is wiped (whoever registered the address
without owning it is locked out).
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from allauth.socialaccount.internal.flows.email_authentication import wipe_password
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse

from . import identities

PENDING_SESSION_KEY = "accounts_pending_link"
SALT = "accounts.linking"
MAX_AGE = 3600


class LinkError(Exception):
    pass


def link_start(request, sociallogin: SocialLogin, holder, email: str):
    request.session[PENDING_SESSION_KEY] = {
        "provider": sociallogin.account.provider,
        "uid": sociallogin.account.uid,
        "extra_data": sociallogin.account.extra_data,
        "next": sociallogin.get_redirect_url(request) or "",
    }
    token = signing.dumps(
        {
            "user": holder.pk,
            "email": email,
            "provider": sociallogin.account.provider,
            "uid": sociallogin.account.uid,
        },
        salt=SALT,
    )
    url = request.build_absolute_uri(reverse("accounts:link_confirm", args=[token]))
    get_account_adapter(request).send_mail(
        "accounts/email/link_identity",
        email,
        {"link": url, "provider": sociallogin.provider.name, "email": email},
    )
    request.session["accounts_link_sent_to"] = email
    return redirect("accounts:link_sent")


def _pending(request) -> SocialLogin | None:
    data = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(data, dict):
        return None
    account = SocialAccount(
        provider=data.get("provider", ""),
        uid=data.get("uid", ""),
        extra_data=data.get("extra_data"),
    )
    sociallogin = SocialLogin(account=account)
    sociallogin.state = {"next": data.get("next", "")}
    return sociallogin


def link_confirm(request, token: str):
    """Connect the parked identity to the account the mail went to, and sign in."""
    try:
        data = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature as error:
        raise LinkError("expired") from error
    sociallogin = _pending(request)
    if (
        sociallogin is None
        or sociallogin.account.provider != data["provider"]
        or sociallogin.account.uid != data["uid"]
    ):
        raise LinkError("other browser")
    user = get_user_model().objects.filter(pk=data["user"], email__iexact=data["email"]).first()
    if user is None or not user.is_active:
        raise LinkError("account gone")
    if SocialAccount.objects.filter(provider=data["provider"], uid=data["uid"]).exists():
        raise LinkError("already linked")
    with transaction.atomic():
        wipe_password(request, user, data["email"])
        sociallogin.user = user
        sociallogin.account.user = user
        sociallogin.account.save()
        identities.email_bind(user=user, email=data["email"])
    del request.session[PENDING_SESSION_KEY]
    sociallogin.user = user
    record_authentication(
        request, user, "socialaccount", provider=data["provider"], uid=data["uid"]
    )
    return perform_login(
        request,
        user,
        email_verification="none",
        redirect_url=sociallogin.get_redirect_url(request),
        signal_kwargs={"sociallogin": sociallogin},
    )
