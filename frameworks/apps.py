from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrameworksConfig(AppConfig):
    name = "frameworks"
    verbose_name = _("Competency frameworks")

    def ready(self) -> None:
        from issuers.audit import register_labels

        from .services import ACTION_LABELS

        register_labels(ACTION_LABELS)
