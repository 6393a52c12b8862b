"""The consent step, withdrawal and objection.

The claim and enrolment flows use three calls::

    requirement = consent_requirement(user=user, institution=institution, badge_type=badge_type)
    if not requirement.satisfied:
        return redirect(requirement.page_url(next_url=request.get_full_path()))
    ...
    # and, in the service that claims or enrols, as a guard:
    if not has_valid_consent(user=user, institution=institution, badge_type=badge_type):
        raise ValidationError(...)

The page ``privacy:consent`` shows the statement and the right control, records the answer
with ``consent_record`` and sends the student back to ``next``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from issuers.audit import audit_log
from issuers.badge_types import BadgeType
from issuers.models import Institution, Issuer
from issuers.roles import Role
from notifications.services import notification_queue, notifications_about

from .. import registry, selectors
from ..models import (
    ConsentRecord,
    LegalBasis,
    Objection,
    PrivacyAction,
    PrivacyPolicy,
    PrivacyStatement,
    RecordKind,
)

logger = logging.getLogger(__name__)

OBJECTION_NOTIFICATION = "objection"


class PrivacyNotConfigured(Exception):
    """The institution has no legal basis or no statement in effect for this badge type, so
    nothing of that type can be claimed yet."""


class ConsentNeed(StrEnum):
    CONSENT = "consent"  # an unticked "I agree" that the student must tick
    ACKNOWLEDGE = "acknowledge"  # "I have read this"
    NONE = "none"  # already given for the current version


@dataclass(frozen=True)
class ConsentRequirement:
    """What the student must do before a badge of ``badge_type`` of ``institution``."""

    institution: Institution
    badge_type: str
    policy: PrivacyPolicy
    statement: PrivacyStatement  # the version in effect
    needed: ConsentNeed
    # The record that already covers the current version (when ``needed`` is NONE).
    given: ConsentRecord | None
    # The older version the student last agreed to, and the versions published since,
    # oldest first, so that the page can show what changed.
    previous_statement: PrivacyStatement | None
    changes: tuple[PrivacyStatement, ...]

    @property
    def satisfied(self) -> bool:
        return self.needed == ConsentNeed.NONE

    @property
    def legal_basis(self) -> str:
        return self.policy.legal_basis

    @property
    def legal_basis_label(self) -> str:
        return LegalBasis(self.policy.legal_basis).label

    @property
    def badge_type_label(self) -> str:
        return BadgeType(self.badge_type).label

    def page_url(self, *, next_url: str = "") -> str:
        """The consent page for this requirement, sending the student on to ``next_url``."""
        url = reverse("privacy:consent", args=[self.institution.pk, self.badge_type])
        return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def _required_kind(policy: PrivacyPolicy) -> str:
    return RecordKind.CONSENT if policy.requires_consent else RecordKind.ACKNOWLEDGEMENT


def _covers(record: ConsentRecord, kind: str) -> bool:
    # Consent also covers what an acknowledgement would; the reverse is not true, so a type
    # that moves to the consent basis asks again.
    return record.kind == RecordKind.CONSENT or kind == RecordKind.ACKNOWLEDGEMENT


def consent_requirement(*, user, institution: Institution, badge_type: str) -> ConsentRequirement:
    """What ``user`` must still do for ``institution`` × ``badge_type``.

    Raises ``PrivacyNotConfigured`` when there is no legal basis or no statement in effect.
    """
    policy = PrivacyPolicy.objects.for_type(institution, badge_type)
    statement = policy.current_statement if policy is not None else None
    if policy is None or statement is None:
        raise PrivacyNotConfigured(
            f"{institution} has no legal basis or privacy statement for {badge_type}"
        )
    kind = _required_kind(policy)
    record = selectors.latest_active_record(user, institution, badge_type)
    if record is not None and record.statement_id == statement.pk and _covers(record, kind):
        return ConsentRequirement(
            institution=institution,
            badge_type=badge_type,
            policy=policy,
            statement=statement,
            needed=ConsentNeed.NONE,
            given=record,
            previous_statement=None,
            changes=(),
        )
    previous = None
    changes: tuple[PrivacyStatement, ...] = ()
    if record is not None and record.statement.version < statement.version:
        previous = record.statement
        changes = tuple(
            selectors.statements_between(
                policy, after_version=previous.version, up_to_version=statement.version
            )
        )
    return ConsentRequirement(
        institution=institution,
        badge_type=badge_type,
        policy=policy,
        statement=statement,
        needed=ConsentNeed.CONSENT if kind == RecordKind.CONSENT else ConsentNeed.ACKNOWLEDGE,
        given=None,
        previous_statement=previous,
        changes=changes,
    )


def has_valid_consent(*, user, institution: Institution, badge_type: str) -> bool:
    """True when ``user`` consented to or acknowledged the version in effect, as the legal
    basis requires, and did not withdraw it."""
    if not user.is_authenticated:
        return False
    try:
        return consent_requirement(
            user=user, institution=institution, badge_type=badge_type
        ).satisfied
    except PrivacyNotConfigured:
        return False


def _lock_user(user) -> None:
    # Serialises a student's concurrent privacy writes (a double-clicked button).
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


@transaction.atomic
def consent_record(*, user, statement: PrivacyStatement, agreed: bool) -> ConsentRecord:
    """Record that ``user`` consented to (legal basis a) or acknowledged (other bases)
    ``statement``, which must be the version in effect. Recording it twice returns the
    first record."""
    if not user.is_authenticated or not user.is_active:
        raise PermissionDenied(_("Sign in to continue."))
    policy = statement.policy
    current = PrivacyStatement.objects.current_for(policy.institution, policy.badge_type)
    if current is None or current.pk != statement.pk:
        raise ValidationError(
            _("This privacy statement is not the one in effect. Read the current version.")
        )
    kind = _required_kind(policy)
    if not agreed:
        raise ValidationError(
            _("Tick “I agree” to give your consent.")
            if kind == RecordKind.CONSENT
            else _("Confirm that you have read the privacy statement.")
        )
    _lock_user(user)
    existing = ConsentRecord.objects.active().filter(user=user, statement=statement, kind=kind)
    if record := existing.first():
        return record
    record = ConsentRecord.objects.create(
        user=user,
        statement=statement,
        institution=policy.institution,
        badge_type=policy.badge_type,
        legal_basis=policy.legal_basis,
        kind=kind,
    )
    audit_log(
        action=(
            PrivacyAction.CONSENT_GIVEN
            if kind == RecordKind.CONSENT
            else PrivacyAction.ACKNOWLEDGED
        ),
        actor=user,
        subject=user,
        obj=statement,
        institution=policy.institution,
        badge_type=policy.badge_type,
        summary="",
        data={"version": statement.version, "legal_basis": policy.legal_basis},
    )
    return record


def withdrawal_consequences(*, user, institution: Institution, badge_type: str) -> list[str]:
    """What withdrawing consent for ``institution`` × ``badge_type`` will do, for the
    confirmation page."""
    consequences = [
        _(
            "The institution stops processing your personal data for this badge type. "
            "This cannot be undone; to receive such badges again you give consent again."
        )
    ]
    for handler in registry.handlers():
        consequences.extend(handler.describe_withdrawal(user, institution, badge_type))
    return consequences


@transaction.atomic
def consent_withdraw(*, user, institution: Institution, badge_type: str) -> int:
    """Withdraw ``user``'s consent for ``institution`` × ``badge_type``: every app stops
    processing (badges are hidden, revoked and their personal data erased). Returns the
    number of objects the apps changed."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to continue."))
    _lock_user(user)
    records = list(
        ConsentRecord.objects.active()
        .for_type(institution, badge_type)
        .filter(user=user, kind=RecordKind.CONSENT)
        .select_related("statement")
        .order_by("-statement__version")
    )
    if not records:
        raise ValidationError(_("You have not given consent for this badge type."))
    ConsentRecord.objects.filter(pk__in=[record.pk for record in records]).update(
        withdrawn_at=timezone.now()
    )
    changed = {
        handler.name: handler.withdraw(user, institution, badge_type)
        for handler in registry.handlers()
    }
    audit_log(
        action=PrivacyAction.CONSENT_WITHDRAWN,
        actor=user,
        subject=user,
        obj=records[0].statement,
        institution=institution,
        badge_type=badge_type,
        summary="",
        data={
            "version": records[0].statement.version,
            "records": len(records),
            "changed": changed,
        },
    )
    return sum(changed.values())


