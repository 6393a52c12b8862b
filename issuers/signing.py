"""Issuers' signing keys: creation, rotation and use.

Private keys live sealed in the database; the key-encryption keys come from the
environment (SIGNING_KEY_ENCRYPTION_KEYS, newest first) and never touch the database. Keys
are sealed with the newest; any configured one opens what it sealed, so the key-encryption
key can be rotated: add a new one in front, run ``signing_keys_reseal``, drop the old one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from badge_credentials import keys as key_library

from .audit import audit_log
from .models import Issuer, SigningKey


def _key_encryption_keys() -> list[str]:
    return list(settings.SIGNING_KEY_ENCRYPTION_KEYS)


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
        sealed_private_key=key_library.seal_private_key(private_key, _key_encryption_keys()[0]),
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


def _retire_active(issuer: Issuer, now: datetime) -> list[SigningKey]:
    retired = list(
        SigningKey.objects.select_for_update().filter(issuer=issuer, retired_at__isnull=True)
    )
    for key in retired:
        key.retired_at = now
        key.save(update_fields=["retired_at"])
    return retired


@transaction.atomic
def signing_keys_rotate(*, actor, issuer: Issuer) -> dict[str, SigningKey]:
    """Retire the issuer's active keys and create new ones.

    Retired keys stay published with their retirement as the end of their validity: they
    verify what they signed before it, and nothing signed after it.
    """
    retired = _retire_active(issuer, timezone.now())
    fresh = {algorithm: _create(issuer, algorithm) for algorithm in SigningKey.Algorithm.values}
    audit_log(
        actor=actor,
        action="signing_keys_rotate",
        obj=issuer,
        data={"retired": [str(k.public_id) for k in retired]},
    )
    return fresh


@transaction.atomic
def signing_keys_compromise(
    *, actor, issuer: Issuer, compromised_at: datetime | None = None
) -> dict[str, SigningKey]:
    """Distrust every key of the issuer that was in use at or after ``compromised_at``
    (default: now), retire the active ones and create new keys.

    A compromised key verifies nothing signed from that moment on (a key created later than
    the moment is distrusted from its creation); what it signed before stays valid.
    """
    now = timezone.now()
    moment = compromised_at or now
    if moment > now:
        raise ValidationError(
            {"compromised_at": _("The moment of compromise cannot lie in the future.")}
        )
    exposed = list(
        SigningKey.objects.select_for_update()
        .filter(issuer=issuer, compromised_at__isnull=True)
        .filter(Q(retired_at__isnull=True) | Q(retired_at__gt=moment))
    )
    for key in exposed:
        key.compromised_at = max(moment, key.created_at)
        key.save(update_fields=["compromised_at"])
    _retire_active(issuer, now)
    fresh = {algorithm: _create(issuer, algorithm) for algorithm in SigningKey.Algorithm.values}
    audit_log(
        actor=actor,
        action="signing_keys_compromise",
        obj=issuer,
        summary=f"{issuer}: keys compromised since {moment.isoformat()}",
        data={
            "compromised_at": moment.isoformat(),
            "compromised": [str(key.public_id) for key in exposed],
        },
    )
    return fresh


def primary_rsa_key(issuer: Issuer) -> SigningKey | None:
    """The issuer's first RS256 key: the one its OB 2.0 profile names.

    The OB 2.0 profile may name a single key, and every signed badge that points at the
    issuer's badge classes must be signed by it; signed badges made with a later key point at
    documents of their own key instead (see ``badges.links``).
    """
    return (
        SigningKey.objects.filter(issuer=issuer, algorithm=SigningKey.Algorithm.RS256)
        .order_by("created_at", "pk")
        .first()
    )


def private_key(signing_key: SigningKey):
    return key_library.unseal_private_key(signing_key.sealed_private_key, _key_encryption_keys())


def public_key(signing_key: SigningKey):
    return key_library.load_public_key_pem(signing_key.public_key_pem)


def is_primary_rsa_key(signing_key: SigningKey) -> bool:
    """Whether ``signing_key`` is its issuer's first RS256 key (remembered on the instance)."""
    if not hasattr(signing_key, "_is_primary_rsa_key"):
        primary = primary_rsa_key(signing_key.issuer)
        signing_key._is_primary_rsa_key = primary is not None and primary.pk == signing_key.pk
    return signing_key._is_primary_rsa_key


# --- rotating the key-encryption key --------------------------------------------------------


@dataclass
class SealingReport:
    """Which configured key-encryption key opens the stored keys."""

    newest: int = 0
    older: int = 0
    unopenable_active: list[SigningKey] = field(default_factory=list)
    unopenable_retired: list[SigningKey] = field(default_factory=list)


def sealing_report() -> SealingReport:
    report = SealingReport()
    keks = _key_encryption_keys()
    # Not ``iterator()``: the keys are few, and a server-side cursor on a database that is not
    # migrated yet fails beyond what ``key_encryption_keys_problem`` can catch.
    for key in SigningKey.objects.select_related("issuer").order_by("pk"):
        index = key_library.sealing_key_index(key.sealed_private_key, keks)
        if index == 0:
            report.newest += 1
        elif index is not None:
            report.older += 1
        elif key.retired_at is None:
            report.unopenable_active.append(key)
        else:
            report.unopenable_retired.append(key)
    return report


def key_encryption_keys_problem() -> str | None:
    """Why the configured key-encryption keys cannot sign, or None when they can: no
    configured key opens an issuer's active signing key. Nothing to check before the
    database is migrated."""
    try:
        report = sealing_report()
    except DatabaseError:
        return None
    if not report.unopenable_active:
        return None
    issuers = sorted({str(key.issuer) for key in report.unopenable_active})
    return (
        f"None of the {len(_key_encryption_keys())} configured key-encryption keys "
        f"(SIGNING_KEY_ENCRYPTION_KEYS) opens {len(report.unopenable_active)} active signing "
        f"key(s) of {', '.join(issuers[:5])}{' …' if len(issuers) > 5 else ''}. "
        "Configure the key they were sealed with (newest first, the old ones after it)."
    )


def ensure_key_encryption_keys_open() -> None:
    """Refuse to start (web, worker) with key-encryption keys that cannot sign."""
    problem = key_encryption_keys_problem()
    if problem:
        raise ImproperlyConfigured(problem)


def signing_keys_reseal(*, batch_size: int = 200) -> SealingReport:
    """Seal every stored private key with the newest key-encryption key, in batches (a
    re-run continues where a stopped one left off). Keys none of the configured keys opens
    are left as they are and reported."""
    keks = _key_encryption_keys()
    report = SealingReport()
    ids = list(SigningKey.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            batch = SigningKey.objects.select_for_update().filter(
                pk__in=ids[start : start + batch_size]
            )
            for key in batch.select_related("issuer"):
                index = key_library.sealing_key_index(key.sealed_private_key, keks)
                if index is None:
                    unopenable = (
                        report.unopenable_active
                        if key.retired_at is None
                        else report.unopenable_retired
                    )
                    unopenable.append(key)
                    continue
                if index == 0:
                    report.newest += 1
                    continue
                key.sealed_private_key = key_library.reseal_private_key(
                    key.sealed_private_key, keks
                )
                key.save(update_fields=["sealed_private_key"])
                report.older += 1
    return report
