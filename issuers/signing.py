"""Issuers' signing keys: creation, rotation and use.

Private keys live sealed in the database; the key-encryption key comes from the
environment (SIGNING_KEY_ENCRYPTION_KEY) and never touches the database.
"""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from badge_credentials import keys as key_library

from .audit import audit_log
from .models import Issuer, SigningKey


def _key_encryption_key() -> str:
    return settings.SIGNING_KEY_ENCRYPTION_KEY


def _create(issuer: Issuer, algorithm: str) -> SigningKey:
    private_key = (
        key_library.generate_rsa_key()
        if algorithm == SigningKey.Algorithm.RS256
        else key_library.generate_ed25519_key()
    )
    return SigningKey.objects.create(
        issuer=issuer,
        algorithm=algorithm,
        public_key_pem=key_library.public_key_to_pem(private_key.public_key()),
        sealed_private_key=key_library.seal_private_key(private_key, _key_encryption_key()),
    )


def signing_keys_ensure(*, issuer: Issuer) -> dict[str, SigningKey]:
    """Return the issuer's active key per algorithm, creating missing ones."""
    active = {
        key.algorithm: key
        for key in SigningKey.objects.filter(issuer=issuer, retired_at__isnull=True)
    }
    for algorithm in SigningKey.Algorithm.values:
        if algorithm in active:
            continue
        try:
            with transaction.atomic():
                active[algorithm] = _create(issuer, algorithm)
        except IntegrityError:
            # Another worker created it at the same moment.
            active[algorithm] = SigningKey.objects.get(
                issuer=issuer, algorithm=algorithm, retired_at__isnull=True
            )
    return active


@transaction.atomic
def signing_keys_rotate(*, actor, issuer: Issuer) -> dict[str, SigningKey]:
    """Retire the issuer's active keys and create new ones; retired keys stay published."""
    now = timezone.now()
    retired = list(
        SigningKey.objects.select_for_update().filter(issuer=issuer, retired_at__isnull=True)
    )
    for key in retired:
        key.retired_at = now
        key.save(update_fields=["retired_at"])
    fresh = {algorithm: _create(issuer, algorithm) for algorithm in SigningKey.Algorithm.values}
    audit_log(
        actor=actor,
        action="signing_keys_rotate",
        obj=issuer,
        data={"retired": [str(k.public_id) for k in retired]},
    )
    return fresh


def private_key(signing_key: SigningKey):
    return key_library.unseal_private_key(signing_key.sealed_private_key, _key_encryption_key())


def public_key(signing_key: SigningKey):
    return key_library.load_public_key_pem(signing_key.public_key_pem)
