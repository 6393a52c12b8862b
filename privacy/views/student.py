"""The student's privacy pages: the consent step, the overview of consents, withdrawal,
objection, export and account erasure. A student only ever sees their own records."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from issuers.badge_types import BadgeType
from issuers.models import Institution

from .. import selectors, services
from ..forms import AccountDeleteForm, ConsentForm, ObjectionForm, WithdrawForm
from ..models import ConsentRecord, DataExport, LegalBasis, PrivacyPolicy, RecordKind


def _institution_or_404(institution_id: int, badge_type: str) -> Institution:
    if badge_type not in BadgeType.values:
        raise Http404
    return get_object_or_404(Institution, pk=institution_id)


def safe_next_url(request: HttpRequest, fallback: str) -> str:
    """``next`` from the query or the form when it stays on this site, else ``fallback``."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "privacy/overview.html",
        {
            "types": selectors.student_overview(user),
            "objections": selectors.student_objections(user),
            "exports": selectors.student_exports(user),
            "entries": selectors.student_audit_entries(user)[:50],
            "panels": selectors.student_panels(user),
        },
    )


@login_required
@never_cache
def consent(request: HttpRequest, institution_id: int, badge_type: str) -> HttpResponse:
    """The consent step of the claim and enrolment flows: shows the statement in effect and
    asks for consent ("I agree") or an acknowledgement ("I have read this"), as the legal
    basis requires, then sends the student on to ``next``."""
    institution = _institution_or_404(institution_id, badge_type)
    try:
        requirement = services.consent_requirement(
            user=request.user, institution=institution, badge_type=badge_type
        )
    except services.PrivacyNotConfigured as error:
        raise Http404 from error
    next_url = safe_next_url(request, fallback="")
    destination = next_url or reverse("privacy:overview")
    if requirement.satisfied and (request.method == "POST" or next_url):
        return redirect(destination)
    form = ConsentForm(
        request.POST if request.method == "POST" else None,
        need=requirement.needed,
        initial={"statement": requirement.statement.pk},
    )
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["statement"] != requirement.statement.pk:
            messages.warning(
                request,
                _("The privacy statement changed while you were reading it. Read the new version."),
            )
            return redirect(request.get_full_path())
        try:
            services.consent_record(
                user=request.user,
                statement=requirement.statement,
                agreed=form.cleaned_data.get("agree", True),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Thank you, your consent has been recorded.")
                if requirement.needed == services.ConsentNeed.CONSENT
                else _("Thank you, we recorded that you have read the privacy statement."),
            )
            return redirect(destination)
    return render(
        request,
        "privacy/consent.html",
        {
            "requirement": requirement,
            "statement": requirement.statement,
            "form": form,
            "next_url": next_url,
        },
    )


@require_GET
def statement(request: HttpRequest, institution_id: int, badge_type: str) -> HttpResponse:
    """The statement in effect, public, so that badge pages and emails can link to it."""
    institution = _institution_or_404(institution_id, badge_type)
    policy = PrivacyPolicy.objects.for_type(institution, badge_type)
    current = policy.current_statement if policy else None
    if current is None:
        raise Http404
    return render(
        request,
        "privacy/statement.html",
        {"institution": institution, "policy": policy, "statement": current},
    )


@login_required
def withdraw(request: HttpRequest, institution_id: int, badge_type: str) -> HttpResponse:
    """Shows what withdrawing consent will do; withdraws once the student confirms."""
    institution = _institution_or_404(institution_id, badge_type)
    consented = (
        ConsentRecord.objects.active()
        .for_type(institution, badge_type)
        .filter(user=request.user, kind=RecordKind.CONSENT)
        .exists()
    )
    if not consented:
        raise Http404
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.consent_withdraw(user=request.user, institution=institution, badge_type=badge_type)
        messages.success(
            request,
            _("Your consent for %(type)s of %(institution)s has been withdrawn.")
            % {"type": BadgeType(badge_type).label, "institution": institution.name},
        )
        return redirect("privacy:overview")
    return render(
        request,
        "privacy/withdraw.html",
        {
            "institution": institution,
            "badge_type_label": BadgeType(badge_type).label,
            "consequences": services.withdrawal_consequences(
                user=request.user, institution=institution, badge_type=badge_type
            ),
            "form": form,
        },
    )


@login_required
def objection(request: HttpRequest, institution_id: int, badge_type: str) -> HttpResponse:
    """Objection (GDPR art. 21), where the basis is a public task or a legitimate interest."""
    institution = _institution_or_404(institution_id, badge_type)
    policy = PrivacyPolicy.objects.for_type(institution, badge_type)
    if policy is None or not policy.allows_objection:
        raise Http404
    if (institution.pk, badge_type) not in selectors.data_held(request.user):
        raise Http404
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.objection_record(
            user=request.user,
            institution=institution,
            badge_type=badge_type,
            reason=form.cleaned_data["reason"],
        )
        messages.success(
            request,
            _("Your objection has been recorded and %(institution)s has been told.")
            % {"institution": institution.name},
        )
        return redirect("privacy:overview")
    return render(
        request,
        "privacy/objection.html",
        {
            "institution": institution,
            "policy": policy,
            "badge_type_label": BadgeType(badge_type).label,
            "legal_basis_label": LegalBasis(policy.legal_basis).label,
            "form": form,
        },
    )


@login_required
@require_POST
def export_request(request: HttpRequest) -> HttpResponse:
    export = services.data_export_request(user=request.user)
    if export.is_in_progress:
        messages.success(
            request,
            _("We are collecting your data. You will get an email when the download is ready."),
        )
    return redirect("privacy:overview")


@login_required
@never_cache
@require_GET
def export_download(request: HttpRequest, public_id) -> HttpResponse:
    export = get_object_or_404(
        DataExport.objects.defer("content").filter(user=request.user), public_id=public_id
    )
    if not export.is_downloadable:
        raise Http404
    content = services.data_export_download(user=request.user, export=export)
    response = HttpResponse(content, content_type="application/zip")
    filename = f"edubadges-personal-data-{export.ready_at:%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@never_cache
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.account_erase(actor=request.user, user=request.user)
        logout(request)
        messages.success(request, _("Your account and your personal data have been erased."))
        return redirect("home")
    return render(request, "privacy/account_delete.html", {"form": form})
