"""The onboarding checklist: what an institution still misses before it can issue.

Apps add their own checks with ``register_check`` (privacy registers the legal basis and
statement checks), so this module needs to import none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from .badge_types import BadgeType
from .models import Faculty, Institution, Issuer, Membership
from .roles import Role


@dataclass(frozen=True)
class ChecklistItem:
    """One condition; ``admin_url`` and ``staff_url`` lead to where a platform admin or an
    institution admin fulfils it (empty where that one cannot)."""

    done: bool
    text: str
    badge_type: str | None = None
    admin_url: str = ""
    staff_url: str = ""


Check = Callable[[Institution], Iterable[ChecklistItem]]
_checks: list[Check] = []


def register_check(check: Check) -> Check:
    if check not in _checks:
        _checks.append(check)
    return check


def _endorsing_body_checks(body: Institution) -> Iterable[ChecklistItem]:
    """An endorsing body issues no badges: it needs someone to endorse in its name."""
    change_page = reverse("admin:issuers_endorsingbody_change", args=[body.pk])
    has_admin = Membership.objects.filter(institution=body, role=Role.ADMIN).exists()
    yield ChecklistItem(
        has_admin,
        _("The endorsing body has an admin, who endorses in its name."),
        admin_url=f"{change_page}#invitations-group",
        staff_url=reverse("staff:members", args=["institution", body.pk]),
    )


@register_check
def _core_checks(institution: Institution) -> Iterable[ChecklistItem]:
    if institution.is_endorsing_body:
        yield from _endorsing_body_checks(institution)
        return
    change_page = reverse("admin:issuers_institution_change", args=[institution.pk])
    yield ChecklistItem(
        bool(institution.enabled_badge_types),
        _("At least one badge type is enabled."),
        admin_url=f"{change_page}#id_enabled_badge_types",
    )
    has_admin = Membership.objects.filter(institution=institution, role=Role.ADMIN).exists()
    yield ChecklistItem(
        has_admin,
        _("The institution has an admin."),
        admin_url=f"{change_page}#invitations-group",
        staff_url=reverse("staff:members", args=["institution", institution.pk]),
    )
    has_issuer = Issuer.objects.filter(faculty__institution=institution).exists()
    faculty = Faculty.objects.filter(institution=institution).order_by("pk").first()
    yield ChecklistItem(
        has_issuer,
        _("The institution has an issuer."),
        admin_url=(
            f"{reverse('admin:issuers_issuer_add')}?faculty={faculty.pk}"
            if faculty
            else f"{reverse('admin:issuers_faculty_add')}?institution={institution.pk}"
        ),
        staff_url=(
            reverse("staff:issuer_create", args=[faculty.pk])
            if faculty
            else reverse("staff:faculty_create", args=[institution.pk])
        ),
    )


def checklist(institution: Institution) -> list[ChecklistItem]:
    items: list[ChecklistItem] = []
    for check in _checks:
        items.extend(check(institution))
    return items


def missing(institution: Institution) -> list[ChecklistItem]:
    return [item for item in checklist(institution) if not item.done]


def can_issue(institution: Institution, badge_type: str) -> bool:
    """True when nothing general and nothing for ``badge_type`` is missing."""
    if badge_type not in BadgeType.values or not institution.has_badge_type(badge_type):
        return False
    return not any(item.badge_type in (None, badge_type) for item in missing(institution))
