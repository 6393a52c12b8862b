"""Issuing, signing and revoking assertions.

``assertion_create`` records an assertion waiting for its signature and queues the signing
task after commit. ``assertion_sign`` claims the row atomically (PENDING → SIGNING), so a
retried or duplicated message never signs twice; ``assertions_sweep`` re-queues work that a
lost message or a crashed worker left behind.
"""

from __future__ import annotations

import base64
import functools
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from badge_credentials import baking, data_integrity, hashing, jws, vc_jwt
from badge_credentials.contexts import document_loader
from badge_credentials.extension import extension_documents
from issuers import signing
from issuers.audit import audit_log
from issuers.permissions import Action, has_perm

from . import credentials, links, published, status_lists
from .models import Assertion, AssertionDocuments, BadgeClass

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


def _queue_signing(assertion_id: int) -> None:
    """Queue the signing after commit; a broker that is down leaves it to the sweep."""
    from .tasks import sign_assertion

    sign_assertion.delay_on_commit(assertion_id)


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


def _loader():
    return _loader_for(settings.SITE_URL)


@functools.cache
def _loader_for(site_url: str):
    """One loader per process, so that compiled credential templates are reused."""
    return document_loader(extension_documents(site_url))


def _signed_documents(assertion: Assertion) -> dict:
    """Build and sign every representation of ``assertion``; touches no database row."""
    issuer = assertion.badge_class.issuer
    keys = signing.signing_keys_ensure(issuer=issuer)
    rsa_key, ed_key = keys["RS256"], keys["EdDSA"]
    rsa_private, ed_private = signing.private_key(rsa_key), signing.private_key(ed_key)
    identity = assertion.recipient_identity

    hosted = credentials.assertion_v2(assertion, identity=identity)
    signed_payload = credentials.assertion_v2(assertion, identity=identity, signing_key=rsa_key)
    ob2_jws = jws.sign_badge(signed_payload, rsa_private)

    credential = credentials.credential_v3(assertion, identity=identity)
    proven = data_integrity.add_proof(
        credential,
        ed_private,
        verification_method=links.verification_method(ed_key),
        loader=_loader(),
    )
    ob3_jwt = vc_jwt.sign_vc_jwt(credential, rsa_private, kid=links.verification_method(rsa_key))

    image = bytes(assertion.badge_class.image.open("rb").read())
    assertion.badge_class.image.close()
    if image.startswith(b"\x89PNG"):
        baked_png = baking.bake(baking.bake(image, hosted, ob_version=2), proven, ob_version=3)
        svg_source = _svg_wrapping_png(image)
    else:
        baked_png = None
        svg_source = image
    # An SVG carries one badge: the OB 2.0 assertion in image.svg, the OB 3.0 credential in
    # credential.svg. A PNG carries both.
    baked_svg = baking.bake(svg_source, hosted, ob_version=2)
    baked_svg_credential = baking.bake(svg_source, proven, ob_version=3)
    return {
        "ob2_assertion": hosted,
        "ob2_jws": ob2_jws,
        "ob3_credential": proven,
        "ob3_jwt": ob3_jwt,
        "baked_png": baked_png,
        "baked_svg": baked_svg,
        "baked_svg_credential": baked_svg_credential,
    }


def _svg_wrapping_png(png: bytes) -> bytes:
    import io

    from PIL import Image

    with Image.open(io.BytesIO(png)) as picture:
        width, height = picture.size
    encoded = base64.b64encode(png).decode("ascii")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><image width="{width}" height="{height}" '
        f'href="data:image/png;base64,{encoded}"/></svg>'
    ).encode()


def assertion_sign(*, assertion_id: int) -> bool:
    """Sign a pending assertion. Returns False when another worker has it or it is done.

    The claim counts the attempt; the result is written only while that claim still holds
    (same status and attempt), so a run the sweep gave up on never overwrites a later one.
    """
    claimed = Assertion.objects.filter(pk=assertion_id, status=Assertion.Status.PENDING).update(
        status=Assertion.Status.SIGNING,
        signing_attempts=F("signing_attempts") + 1,
        updated_at=timezone.now(),
    )
    if not claimed:
        return False
    assertion = Assertion.objects.select_related(
        "badge_class__issuer__faculty__institution", "status_list__issuer"
    ).get(pk=assertion_id)
    attempt = assertion.signing_attempts
    try:
        status_lists.status_bits_allocate(assertions=[assertion])
        documents = _signed_documents(assertion)
    except Exception as error:
        _signing_failed(assertion, attempt=attempt, error=type(error).__name__)
        raise
    with transaction.atomic():
        updated = Assertion.objects.filter(
            pk=assertion_id, status=Assertion.Status.SIGNING, signing_attempts=attempt
        ).update(status=Assertion.Status.ISSUED, signing_error="", updated_at=timezone.now())
        if updated:
            assertion.status = Assertion.Status.ISSUED
            stored = AssertionDocuments(assertion=assertion, **documents)
            stored.refresh_published(assertion)
            stored.save()
            audit_log(
                actor=None,
                action="assertion_issue",
                obj=assertion,
                institution=assertion.badge_class.institution,
                summary=f"{assertion.badge_class} #{assertion.public_id}",
            )
    return bool(updated)


@transaction.atomic
def _signing_failed(assertion: Assertion, *, attempt: int, error: str) -> None:
    """Put a failed attempt back for a retry, or, after the last one, mark it failed."""
    given_up = attempt >= MAX_SIGNING_ATTEMPTS
    updated = Assertion.objects.filter(
        pk=assertion.pk, status=Assertion.Status.SIGNING, signing_attempts=attempt
    ).update(
        status=Assertion.Status.FAILED if given_up else Assertion.Status.PENDING,
        signing_error=error[:255],
        updated_at=timezone.now(),
    )
    if updated and given_up:
        _audit_signing_failed([assertion], error=error)


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
    for assertion_id in requeue:
        _queue_signing(assertion_id)
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
    for assertion in candidates:
        _queue_signing(assertion.pk)
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
