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
