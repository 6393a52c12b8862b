"""Periodic jobs of the APIs."""

from __future__ import annotations

from celery import shared_task
from oauth2_provider.models import clear_expired


@shared_task
def clear_expired_tokens() -> None:
    """Remove expired and revoked OAuth tokens and codes (django-oauth-toolkit's job)."""
    clear_expired()
