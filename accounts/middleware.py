from django.shortcuts import redirect
from django.urls import reverse

from . import policies

ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/media/")


class SecondFactorSetupMiddleware:
    """An admin who signed in with a password and has no second factor yet can do nothing but
    set one up (or sign out) until they have."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from .adapters import MFA_SETUP_SESSION_KEY

        session = getattr(request, "session", None)
        if session is not None and session.get(MFA_SETUP_SESSION_KEY):
            user = request.user
            if not user.is_authenticated or policies.has_second_factor(user):
                session.pop(MFA_SETUP_SESSION_KEY, None)
            elif not request.path.startswith(ALLOWED_PREFIXES):
                return redirect(reverse("accounts:second_factor_required"))
        return self.get_response(request)
