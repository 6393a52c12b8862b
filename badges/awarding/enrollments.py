"""Self-enrolment: a student requests a badge class open for enrolment; awarders approve
(one or many) or deny with a reason; the student is told.

A request is the student's claim made in advance: they went through the consent step to
make it. Approval therefore issues the badge at once while that consent or acknowledgement
is still valid; if it is not (withdrawn, or a new statement version), approval becomes an
offer the student claims, through the consent step again. Approving twice issues nothing
twice: the enrolment row is locked and its award is unique.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from issuers.audit import audit_log
from issuers.permissions import Action, has_perm
from privacy.services import has_valid_consent

from ..models import Award, BadgeClass, Enrollment
from . import audit
from .awards import _mark_offered, check_override, issue_award
from .notifications import Kind, notification_queue
from .rules import (
    ConsentRequired,
    PrerequisitesMissing,
    Recipient,
    ensure_awardable,
    has_open_award,
    holds,
    missing_prerequisites,
    url_is_valid,
)


def _institution(badge_class: BadgeClass):
    return badge_class.issuer.faculty.institution


def _summary(enrollment: Enrollment) -> str:
    return f"{enrollment.badge_class} · enrolment {enrollment.pk}"


def _recipient(user) -> Recipient:
    return Recipient.of(user=user, email=user.email, eppn=getattr(user, "eppn", ""))


def open_for_enrollment(badge_class: BadgeClass) -> bool:
    return badge_class.self_enrollment_enabled and not badge_class.archived


@transaction.atomic
def enrollment_request(
    *, user, badge_class: BadgeClass, narrative: str = "", evidence_url: str = ""
) -> Enrollment:
    """Request ``badge_class``. Submitting the same request twice returns the first."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Sign in to request this badge."))
    if not open_for_enrollment(badge_class):
        raise ValidationError(_("This badge is not open for enrolment."))
    ensure_awardable(badge_class)
    institution = _institution(badge_class)
    if not has_valid_consent(user=user, institution=institution, badge_type=badge_class.badge_type):
        raise ConsentRequired()
    errors: dict[str, list] = {}
    if badge_class.narrative_required and not narrative.strip():
        errors["narrative"] = [_("Describe how you earned this badge.")]
    if evidence_url and not url_is_valid(evidence_url):
        errors["evidence_url"] = [_("Enter a valid http(s) URL.")]
    elif badge_class.evidence_required and not evidence_url.strip():
        errors["evidence_url"] = [_("This badge asks for evidence: give a link to your work.")]
    if errors:
        raise ValidationError(errors)
    pending = (
        Enrollment.objects.select_for_update()
        .filter(badge_class=badge_class, user=user, status=Enrollment.Status.PENDING)
        .first()
    )
    if pending is not None:
        return pending
    recipient = _recipient(user)
    if holds(badge_class, recipient):
        raise ValidationError(_("You already hold this badge."))
    if has_open_award(badge_class, recipient):
        raise ValidationError(
            _("This badge has already been offered to you: claim it from your badges page.")
        )
    missing = missing_prerequisites(badge_class, recipient)
    if missing:
        raise ValidationError(
            _("First earn the badges this one builds on: %(names)s.")
            % {"names": ", ".join(f"“{badge.name}”" for badge in missing)}
        )
    enrollment = Enrollment.objects.create(
        badge_class=badge_class,
        user=user,
        narrative=narrative.strip(),
        evidence_url=evidence_url.strip(),
    )
    audit_log(
        actor=user,
        action="enrollment_request",
        obj=enrollment,
        institution=institution,
        summary=_summary(enrollment),
    )
    return enrollment


@transaction.atomic
def enrollment_withdraw(*, user, enrollment: Enrollment) -> Enrollment:
    """The student withdraws their own pending request."""
    locked = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
    if locked.user_id != user.pk:
        raise PermissionDenied(_("This is not your request."))
    if locked.status == Enrollment.Status.WITHDRAWN:
        return locked
    if locked.status != Enrollment.Status.PENDING:
        raise ValidationError(_("Only a pending request can be withdrawn."))
    locked.status = Enrollment.Status.WITHDRAWN
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_at"])
    audit_log(
        actor=user,
        action="enrollment_withdraw",
        obj=locked,
        institution=_institution(locked.badge_class),
        summary=_summary(locked),
    )
    return locked


def _lock(enrollment: Enrollment) -> Enrollment:
    return (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("badge_class__issuer__faculty__institution", "user")
        .get(pk=enrollment.pk)
    )


