"""The outbox: every email the portal sends is a ``Notification`` row first.

A service records the notification in the transaction of the change it tells about; a
Celery task sends it after commit, claiming the row first, so a retried or duplicated task
never sends twice; a periodic sweep sends what a lost message left behind. ``key`` makes one
event tell once. The row holds no address or text of its own where it can avoid it: the email
is built when it is sent, from the object it is about (``target``), by the app that owns
that kind (``notifications.registry``).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Nobody to tell")

    key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    # What it is about; none for an email written in full when its event happened.
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Who is told, where the object does not say (an admin told of an objection)."),
    )
    address = models.EmailField(
        blank=True, help_text=_("An organisation's address that belongs to no account.")
    )
    message = models.JSONField(
        null=True,
        blank=True,
        help_text=_(
            "An email written in full when its event happened (a sign-in link); kept only "
            "until it is sent."
        ),
    )
    language = models.CharField(max_length=8, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "updated_at"], name="outbox_status"),
            models.Index(fields=["target_type", "target_id"], name="outbox_target"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.status})"

    @property
    def label(self) -> str:
        from .registry import label

        return label(self.kind)
