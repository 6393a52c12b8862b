"""Institution admins manage their API clients (the token is shown once, then only hashed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from issuers.models import Institution
from issuers.permissions import Action, has_perm

from . import services
from .forms import ApiClientForm
from .models import ApiClient


def _institution(request: HttpRequest, pk: int) -> Institution:
    institution = get_object_or_404(Institution.objects.for_user(request.user).education(), pk=pk)
    if not has_perm(request.user, Action.MANAGE_MEMBERS, institution):
        raise PermissionDenied
    return institution


@login_required
def clients(request: HttpRequest, institution_pk: int) -> HttpResponse:
    institution = _institution(request, institution_pk)
    form = ApiClientForm(
        request.POST if request.method == "POST" else None, institution=institution
    )
    token = None
    if request.method == "POST" and form.is_valid():
        try:
            client, token = services.api_client_create(
                actor=request.user,
                institution=institution,
                name=form.cleaned_data["name"],
                issuer=form.cleaned_data["issuer"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The API client %(name)s was created.") % {"name": client.name}
            )
            form = ApiClientForm(institution=institution)
    return render(
        request,
        "api/clients.html",
        {
            "institution": institution,
            "clients": ApiClient.objects.filter(institution=institution).select_related("account"),
            "form": form,
            "token": token,
            "schema_url": request.build_absolute_uri(reverse("api:schema")),
        },
    )


@login_required
@require_POST
def client_revoke(request: HttpRequest, institution_pk: int, public_id) -> HttpResponse:
    institution = _institution(request, institution_pk)
    client = get_object_or_404(ApiClient, institution=institution, public_id=public_id)
    services.api_client_revoke(actor=request.user, client=client)
    messages.success(
        request, _("The API client %(name)s can no longer sign in.") % {"name": client.name}
    )
    return redirect("api_staff:clients", institution_pk=institution.pk)
