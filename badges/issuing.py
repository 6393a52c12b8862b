"""Issuing, signing and revoking assertions.

``assertion_create`` records an assertion waiting for its signature and queues the signing
task after commit. ``assertion_sign`` claims the row atomically (PENDING → SIGNING), so a
retried or duplicated message never signs twice; ``assertions_sweep`` re-queues work that a
lost message or a crashed worker left behind.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from badge_credentials import data_integrity, hashing, jws, vc_jwt
from badge_credentials.contexts import document_loader
from badge_credentials.extension import extension_documents
from issuers import signing
from issuers.audit import audit_log
from issuers.permissions import Action, has_perm

from . import credentials, links, published, status_lists
from .models import Assertion, AssertionDocuments, BadgeClass, StatusList

logger = logging.getLogger(__name__)

# The error recorded for a badge whose worker stopped during its last attempt.
WORKER_LOST = "WorkerLost"
SWEEP_LIMIT = 5000

# After this many attempts a badge stops being retried: it waits, as failed, for staff.
MAX_SIGNING_ATTEMPTS = 5
# A signing run takes seconds; one that has not finished after this was stopped (a worker
# died): the sweep, which runs every minute, hands it out again.
STUCK_SIGNING_AFTER = timedelta(seconds=45)
# A signing message not acted on after this (lost, or a broker that was down) is sent again.
REQUEUE_PENDING_AFTER = timedelta(minutes=2)
# Badges signed by one task: the work they share (keys, badge class) is loaded once.
SIGNING_BATCH_SIZE = 200


def _queue_signing(assertion_id: int) -> None:
    """Queue the signing after commit; a broker that is down leaves it to the sweep."""
    from .tasks import sign_assertion

    sign_assertion.delay_on_commit(assertion_id)


def _queue_signing_many(assertion_ids: list[int]) -> None:
    """Queue the signing of many badges after commit, a few hundred per message."""
    from .tasks import sign_assertions

    if len(assertion_ids) == 1:
        _queue_signing(assertion_ids[0])
        return
    for start in range(0, len(assertion_ids), SIGNING_BATCH_SIZE):
        sign_assertions.delay_on_commit(assertion_ids[start : start + SIGNING_BATCH_SIZE])


@transaction.atomic
def assertion_create(
    *,
    actor,
    badge_class: BadgeClass,
    email: str,
    recipient=None,
    recipient_name: str = "",
    narrative: str = "",
    evidence_url: str = "",
    grade: str = "",
    award=None,
    issued_on=None,
    check_permission: bool = True,
) -> Assertion:
    """Record a badge for ``email`` and queue its signing after commit."""
    if check_permission and not has_perm(actor, Action.AWARD, badge_class):
        raise PermissionDenied(_("You may not award this badge."))
    if badge_class.archived:
        raise ValidationError(_("This badge is archived and can no longer be awarded."))
    issued_on = issued_on or timezone.now()
    salt = hashing.new_salt()
    identity = email.strip().lower()
    assertion = Assertion.objects.create(
        badge_class=badge_class,
        award=award,
        recipient=recipient,
        recipient_identity=identity,
        identity_type="email",
        salt=salt,
        identity_hash=hashing.hash_identity(identity, salt),
        recipient_name=recipient_name,
        narrative=narrative,
        evidence_url=evidence_url,
        grade=grade,
        issued_on=issued_on,
        expires_at=badge_class.expiry_date(issued_on),
        queued_at=timezone.now(),
    )
    audit_log(
        actor=actor,
        action="assertion_create",
        obj=assertion,
        institution=badge_class.institution,
        summary=f"{badge_class} #{assertion.public_id}",
    )
    _queue_signing(assertion.pk)
    return assertion


@dataclass(frozen=True)
class NewAssertion:
    """One badge of a batch for :func:`assertions_create_many`."""

    email: str
    recipient: object | None = None
    recipient_name: str = ""
    narrative: str = ""
    evidence_url: str = ""
    grade: str = ""
    award: object | None = None


@transaction.atomic
def assertions_create_many(
    *, actor, badge_class: BadgeClass, recipients: list[NewAssertion]
) -> list[Assertion]:
    """Record many badges of one badge class (a bulk award issued directly) in one INSERT,
    with one audit entry naming them all, and queue their signing in batches after commit.
    The caller has checked the permission."""
    if badge_class.archived:
        raise ValidationError(_("This badge is archived and can no longer be awarded."))
    if not recipients:
        return []
    now = timezone.now()
    expires_at = badge_class.expiry_date(now)
    assertions = []
    for new in recipients:
        salt = hashing.new_salt()
        identity = new.email.strip().lower()
        assertions.append(
            Assertion(
                badge_class=badge_class,
                award=new.award,
                recipient=new.recipient,
                recipient_identity=identity,
                identity_type="email",
                salt=salt,
                identity_hash=hashing.hash_identity(identity, salt),
                recipient_name=new.recipient_name,
                narrative=new.narrative,
                evidence_url=new.evidence_url,
                grade=new.grade,
                issued_on=now,
                expires_at=expires_at,
                queued_at=now,
                created_at=now,
            )
        )
    status_lists.status_bits_assign_new(issuer=badge_class.issuer, assertions=assertions)
    Assertion.objects.bulk_create(assertions, batch_size=500)
    if assertions[0].pk is None:  # databases that return no keys from a bulk insert
        by_id = dict(
            Assertion.objects.filter(public_id__in=[a.public_id for a in assertions]).values_list(
                "public_id", "pk"
            )
        )
        for assertion in assertions:
            assertion.pk = by_id[assertion.public_id]
    audit_log(
        actor=actor,
        action="assertion_create",
        institution=badge_class.institution,
        summary=_batch_summary(badge_class, len(assertions)),
        data={"assertions": [assertion.public_id for assertion in assertions]},
    )
    _queue_signing_many([assertion.pk for assertion in assertions])
    return assertions


def _batch_summary(badge_class: BadgeClass, count: int) -> str:
    return f"{badge_class} ×{count}"


def _loader():
    return _loader_for(settings.SITE_URL)


@functools.cache
def _loader_for(site_url: str):
    """One loader per process, so that compiled credential templates are reused."""
    return document_loader(extension_documents(site_url))


class _Shared:
    """What a batch of badges shares, loaded once: per issuer its keys (unsealed once), per
    badge class the issuer profile and the achievement (with its alignments)."""

    def __init__(self) -> None:
        self._keys: dict[int, tuple] = {}
        self._badge_classes: dict[int, tuple] = {}

    def keys(self, issuer) -> tuple:
        if issuer.pk not in self._keys:
            keys = signing.signing_keys_ensure(issuer=issuer)
            rsa_key, ed_key = keys["RS256"], keys["EdDSA"]
            self._keys[issuer.pk] = (
                rsa_key,
                ed_key,
                signing.private_key(rsa_key),
                signing.private_key(ed_key),
                links.verification_method(rsa_key),
                links.verification_method(ed_key),
            )
        return self._keys[issuer.pk]

    def badge_class(self, badge_class: BadgeClass) -> tuple:
        if badge_class.pk not in self._badge_classes:
            self._badge_classes[badge_class.pk] = (
                credentials.issuer_profile_v3(badge_class.issuer, with_endorsements=True),
                credentials.achievement_v3(badge_class),
            )
        return self._badge_classes[badge_class.pk]


def _signed_documents(assertion: Assertion, shared: _Shared | None = None) -> dict:
    """Build and sign every representation of ``assertion``; touches no database row."""
    shared = shared or _Shared()
    badge_class = assertion.badge_class
    rsa_key, _ed_key, rsa_private, ed_private, rsa_method, ed_method = shared.keys(
        badge_class.issuer
    )
    issuer_profile, achievement = shared.badge_class(badge_class)
    identity = assertion.recipient_identity

    hosted = credentials.assertion_v2(assertion, identity=identity)
    signed_payload = credentials.assertion_v2(assertion, identity=identity, signing_key=rsa_key)
    ob2_jws = jws.sign_badge(signed_payload, rsa_private)

    credential = credentials.credential_v3(
        assertion, identity=identity, issuer=issuer_profile, achievement=achievement
    )
    proven = data_integrity.add_proof(
        credential, ed_private, verification_method=ed_method, loader=_loader()
    )
    ob3_jwt = vc_jwt.sign_vc_jwt(credential, rsa_private, kid=rsa_method)

    # The baked images are made from these when they are downloaded (``baked_images``).
    return {
        "ob2_assertion": hosted,
        "ob2_jws": ob2_jws,
        "ob3_credential": proven,
        "ob3_jwt": ob3_jwt,
    }


def assertion_sign(*, assertion_id: int) -> bool:
    """Sign a pending assertion. Returns False when another worker has it or it is done."""
    return assertions_sign(assertion_ids=[assertion_id]) == 1


def _claim(assertion_ids: list[int]) -> tuple[list[int], datetime]:
    """Claim the pending ones among ``assertion_ids`` (PENDING → SIGNING), counting the
    attempt. The claim's moment, written as ``updated_at``, marks the rows as this run's: a
    result is written only to rows that still carry it, so a run the sweep gave up on (and
    handed out again) never overwrites a later one, and two runs never both sign a badge."""
    claimed_at = timezone.now()
    with transaction.atomic():
        pending = list(
            Assertion.objects.select_for_update(skip_locked=True)
            .filter(pk__in=assertion_ids, status=Assertion.Status.PENDING)
            .values_list("pk", flat=True)
        )
        if not pending:
            return [], claimed_at
        Assertion.objects.filter(pk__in=pending, status=Assertion.Status.PENDING).update(
            status=Assertion.Status.SIGNING,
            signing_attempts=F("signing_attempts") + 1,
            updated_at=claimed_at,
        )
    claimed = list(
        Assertion.objects.filter(
            pk__in=pending, status=Assertion.Status.SIGNING, updated_at=claimed_at
        ).values_list("pk", flat=True)
    )
    return claimed, claimed_at


def assertions_sign(*, assertion_ids: list[int]) -> int:
    """Sign the pending ones among ``assertion_ids`` as one batch: what they share is loaded
    once, the results are written in one transaction with one audit entry per institution
    naming every badge, and the "badge issued" emails of badges issued directly are queued
    with them. A badge that fails goes back for another attempt (or, after the last, is
    marked failed) without holding up the others; the first error is raised afterwards so
    that the task is retried. Returns how many were issued."""
    claimed, claimed_at = _claim(assertion_ids)
    if not claimed:
        return 0
    assertions = list(
        Assertion.objects.select_related("award").filter(pk__in=claimed).order_by("pk")
    )
    _share_badge_classes(assertions)
    built: list[tuple[Assertion, dict]] = []
    failures: dict[str, list[Assertion]] = {}
    first_error: Exception | None = None
    try:
        status_lists.status_bits_allocate(assertions=assertions)
    except Exception as error:
        _signing_failed(assertions, claimed_at=claimed_at, error=type(error).__name__)
        raise
    shared = _Shared()
    for assertion in assertions:
        try:
            built.append((assertion, _signed_documents(assertion, shared)))
        except Exception as error:  # noqa: BLE001 - the others are still signed; raised below
            logger.exception("Signing assertion %s failed", assertion.pk)
            failures.setdefault(type(error).__name__, []).append(assertion)
            first_error = first_error or error
    issued = _store_signed(built, claimed_at=claimed_at)
    for error_name, failed in failures.items():
        _signing_failed(failed, claimed_at=claimed_at, error=error_name)
    if first_error is not None:
        raise first_error
    return issued


def _share_badge_classes(assertions: list[Assertion]) -> None:
    """Attach to the batch its badge classes (with issuer, faculty, institution and
    alignments) and status lists, each loaded once and shared by its badges, so that what
    is built from them is built once."""
    badge_classes = (
        BadgeClass.objects.select_related("issuer__faculty__institution")
        .prefetch_related("alignments")
        .in_bulk({assertion.badge_class_id for assertion in assertions})
    )
    lists = StatusList.objects.select_related("issuer").in_bulk(
        {a.status_list_id for a in assertions if a.status_list_id is not None}
    )
    for assertion in assertions:
        assertion.badge_class = badge_classes[assertion.badge_class_id]
        if assertion.status_list_id is not None:
            assertion.status_list = lists[assertion.status_list_id]


@transaction.atomic
def _store_signed(built: list[tuple[Assertion, dict]], *, claimed_at) -> int:
    if not built:
        return 0
    still_claimed = set(
        Assertion.objects.select_for_update()
        .filter(
            pk__in=[assertion.pk for assertion, _documents in built],
            status=Assertion.Status.SIGNING,
            updated_at=claimed_at,
        )
        .values_list("pk", flat=True)
    )
    signed = [(a, documents) for a, documents in built if a.pk in still_claimed]
    if not signed:
        return 0
    now = timezone.now()
    Assertion.objects.filter(pk__in=still_claimed).update(
        status=Assertion.Status.ISSUED, signing_error="", updated_at=now
    )
    stored = []
    for assertion, documents in signed:
        assertion.status = Assertion.Status.ISSUED
        row = AssertionDocuments(assertion=assertion, **documents)
        row.refresh_published(assertion)
        stored.append(row)
    AssertionDocuments.objects.bulk_create(stored, batch_size=100)
    by_institution: dict[int, list[Assertion]] = {}
    for assertion, _documents in signed:
        by_institution.setdefault(assertion.badge_class.issuer.faculty.institution_id, []).append(
            assertion
        )
    for group in by_institution.values():
        if len(group) == 1:
            audit_log(
                actor=None,
                action="assertion_issue",
                obj=group[0],
                institution=group[0].badge_class.institution,
                summary=f"{group[0].badge_class} #{group[0].public_id}",
            )
        else:
            audit_log(
                actor=None,
                action="assertion_issue",
                institution=group[0].badge_class.institution,
                summary=_batch_summary(group[0].badge_class, len(group)),
                data={"assertions": [assertion.public_id for assertion in group]},
            )
    _tell_issued_directly([assertion for assertion, _documents in signed])
    return len(signed)


def _tell_issued_directly(assertions: list[Assertion]) -> None:
    """Badges issued directly on award: their recipients are told once they are signed."""
    from .awarding.notifications import Kind, notifications_queue_issued

    direct = [a for a in assertions if a.award is not None and a.award.issued_directly]
    if direct:
        notifications_queue_issued(Kind.BADGE_ISSUED, direct)


@transaction.atomic
def _signing_failed(assertions: list[Assertion], *, claimed_at, error: str) -> None:
    """Put failed attempts back for a retry, or, after the last one, mark them failed; only
    rows this run still holds (see :func:`_claim`)."""
    now = timezone.now()
    held = Assertion.objects.filter(
        pk__in=[assertion.pk for assertion in assertions],
        status=Assertion.Status.SIGNING,
        updated_at=claimed_at,
    )
    given_up = list(
        held.filter(signing_attempts__gte=MAX_SIGNING_ATTEMPTS).values_list("pk", flat=True)
    )
    held.filter(signing_attempts__lt=MAX_SIGNING_ATTEMPTS).update(
        status=Assertion.Status.PENDING, signing_error=error[:255], updated_at=now, queued_at=now
    )
    if given_up:
        Assertion.objects.filter(pk__in=given_up).update(
            status=Assertion.Status.FAILED, signing_error=error[:255], updated_at=now
        )
        _audit_signing_failed([a for a in assertions if a.pk in given_up], error=error)


def _audit_signing_failed(assertions: list[Assertion], *, error: str) -> None:
    by_institution: dict[int, list[Assertion]] = {}
    for assertion in assertions:
        by_institution.setdefault(assertion.badge_class.issuer.faculty.institution_id, []).append(
            assertion
        )
    for batch in by_institution.values():
        audit_log(
            actor=None,
            action="assertion_sign_fail",
            objects=batch,
            institution=batch[0].badge_class.issuer.faculty.institution,
            summary=lambda assertion: f"{assertion.badge_class} #{assertion.public_id}",
            data={"error": error, "attempts": MAX_SIGNING_ATTEMPTS},
        )


def assertions_sweep(*, now=None) -> int:
    """Hand out again the signing that a crashed worker stopped (still ``signing`` after
    ``STUCK_SIGNING_AFTER``) and the messages that were lost (``pending`` and last queued
    ``REQUEUE_PENDING_AFTER`` ago). What it queues it marks (``queued_at``), so the next
    sweep does not queue it again while that message can still arrive. A badge whose worker
    died in its last attempt is marked failed instead."""
    now = now or timezone.now()
    with transaction.atomic():
        stuck = list(
            Assertion.objects.select_for_update(skip_locked=True)
            .filter(status=Assertion.Status.SIGNING, updated_at__lt=now - STUCK_SIGNING_AFTER)
            .values_list("pk", "signing_attempts")
        )
        given_up = [pk for pk, attempts in stuck if attempts >= MAX_SIGNING_ATTEMPTS]
        resumed = [pk for pk, attempts in stuck if attempts < MAX_SIGNING_ATTEMPTS]
        if given_up:
            Assertion.objects.filter(pk__in=given_up).update(
                status=Assertion.Status.FAILED, signing_error=WORKER_LOST, updated_at=now
            )
            _audit_signing_failed(
                list(
                    Assertion.objects.filter(pk__in=given_up).select_related(
                        "badge_class__issuer__faculty__institution"
                    )
                ),
                error=WORKER_LOST,
            )
        Assertion.objects.filter(pk__in=resumed).update(
            status=Assertion.Status.PENDING, updated_at=now, queued_at=now
        )
        lost = list(
            Assertion.objects.select_for_update(skip_locked=True)
            .filter(status=Assertion.Status.PENDING)
            .filter(
                Q(queued_at__lt=now - REQUEUE_PENDING_AFTER)
                | Q(queued_at__isnull=True, updated_at__lt=now - REQUEUE_PENDING_AFTER)
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:SWEEP_LIMIT]
        )
        Assertion.objects.filter(pk__in=lost).update(queued_at=now)
    requeue = resumed + lost
    if requeue:
        _queue_signing_many(requeue)
    if requeue:
        logger.info("Re-queued %d assertions for signing", len(requeue))
    return len(requeue)


@transaction.atomic
def assertions_signing_retry(*, actor, assertions) -> int:
    """Staff try again to sign badges whose signing failed; each starts with fresh attempts.
    Returns how many were queued (others were not failed, or not the actor's to award)."""
    candidates = list(
        Assertion.objects.select_for_update(of=("self",))
        .select_related("badge_class__issuer__faculty__institution")
        .filter(pk__in=[assertion.pk for assertion in assertions], status=Assertion.Status.FAILED)
        .order_by("pk")
    )
    for assertion in candidates:
        if not has_perm(actor, Action.AWARD, assertion.badge_class):
            raise PermissionDenied(_("You may not award this badge."))
    if not candidates:
        return 0
    now = timezone.now()
    Assertion.objects.filter(pk__in=[assertion.pk for assertion in candidates]).update(
        status=Assertion.Status.PENDING,
        signing_attempts=0,
        signing_error="",
        queued_at=now,
        updated_at=now,
    )
    by_institution: dict[int, list[Assertion]] = {}
    for assertion in candidates:
        by_institution.setdefault(assertion.badge_class.issuer.faculty.institution_id, []).append(
            assertion
        )
    for batch in by_institution.values():
        audit_log(
            actor=actor,
            action="assertion_sign_retry",
            objects=batch,
            institution=batch[0].badge_class.issuer.faculty.institution,
            summary=lambda assertion: f"{assertion.badge_class} #{assertion.public_id}",
        )
    _queue_signing_many([assertion.pk for assertion in candidates])
    return len(candidates)


@transaction.atomic
def assertion_revoke(*, actor, assertion: Assertion, reason: str) -> Assertion:
    if not has_perm(actor, Action.AWARD, assertion.badge_class):
        raise PermissionDenied(_("You may not revoke this badge."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for the revocation.")})
    locked = Assertion.objects.select_for_update().get(pk=assertion.pk)
    if locked.status == Assertion.Status.REVOKED:
        return locked
    locked.status = Assertion.Status.REVOKED
    locked.revoked_at = timezone.now()
    locked.revocation_reason = reason
    locked.save(update_fields=["status", "revoked_at", "revocation_reason", "updated_at"])
    published.published_refresh(locked)
    if locked.status_list_id is not None:
        status_lists.status_list_publish(status_list_id=locked.status_list_id)
    audit_log(
        actor=actor,
        action="assertion_revoke",
        obj=locked,
        institution=locked.badge_class.institution,
        summary=reason,
    )
    return locked
