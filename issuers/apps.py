from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IssuersConfig(AppConfig):
    name = "issuers"
    verbose_name = _("Institutions and issuers")

    def ready(self) -> None:
        from notifications import registry

        from . import checks  # noqa: F401 - registers the system checks
        from .services import INVITATION_NOTIFICATION, invitation_message

        registry.register(INVITATION_NOTIFICATION, label=_("Invitation"), build=invitation_message)
