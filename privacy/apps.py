from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self) -> None:
        from issuers.audit import register_labels
        from issuers.onboarding import register_check

        from .models import PrivacyAction
        from .onboarding import privacy_checks

        register_check(privacy_checks)
        register_labels(dict(PrivacyAction.choices))

        from notifications import registry

        from .services.consent import OBJECTION_NOTIFICATION, objection_message, objection_told
        from .services.export import EXPORT_READY, export_ready_message

        registry.register(
            OBJECTION_NOTIFICATION,
            label=_("Objection"),
            build=objection_message,
            after_sent=objection_told,
        )
        registry.register(EXPORT_READY, label=_("Data export ready"), build=export_ready_message)
