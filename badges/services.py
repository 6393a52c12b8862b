"""Writes on badge classes, awards and assertions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from issuers.audit import audit_log
from issuers.models import Issuer
from issuers.permissions import Action, has_perm

from .models import Alignment, BadgeClass


@transaction.atomic
def badge_class_create(
    *, actor, issuer: Issuer, prerequisites=(), alignments=(), **fields
) -> BadgeClass:
    if not has_perm(actor, Action.ADD_BADGE_CLASS, issuer):
        raise PermissionDenied(_("You may not create badges for this issuer."))
    badge_class = BadgeClass(issuer=issuer, created_by=actor, **fields)
    badge_class.full_clean()
    badge_class.save()
    _set_prerequisites(badge_class, prerequisites)
    for alignment in alignments:
        Alignment(badge_class=badge_class, **alignment).full_clean(exclude=["badge_class"])
        Alignment.objects.create(badge_class=badge_class, **alignment)
    audit_log(actor=actor, action="badge_class_create", obj=badge_class)
    return badge_class


@transaction.atomic
def badge_class_update(
    *, actor, badge_class: BadgeClass, prerequisites=None, **fields
) -> BadgeClass:
    if not has_perm(actor, Action.CHANGE, badge_class):
        raise PermissionDenied(_("You may not change this badge."))
    badge_class = BadgeClass.objects.select_for_update().get(pk=badge_class.pk)
    if "issuer" in fields and fields["issuer"].pk != badge_class.issuer_id:
        raise ValidationError({"issuer": _("A badge cannot move to another issuer.")})
    if "badge_type" in fields and fields["badge_type"] != badge_class.badge_type:
        raise ValidationError({"badge_type": _("The type of an existing badge cannot change.")})
    for name, value in fields.items():
        setattr(badge_class, name, value)
    badge_class.full_clean()
    badge_class.save()
    if prerequisites is not None:
        _set_prerequisites(badge_class, prerequisites)
    audit_log(
        actor=actor, action="badge_class_update", obj=badge_class, data={"fields": sorted(fields)}
    )
    return badge_class


def _set_prerequisites(badge_class: BadgeClass, prerequisites) -> None:
    prerequisites = list(prerequisites)
    institution_id = badge_class.issuer.faculty.institution_id
    for prerequisite in prerequisites:
        if prerequisite.pk == badge_class.pk:
            raise ValidationError({"prerequisites": _("A badge cannot require itself.")})
        if prerequisite.issuer.faculty.institution_id != institution_id:
            raise ValidationError(
                {"prerequisites": _("Prerequisites must belong to the same institution.")}
            )
        if _requires(prerequisite, badge_class):
            raise ValidationError(
                {
                    "prerequisites": _(
                        "“%(name)s” already requires this badge; that would be a loop."
                    )
                    % {"name": prerequisite}
                }
            )
    badge_class.prerequisites.set(prerequisites)


def _requires(start: BadgeClass, target: BadgeClass) -> bool:
    seen: set[int] = set()
    stack = [start]
    while stack:
        current = stack.pop()
        if current.pk == target.pk:
            return True
        if current.pk in seen:
            continue
        seen.add(current.pk)
        stack.extend(current.prerequisites.all())
    return False


@transaction.atomic
def badge_class_archive(*, actor, badge_class: BadgeClass, archived: bool = True) -> BadgeClass:
    return badge_class_update(actor=actor, badge_class=badge_class, archived=archived)