@transaction.atomic
def enrollment_approve(
    *,
    actor,
    enrollment: Enrollment,
    override_prerequisites: bool = False,
    override_reason: str = "",
) -> Award:
    """Approve a pending request: the badge is issued (or offered, see the module's
    docstring) and the student told. Approving it again returns the same award."""
    if not has_perm(actor, Action.AWARD, enrollment.badge_class):
        raise PermissionDenied(_("You may not approve requests for this badge."))
    locked = _lock(enrollment)
    if locked.status == Enrollment.Status.APPROVED:
        existing = Award.objects.filter(enrollment=locked).first()
        if existing is not None:
            return existing
    if locked.status != Enrollment.Status.PENDING:
        raise ValidationError(_("This request has already been decided or withdrawn."))
    badge_class = locked.badge_class
    ensure_awardable(badge_class)
    check_override(
        actor=actor,
        badge_class=badge_class,
        override=override_prerequisites,
        reason=override_reason,
    )
    user = locked.user
    recipient = _recipient(user)
    recipient.email = recipient.address
    if holds(badge_class, recipient):
        raise ValidationError(_("The student already holds this badge."))
    missing = missing_prerequisites(badge_class, recipient)
    if missing and not override_prerequisites:
        raise PrerequisitesMissing(missing)
    now = timezone.now()
    institution = _institution(badge_class)
    award = Award(
        badge_class=badge_class,
        recipient=user,
        recipient_email=recipient.address,
        recipient_eppn=(getattr(user, "eppn", "") or "").lower(),
        recipient_name=user.get_full_name() if user.get_full_name() != user.email else "",
        narrative=locked.narrative,
        evidence_url=locked.evidence_url,
        created_by=actor,
        created_at=now,
        enrollment=locked,
        prerequisites_overridden=bool(missing),
        override_reason=override_reason.strip() if missing else "",
    )
    _mark_offered(award, now)
    award.save()
    locked.status = Enrollment.Status.APPROVED
    locked.decided_by = actor
    locked.decided_at = now
    locked.save(update_fields=["status", "decided_by", "decided_at"])
    audit_log(
        actor=actor,
        action="enrollment_approve",
        obj=locked,
        institution=institution,
        summary=_summary(locked),
        data={"award": str(award.public_id)},
    )
    if missing:
        audit_log(
            actor=actor,
            action="prerequisites_override",
            obj=award,
            institution=institution,
            summary=audit.award_summary(award),
            data={"missing": [str(b.public_id) for b in missing], "reason": award.override_reason},
        )
    if has_valid_consent(user=user, institution=institution, badge_type=badge_class.badge_type):
        issue_award(award=award, actor=actor, recipient=recipient, direct=False)
    notification_queue(Kind.ENROLLMENT_APPROVED, enrollment=locked)
    return award


@dataclass
class BulkApproval:
    approved: list[Enrollment]
    refused: list[tuple[Enrollment, str]]


def enrollments_approve(*, actor, enrollments) -> BulkApproval:
    """Approve many requests; each in its own savepoint, so that one refused (missing
    prerequisites, say) leaves the others approved. Returns what was approved and why the
    others were not."""
    result = BulkApproval(approved=[], refused=[])
    for enrollment in enrollments:
        try:
            with transaction.atomic():
                enrollment_approve(actor=actor, enrollment=enrollment)
        except (ValidationError, PermissionDenied) as error:
            message = " ".join(getattr(error, "messages", [])) or str(error)
            result.refused.append((enrollment, message))
        else:
            result.approved.append(enrollment)
    return result


@transaction.atomic
def enrollment_deny(*, actor, enrollment: Enrollment, reason: str) -> Enrollment:
    """Deny a pending request with a reason, which the student is told."""
    if not has_perm(actor, Action.AWARD, enrollment.badge_class):
        raise PermissionDenied(_("You may not decide requests for this badge."))
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Tell the student why the request is denied.")})
    locked = _lock(enrollment)
    if locked.status == Enrollment.Status.DENIED:
        return locked
    if locked.status != Enrollment.Status.PENDING:
        raise ValidationError(_("This request has already been decided or withdrawn."))
    locked.status = Enrollment.Status.DENIED
    locked.denial_reason = reason
    locked.decided_by = actor
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "denial_reason", "decided_by", "decided_at"])
    audit_log(
        actor=actor,
        action="enrollment_deny",
        obj=locked,
        institution=_institution(locked.badge_class),
        summary=_summary(locked),
    )
    notification_queue(Kind.ENROLLMENT_DENIED, enrollment=locked)
    return locked
