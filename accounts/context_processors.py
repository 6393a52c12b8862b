from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

HINTS = {
    "surfconext": _("For staff: with your institution account."),
    "eduid": _("For students and professionals: with your eduID."),
}


def sign_in_options(request) -> dict:
    """The identity providers that are configured, for the sign-in buttons."""
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    return {
        "sso_providers": [
            {
                "id": app["provider_id"],
                "name": app["name"],
                "url": reverse("openid_connect_login", args=[app["provider_id"]]),
                "hint": HINTS.get(app["provider_id"], ""),
            }
            for app in apps
        ]
    }
