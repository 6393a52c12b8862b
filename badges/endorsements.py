"""Endorsements: an issuer of one institution, or an endorsing body the platform admins
registered (``Institution.Kind.ENDORSING_BODY``), vouches for a badge class or an issuer of
an institution. The endorser's admins ask, the endorsed side's admins accept or decline (each
side is told by email); an accepted endorsement is signed after commit (OB 2.0 hosted and JWS, OB 3.0 EndorsementCredential with
an ``eddsa-rdfc-2022`` proof) with the endorser's keys, and withdrawing it revokes it."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from badge_credentials import data_integrity, jws
from issuers import signing
from issuers.audit import audit_log
from issuers.models import Issuer
from issuers.permissions import Action, has_perm

from . import credentials, endorsement_notifications, links
from .models import BadgeClass, Endorsement

logger = logging.getLogger(__name__)

PENDING_GRACE = timedelta(minutes=2)
OPEN = (Endorsement.Status.REQUESTED, Endorsement.Status.ACCEPTED, Endorsement.Status.ISSUED)

ACTION_LABELS = {
    "endorsement_request": gettext_lazy("Endorsement offered"),
    "endorsement_accept": gettext_lazy("Endorsement accepted"),
    "endorsement_decline": gettext_lazy("Endorsement declined"),
    "endorsement_issue": gettext_lazy("Endorsement signed"),
    "endorsement_withdraw": gettext_lazy("Endorsement withdrawn"),
}


def may_decide(user, endorsement: Endorsement) -> bool:
    """The admins of the endorsed badge class or issuer accept or decline."""
    return has_perm(user, Action.CHANGE, endorsement.target)


def may_withdraw(user, endorsement: Endorsement) -> bool:
    """The endorser's admins withdraw what their issuer said."""
    return has_perm(user, Action.ENDORSE, endorsement.endorser)


def _queue_signing(endorsement_id: int) -> None:
    from .tasks import sign_endorsement

    sign_endorsement.delay_on_commit(endorsement_id)


@transaction.atomic
def endorsement_request(
    *,
    actor,
    endorser: Issuer,
    comment: str,
    badge_class: BadgeClass | None = None,
    issuer: Issuer | None = None,
) -> Endorsement:
    """The endorser's admin offers an endorsement; the endorsed side decides."""
    if (badge_class is None) == (issuer is None):
        raise ValueError("endorse a badge class or an issuer")
    if not has_perm(actor, Action.ENDORSE, endorser):
        raise PermissionDenied(_("You may not endorse in the name of this issuer."))
    target_issuer = issuer or badge_class.issuer
    if target_issuer.faculty.institution.is_endorsing_body:
        raise ValidationError(
            {"endorser": _("Endorsing bodies endorse; they are not endorsed themselves.")}
        )
    if target_issuer.faculty.institution_id == endorser.faculty.institution_id:
        raise ValidationError(
            {"endorser": _("Endorsements come from another institution than your own.")}
        )
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": _("Say why you endorse it.")})
    existing = Endorsement.objects.filter(
        endorser=endorser, badge_class=badge_class, issuer=issuer, status__in=OPEN
    )
    if existing.exists():
        raise ValidationError(
            {"endorser": _("This issuer has already endorsed it, or the request is waiting.")}
        )
    endorsement = Endorsement.objects.create(
        endorser=endorser,
        badge_class=badge_class,
        issuer=issuer,
        comment=comment,
        created_by=actor,
    )
    audit_log(
        actor=actor,
        action="endorsement_request",
        obj=endorsement,
        institution=endorser.faculty.institution,
        summary=str(endorsement),
    )
    endorsement_notifications.queue_offered(endorsement)
    return endorsement


def _locked(endorsement: Endorsement) -> Endorsement:
    return (
        Endorsement.objects.select_for_update(of=("self",))
        .select_related("endorser__faculty__institution", "badge_class__issuer", "issuer")
        .get(pk=endorsement.pk)
    )


@transaction.atomic
def endorsement_accept(*, actor, endorsement: Endorsement) -> Endorsement:
    endorsement = _locked(endorsement)
    if not may_decide(actor, endorsement):
        raise PermissionDenied(_("You may not decide on this endorsement."))
    if endorsement.status != Endorsement.Status.REQUESTED:
        raise ValidationError(_("This endorsement has been decided on already."))
    endorsement.status = Endorsement.Status.ACCEPTED
    endorsement.decided_by = actor
    endorsement.decided_at = timezone.now()
    endorsement.save(update_fields=["status", "decided_by", "decided_at"])
    audit_log(
        actor=actor,
        action="endorsement_accept",
        obj=endorsement,
        institution=endorsement.target_issuer.faculty.institution,
        summary=str(endorsement),
    )
    endorsement_notifications.queue_decided(endorsement)
    _queue_signing(endorsement.pk)
    return endorsement


