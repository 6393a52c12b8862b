"""Institution admins' privacy pages: legal basis and statement versions per enabled type
(with a preview as students see it), the processing register and the privacy audit log.

The institution is looked up through ``Institution.objects.for_user``, so staff of another
institution get 404; staff of this institution without the admin role get 403.
"""

from __future__ import annotations

import hashlib
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from issuers.badge_types import BadgeType
from issuers.models import AuditEntry, Institution
from issuers.permissions import Action, has_perm

from .. import selectors, services
from ..forms import PrivacyPolicyForm, PrivacyStatementForm
from ..models import (
    ConsentRecord,
    Objection,
    PrivacyAction,
    PrivacyPolicy,
    PrivacyStatement,
    RecordKind,
)


def _admin_institution(request: HttpRequest, pk: int) -> Institution:
    institution = get_object_or_404(Institution.objects.for_user(request.user).education(), pk=pk)
    if not has_perm(request.user, Action.CHANGE, institution):
        raise PermissionDenied
    return institution


def _enabled_type(institution: Institution, badge_type: str) -> BadgeType:
    if not institution.has_badge_type(badge_type):
        raise Http404
    return BadgeType(badge_type)


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def staff_institution(request: HttpRequest, pk: int) -> HttpResponse:
    institution = _admin_institution(request, pk)
    policies = {
        policy.badge_type: policy
        for policy in PrivacyPolicy.objects.filter(institution=institution).prefetch_related(
            "statements"
        )
    }
    today = timezone.localdate()
    counts = {
        row["statement_id"]: row
        for row in ConsentRecord.objects.active()
        .filter(institution=institution)
        .values("statement_id")
        .annotate(
            consents=Count("pk", filter=Q(kind=RecordKind.CONSENT)),
            acknowledgements=Count("pk", filter=Q(kind=RecordKind.ACKNOWLEDGEMENT)),
        )
    }
    types = []
    for value, label in institution.enabled_badge_type_choices:
        policy = policies.get(value)
        statements = sorted(
            policy.statements.all() if policy else [], key=lambda s: s.version, reverse=True
        )
        current = policy.current_statement if policy else None
        types.append(
            {
                "value": value,
                "label": label,
                "policy": policy,
                "current": current,
                "current_counts": counts.get(current.pk) if current else None,
                "upcoming": [s for s in statements if s.effective_date > today],
                "statements": statements,
            }
        )
    objections = Objection.objects.filter(institution=institution).select_related(
        "user", "statement"
    )[:50]
    return render(
        request,
        "privacy/staff/institution.html",
        {"institution": institution, "types": types, "objections": objections},
    )


@login_required
def staff_policy_edit(request: HttpRequest, pk: int, badge_type: str) -> HttpResponse:
    institution = _admin_institution(request, pk)
    label = _enabled_type(institution, badge_type).label
    policy = PrivacyPolicy.objects.for_type(institution, badge_type) or PrivacyPolicy(
        institution=institution, badge_type=badge_type
    )
    form = PrivacyPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        try:
            services.privacy_policy_save(
                actor=request.user,
                institution=institution,
                badge_type=badge_type,
                **form.cleaned_data,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The legal basis was saved."))
            return redirect("privacy:staff_institution", pk=institution.pk)
    return render(
        request,
        "privacy/staff/policy_form.html",
        {"institution": institution, "badge_type_label": label, "form": form},
    )


def _digest(cleaned_data: dict) -> str:
    """Fingerprint of the texts that were previewed, so that what is published is what
    the admin saw."""
    encoded = json.dumps(cleaned_data, cls=DjangoJSONEncoder, sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()


@login_required
def staff_statement_create(request: HttpRequest, pk: int, badge_type: str) -> HttpResponse:
    """A new statement version: fill in, preview in Dutch and English, then publish."""
    institution = _admin_institution(request, pk)
    label = _enabled_type(institution, badge_type).label
    policy = PrivacyPolicy.objects.for_type(institution, badge_type)
    if policy is None:
        messages.info(request, _("Choose the legal basis first."))
        return redirect("privacy:staff_policy_edit", pk=institution.pk, badge_type=badge_type)
    previous = policy.statements.order_by("-version").first()
    initial = {"effective_date": timezone.localdate()}
    if previous is not None:
        initial.update(
            {
                name: getattr(previous, name)
                for name in ("excerpt_nl", "excerpt_en", "text_nl", "text_en", "retention_days")
            }
        )
    form = PrivacyStatementForm(
        request.POST or None, previous=previous, initial=initial, instance=PrivacyStatement()
    )
    preview = None
    digest = ""
    if request.method == "POST" and form.is_valid():
        digest = _digest(form.cleaned_data)
        publishing = "publish" in request.POST
        if publishing and request.POST.get("previewed") == digest:
            try:
                statement = services.privacy_statement_publish(
                    actor=request.user, policy=policy, **form.cleaned_data
                )
            except ValidationError as error:
                _apply_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Version %(version)s of the privacy statement was published.")
                    % {"version": statement.version},
                )
                return redirect(
                    "privacy:staff_statement", pk=institution.pk, statement_pk=statement.pk
                )
        elif publishing:
            messages.warning(
                request, _("The texts changed since the preview. Check the preview, then publish.")
            )
        preview = form.preview()
        preview.policy = policy
    return render(
        request,
        "privacy/staff/statement_form.html",
        {
            "institution": institution,
            "policy": policy,
            "badge_type_label": label,
            "form": form,
            "previous": previous,
            "preview": preview,
            "digest": digest if preview is not None and form.is_valid() else "",
        },
    )


@login_required
def staff_statement(request: HttpRequest, pk: int, statement_pk: int) -> HttpResponse:
    institution = _admin_institution(request, pk)
    statement = get_object_or_404(
        PrivacyStatement.objects.select_related("policy"),
        pk=statement_pk,
        policy__institution=institution,
    )
    counts = ConsentRecord.objects.filter(statement=statement).aggregate(
        consents=Count("pk", filter=Q(kind=RecordKind.CONSENT, withdrawn_at__isnull=True)),
        acknowledgements=Count("pk", filter=Q(kind=RecordKind.ACKNOWLEDGEMENT)),
        withdrawn=Count("pk", filter=Q(withdrawn_at__isnull=False)),
    )
    return render(
        request,
        "privacy/staff/statement_detail.html",
        {
            "institution": institution,
            "policy": statement.policy,
            "statement": statement,
            "counts": counts,
        },
    )


@login_required
def staff_register(request: HttpRequest, pk: int) -> HttpResponse:
    institution = _admin_institution(request, pk)
    return render(
        request,
        "privacy/staff/register.html",
        {"institution": institution, "rows": selectors.processing_register(institution)},
    )


@login_required
def staff_audit_log(request: HttpRequest, pk: int) -> HttpResponse:
    institution = _admin_institution(request, pk)
    entries = AuditEntry.objects.filter(
        institution=institution, action__in=PrivacyAction.values
    ).select_related("actor", "subject")
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request, "privacy/staff/audit_log.html", {"institution": institution, "page": page}
    )
