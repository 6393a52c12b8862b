from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BackpackConfig(AppConfig):
    name = "backpack"
    verbose_name = _("Backpack")

    def ready(self) -> None:
        from .privacy_handlers import register

        register()