@transaction.atomic
def endorsement_decline(*, actor, endorsement: Endorsement, reason: str = "") -> Endorsement:
    endorsement = _locked(endorsement)
    if not may_decide(actor, endorsement):
        raise PermissionDenied(_("You may not decide on this endorsement."))
    if endorsement.status != Endorsement.Status.REQUESTED:
        raise ValidationError(_("This endorsement has been decided on already."))
    endorsement.status = Endorsement.Status.DECLINED
    endorsement.decided_by = actor
    endorsement.decided_at = timezone.now()
    endorsement.decline_reason = reason.strip()
    endorsement.save(update_fields=["status", "decided_by", "decided_at", "decline_reason"])
    audit_log(
        actor=actor,
        action="endorsement_decline",
        obj=endorsement,
        institution=endorsement.target_issuer.faculty.institution,
        summary=str(endorsement),
    )
    endorsement_notifications.queue_decided(endorsement)
    return endorsement


def _signed_documents(endorsement: Endorsement) -> dict:
    """Every representation of an accepted endorsement, signed with the endorser's keys."""
    from .issuing import _loader

    keys = signing.signing_keys_ensure(issuer=endorsement.endorser)
    rsa_key, ed_key = keys["RS256"], keys["EdDSA"]
    hosted = credentials.endorsement_v2(endorsement)
    signed = jws.sign_badge(
        credentials.endorsement_v2(endorsement, signing_key=rsa_key),
        signing.private_key(rsa_key),
    )
    proven = data_integrity.add_proof(
        credentials.endorsement_credential_v3(endorsement),
        signing.private_key(ed_key),
        verification_method=links.verification_method(ed_key),
        loader=_loader(),
    )
    return {"ob2_endorsement": hosted, "ob2_jws": signed, "ob3_credential": proven}


@transaction.atomic
def endorsement_sign(*, endorsement_id: int) -> bool:
    """Sign an accepted endorsement; False when it is done already or no longer wanted."""
    endorsement = (
        Endorsement.objects.select_for_update(of=("self",))
        .filter(pk=endorsement_id, status=Endorsement.Status.ACCEPTED)
        .select_related("endorser__faculty__institution", "badge_class__issuer", "issuer")
        .first()
    )
    if endorsement is None:
        return False
    endorsement.issued_on = timezone.now().replace(microsecond=0)
    for name, value in _signed_documents(endorsement).items():
        setattr(endorsement, name, value)
    endorsement.status = Endorsement.Status.ISSUED
    endorsement.save()
    audit_log(
        actor=None,
        action="endorsement_issue",
        obj=endorsement,
        institution=endorsement.target_issuer.faculty.institution,
        summary=str(endorsement),
    )
    return True


@transaction.atomic
def endorsement_withdraw(*, actor, endorsement: Endorsement, reason: str = "") -> Endorsement:
    """The endorser takes it back: a signed endorsement is revoked (status lists say so)."""
    endorsement = _locked(endorsement)
    if not may_withdraw(actor, endorsement):
        raise PermissionDenied(_("You may not withdraw this endorsement."))
    if endorsement.status not in OPEN:
        raise ValidationError(_("This endorsement is no longer in force."))
    endorsement.status = Endorsement.Status.WITHDRAWN
    endorsement.withdrawn_at = timezone.now()
    endorsement.withdrawal_reason = reason.strip()
    endorsement.save(update_fields=["status", "withdrawn_at", "withdrawal_reason"])
    audit_log(
        actor=actor,
        action="endorsement_withdraw",
        obj=endorsement,
        institution=endorsement.endorser.faculty.institution,
        summary=str(endorsement),
    )
    return endorsement


def endorsements_sweep() -> int:
    """Re-queue accepted endorsements whose signing message was lost."""
    stale = list(
        Endorsement.objects.filter(
            status=Endorsement.Status.ACCEPTED,
            decided_at__lt=timezone.now() - PENDING_GRACE,
        ).values_list("pk", flat=True)
    )
    for endorsement_id in stale:
        _queue_signing(endorsement_id)
    if stale:
        logger.info("Re-queued %d endorsements for signing", len(stale))
    return len(stale)
