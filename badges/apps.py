from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BadgesConfig(AppConfig):
    name = "badges"
    verbose_name = _("Badges")

    def ready(self) -> None:
        from issuers.audit import register_labels

        from . import endorsement_notifications, privacy_handlers
        from .awarding import notifications
        from .awarding import privacy as awarding_privacy
        from .awarding.audit import ACTION_LABELS
        from .endorsements import ACTION_LABELS as ENDORSEMENT_LABELS

        privacy_handlers.register()
        awarding_privacy.register()
        register_labels(ACTION_LABELS)
        register_labels(ENDORSEMENT_LABELS)
        notifications.register()
        endorsement_notifications.register()
