from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

from issuers.models import Institution


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiClient(models.Model):
    """A system (LMS, SIS) that awards badges of one institution through the API.

    It acts as its own service account, so the roles and permission rules of people apply
    to it unchanged. Only a hash of its token is stored; the token is shown once.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="api_clients",
        verbose_name=_("institution"),
    )
    name = models.CharField(
        _("name"), max_length=120, help_text=_("For example: Brightspace, Osiris.")
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_client"
    )
    token_prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.institution})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The answer to a request with an Idempotency-Key, replayed for a retry of it."""

    client = models.ForeignKey(
        ApiClient, on_delete=models.CASCADE, related_name="idempotency_records"
    )
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="one_answer_per_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.key}"


class ClientRegistration(models.Model):
    """What a wallet or host told us when it registered for the Open Badges API.

    The OAuth 2.0 client itself is django-oauth-toolkit's ``Application`` (its id, hashed
    secret, name and redirect URIs); this keeps the rest of the registration that the
    specification requires, which the consent page shows to the student.
    """

    application = models.OneToOneField(
        oauth2_settings.APPLICATION_MODEL, on_delete=models.CASCADE, related_name="ob_registration"
    )
    client_uri = models.URLField(max_length=2000)
    logo_uri = models.URLField(max_length=2000)
    tos_uri = models.URLField(max_length=2000)
    policy_uri = models.URLField(max_length=2000)
    software_id = models.CharField(max_length=255)
    software_version = models.CharField(max_length=255)
    # Space-separated, as OAuth 2.0 writes scopes: what the client may ask a student for.
    scope = models.TextField()
    contacts = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("Open Badges API client")
        verbose_name_plural = _("Open Badges API clients")

    def __str__(self) -> str:
        return self.application.name
