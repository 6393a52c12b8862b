from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from .models import ApiClient, hash_token


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer eb_…`` — the client's service account becomes the user."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0] != self.keyword:
            raise exceptions.AuthenticationFailed(
                _("Send the token as: Authorization: Bearer <token>.")
            )
        client = (
            ApiClient.objects.select_related("account", "institution")
            .filter(token_hash=hash_token(parts[1]), revoked_at__isnull=True)
            .first()
        )
        if client is None or not client.account.is_active:
            raise exceptions.AuthenticationFailed(_("The token is unknown or has been revoked."))
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
        request.api_client = client
        return client.account, client

    def authenticate_header(self, request) -> str:
        return self.keyword


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """Describes the token in the OpenAPI schema (a bearer token of an API client)."""

    target_class = "api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "eb_…"}
