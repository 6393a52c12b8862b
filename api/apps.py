from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("APIs for learning and student information systems, wallets and hosts")

    def ready(self) -> None:
        from issuers.audit import register_labels

        from .privacy_handlers import register

        register()
        register_labels(
            {
                "api_client_create": _("API client created"),
                "api_client_revoke": _("API client revoked"),
                "oauth_client_register": _("Open Badges API client registered"),
                "oauth_client_authorise": _("Open Badges API client allowed by a student"),
                "oauth_client_disconnect": _("Open Badges API client disconnected by a student"),
                "oauth_client_remove": _("Open Badges API client removed"),
            }
        )
