"""Staff pages of competency frameworks. Frameworks are looked up through
``CompetencyFramework.objects.for_user``: another institution's framework that it did not
share is a 404; only who maintains a framework may change it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from frameworks import services
from frameworks.models import CompetencyFramework, FrameworkItem
from issuers.models import Institution
from issuers.roles import Role

from .framework_forms import PLATFORM, FrameworkForm, FrameworkItemForm
from .views import _apply_errors


def _framework(request: HttpRequest, pk: int) -> CompetencyFramework:
    return get_object_or_404(
        CompetencyFramework.objects.for_user(request.user).select_related("institution"), pk=pk
    )


def _owners(user) -> list[tuple[str, str]]:
    owners = [(PLATFORM, _("The platform (every institution)"))] if user.is_superuser else []
    administered = Institution.objects.for_user(user, Role.ADMIN).order_by("name_en")
    return owners + [(str(institution.pk), institution.name) for institution in administered]


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    frameworks = CompetencyFramework.objects.for_user(request.user).select_related("institution")
    if not frameworks.exists() and not _owners(request.user):
        raise PermissionDenied
    managed = set(CompetencyFramework.objects.managed_by(request.user).values_list("pk", flat=True))
    return render(
        request,
        "staff/frameworks/list.html",
        {
            "frameworks": frameworks,
            "managed": managed,
            "can_create": bool(_owners(request.user)),
        },
    )


@login_required
def framework_create(request: HttpRequest) -> HttpResponse:
    owners = _owners(request.user)
    if not owners:
        raise PermissionDenied
    form = FrameworkForm(request.POST or None, owners=owners)
    if request.method == "POST" and form.is_valid():
        owner = form.cleaned_data["owner"]
        institution = (
            None
            if owner == PLATFORM
            else Institution.objects.for_user(request.user, Role.ADMIN).get(pk=int(owner))
        )
        try:
            framework = services.framework_create(
                actor=request.user, institution=institution, **form.service_fields()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The framework was created. Now add its items."))
            return redirect("staff:framework", pk=framework.pk)
    return render(
        request, "staff/form.html", {"form": form, "title": _("New competency framework")}
    )


@login_required
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    can_change = services.may_manage(request.user, framework.institution)
    form = FrameworkItemForm(request.POST or None) if can_change else None
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.framework_item_create(
                    actor=request.user, framework=framework, **form.service_fields()
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(request, _("The item was added."))
                return redirect("staff:framework", pk=framework.pk)
    items = framework.items.all()
    return render(
        request,
        "staff/frameworks/detail.html",
        {"framework": framework, "items": items, "can_change": can_change, "form": form},
    )


@login_required
def framework_edit(request: HttpRequest, pk: int) -> HttpResponse:
    framework = _framework(request, pk)
    if not services.may_manage(request.user, framework.institution):
        raise PermissionDenied
    form = FrameworkForm(request.POST or None, instance=framework, owners=None)
    if request.method == "POST" and form.is_valid():
        try:
            services.framework_update(
                actor=request.user, framework=framework, **form.service_fields()
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The framework was saved."))
            return redirect("staff:framework", pk=framework.pk)
    return render(
        request,
        "staff/form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": framework.title}},
    )


def _item(request: HttpRequest, pk: int) -> FrameworkItem:
    item = get_object_or_404(
        FrameworkItem.objects.filter(
            framework__in=CompetencyFramework.objects.for_user(request.user)
        ).select_related("framework__institution"),
        pk=pk,
    )
    if not services.may_manage(request.user, item.framework.institution):
        raise PermissionDenied
    return item


@login_required
def framework_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    form = FrameworkItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.framework_item_update(actor=request.user, item=item, **form.service_fields())
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The item was saved."))
            return redirect("staff:framework", pk=item.framework_id)
    return render(
        request,
        "staff/form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": item.label}},
    )


@login_required
@require_POST
def framework_item_delete(request: HttpRequest, pk: int) -> HttpResponse:
    item = _item(request, pk)
    try:
        services.framework_item_delete(actor=request.user, item=item)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The item was removed."))
    return redirect("staff:framework", pk=item.framework_id)
