"""Reads that need care: what applies to a student, what a page may show."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from issuers.badge_types import BadgeType
from issuers.models import AuditEntry, Institution

from . import registry
from .models import (
    ConsentRecord,
    DataExport,
    Objection,
    PrivacyAction,
    PrivacyPolicy,
    PrivacyStatement,
    RecordKind,
)

# What privacy itself keeps about every student, for the processing register.
ACCOUNT_PERSONAL_DATA = (
    _("Account: name, email address, eduID identifier (eppn), preferred language."),
    _("Consents, acknowledgements and objections: which statement version, when."),
)


def current_statement(institution: Institution, badge_type: str) -> PrivacyStatement | None:
    return PrivacyStatement.objects.current_for(institution, badge_type)


def statements_between(
    policy: PrivacyPolicy, *, after_version: int, up_to_version: int
) -> list[PrivacyStatement]:
    """The versions published after ``after_version``, up to and including ``up_to_version``,
    oldest first: what changed since the student last agreed."""
    return list(
        policy.statements.filter(version__gt=after_version, version__lte=up_to_version).order_by(
            "version"
        )
    )


def latest_active_record(user, institution: Institution, badge_type: str) -> ConsentRecord | None:
    if not user.is_authenticated:
        return None
    return (
        ConsentRecord.objects.active()
        .for_type(institution, badge_type)
        .filter(user=user)
        .select_related("statement")
        .order_by("-statement__version", "-created_at", "-pk")
        .first()
    )


def unclaimed_award_retention(*, institution_id: int, badge_type: str) -> timedelta:
    """How long an award that never became a badge (offered, expired, declined, withdrawn)
    is kept: the platform's limit, or the statement's retention when that is shorter."""
    days = settings.PRIVACY_UNCLAIMED_AWARD_RETENTION_DAYS
    statement = (
        PrivacyStatement.objects.in_effect()
        .filter(policy__institution_id=institution_id, policy__badge_type=badge_type)
        .order_by("-effective_date", "-version")
        .first()
    )
    if statement is not None:
        days = min(days, statement.retention_days)
    return timedelta(days=days)


@dataclass(frozen=True)
class TypeOverview:
    """One institution × badge type on the student's privacy page."""

    institution: Institution
    badge_type: str
    records: list[ConsentRecord]
    policy: PrivacyPolicy | None
    active_record: ConsentRecord | None

    @property
    def badge_type_label(self) -> str:
        return BadgeType(self.badge_type).label

    @property
    def can_withdraw(self) -> bool:
        return any(r.kind == RecordKind.CONSENT and r.is_active for r in self.records)

    @property
    def can_object(self) -> bool:
        return self.policy is not None and self.policy.allows_objection


def data_held(user) -> set[tuple[int, str]]:
    """The (institution id, badge type) pairs the student answered a statement for or holds
    data of (badges, offers, requests)."""
    held = set(ConsentRecord.objects.filter(user=user).values_list("institution_id", "badge_type"))
    for handler in registry.handlers():
        if handler.related_types is not None:
            held.update(handler.related_types(user))
    return held


def student_overview(user) -> list[TypeOverview]:
    """Every institution × type the student answered a statement for or holds data of
    (badges, offers, requests), with all records, newest first."""
    records = list(
        ConsentRecord.objects.filter(user=user)
        .select_related("statement", "institution")
        .order_by("-created_at", "-pk")
    )
    groups: dict[tuple[int, str], list[ConsentRecord]] = {}
    for record in records:
        groups.setdefault((record.institution_id, record.badge_type), []).append(record)
    for handler in registry.handlers():
        if handler.related_types is not None:
            for key in handler.related_types(user):
                groups.setdefault(key, [])
    institutions = Institution.objects.in_bulk({key[0] for key in groups})
    policies = {
        (policy.institution_id, policy.badge_type): policy
        for policy in PrivacyPolicy.objects.filter(institution_id__in=institutions)
    }
    overview = [
        TypeOverview(
            institution=institutions[institution_id],
            badge_type=badge_type,
            records=group,
            policy=policies.get((institution_id, badge_type)),
            active_record=next((record for record in group if record.is_active), None),
        )
        for (institution_id, badge_type), group in groups.items()
        if institution_id in institutions
    ]
    return sorted(overview, key=lambda item: (item.institution.name, item.badge_type))


def student_objections(user) -> list[Objection]:
    return list(
        Objection.objects.filter(user=user).select_related("institution", "statement__policy")
    )


def student_exports(user) -> list[DataExport]:
    return list(DataExport.objects.filter(user=user).defer("content")[:10])


def student_audit_entries(user) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(subject=user, action__in=PrivacyAction.values).select_related(
            "institution"
        )
    )


@dataclass(frozen=True)
class Panel:
    """A section that another app adds to the student's privacy page."""

    template: str
    context: dict


def student_panels(user) -> list[Panel]:
    panels = []
    for handler in registry.handlers():
        if handler.panel is not None and (shown := handler.panel(user)) is not None:
            panels.append(Panel(template=shown[0], context=shown[1]))
    return panels


@dataclass(frozen=True)
class RegisterRow:
    """One line of the processing register (GDPR art. 30) of an institution."""

    badge_type: str
    badge_type_label: str
    policy: PrivacyPolicy | None
    statement: PrivacyStatement | None
    personal_data: list[str]
    unclaimed_award_retention_days: int


def processing_register(institution: Institution) -> list[RegisterRow]:
    personal_data = [str(item) for item in ACCOUNT_PERSONAL_DATA]
    for handler in registry.handlers():
        personal_data.extend(str(item) for item in handler.personal_data)
    policies = {
        policy.badge_type: policy
        for policy in PrivacyPolicy.objects.filter(institution=institution)
    }
    rows = []
    for badge_type, label in institution.enabled_badge_type_choices:
        policy = policies.get(badge_type)
        rows.append(
            RegisterRow(
                badge_type=badge_type,
                badge_type_label=str(label),
                policy=policy,
                statement=policy.current_statement if policy else None,
                personal_data=personal_data,
                unclaimed_award_retention_days=unclaimed_award_retention(
                    institution_id=institution.pk, badge_type=badge_type
                ).days,
            )
        )
    return rows
