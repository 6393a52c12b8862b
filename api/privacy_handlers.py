"""The apps a student connected through the Open Badges API, plugged into privacy: shown
and disconnected on the privacy page, exported, and taken away when the account is erased.
Registered from ``ApiConfig.ready()``; privacy never imports api."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_refresh_token_model,
)

from privacy import registry

from .ob3.selectors import connected_clients

PERSONAL_DATA = (
    gettext_lazy(
        "Connected apps: which app or wallet you allowed to see or add your badges, with "
        "which permissions, and when it last renewed its access."
    ),
)


def export_user_data(user) -> tuple[dict, list[tuple[str, bytes]]]:
    return {
        "connected_apps": [
            {
                "name": client.application.name,
                "website": client.application.ob_registration.client_uri,
                "permissions": client.scopes,
                "last_renewed": client.last_renewed,
            }
            for client in connected_clients(user)
        ]
    }, []


def erase_user_data(user) -> None:
    for model in (get_refresh_token_model(), get_access_token_model(), get_grant_model()):
        model.objects.filter(user=user).delete()


def panel(user) -> tuple[str, dict]:
    return "api/ob3/_connected_apps.html", {"clients": connected_clients(user)}


def register() -> None:
    registry.register(
        "connected_apps",
        export=export_user_data,
        erase=erase_user_data,
        describe_withdrawal=lambda user, institution, badge_type: [],
        withdraw=lambda user, institution, badge_type: 0,
        personal_data=PERSONAL_DATA,
        panel=panel,
    )
