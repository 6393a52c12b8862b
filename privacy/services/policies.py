"""Institution admins choose the legal basis and publish statement versions per type."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from issuers.audit import audit_log
from issuers.models import Institution
from issuers.permissions import Action, has_perm

from ..models import PrivacyAction, PrivacyPolicy, PrivacyStatement


def _require_admin(actor, institution: Institution) -> None:
    if not has_perm(actor, Action.CHANGE, institution):
        raise PermissionDenied(_("You may not do this."))


@transaction.atomic
def privacy_policy_save(
    *,
    actor,
    institution: Institution,
    badge_type: str,
    legal_basis: str,
    purpose_nl: str = "",
    purpose_en: str = "",
    issue_directly_on_award: bool = False,
) -> PrivacyPolicy:
    """Create or change the legal basis of ``institution`` for ``badge_type``.

    Changing the basis to consent asks every student again at the next claim: an
    acknowledgement does not count as consent.
    """
    _require_admin(actor, institution)
    if not institution.has_badge_type(badge_type):
        raise ValidationError(_("This badge type is not enabled for the institution."))
    policy = (
        PrivacyPolicy.objects.select_for_update()
        .filter(institution=institution, badge_type=badge_type)
        .first()
    ) or PrivacyPolicy(institution=institution, badge_type=badge_type)
    previous_basis = policy.legal_basis if policy.pk else ""
    policy.legal_basis = legal_basis
    policy.purpose_nl = purpose_nl
    policy.purpose_en = purpose_en
    policy.issue_directly_on_award = issue_directly_on_award
    policy.full_clean()
    policy.save()
    audit_log(
        action=PrivacyAction.POLICY_SAVED,
        actor=actor,
        obj=policy,
        institution=institution,
        summary="",
        badge_type=badge_type,
        data={"legal_basis": legal_basis, "previous_legal_basis": previous_basis},
    )
    return policy


def statement_errors(
    *,
    previous: PrivacyStatement | None,
    effective_date: date,
    change_summary_nl: str,
    change_summary_en: str,
) -> dict[str, str]:
    """What keeps a new version from being published (for the forms that publish one)."""
    errors: dict[str, str] = {}
    if effective_date < timezone.localdate():
        errors["effective_date"] = _("A new version cannot take effect in the past.")
    if previous is not None and not (change_summary_nl.strip() or change_summary_en.strip()):
        errors["change_summary_nl"] = _(
            "Describe what changed since version %(version)s; students see it when asked again."
        ) % {"version": previous.version}
    return errors


@transaction.atomic
def privacy_statement_publish(
    *,
    actor,
    policy: PrivacyPolicy,
    text_nl: str,
    text_en: str,
    excerpt_nl: str,
    excerpt_en: str,
    effective_date: date,
    retention_days: int,
    change_summary_nl: str = "",
    change_summary_en: str = "",
) -> PrivacyStatement:
    """Publish the next version of the statement of ``policy``. Published versions never
    change: students' consents point at the exact text they read."""
    _require_admin(actor, policy.institution)
    # Locking the policy numbers concurrent publications one after the other.
    policy = PrivacyPolicy.objects.select_for_update().get(pk=policy.pk)
    previous = policy.statements.order_by("-version").first()
    errors = statement_errors(
        previous=previous,
        effective_date=effective_date,
        change_summary_nl=change_summary_nl,
        change_summary_en=change_summary_en,
    )
    if errors:
        raise ValidationError(errors)
    statement = PrivacyStatement(
        policy=policy,
        version=previous.version + 1 if previous else 1,
        text_nl=text_nl,
        text_en=text_en,
        excerpt_nl=excerpt_nl,
        excerpt_en=excerpt_en,
        effective_date=effective_date,
        retention_days=retention_days,
        change_summary_nl=change_summary_nl,
        change_summary_en=change_summary_en,
        created_by=actor,
    )
    statement.full_clean()
    statement.save()
    audit_log(
        action=PrivacyAction.STATEMENT_PUBLISHED,
        actor=actor,
        obj=statement,
        institution=policy.institution,
        badge_type=policy.badge_type,
        summary="",
        data={"version": statement.version, "effective_date": effective_date.isoformat()},
    )
    return statement
