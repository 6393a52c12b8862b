"""Writes on competency frameworks and their items: platform admins keep the platform's
frameworks, institution admins their institution's."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from issuers.audit import audit_log
from issuers.models import Institution
from issuers.permissions import Action, has_perm

from .models import CompetencyFramework, FrameworkItem

ACTION_LABELS = {
    "framework_create": gettext_lazy("Competency framework created"),
    "framework_update": gettext_lazy("Competency framework changed"),
    "framework_item_create": gettext_lazy("Framework item added"),
    "framework_item_update": gettext_lazy("Framework item changed"),
    "framework_item_delete": gettext_lazy("Framework item removed"),
}

FRAMEWORK_FIELDS = frozenset(
    {
        "name_nl",
        "name_en",
        "description_nl",
        "description_en",
        "version",
        "publisher",
        "url",
        "shared",
    }
)
ITEM_FIELDS = frozenset(
    {"code", "name_nl", "name_en", "description_nl", "description_en", "esco_uri", "position"}
)


def may_manage(user, institution: Institution | None) -> bool:
    """Platform frameworks are the platform admins'; an institution's are its admins'."""
    if institution is None:
        return bool(user.is_authenticated and user.is_superuser and user.is_active)
    return has_perm(user, Action.CHANGE, institution)


def _check(actor, framework: CompetencyFramework) -> None:
    if not may_manage(actor, framework.institution):
        raise PermissionDenied(_("You may not change this framework."))


def _unknown(fields: dict, allowed: frozenset) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")


@transaction.atomic
def framework_create(*, actor, institution: Institution | None, **fields) -> CompetencyFramework:
    _unknown(fields, FRAMEWORK_FIELDS | {"public_id"})
    framework = CompetencyFramework(institution=institution, created_by=actor, **fields)
    _check(actor, framework)
    framework.full_clean()
    framework.save()
    audit_log(
        actor=actor,
        action="framework_create",
        obj=framework,
        institution=institution,
        summary=str(framework),
    )
    return framework


@transaction.atomic
def framework_update(*, actor, framework: CompetencyFramework, **fields) -> CompetencyFramework:
    _unknown(fields, FRAMEWORK_FIELDS)
    framework = CompetencyFramework.objects.select_for_update().get(pk=framework.pk)
    _check(actor, framework)
    for name, value in fields.items():
        setattr(framework, name, value)
    framework.full_clean()
    framework.save()
    audit_log(
        actor=actor,
        action="framework_update",
        obj=framework,
        institution=framework.institution,
        summary=str(framework),
        data={"fields": sorted(fields)},
    )
    return framework


@transaction.atomic
def framework_item_create(*, actor, framework: CompetencyFramework, **fields) -> FrameworkItem:
    _unknown(fields, ITEM_FIELDS)
    _check(actor, framework)
    item = FrameworkItem(framework=framework, **fields)
    item.full_clean()
    item.save()
    audit_log(
        actor=actor,
        action="framework_item_create",
        obj=item,
        institution=framework.institution,
        summary=f"{framework}: {item}",
    )
    return item


@transaction.atomic
def framework_item_update(*, actor, item: FrameworkItem, **fields) -> FrameworkItem:
    _unknown(fields, ITEM_FIELDS)
    item = FrameworkItem.objects.select_for_update().select_related("framework").get(pk=item.pk)
    _check(actor, item.framework)
    for name, value in fields.items():
        setattr(item, name, value)
    item.full_clean()
    item.save()
    audit_log(
        actor=actor,
        action="framework_item_update",
        obj=item,
        institution=item.framework.institution,
        summary=f"{item.framework}: {item}",
        data={"fields": sorted(fields)},
    )
    return item


@transaction.atomic
def framework_item_delete(*, actor, item: FrameworkItem) -> None:
    item = FrameworkItem.objects.select_for_update().select_related("framework").get(pk=item.pk)
    _check(actor, item.framework)
    if item.alignments.exists():
        raise ValidationError(
            _("Badges are aligned to “%(item)s”; it cannot be removed.") % {"item": item.label}
        )
    audit_log(
        actor=actor,
        action="framework_item_delete",
        obj=item,
        institution=item.framework.institution,
        summary=f"{item.framework}: {item}",
    )
    item.delete()
