"""The student's backpack: badges, sharing, collections, downloads and imports.

A student only ever sees their own badges: every lookup goes through ``selectors`` filtered
on the signed-in user, so another student's badge is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from badges import baked_images, links
from badges.models import Assertion
from edubadges.headers import protect_uploaded_file
from issuers.badge_types import BadgeType
from issuers.models import Institution

from . import selectors, services, sharing
from .certificate import certificate_pdf
from .forms import CollectionForm, ImportForm, SharingForm
from .models import Collection, ExternalBadge


def _assertion(request: HttpRequest, public_id: str) -> Assertion:
    return get_object_or_404(selectors.assertions_of(request.user), public_id=public_id)


@login_required
def backpack(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    badge_type = request.GET.get("type", "")
    institution = request.GET.get("institution", "")
    status = status if status in selectors.STATUS_FILTERS else ""
    badge_type = badge_type if badge_type in BadgeType.values else ""
    institution = institution if institution.isdigit() else ""
    assertions = selectors.backpack_assertions(
        request.user, status=status, badge_type=badge_type, institution=institution
    )
    institutions = Institution.objects.filter(
        pk__in=selectors.assertions_of(request.user).values(
            "badge_class__issuer__faculty__institution"
        )
    ).only("pk", "name_nl", "name_en")
    return render(
        request,
        "backpack/backpack.html",
        {
            "cards": selectors.badge_cards(assertions),
            "awards": selectors.open_awards_of(
                request.user, badge_type=badge_type, institution=institution
            )
            if status in ("", "pending")
            else [],
            "pending_enrollments": selectors.pending_enrollments_of(
                request.user, badge_type=badge_type, institution=institution
            )
            if status in ("", "pending")
            else [],
            "closed_awards": selectors.closed_awards_of(request.user)
            if not (status or badge_type or institution)
            else [],
            "external_badges": ExternalBadge.objects.filter(owner=request.user).only(
                "public_id", "name", "issuer_name"
            )
            if not (status or badge_type or institution)
            else [],
            "filters": {"status": status, "type": badge_type, "institution": institution},
            "status_choices": [
                ("issued", _("Valid")),
                ("pending", _("Waiting")),
                ("revoked", _("Revoked")),
                ("expired", _("Expired")),
                ("hidden", _("Hidden")),
            ],
            "hidden_count": selectors.hidden_count(request.user),
            "type_choices": BadgeType.choices,
            "institutions": institutions,
        },
    )


@login_required
def detail(request: HttpRequest, public_id: str) -> HttpResponse:
    assertion = _assertion(request, public_id)
    issued = (
        assertion.status in (Assertion.Status.ISSUED, Assertion.Status.REVOKED)
        and assertion.ob2_jws
    )
    return render(
        request,
        "backpack/detail.html",
        {
            "assertion": assertion,
            "badge_class": assertion.badge_class,
            "issued": issued,
            "public_url": links.assertion_url(assertion) if issued else "",
            "linkedin_url": sharing.linkedin_url(assertion) if issued else "",
            "embed_snippet": sharing.embed_snippet(assertion) if issued else "",
            "hidden": selectors.is_hidden(request.user, assertion),
            "png_image": issued and baked_images.has_png(assertion.badge_class),
        },
    )


@login_required
def sharing_settings(request: HttpRequest, public_id: str) -> HttpResponse:
    assertion = _assertion(request, public_id)
    form = SharingForm(
        request.POST if request.method == "POST" else None,
        initial={
            "is_public": assertion.is_public,
            "show_evidence": assertion.show_evidence,
            "show_grade": assertion.show_grade,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.assertion_update_sharing(
                user=request.user, assertion=assertion, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if form.cleaned_data["is_public"]:
                messages.success(request, _("Your badge is public now."))
            else:
                messages.success(request, _("Your badge is private now."))
            return redirect("backpack:detail", public_id=assertion.public_id)
    return render(request, "backpack/sharing.html", {"assertion": assertion, "form": form})


@login_required
@require_POST
def hide(request: HttpRequest, public_id: str) -> HttpResponse:
    assertion = _assertion(request, public_id)
    hidden = request.POST.get("hidden") == "yes"
    services.assertion_hide(user=request.user, assertion=assertion, hidden=hidden)
    if hidden:
        messages.success(request, _("The badge is hidden from your list; find it under “Hidden”."))
    else:
        messages.success(request, _("The badge is shown in your list again."))
    return redirect("backpack:detail", public_id=assertion.public_id)


@login_required
def delete(request: HttpRequest, public_id: str) -> HttpResponse:
    """What deleting means, then (on confirmation) the deletion."""
    assertion = _assertion(request, public_id)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        name = assertion.badge_class.name
        services.assertion_delete(user=request.user, assertion=assertion)
        messages.success(request, _("“%(name)s” was deleted from your backpack.") % {"name": name})
        return redirect("backpack:list")
    return render(request, "backpack/delete.html", {"assertion": assertion})


@login_required
def certificate(request: HttpRequest, public_id: str) -> HttpResponse:
    assertion = _assertion(request, public_id)
    if assertion.status != Assertion.Status.ISSUED:
        return render(request, "backpack/not_available.html", {"assertion": assertion}, status=404)
    language = request.GET.get("language") or (get_language() or "nl")[:2]
    language = language if language in ("nl", "en") else "nl"
    response = HttpResponse(certificate_pdf(assertion, language), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="certificate-{assertion.public_id}-{language}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def collections(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backpack/collections.html",
        {
            "collections": Collection.objects.filter(owner=request.user).prefetch_related(
                "assertions__badge_class"
            )
        },
    )


def _collection_form(request: HttpRequest, instance: Collection | None) -> CollectionForm:
    return CollectionForm(
        request.POST if request.method == "POST" else None,
        instance=instance,
        owner=request.user,
        assertions=selectors.assertions_of(request.user).filter(status=Assertion.Status.ISSUED),
        external_badges=ExternalBadge.objects.filter(owner=request.user),
    )


@login_required
def collection_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    collection = get_object_or_404(Collection, pk=pk, owner=request.user) if pk else None
    form = _collection_form(request, collection)
    if request.method == "POST" and form.is_valid():
        data = {
            "name": form.cleaned_data["name"],
            "description": form.cleaned_data["description"],
            "is_public": form.cleaned_data["is_public"],
            "assertions": form.cleaned_data["assertions"],
            "external_badges": form.cleaned_data.get("external_badges", []),
        }
        if collection:
            services.collection_update(user=request.user, collection=collection, **data)
        else:
            collection = services.collection_create(user=request.user, **data)
        messages.success(request, _("The collection was saved."))
        return redirect("backpack:collections")
    return render(
        request, "backpack/collection_form.html", {"form": form, "collection": collection}
    )


@login_required
@require_POST
def collection_delete(request: HttpRequest, pk: int) -> HttpResponse:
    collection = get_object_or_404(Collection, pk=pk, owner=request.user)
    services.collection_delete(user=request.user, collection=collection)
    messages.success(request, _("The collection was deleted."))
    return redirect("backpack:collections")


@login_required
def import_badge(request: HttpRequest) -> HttpResponse:
    form = ImportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            external = services.external_badge_import(
                user=request.user,
                data=form.badge_data(),
                source_url=form.cleaned_data.get("url", ""),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The badge was verified and added to your backpack."))
            return redirect("backpack:external", public_id=external.public_id)
    return render(request, "backpack/import.html", {"form": form})


@login_required
def external(request: HttpRequest, public_id) -> HttpResponse:
    badge = get_object_or_404(ExternalBadge, public_id=public_id, owner=request.user)
    return render(request, "backpack/external.html", {"badge": badge})


@login_required
def external_image(request: HttpRequest, public_id) -> HttpResponse:
    badge = get_object_or_404(ExternalBadge, public_id=public_id, owner=request.user)
    if not badge.image:
        return HttpResponse(status=404)
    response = HttpResponse(bytes(badge.image), content_type=badge.image_type)
    return protect_uploaded_file(response, content_type=badge.image_type)


@login_required
@require_POST
def external_delete(request: HttpRequest, public_id) -> HttpResponse:
    badge = get_object_or_404(ExternalBadge, public_id=public_id, owner=request.user)
    services.external_badge_delete(user=request.user, external_badge=badge)
    messages.success(request, _("The external badge was removed from your backpack."))
    return redirect("backpack:list")
