"""The onboarding checklist: what an institution still misses before it can issue.

Apps add their own checks with ``register_check`` (privacy registers the legal basis and
statement checks), so this module needs to import none of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .badge_types import BadgeType
from .models import Institution, Issuer, Membership
from .roles import Role


@dataclass(frozen=True)
class ChecklistItem:
    done: bool
    text: str
    badge_type: str | None = None


Check = Callable[[Institution], Iterable[ChecklistItem]]
_checks: list[Check] = []


def register_check(check: Check) -> Check:
    if check not in _checks:
        _checks.append(check)
    return check


@register_check
def _core_checks(institution: Institution) -> Iterable[ChecklistItem]:
    yield ChecklistItem(
        bool(institution.enabled_badge_types), _("At least one badge type is enabled.")
    )
    has_admin = Membership.objects.filter(institution=institution, role=Role.ADMIN).exists()
    yield ChecklistItem(has_admin, _("The institution has an admin."))
    has_issuer = Issuer.objects.filter(faculty__institution=institution).exists()
    yield ChecklistItem(has_issuer, _("The institution has an issuer."))


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
