from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesConfig(AppConfig):
    name = "badges"
    verbose_name = _("Badges")

    def ready(self) -> None:
        from . import privacy_handlers
        from .awarding import privacy as awarding_privacy

        privacy_handlers.register()
        awarding_privacy.register()
