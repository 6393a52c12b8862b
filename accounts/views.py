"""The pages around signing in: "your institution is not connected / ask your admin", the
two-factor requirement, and linking an identity by proving the mailbox."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from issuers.models import Institution, Membership

from . import linking, policies
from .adapters import MFA_SETUP_SESSION_KEY, SSO_OUTCOME_SESSION_KEY


@login_required
def no_access(request: HttpRequest) -> HttpResponse:
    """Signed in through SURFconext, but no staff pages: say why and what to do."""
    outcome = request.session.get(SSO_OUTCOME_SESSION_KEY) or {}
    institution = (
        Institution.objects.filter(pk=outcome["institution"]).first()
        if outcome.get("institution")
        else None
    )
    has_role = request.user.is_superuser or Membership.objects.filter(user=request.user).exists()
    return render(
        request,
        "accounts/no_access.html",
        {
            "institution": institution,
            "schac_home": outcome.get("schac_home", ""),
            "eppn": outcome.get("eppn") or request.user.eppn,
            "eppn_refused": outcome.get("eppn_refused", False),
            "has_role": has_role,
        },
    )


@login_required
def second_factor_required(request: HttpRequest) -> HttpResponse:
    if policies.has_second_factor(request.user):
        request.session.pop(MFA_SETUP_SESSION_KEY, None)
        return redirect("home")
    return render(request, "accounts/second_factor_required.html")


@never_cache
def link_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/link_sent.html",
        {"email": request.session.get("accounts_link_sent_to", "")},
    )


@never_cache
def link_confirm(request: HttpRequest, token: str) -> HttpResponse:
    if request.method != "POST":
        # A mail scanner that follows links must not complete the link: the person confirms.
        return render(request, "accounts/link_confirm.html", {"token": token})
    try:
        return linking.link_confirm(request, token)
    except linking.LinkError as error:
        reasons = {
            "expired": _("This link has expired or is not valid. Sign in again to get a new one."),
            "other browser": _(
                "Open the link in the browser in which you signed in, right after signing in."
            ),
            "account gone": _("The account this link was for no longer exists."),
            "already linked": _("This identity is already connected to an account."),
        }
        return render(
            request,
            "accounts/link_failed.html",
            {"reason": reasons.get(str(error), reasons["expired"])},
            status=400,
        )
