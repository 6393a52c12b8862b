"""Writes on badge classes, awards and assertions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from frameworks.models import CompetencyFramework, FrameworkItem
from issuers.audit import audit_log
from issuers.models import Issuer
from issuers.permissions import Action, has_perm

from . import links
from .models import Alignment, BadgeClass

# OB 3.0 AlignmentTargetType of a competency in a framework.
COMPETENCY_TARGET_TYPE = "ceasn:Competency"


@transaction.atomic
def badge_class_create(
    *, actor, issuer: Issuer, prerequisites=(), alignments=(), framework_items=(), **fields
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
    _set_framework_items(badge_class, framework_items)
    audit_log(actor=actor, action="badge_class_create", obj=badge_class)
    return badge_class


@transaction.atomic
def badge_class_update(
    *, actor, badge_class: BadgeClass, prerequisites=None, framework_items=None, **fields
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
    changed = sorted(fields)
    if framework_items is not None and _set_framework_items(badge_class, framework_items):
        changed.append("alignments")
    audit_log(actor=actor, action="badge_class_update", obj=badge_class, data={"fields": changed})
    return badge_class


def _item_alignment(badge_class: BadgeClass, item: FrameworkItem) -> Alignment:
    """What the badge's credentials say of the item, in the badge's language."""
    language = badge_class.language
    other = "en" if language == "nl" else "nl"

    def text(field: str) -> str:
        return getattr(item, f"{field}_{language}") or getattr(item, f"{field}_{other}")

    framework = item.framework
    return Alignment(
        badge_class=badge_class,
        framework_item=item,
        target_name=text("name"),
        target_url=links.framework_item_url(item),
        target_description=text("description"),
        target_framework=(
            f"{getattr(framework, f'name_{language}') or getattr(framework, f'name_{other}')} "
            f"{framework.version}"
        ).strip(),
        target_code=item.code,
        target_type=COMPETENCY_TARGET_TYPE,
    )


def _set_framework_items(badge_class: BadgeClass, items) -> bool:
    """Align the badge to exactly ``items`` (its other alignments stay). Says whether
    anything changed."""
    wanted = {item.pk: item for item in items}
    current = set(
        badge_class.alignments.filter(framework_item__isnull=False).values_list(
            "framework_item_id", flat=True
        )
    )
    if set(wanted) == current:
        return False
    if badge_class.is_awarded:
        raise ValidationError(
            {
                "framework_items": _(
                    "This badge has been awarded; its alignments can no longer change."
                )
            }
        )
    usable = set(
        CompetencyFramework.objects.usable_by(badge_class.institution).values_list("pk", flat=True)
    )
    for item in wanted.values():
        if item.framework_id not in usable:
            raise ValidationError(
                {
                    "framework_items": _(
                        "“%(item)s” belongs to a framework this institution cannot use."
                    )
                    % {"item": item.label}
                }
            )
    badge_class.alignments.filter(framework_item__isnull=False).exclude(
        framework_item__in=list(wanted)
    ).delete()
    for item_id in sorted(set(wanted) - current):
        _item_alignment(badge_class, wanted[item_id]).save()
    return True


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
