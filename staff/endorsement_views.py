"""Staff pages of endorsements: an issuer's admin (or an endorsing body's) endorses a badge
class or an issuer of another institution; the admins of what is endorsed accept or decline; the endorser's
admins withdraw. Endorsements are looked up through ``Endorsement.objects.for_user``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from badges import endorsements as services
from badges.models import BadgeClass, Endorsement
from issuers.models import Institution, Issuer
from issuers.roles import Role

from .views import _apply_errors


class EndorseForm(forms.Form):
    endorser = forms.ModelChoiceField(label=gettext_lazy("Endorse in the name of"), queryset=None)
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "Why your issuer vouches for it. Shown publicly with the badge and signed into "
            "the endorsement."
        ),
    )

    def __init__(self, *args, issuers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["endorser"].queryset = issuers
        self.fields["endorser"].empty_label = None


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# Only institutions' badges and issuers are endorsed; endorsing bodies endorse.
ENDORSABLE = {"faculty__institution__kind": Institution.Kind.EDUCATION}


def _endorsing_issuers(user, exclude_institution_id: int | None = None):
    issuers = Issuer.objects.for_user(user, Role.ADMIN).select_related("faculty__institution")
    if exclude_institution_id is not None:
        issuers = issuers.exclude(faculty__institution_id=exclude_institution_id)
    return issuers.order_by("name_en")


@login_required
def endorsement_list(request: HttpRequest) -> HttpResponse:
    visible = Endorsement.objects.for_user(request.user).select_related(
        "endorser__faculty__institution", "badge_class__issuer", "issuer"
    )
    mine = Issuer.objects.for_user(request.user)
    given = visible.filter(endorser__in=mine)
    received = visible.exclude(endorser__in=mine)
    waiting = [
        endorsement
        for endorsement in received.filter(status=Endorsement.Status.REQUESTED)
        if services.may_decide(request.user, endorsement)
    ]
    can_endorse = _endorsing_issuers(request.user).exists()
    if not (can_endorse or visible.exists() or mine.exists()):
        raise PermissionDenied
    query = (request.GET.get("q") or "").strip()
    results: dict = {}
    if query and can_endorse:
        words = Q(name_nl__icontains=query) | Q(name_en__icontains=query)
        own_institutions = Issuer.objects.for_user(request.user, Role.ADMIN).values(
            "faculty__institution"
        )
        results = {
            "badge_classes": BadgeClass.objects.active()
            .filter(words)
            .exclude(issuer__faculty__institution__in=own_institutions)
            .select_related("issuer__faculty__institution")[:20],
            "issuers": Issuer.objects.filter(words, **ENDORSABLE)
            .exclude(faculty__institution__in=own_institutions)
            .select_related("faculty__institution")[:20],
        }
    return render(
        request,
        "staff/endorsements/list.html",
        {
            "waiting": waiting,
            "given": given,
            "received": received,
            "can_endorse": can_endorse,
            "query": query,
            "results": results,
        },
    )


@login_required
def endorsement_create(request: HttpRequest, kind: str, public_id) -> HttpResponse:
    if kind == "badge":
        target = get_object_or_404(
            BadgeClass.objects.active().select_related("issuer__faculty__institution"),
            public_id=public_id,
        )
        institution_id = target.issuer.faculty.institution_id
    elif kind == "issuer":
        target = get_object_or_404(
            Issuer.objects.filter(**ENDORSABLE).select_related("faculty__institution"),
            public_id=public_id,
        )
        institution_id = target.faculty.institution_id
    else:
        raise PermissionDenied
    issuers = _endorsing_issuers(request.user, exclude_institution_id=institution_id)
    if not issuers.exists():
        raise PermissionDenied
    form = EndorseForm(request.POST or None, issuers=issuers)
    if request.method == "POST" and form.is_valid():
        try:
            endorsement = services.endorsement_request(
                actor=request.user,
                endorser=form.cleaned_data["endorser"],
                comment=form.cleaned_data["comment"],
                **({"badge_class": target} if kind == "badge" else {"issuer": target}),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(
                request, _("Your endorsement was sent; it is published once it is accepted.")
            )
            return redirect("staff:endorsement", pk=endorsement.pk)
    return render(
        request,
        "staff/endorsements/create.html",
        {"form": form, "target": target, "kind": kind},
    )


def _endorsement(request: HttpRequest, pk: int) -> Endorsement:
    return get_object_or_404(
        Endorsement.objects.for_user(request.user).select_related(
            "endorser__faculty__institution",
            "badge_class__issuer__faculty__institution",
            "issuer__faculty__institution",
        ),
        pk=pk,
    )


@login_required
def endorsement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endorsement = _endorsement(request, pk)
    return render(
        request,
        "staff/endorsements/detail.html",
        {
            "endorsement": endorsement,
            "can_decide": endorsement.status == Endorsement.Status.REQUESTED
            and services.may_decide(request.user, endorsement),
            "can_withdraw": endorsement.status in services.OPEN
            and services.may_withdraw(request.user, endorsement),
            "reason_form": ReasonForm(),
        },
    )


@login_required
@require_POST
def endorsement_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    endorsement = _endorsement(request, pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if decision == "accept":
            services.endorsement_accept(actor=request.user, endorsement=endorsement)
            messages.success(request, _("The endorsement was accepted and is being published."))
        elif decision == "decline":
            services.endorsement_decline(actor=request.user, endorsement=endorsement, reason=reason)
            messages.success(request, _("The endorsement was declined."))
        elif decision == "withdraw":
            services.endorsement_withdraw(
                actor=request.user, endorsement=endorsement, reason=reason
            )
            messages.success(request, _("The endorsement was withdrawn."))
        else:
            raise PermissionDenied
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("staff:endorsement", pk=endorsement.pk)
