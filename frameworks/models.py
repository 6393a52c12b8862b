"""Competency frameworks (such as 21st Century Skills) that badge classes align to.

A framework belongs to the platform (maintained by platform admins, usable by every
institution) or to one institution, which may share it with every other institution.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from issuers.models import BilingualMixin, Institution, Membership
from issuers.roles import Role


class CompetencyFrameworkQuerySet(models.QuerySet["CompetencyFramework"]):
    def usable_by(self, institution: Institution) -> CompetencyFrameworkQuerySet:
        """Frameworks an institution's badge classes may align to: the platform's, the shared
        ones and its own."""
        return self.filter(
            Q(institution__isnull=True) | Q(shared=True) | Q(institution=institution)
        )

    def for_user(self, user) -> CompetencyFrameworkQuerySet:
        """Frameworks a staff member may see: those usable by any institution they work for."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        institutions = Institution.objects.for_user(user)
        if not institutions.exists():
            return self.none()
        return self.filter(
            Q(institution__isnull=True) | Q(shared=True) | Q(institution__in=institutions)
        )

    def managed_by(self, user) -> CompetencyFrameworkQuerySet:
        """Frameworks a user may change: platform admins all, institution admins their own."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        administered = Membership.objects.filter(
            user=user, role=Role.ADMIN, institution__isnull=False
        ).values("institution")
        return self.filter(institution__in=administered)

    def public(self) -> CompetencyFrameworkQuerySet:
        """Frameworks listed publicly: the platform's and the shared ones."""
        return self.filter(Q(institution__isnull=True) | Q(shared=True))


class CompetencyFramework(BilingualMixin, models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="frameworks",
        verbose_name=_("owner"),
        help_text=_("Empty for a framework of the platform, usable by every institution."),
    )
    name_nl = models.CharField(_("name (Dutch)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    version = models.CharField(_("version"), max_length=50, blank=True)
    publisher = models.CharField(_("publisher"), max_length=255)
    url = models.URLField(_("URL"), blank=True, help_text=_("Where the framework is published."))
    shared = models.BooleanField(
        _("shared with every institution"),
        default=False,
        help_text=_("Other institutions can align their badges to this framework."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CompetencyFrameworkQuerySet.as_manager()

    class Meta:
        verbose_name = _("competency framework")
        verbose_name_plural = _("competency frameworks")
        ordering = ["name_en", "name_nl", "pk"]

    def __str__(self) -> str:
        name = self.name_en or self.name_nl
        return f"{name} {self.version}".strip()

    @property
    def title(self) -> str:
        """The name and version, as alignments name the framework."""
        return f"{self.name} {self.version}".strip()

    @property
    def is_platform(self) -> bool:
        return self.institution_id is None

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if not (self.name_nl.strip() or self.name_en.strip()):
            raise ValidationError({"name_nl": _("Enter a name in Dutch or English.")})
        if self.institution_id is None and self.shared:
            # A platform framework is usable by all anyway; keep one meaning of the flag.
            self.shared = False


class FrameworkItem(BilingualMixin, models.Model):
    """One competency of a framework; optionally the ESCO skill or occupation it matches."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    framework = models.ForeignKey(
        CompetencyFramework, on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField(_("code"), max_length=50)
    name_nl = models.CharField(_("name (Dutch)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    description_nl = models.TextField(_("description (Dutch)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    esco_uri = models.URLField(
        _("ESCO skill or occupation"),
        blank=True,
        help_text=_(
            "The URI of the matching ESCO skill or occupation, e.g. http://data.europa.eu/esco/skill/…"
        ),
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("framework item")
        verbose_name_plural = _("framework items")
        ordering = ["framework", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_item_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_en or self.name_nl}"

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors = {}
        if not (self.name_nl.strip() or self.name_en.strip()):
            errors["name_nl"] = _("Enter a name in Dutch or English.")
        if self.esco_uri and not self.esco_uri.startswith("http://data.europa.eu/esco/"):
            errors["esco_uri"] = _(
                "An ESCO URI starts with http://data.europa.eu/esco/ (a skill or an occupation)."
            )
        if errors:
            raise ValidationError(errors)
