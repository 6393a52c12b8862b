"""One answer to "may this user do this action on this object".

Rights are granted by a ``Membership`` on an institution, faculty, issuer or badge class and
flow downward. Views ask ``has_perm``; lists use the models' ``for_user`` querysets.
"""

from __future__ import annotations

from enum import StrEnum

from .models import Faculty, Institution, Issuer, Membership
from .roles import Role


class Action(StrEnum):
    VIEW = "view"
    AWARD = "award"
    CHANGE = "change"
    MANAGE_MEMBERS = "manage_members"
    ADD_FACULTY = "add_faculty"
    ADD_ISSUER = "add_issuer"
    ADD_BADGE_CLASS = "add_badge_class"
    ENDORSE = "endorse"


REQUIRED_ROLE: dict[Action, Role] = {
    Action.VIEW: Role.VIEWER,
    Action.AWARD: Role.AWARDER,
    Action.CHANGE: Role.ADMIN,
    Action.MANAGE_MEMBERS: Role.ADMIN,
    Action.ADD_FACULTY: Role.ADMIN,
    Action.ADD_ISSUER: Role.ADMIN,
    Action.ADD_BADGE_CLASS: Role.ADMIN,
    Action.ENDORSE: Role.ADMIN,
}

# What an endorsing body never does: it endorses in the name of its one issuer profile.
NOT_FOR_ENDORSING_BODIES = {
    Action.AWARD,
    Action.ADD_FACULTY,
    Action.ADD_ISSUER,
    Action.ADD_BADGE_CLASS,
}

# Which kind of object each action that creates something is asked on.
CREATES_ON = {
    Action.ADD_FACULTY: Institution,
    Action.ADD_ISSUER: Faculty,
    Action.ADD_BADGE_CLASS: Issuer,
}


def scope_filters(obj) -> list[dict]:
    """Membership lookups for ``obj`` and every object above it."""
    label = obj._meta.label
    if label == "badges.BadgeClass":
        issuer = obj.issuer
        return [{"badge_class_id": obj.pk}, *scope_filters(issuer)]
    if isinstance(obj, Issuer):
        return [
            {"issuer_id": obj.pk},
            {"faculty_id": obj.faculty_id},
            {"institution_id": obj.faculty.institution_id},
        ]
    if isinstance(obj, Faculty):
        return [{"faculty_id": obj.pk}, {"institution_id": obj.institution_id}]
    if isinstance(obj, Institution):
        return [{"institution_id": obj.pk}]
    raise TypeError(f"No permissions are defined for {label}")


def roles_on(user, obj) -> set[str]:
    """Every role the user holds on ``obj`` directly or through an object above it."""
    if not user.is_authenticated:
        return set()
    roles: set[str] = set()
    for lookup in scope_filters(obj):
        roles.update(Membership.objects.filter(user=user, **lookup).values_list("role", flat=True))
    return roles


def has_perm(user, action: Action | str, obj) -> bool:
    action = Action(action)
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return not (action in NOT_FOR_ENDORSING_BODIES and institution_of(obj).is_endorsing_body)
    needed = Role.at_least(REQUIRED_ROLE[action])
    if action in CREATES_ON and obj._meta.label == "badges.BadgeClass":
        return False
    if action == Action.MANAGE_MEMBERS and obj._meta.label == "badges.BadgeClass":
        obj = obj.issuer
    if not roles_on(user, obj) & needed:
        return False
    return not (action in NOT_FOR_ENDORSING_BODIES and institution_of(obj).is_endorsing_body)


def institution_of(obj) -> Institution:
    if isinstance(obj, Institution):
        return obj
    if isinstance(obj, Faculty):
        return obj.institution
    if isinstance(obj, Issuer):
        return obj.faculty.institution
    if obj._meta.label == "badges.BadgeClass":
        return obj.issuer.faculty.institution
    raise TypeError(f"{obj!r} belongs to no institution")
