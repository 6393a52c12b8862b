from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from badges.models import Assertion


def _share_token() -> str:
    return secrets.token_urlsafe(16)


class Collection(models.Model):
    """A student's selection of badges, private or shared by link."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collections"
    )
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    is_public = models.BooleanField(
        _("shared"),
        default=False,
        help_text=_("Anyone with the link can see the public badges in it."),
    )
    share_token = models.CharField(max_length=32, unique=True, default=_share_token, editable=False)
    assertions = models.ManyToManyField(
        Assertion, blank=True, related_name="collections", verbose_name=_("badges")
    )
    external_badges = models.ManyToManyField(
        "ExternalBadge", blank=True, related_name="collections", verbose_name=_("external badges")
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class HiddenBadge(models.Model):
    """A badge its recipient keeps out of the backpack list: still valid, shown again on
    request. Hiding changes nothing of the credential or of what is public."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    assertion = models.ForeignKey(Assertion, on_delete=models.CASCADE, related_name="+")
    hidden_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("hidden badge")
        verbose_name_plural = _("hidden badges")
        constraints = [
            models.UniqueConstraint(fields=["owner", "assertion"], name="hide_a_badge_once")
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} hides {self.assertion_id}"


class ExternalBadge(models.Model):
    """A badge from another issuer, imported after verification; always marked external."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="external_badges"
    )
    ob_format = models.CharField(max_length=32)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    issuer_name = models.CharField(max_length=255, blank=True)
    issuer_url = models.CharField(max_length=500, blank=True)
    issued_on = models.CharField(max_length=64, blank=True)
    image = models.BinaryField(null=True, blank=True)
    image_type = models.CharField(max_length=32, blank=True)
    source_url = models.CharField(max_length=2000, blank=True)
    original = models.BinaryField(help_text="What the student uploaded or linked, as received.")
    credential = models.JSONField(default=dict)
    verification = models.JSONField(default=dict)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("external badge")
        verbose_name_plural = _("external badges")
        ordering = ["-imported_at"]

    def __str__(self) -> str:
        return self.name
