"""A recipient claims or declines an offered badge through the link in their email.

The link is a secret (``Award.claim_token``) that went to the offer's address: it proves the
mailbox. Claiming binds the award to the signed-in account once, and the badge is issued to
the address the offer went to, which becomes a verified address of that account (never to
whatever address the account happens to have). An offer to an eppn is claimed only by the
person who signed in with that eppn. A second claim by the same account changes nothing and
issues nothing; a claim by another account is refused. Claiming needs the consent or acknowledgement that
the type's legal basis asks for (``privacy.services.has_valid_consent``); the claim page
sends the student through ``privacy:consent`` first.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import identities
from issuers.audit import audit_log
from privacy.services import has_valid_consent

from ..models import Award
from . import audit
from .awards import issue_award
from .rules import ConsentRequired, Recipient, holds


def award_for_token(token: str) -> Award | None:
    if not token or len(token) > 64:
        return None
    return (
        Award.objects.select_related("badge_class__issuer__faculty__institution", "recipient")
        .filter(claim_token=token)
        .first()
    )


def closed_reason(award: Award) -> str:
    """Why an award can no longer be claimed, in words for the recipient."""
    messages = {
        Award.Status.SCHEDULED: _("This badge has not been offered yet."),
        Award.Status.CLAIMED: _("This badge has already been claimed."),
        Award.Status.DECLINED: _("This badge was declined."),
        Award.Status.EXPIRED: _(
            "This offer has expired. Ask the issuer to award the badge again if you still want it."
        ),
        Award.Status.WITHDRAWN: _("The issuer has withdrawn this offer."),
    }
    if (
        award.status == Award.Status.OFFERED
        and award.expires_at
        and award.expires_at <= timezone.now()
    ):
        return messages[Award.Status.EXPIRED]
    return str(messages.get(award.status, ""))


def is_claimable(award: Award) -> bool:
    return award.status == Award.Status.OFFERED and not (
        award.expires_at and award.expires_at <= timezone.now()
    )


def _lock(award: Award) -> Award:
    return (
        Award.objects.select_for_update(of=("self",))
        .select_related("badge_class__issuer__faculty__institution")
        .get(pk=award.pk)
    )


def _claimant_address(user, award: Award) -> str:
    """The verified address the badge is issued to."""
    if award.recipient_email:
        try:
            identities.email_bind(user=user, email=award.recipient_email)
        except ValueError as error:
            raise ValidationError(
                _(
                    "This badge was offered to %(email)s, which another account has confirmed. "
                    "Sign in with that account to claim it."
                )
                % {"email": award.recipient_email}
            ) from error
        return award.recipient_email
    if award.recipient_eppn.lower() not in identities.eppns(user):
        raise ValidationError(
            _(
                "This badge was offered to %(eppn)s. Sign in through eduID or SURFconext with "
                "that institution account to claim it."
            )
            % {"eppn": award.recipient_eppn}
        )
    emails = identities.verified_emails(user)
    if not emails:
        raise ValidationError(_("Confirm your email address first, then claim the badge."))
    return user.email.lower() if user.email.lower() in emails else sorted(emails)[0]


@transaction.atomic
def award_claim(*, user, award: Award) -> Award:
    """Claim ``award`` for ``user``'s account and queue its badge for signing."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Sign in to claim this badge."))
    locked = _lock(award)
    if locked.status == Award.Status.CLAIMED and locked.recipient_id == user.pk:
        return locked  # a repeated claim (double click, back button) issues nothing
    if locked.status == Award.Status.CLAIMED:
        raise ValidationError(_("This badge has already been claimed with another account."))
    if not is_claimable(locked):
        raise ValidationError(closed_reason(locked))
    badge_class = locked.badge_class
    institution = badge_class.issuer.faculty.institution
    if badge_class.archived:
        raise ValidationError(_("This badge is archived and can no longer be claimed."))
    if not has_valid_consent(user=user, institution=institution, badge_type=badge_class.badge_type):
        raise ConsentRequired()
    address = _claimant_address(user, locked)
    recipient = Recipient.of(user=user, email=address, eppn=getattr(user, "eppn", ""))
    recipient.email = address
    if holds(badge_class, recipient):
        raise ValidationError(_("You already hold this badge."))
    issue_award(award=locked, actor=user, recipient=recipient, direct=False)
    audit_log(
        actor=user,
        action="award_claim",
        obj=locked,
        institution=institution,
        summary=audit.award_summary(locked),
    )
    return locked


@transaction.atomic
def award_decline(*, user, award: Award) -> Award:
    """Decline ``award``; declining twice changes nothing."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Sign in to decline this badge."))
    locked = _lock(award)
    if locked.status == Award.Status.DECLINED and locked.recipient_id == user.pk:
        return locked
    if not is_claimable(locked):
        raise ValidationError(closed_reason(locked))
    locked.status = Award.Status.DECLINED
    locked.recipient = user
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "recipient", "decided_at"])
    audit_log(
        actor=user,
        action="award_decline",
        obj=locked,
        institution=locked.badge_class.issuer.faculty.institution,
        summary=audit.award_summary(locked),
    )
    return locked
