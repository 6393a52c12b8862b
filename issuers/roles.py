from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    AWARDER = "awarder", _("Awarder")
    VIEWER = "viewer", _("Viewer")

    @classmethod
    def at_least(cls, role: str) -> set[str]:
        """The roles that include the rights of ``role``."""
        order = [cls.VIEWER, cls.AWARDER, cls.ADMIN]
        return {str(r) for r in order[order.index(role) :]}