@transaction.atomic
def objection_record(
    *, user, institution: Institution, badge_type: str, reason: str = ""
) -> Objection:
    """Record an objection (GDPR art. 21) and tell the institution's admins after commit.
    Only where the legal basis is a public task (e) or a legitimate interest (f)."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to continue."))
    from ..selectors import data_held

    if (institution.pk, badge_type) not in data_held(user):
        # An objection tells the institution's admins: only where it holds the person's data.
        raise PermissionDenied(
            _("%(institution)s holds no data of yours for this badge type.")
            % {"institution": institution.name}
        )
    policy = PrivacyPolicy.objects.for_type(institution, badge_type)
    if policy is None or not policy.allows_objection:
        raise ValidationError(
            _(
                "You can object only where the institution relies on a public task or a "
                "legitimate interest."
            )
        )
    statement = policy.current_statement
    objection = Objection.objects.create(
        user=user,
        institution=institution,
        badge_type=badge_type,
        statement=statement,
        legal_basis=policy.legal_basis,
        reason=reason.strip(),
    )
    audit_log(
        action=PrivacyAction.OBJECTION_MADE,
        actor=user,
        subject=user,
        obj=objection,
        institution=institution,
        badge_type=badge_type,
        summary="",
        data={"version": statement.version, "legal_basis": policy.legal_basis},
    )
    _queue_objection_emails(objection)
    return objection


def _objection_recipients(institution: Institution) -> list[tuple[object, str]]:
    """(admin, "") for the institution's admins; (None, address) for the issuers' contact
    addresses when the institution has no admin yet."""
    admins = (
        get_user_model()
        .objects.filter(
            memberships__institution=institution,
            memberships__role=Role.ADMIN,
            is_active=True,
        )
        .distinct()
        .order_by("email")
    )
    recipients: list[tuple[object, str]] = [(admin, "") for admin in admins]
    if recipients:
        return recipients
    contacts = (
        Issuer.objects.filter(faculty__institution=institution)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    return [(None, email) for email in sorted(contacts)]


def _queue_objection_emails(objection: Objection) -> None:
    """One email per person to tell, each its own notification: a retry never tells anyone
    twice."""
    recipients = _objection_recipients(objection.institution)
    if not recipients:
        logger.warning(
            "Objection %s: institution %s has nobody to tell",
            objection.pk,
            objection.institution_id,
        )
    for admin, address in recipients:
        notification_queue(
            OBJECTION_NOTIFICATION,
            target=objection,
            recipient=admin,
            address=address,
            key=f"{OBJECTION_NOTIFICATION}:{objection.pk}:{admin.pk if admin else address}"[:100],
        )


def objection_message(notification) -> EmailMessage | None:
    """The email that tells an admin (or an issuer's contact address) of an objection."""
    objection = (
        Objection.objects.select_related("institution").filter(pk=notification.target_id).first()
    )
    admin = notification.recipient
    if objection is None or (admin is not None and not admin.is_active):
        return None
    to = admin.email if admin is not None else notification.address
    language = (admin.preferred_language if admin is not None else "") or settings.LANGUAGE_CODE
    link = settings.SITE_URL + reverse("privacy:staff_institution", args=[objection.institution_id])
    with translation.override(language):
        subject = _("Objection to processing for %(type)s") % {
            "type": objection.get_badge_type_display()
        }
        body = render_to_string(
            "privacy/email/objection.txt", {"objection": objection, "link": link}
        )
    notification.language = language
    return EmailMessage(subject, body, None, [to])


def objection_told(notification) -> None:
    """The first email out records that the institution was told."""
    told = Objection.objects.filter(
        pk=notification.target_id, institution_notified_at__isnull=True
    ).update(institution_notified_at=timezone.now())
    if not told:
        return
    objection = Objection.objects.select_related("institution", "statement", "user").get(
        pk=notification.target_id
    )
    audit_log(
        action=PrivacyAction.OBJECTION_NOTIFIED,
        actor=None,
        subject=objection.user,
        obj=objection,
        institution=objection.institution,
        badge_type=objection.badge_type,
        summary="",
        data={
            "version": objection.statement.version,
            "recipients": notifications_about(objection).count(),
        },
    )
