from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("APIs for learning and student information systems, wallets and hosts")

    def ready(self) -> None:
        from .privacy_handlers import register

        register()
