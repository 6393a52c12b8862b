"""System checks of the issuers app (``manage.py check --database default``, ``migrate``)."""

from __future__ import annotations

from django.core.checks import Error, Tags, register


@register(Tags.database)
def key_encryption_keys_open_the_signing_keys(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    from .signing import key_encryption_keys_problem

    problem = key_encryption_keys_problem()
    if problem is None:
        return []
    return [
        Error(
            problem,
            hint="Set SIGNING_KEY_ENCRYPTION_KEYS to the new key first and the old ones after it.",
            id="issuers.E001",
        )
    ]
