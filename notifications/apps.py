from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from . import registry, services

        registry.register(
            services.PREPARED,
            label=_("Sign-in and account email"),
            build=services.prepared_message,
            after_sent=services.prepared_message_sent,
        )
