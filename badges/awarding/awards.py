"""Awards: an offer of a badge to one recipient, by email or eppn.

    scheduled ──(date reached)──► offered ──► claimed | declined | expired | withdrawn
                                     └──(type issues directly)──► claimed, with the badge

Where the institution chose to issue a type directly on award (never under consent), the
award is claimed at once and the badge created; otherwise the recipient gets an email with a
claim link, reminders (``AWARD_REMINDER_DAYS``) and, unclaimed, the offer expires after
``AWARD_EXPIRY_DAYS``. The periodic runs (release, reminders, expiry) claim their rows with
``select_for_update(skip_locked=True)`` and a status condition, so two runs never both act.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from issuers.audit import audit_log
from issuers.permissions import Action, has_perm
from privacy.models import PrivacyPolicy

from .. import issuing, links
from ..models import Award, BadgeClass
from . import audit
from .notifications import Kind, notification_queue, notifications_queue_many
from .rules import (
    PrerequisitesMissing,
    Recipient,
    email_is_valid,
    ensure_awardable,
    eppn_is_valid,
    has_open_award,
    holds,
    missing_prerequisites,
    normalise_email,
    normalise_eppn,
    url_is_valid,
)

BATCH_SIZE = 500
logger = logging.getLogger(__name__)


def offer_expiry(offered_at: datetime) -> datetime:
    return offered_at + timedelta(days=settings.AWARD_EXPIRY_DAYS)


def issues_directly(badge_class: BadgeClass) -> bool:
    """The institution issues this type straight into the backpack; never under consent."""
    policy = PrivacyPolicy.objects.for_type(
        badge_class.issuer.faculty.institution, badge_class.badge_type
    )
    return bool(policy and policy.issue_directly_on_award and not policy.requires_consent)


def may_override_prerequisites(actor, badge_class: BadgeClass) -> bool:
    """Only admins (of the badge's issuer or above) may award without the prerequisites."""
    return has_perm(actor, Action.CHANGE, badge_class)


def check_override(*, actor, badge_class: BadgeClass, override: bool, reason: str) -> None:
    if not override:
        return
    if not may_override_prerequisites(actor, badge_class):
        raise PermissionDenied(_("Only an admin may override the prerequisites."))
    if not reason.strip():
        raise ValidationError(
            {"override_reason": _("Give the reason why the prerequisites are overridden.")}
        )


def evidence_url_for(award: Award) -> str:
    """The evidence link on the credential: the URL given, else the uploaded file's page."""
    if award.evidence_url:
        return award.evidence_url
    if award.evidence_file:
        from django.urls import reverse

        return links.absolute(reverse("students:evidence", args=[award.public_id]))
    return ""


def _validate_recipient(badge_class: BadgeClass, *, email: str, eppn: str) -> dict:
    errors: dict[str, list] = {}
    if not email and not eppn:
        errors["email"] = [_("Enter the recipient's email address or eppn.")]
    if email and not email_is_valid(email):
        errors["email"] = [_("Enter a valid email address.")]
    if eppn and not eppn_is_valid(badge_class.issuer.faculty.institution, eppn):
        errors["eppn"] = [
            _("This eppn does not match the pattern of %(institution)s.")
            % {"institution": badge_class.issuer.faculty.institution.name}
        ]
    return errors


def _validate_content(
    badge_class: BadgeClass, *, narrative: str, evidence_url: str, evidence_file
) -> dict:
    errors: dict[str, list] = {}
    if badge_class.narrative_required and not narrative.strip():
        errors["narrative"] = [_("This badge requires a narrative: how was it earned?")]
    if evidence_url and not url_is_valid(evidence_url):
        errors["evidence_url"] = [_("Enter a valid http(s) URL.")]
    if badge_class.evidence_required and not (evidence_url or evidence_file):
        errors["evidence_url"] = [_("This badge requires evidence: a URL or a file.")]
    return errors


@transaction.atomic
def award_create(
    *,
    actor,
    badge_class: BadgeClass,
    email: str = "",
    eppn: str = "",
    recipient_name: str = "",
    narrative: str = "",
    evidence_url: str = "",
    evidence_file=None,
    grade: str = "",
    recipient_language: str = "",
    scheduled_for: datetime | None = None,
    override_prerequisites: bool = False,
    override_reason: str = "",
) -> Award:
    """Award ``badge_class`` to one recipient (email, eppn or both).

    Refuses, with field-level errors, a recipient who already holds the badge or has an open
    offer of it, and one without the required badges (``PrerequisitesMissing``) unless an
    admin overrides the prerequisites with a reason, which the audit trail records.
    """
    if not has_perm(actor, Action.AWARD, badge_class):
        raise PermissionDenied(_("You may not award this badge."))
    ensure_awardable(badge_class)
    email, eppn = normalise_email(email), normalise_eppn(eppn)
    now = timezone.now()
    errors = _validate_recipient(badge_class, email=email, eppn=eppn)
    errors |= _validate_content(
        badge_class, narrative=narrative, evidence_url=evidence_url, evidence_file=evidence_file
    )
    if scheduled_for is not None and scheduled_for <= now:
        errors["scheduled_for"] = [_("Choose a moment in the future, or leave it empty.")]
    if errors:
        raise ValidationError(errors)
    check_override(
        actor=actor,
        badge_class=badge_class,
        override=override_prerequisites,
        reason=override_reason,
    )
    # Serialises awards of one badge, so that two awarders cannot both offer it to the
    # same person at the same moment.
    BadgeClass.objects.select_for_update().filter(pk=badge_class.pk).first()
    recipient = Recipient.of(email=email, eppn=eppn)
    if holds(badge_class, recipient):
        raise ValidationError({"email": [_("The recipient already holds this badge.")]})
    if has_open_award(badge_class, recipient):
        raise ValidationError(
            {"email": [_("This badge has already been offered to the recipient.")]}
        )
    missing = missing_prerequisites(badge_class, recipient)
    if missing and not override_prerequisites:
        raise PrerequisitesMissing(missing)

    award = Award(
        badge_class=badge_class,
        recipient_email=email,
        recipient_eppn=eppn,
        recipient_name=recipient_name.strip(),
        narrative=narrative.strip(),
        evidence_url=evidence_url.strip(),
        grade=grade.strip(),
        recipient_language=recipient_language if recipient_language in ("nl", "en") else "",
        created_by=actor,
        created_at=now,
        prerequisites_overridden=bool(missing),
        override_reason=override_reason.strip() if missing else "",
    )
    if evidence_file:
        # A name nobody can guess, should the media folder ever be served as it is.
        suffix = PurePosixPath(getattr(evidence_file, "name", "") or "").suffix.lower()[:10]
        evidence_file.name = f"{secrets.token_urlsafe(18)}{suffix}"
        award.evidence_file = evidence_file
    if scheduled_for is not None:
        award.status = Award.Status.SCHEDULED
        award.scheduled_for = scheduled_for
    else:
        _mark_offered(award, now)
    award.save()
    institution = badge_class.issuer.faculty.institution
    audit_log(
        actor=actor,
        action="award_schedule" if scheduled_for else "award_create",
        obj=award,
        institution=institution,
        summary=audit.award_summary(award),
        data={"scheduled_for": scheduled_for.isoformat()} if scheduled_for else {},
    )
    if missing:
        audit_log(
            actor=actor,
            action="prerequisites_override",
            obj=award,
            institution=institution,
            summary=audit.award_summary(award),
            data={
                "missing": [str(badge.public_id) for badge in missing],
                "reason": award.override_reason,
            },
        )
    if award.status == Award.Status.OFFERED:
        after_offer(award=award, actor=actor, recipient=recipient)
    return award


def _mark_offered(award: Award, now: datetime) -> None:
    award.status = Award.Status.OFFERED
    award.offered_at = now
    award.expires_at = offer_expiry(now)


def after_offer(*, award: Award, actor, recipient: Recipient | None = None) -> None:
    """An award has just become an offer: issue it directly where the institution chose
    so, else tell the recipient. Runs inside the transaction that made the offer."""
    recipient = recipient or Recipient.of(email=award.recipient_email, eppn=award.recipient_eppn)
    if issues_directly(award.badge_class) and recipient.address:
        issue_award(award=award, actor=actor, recipient=recipient, direct=True)
        return
    notification_queue(Kind.AWARD_OFFERED, award=award)


@dataclass
class DirectIssue:
    """New offers of one badge class whose type issues directly (a bulk award), split by
    :func:`awards_prepare_direct` before they are inserted: those to issue, with the account
    and address of each, and those that stay offers (no address to issue to)."""

    issue: list[tuple[Award, object, str]]
    offer: list[Award]


def awards_prepare_direct(awards: list[Award]) -> DirectIssue:
    """``after_offer`` for a batch, first half: mark the awards to issue as claimed before
    they are inserted, looking the recipients' accounts up in one query."""
    accounts = _accounts_of(awards)
    now = timezone.now()
    plan = DirectIssue(issue=[], offer=[])
    for award in awards:
        email, eppn = normalise_email(award.recipient_email), normalise_eppn(award.recipient_eppn)
        user = accounts.get(("email", email)) if email else None
        if user is None and eppn:
            user = accounts.get(("eppn", eppn))
        address = email or (normalise_email(user.email) if user is not None else "")
        if not address:
            plan.offer.append(award)
            continue
        award.status = Award.Status.CLAIMED
        award.decided_at = now
        award.issued_directly = True
        if user is not None:
            award.recipient = user
        plan.issue.append((award, user, address))
    return plan


def awards_issue_prepared(*, plan: DirectIssue, badge_class: BadgeClass, actor) -> None:
    """Second half, once the awards are inserted: record their badges in one INSERT (signed
    in batches), audit, and tell those whose award stays an offer."""
    if plan.issue:
        issuing.assertions_create_many(
            actor=actor,
            badge_class=badge_class,
            recipients=[
                issuing.NewAssertion(
                    email=address,
                    recipient=user,
                    recipient_name=award.recipient_name or (user.get_full_name() if user else ""),
                    narrative=award.narrative,
                    evidence_url=evidence_url_for(award),
                    grade=award.grade,
                    award=award,
                )
                for award, user, address in plan.issue
            ],
        )
        audit_log(
            actor=actor,
            action="award_issue_direct",
            objects=[award for award, _user, _address in plan.issue],
            institution=badge_class.issuer.faculty.institution,
            summary=audit.award_summary,
        )
    if plan.offer:
        notifications_queue_many(Kind.AWARD_OFFERED, plan.offer)


def _accounts_of(awards: list[Award]) -> dict[tuple[str, str], object]:
    """Active accounts by lower-cased email and eppn, for ``awards``' recipients, in one
    query (as :func:`find_user`: the address first, then the eppn)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q
    from django.db.models.functions import Lower

    emails = {normalise_email(award.recipient_email) for award in awards} - {""}
    eppns = {normalise_eppn(award.recipient_eppn) for award in awards} - {""}
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .annotate(email_key=Lower("email"), eppn_key=Lower("eppn"))
        .filter(Q(email_key__in=emails) | Q(eppn_key__in=eppns))
        .order_by("-pk")
    )
    found: dict[tuple[str, str], object] = {}
    for user in users:  # the oldest account wins, as with ``.first()``
        found[("email", user.email_key)] = user
        if user.eppn_key:
            found[("eppn", user.eppn_key)] = user
    return found


def issue_award(*, award: Award, actor, recipient: Recipient, direct: bool) -> None:
    """Turn an offered award into a badge: claimed, with an assertion queued for signing.
    The recipient of a badge issued directly is told once it is signed (``badges.issuing``)."""
    now = timezone.now()
    award.status = Award.Status.CLAIMED
    award.decided_at = now
    award.issued_directly = direct
    if recipient.user is not None:
        award.recipient = recipient.user
    award.save(update_fields=["status", "decided_at", "issued_directly", "recipient"])
    user = recipient.user
    issuing.assertion_create(
        actor=actor,
        badge_class=award.badge_class,
        email=recipient.address,
        recipient=user,
        recipient_name=award.recipient_name or (user.get_full_name() if user else ""),
        narrative=award.narrative,
        evidence_url=evidence_url_for(award),
        grade=award.grade,
        award=award,
        check_permission=False,
    )
    if direct:
        audit_log(
            actor=actor,
            action="award_issue_direct",
            obj=award,
            institution=award.badge_class.issuer.faculty.institution,
            summary=audit.award_summary(award),
        )


# --- withdrawal ------------------------------------------------------------------------------


@transaction.atomic
def award_withdraw(*, actor, award: Award, reason: str = "") -> Award:
    """Withdraw a scheduled or offered award; the recipient is told when the offer had gone
    out. Withdrawing twice changes nothing."""
    if not has_perm(actor, Action.AWARD, award.badge_class):
        raise PermissionDenied(_("You may not withdraw this award."))
    locked = (
        Award.objects.select_for_update(of=("self",)).select_related("badge_class").get(pk=award.pk)
    )
    if locked.status == Award.Status.WITHDRAWN:
        return locked
    if locked.status not in (Award.Status.SCHEDULED, Award.Status.OFFERED):
        raise ValidationError(
            _("Only an award that has not been claimed, declined or expired can be withdrawn.")
        )
    was_offered = locked.status == Award.Status.OFFERED
    locked.status = Award.Status.WITHDRAWN
    locked.decided_at = timezone.now()
    locked.withdrawal_reason = reason.strip()
    locked.save(update_fields=["status", "decided_at", "withdrawal_reason"])
    audit_log(
        actor=actor,
        action="award_withdraw",
        obj=locked,
        institution=locked.badge_class.issuer.faculty.institution,
        summary=audit.award_summary(locked),
        data={"reason": locked.withdrawal_reason},
    )
    if was_offered:
        notification_queue(Kind.AWARD_WITHDRAWN, award=locked)
    return locked


@transaction.atomic
def awards_withdraw(*, actor, awards, reason: str = "") -> int:
    """Withdraw many awards; those already closed are left as they are. Returns how many
    were withdrawn."""
    count = 0
    for award in awards:
        if award.status in (Award.Status.SCHEDULED, Award.Status.OFFERED):
            award_withdraw(actor=actor, award=award, reason=reason)
            count += 1
    return count


# --- periodic runs -----------------------------------------------------------------------------


def _claim_batch(queryset) -> list[int]:
    return list(
        queryset.select_for_update(skip_locked=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:BATCH_SIZE]
    )


def awards_release_due(*, now: datetime | None = None) -> int:
    """Send the scheduled awards whose moment has come. Returns how many went out."""
    now = now or timezone.now()
    released = 0
    failed: list[int] = []
    due = Award.objects.filter(status=Award.Status.SCHEDULED, scheduled_for__lte=now)
    while True:
        with transaction.atomic():
            ids = _claim_batch(due.exclude(pk__in=failed))
            if not ids:
                if failed:
                    logger.error("Scheduled awards not released: %s", failed)
                return released
            for award in Award.objects.filter(pk__in=ids).select_related(
                "badge_class__issuer__faculty__institution"
            ):
                try:
                    with transaction.atomic():
                        _release(award, now)
                except Exception:
                    # One broken award must not hold back the others; the next run tries
                    # it again.
                    logger.exception("Releasing scheduled award %s failed", award.pk)
                    failed.append(award.pk)
                else:
                    released += 1


def _release(award: Award, now: datetime) -> None:
    institution = award.badge_class.issuer.faculty.institution
    try:
        ensure_awardable(award.badge_class)
    except ValidationError as error:
        award.status = Award.Status.WITHDRAWN
        award.decided_at = now
        award.withdrawal_reason = " ".join(error.messages)
        award.save(update_fields=["status", "decided_at", "withdrawal_reason"])
        audit_log(
            actor=None,
            action="award_withdraw",
            obj=award,
            institution=institution,
            summary=audit.award_summary(award),
            data={"reason": award.withdrawal_reason},
        )
        return
    _mark_offered(award, now)
    award.save(update_fields=["status", "offered_at", "expires_at"])
    audit_log(
        actor=None,
        action="award_release",
        obj=award,
        institution=institution,
        summary=audit.award_summary(award),
    )
    after_offer(award=award, actor=None)


def reminders_due(award: Award, now: datetime) -> int:
    """How many reminders should have gone out for ``award`` by ``now``."""
    if award.offered_at is None:
        return 0
    age = now - award.offered_at
    return sum(1 for days in settings.AWARD_REMINDER_DAYS if age >= timedelta(days=days))


def awards_send_reminders(*, now: datetime | None = None) -> int:
    """Remind recipients of offers they have not claimed: one email per reminder day that
    has passed; a run that missed one sends only the latest. Returns the reminders sent."""
    now = now or timezone.now()
    days = settings.AWARD_REMINDER_DAYS
    if not days:
        return 0
    sent = 0
    candidates = Award.objects.filter(
        status=Award.Status.OFFERED,
        reminders_sent__lt=len(days),
        offered_at__lte=now - timedelta(days=days[0]),
        expires_at__gt=now,
    )
    last_pk = 0
    while True:
        with transaction.atomic():
            batch = list(
                candidates.filter(pk__gt=last_pk)
                .select_for_update(skip_locked=True)
                .order_by("pk")
                .only("pk", "offered_at", "reminders_sent")[:BATCH_SIZE]
            )
            if not batch:
                return sent
            last_pk = batch[-1].pk
            by_sequence: dict[int, list[Award]] = {}
            for award in batch:
                due = reminders_due(award, now)
                if due <= award.reminders_sent:
                    continue
                changed = Award.objects.filter(
                    pk=award.pk, status=Award.Status.OFFERED, reminders_sent=award.reminders_sent
                ).update(reminders_sent=due)
                if changed:
                    by_sequence.setdefault(due, []).append(award)
            for sequence, awards in by_sequence.items():
                sent += notifications_queue_many(Kind.AWARD_REMINDER, awards, sequence=sequence)


def awards_expire(*, now: datetime | None = None) -> int:
    """Expire offers nobody claimed in time and tell the recipients. Returns how many."""
    now = now or timezone.now()
    expired = 0
    due = Award.objects.filter(status=Award.Status.OFFERED, expires_at__lte=now)
    while True:
        with transaction.atomic():
            ids = _claim_batch(due)
            if not ids:
                return expired
            Award.objects.filter(pk__in=ids, status=Award.Status.OFFERED).update(
                status=Award.Status.EXPIRED, decided_at=now
            )
            awards = list(
                Award.objects.filter(pk__in=ids).select_related(
                    "badge_class__issuer__faculty__institution"
                )
            )
            by_institution: dict[int, list[Award]] = {}
            for award in awards:
                by_institution.setdefault(
                    award.badge_class.issuer.faculty.institution_id, []
                ).append(award)
            for group in by_institution.values():
                audit_log(
                    actor=None,
                    action="award_expire",
                    objects=group,
                    institution=group[0].badge_class.issuer.faculty.institution,
                    summary=audit.award_summary,
                )
            notifications_queue_many(Kind.AWARD_EXPIRED, awards)
            expired += len(ids)
