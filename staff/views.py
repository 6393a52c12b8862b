"""Staff pages: institution admins manage faculties, issuers and roles; issuer admins
define badge classes. Every object is looked up through the models' ``for_user`` querysets,
so staff of one institution get 404 for everything of another."""

from __future__ import annotations

from urllib.parse import urlencode

from allauth.account.adapter import get_adapter as get_account_adapter
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import identities
from badges import services as badge_services
from badges.awarding import selectors as awarding_selectors
from badges.models import BadgeClass, Endorsement, Enrollment
from issuers import onboarding
from issuers import services as issuer_services
from issuers.badge_types import BADGE_TYPE_EXPLANATIONS, BadgeType
from issuers.models import AuditEntry, Faculty, Institution, Invitation, Issuer, Membership
from issuers.permissions import Action, has_perm, institution_of
from issuers.roles import Role

from .forms import BadgeClassForm, FacultyForm, InstitutionForm, IssuerForm, MemberForm

User = get_user_model()

SCOPES = {
    "institution": Institution,
    "faculty": Faculty,
    "issuer": Issuer,
    "badge": BadgeClass,
}


def _require(request: HttpRequest, action: Action, obj) -> None:
    if not has_perm(request.user, action, obj):
        raise PermissionDenied


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    institutions = Institution.objects.for_user(request.user).order_by("name_en")
    issuers = Issuer.objects.for_user(request.user).select_related("faculty__institution")
    badge_classes = BadgeClass.objects.for_user(request.user).select_related("issuer")
    if not (institutions or issuers or badge_classes):
        raise PermissionDenied
    return render(
        request,
        "staff/dashboard.html",
        {
            "institutions": institutions,
            "issuers": issuers,
            "badge_classes": badge_classes,
            # Staff of an endorsing body only endorse: no badges, frameworks or figures.
            "works_with_badges": any(not i.is_endorsing_body for i in institutions)
            or any(not i.faculty.institution.is_endorsing_body for i in issuers)
            or badge_classes.exists(),
            "first_steps": _first_steps(request.user),
            "waiting_endorsements": Endorsement.objects.filter(status=Endorsement.Status.REQUESTED)
            .filter(
                Q(badge_class__in=BadgeClass.objects.for_user(request.user, Role.ADMIN))
                | Q(issuer__in=Issuer.objects.for_user(request.user, Role.ADMIN))
            )
            .count(),
            "pending_enrollments": Enrollment.objects.filter(
                status=Enrollment.Status.PENDING,
                badge_class__in=BadgeClass.objects.for_user(request.user, Role.AWARDER),
            ).count(),
        },
    )


def _first_steps(user) -> list[tuple[Institution, Faculty | None]]:
    """Institutions the user administers that have no issuer yet, with the faculty to add one
    to (``None`` when a faculty must be created first)."""
    steps = []
    administered = (
        Institution.objects.for_user(user, Role.ADMIN)
        .education()
        .exclude(faculties__issuers__isnull=False)
    )
    for institution in administered.order_by("name_en"):
        steps.append((institution, institution.faculties.order_by("pk").first()))
    return steps


@login_required
def institution_detail(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_object_or_404(Institution.objects.for_user(request.user), pk=pk)
    faculties = Faculty.objects.for_user(request.user).filter(institution=institution)
    issuers = Issuer.objects.for_user(request.user).filter(faculty__institution=institution)
    can_change = has_perm(request.user, Action.CHANGE, institution)
    return render(
        request,
        "staff/institution_detail.html",
        {
            "institution": institution,
            "faculties": faculties.prefetch_related("issuers"),
            "issuers": issuers,
            "can_change": can_change,
            "checklist": onboarding.checklist(institution) if can_change else [],
            "failed_signings": awarding_selectors.failed_signings(institution)
            if can_change
            else [],
            "audit_entries": AuditEntry.objects.filter(institution=institution)[:20]
            if can_change
            else [],
        },
    )


@login_required
def institution_edit(request: HttpRequest, pk: int) -> HttpResponse:
    # An endorsing body is changed by the platform admins (with its issuer profile).
    institution = get_object_or_404(Institution.objects.for_user(request.user).education(), pk=pk)
    _require(request, Action.CHANGE, institution)
    form = InstitutionForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=institution,
    )
    if request.method == "POST" and form.is_valid():
        try:
            issuer_services.institution_update(
                actor=request.user, institution=institution, **form.cleaned_data
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The institution was saved."))
            return redirect("staff:institution", pk=institution.pk)
    return render(
        request,
        "staff/form.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": institution.name},
            "back": institution,
        },
    )


@login_required
def faculty_create(request: HttpRequest, institution_pk: int) -> HttpResponse:
    institution = get_object_or_404(Institution.objects.for_user(request.user), pk=institution_pk)
    _require(request, Action.ADD_FACULTY, institution)
    form = FacultyForm(
        request.POST if request.method == "POST" else None,
        instance=Faculty(institution=institution),
    )
    if request.method == "POST" and form.is_valid():
        faculty = issuer_services.faculty_create(
            actor=request.user, institution=institution, **form.cleaned_data
        )
        messages.success(request, _("The faculty was created."))
        return redirect("staff:faculty", pk=faculty.pk)
    return render(
        request, "staff/form.html", {"form": form, "title": _("New faculty"), "back": institution}
    )


@login_required
def faculty_detail(request: HttpRequest, pk: int) -> HttpResponse:
    faculty = get_object_or_404(
        Faculty.objects.for_user(request.user).select_related("institution"), pk=pk
    )
    issuers = Issuer.objects.for_user(request.user).filter(faculty=faculty)
    return render(
        request,
        "staff/faculty_detail.html",
        {
            "faculty": faculty,
            "issuers": issuers,
            "can_change": has_perm(request.user, Action.CHANGE, faculty),
            "can_add_issuer": has_perm(request.user, Action.ADD_ISSUER, faculty),
        },
    )


@login_required
def faculty_edit(request: HttpRequest, pk: int) -> HttpResponse:
    faculty = get_object_or_404(Faculty.objects.for_user(request.user), pk=pk)
    _require(request, Action.CHANGE, faculty)
    form = FacultyForm(request.POST if request.method == "POST" else None, instance=faculty)
    if request.method == "POST" and form.is_valid():
        issuer_services.faculty_update(actor=request.user, faculty=faculty, **form.cleaned_data)
        messages.success(request, _("The faculty was saved."))
        return redirect("staff:faculty", pk=faculty.pk)
    return render(
        request,
        "staff/form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": faculty.name}, "back": faculty},
    )


@login_required
def issuer_create(request: HttpRequest, faculty_pk: int) -> HttpResponse:
    faculty = get_object_or_404(Faculty.objects.for_user(request.user), pk=faculty_pk)
    _require(request, Action.ADD_ISSUER, faculty)
    form = IssuerForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=Issuer(faculty=faculty),
    )
    if request.method == "POST" and form.is_valid():
        issuer = issuer_services.issuer_create(
            actor=request.user, faculty=faculty, **form.cleaned_data
        )
        messages.success(request, _("The issuer was created."))
        return redirect("staff:issuer", pk=issuer.pk)
    return render(
        request, "staff/form.html", {"form": form, "title": _("New issuer"), "back": faculty}
    )


@login_required
def issuer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    issuer = get_object_or_404(
        Issuer.objects.for_user(request.user).select_related("faculty__institution"), pk=pk
    )
    badge_classes = BadgeClass.objects.for_user(request.user).filter(issuer=issuer)
    institution = issuer.faculty.institution
    return render(
        request,
        "staff/issuer_detail.html",
        {
            "issuer": issuer,
            "badge_classes": badge_classes,
            "can_change": has_perm(request.user, Action.CHANGE, issuer),
            "can_add_badge": has_perm(request.user, Action.ADD_BADGE_CLASS, issuer),
            "badge_types": [
                (
                    value,
                    label,
                    BADGE_TYPE_EXPLANATIONS[BadgeType(value)],
                    onboarding.can_issue(institution, value),
                )
                for value, label in institution.enabled_badge_type_choices
            ],
        },
    )


@login_required
def issuer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    issuer = get_object_or_404(Issuer.objects.for_user(request.user), pk=pk)
    _require(request, Action.CHANGE, issuer)
    form = IssuerForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=issuer,
        contact_only=issuer.faculty.institution.is_endorsing_body,
    )
    if request.method == "POST" and form.is_valid():
        issuer_services.issuer_update(actor=request.user, issuer=issuer, **form.cleaned_data)
        messages.success(request, _("The issuer was saved."))
        return redirect("staff:issuer", pk=issuer.pk)
    return render(
        request,
        "staff/form.html",
        {"form": form, "title": _("Edit %(name)s") % {"name": issuer.name}, "back": issuer},
    )


@login_required
def badge_class_create(request: HttpRequest, issuer_pk: int) -> HttpResponse:
    issuer = get_object_or_404(
        Issuer.objects.for_user(request.user).select_related("faculty__institution"), pk=issuer_pk
    )
    _require(request, Action.ADD_BADGE_CLASS, issuer)
    institution = issuer.faculty.institution
    badge_type = request.GET.get("type") or request.POST.get("badge_type")
    if not badge_type or not institution.has_badge_type(badge_type):
        return render(
            request,
            "staff/badge_class_type.html",
            {
                "issuer": issuer,
                "badge_types": [
                    (value, label, BADGE_TYPE_EXPLANATIONS[BadgeType(value)])
                    for value, label in institution.enabled_badge_type_choices
                ],
            },
        )
    form = BadgeClassForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=BadgeClass(issuer=issuer, badge_type=badge_type),
        session=request.session,
    )
    if request.method == "POST" and form.is_valid():
        try:
            badge_class = badge_services.badge_class_create(
                actor=request.user,
                issuer=issuer,
                badge_type=badge_type,
                prerequisites=form.cleaned_data.get("prerequisites", []),
                framework_items=form.chosen_framework_items(),
                **form.service_fields(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            form.forget_upload()
            messages.success(request, _("The badge was created."))
            return redirect("staff:badge_class", pk=badge_class.pk)
    if request.method == "POST":
        form.keep_upload()
    return render(
        request,
        "staff/badge_class_form.html",
        {
            "form": form,
            "issuer": issuer,
            "badge_type": BadgeType(badge_type),
            "explanation": BADGE_TYPE_EXPLANATIONS[BadgeType(badge_type)],
            "can_issue": onboarding.can_issue(institution, badge_type),
        },
    )


@login_required
def badge_class_detail(request: HttpRequest, pk: int) -> HttpResponse:
    badge_class = get_object_or_404(
        BadgeClass.objects.for_user(request.user).select_related("issuer__faculty__institution"),
        pk=pk,
    )
    return render(
        request,
        "staff/badge_class_detail.html",
        {
            "badge_class": badge_class,
            "can_change": has_perm(request.user, Action.CHANGE, badge_class),
            "can_award": has_perm(request.user, Action.AWARD, badge_class),
        },
    )


@login_required
def badge_class_edit(request: HttpRequest, pk: int) -> HttpResponse:
    badge_class = get_object_or_404(
        BadgeClass.objects.for_user(request.user).select_related("issuer__faculty__institution"),
        pk=pk,
    )
    _require(request, Action.CHANGE, badge_class)
    form = BadgeClassForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        instance=badge_class,
        session=request.session,
    )
    if request.method == "POST" and form.is_valid():
        try:
            badge_services.badge_class_update(
                actor=request.user,
                badge_class=badge_class,
                prerequisites=form.cleaned_data.get("prerequisites"),
                framework_items=form.chosen_framework_items(),
                **form.service_fields(),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            form.forget_upload()
            messages.success(request, _("The badge was saved."))
            return redirect("staff:badge_class", pk=badge_class.pk)
    if request.method == "POST":
        form.keep_upload()
    return render(
        request,
        "staff/badge_class_form.html",
        {
            "form": form,
            "issuer": badge_class.issuer,
            "badge_type": BadgeType(badge_class.badge_type),
            "explanation": BADGE_TYPE_EXPLANATIONS[BadgeType(badge_class.badge_type)],
            "badge_class": badge_class,
            "can_issue": True,
        },
    )


def _scope_or_404(request: HttpRequest, scope_type: str, pk: int):
    model = SCOPES.get(scope_type)
    if model is None:
        raise Http404
    return get_object_or_404(model.objects.for_user(request.user), pk=pk)


def _scope_memberships(scope):
    key = {
        "issuers.Institution": "institution",
        "issuers.Faculty": "faculty",
        "issuers.Issuer": "issuer",
        "badges.BadgeClass": "badge_class",
    }[scope._meta.label]
    return Membership.objects.filter(**{key: scope}).select_related("user").order_by("user__email")


def _member_for(email: str, eppn: str):
    """The account a role can go to directly: one that verified the address, or that signed in
    with the eppn. None when the person must be invited."""
    if eppn:
        return identities.eppn_owner(eppn)
    user = identities.email_owner(email)
    if user is None:
        user = User.objects.filter(email__iexact=email, is_active=True).first()
    return user if user is not None and identities.is_verified(user) else None


def _member_add(request: HttpRequest, scope_type: str, scope, email: str, eppn: str, role: str):
    user = _member_for(email, eppn)
    who = email or eppn
    if user is not None:
        issuer_services.membership_grant(actor=request.user, user=user, role=role, scope=scope)
        return _("%(email)s is now %(role)s.") % {"email": who, "role": Role(role).label}
    if scope_type == "badge":
        raise ValidationError(
            {
                "email": _(
                    "There is no confirmed account with this address or eppn yet; invite them "
                    "on the issuer."
                )
            }
        )
    issuer_services.invitation_create(
        actor=request.user,
        email=email,
        eppn=eppn if not email else "",
        role=role,
        institution=scope if scope_type == "institution" else scope.institution,
        faculty=scope if scope_type == "faculty" else None,
        issuer=scope if scope_type == "issuer" else None,
    )
    if email:
        return _("An invitation was sent to %(email)s.") % {"email": email}
    return _("%(eppn)s gets the role when they sign in through SURFconext.") % {"eppn": eppn}


@login_required
def members(request: HttpRequest, scope_type: str, pk: int) -> HttpResponse:
    scope = _scope_or_404(request, scope_type, pk)
    _require(request, Action.MANAGE_MEMBERS, scope)
    form = MemberForm(
        request.POST if request.method == "POST" else None,
        allow_admin=scope_type != "badge",
        allow_eppn=scope_type != "badge",
        allow_awarder=not institution_of(scope).is_endorsing_body,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            message = _member_add(
                request, scope_type, scope, data["email"], data.get("eppn", ""), data["role"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, message)
            return redirect("staff:members", scope_type=scope_type, pk=pk)
    invitations = []
    if scope_type != "badge":
        key = {"institution": "institution", "faculty": "faculty", "issuer": "issuer"}[scope_type]
        invitations = [
            invitation
            for invitation in Invitation.objects.filter(**{key: scope}, accepted_at__isnull=True)
            if scope_type != "institution"
            or (invitation.faculty_id is None and invitation.issuer_id is None)
        ]
    return render(
        request,
        "staff/members.html",
        {
            "scope": scope,
            "scope_type": scope_type,
            "memberships": _scope_memberships(scope),
            "form": form,
            "invitations": invitations,
        },
    )


@login_required
@require_POST
def member_remove(
    request: HttpRequest, scope_type: str, pk: int, membership_pk: int
) -> HttpResponse:
    scope = _scope_or_404(request, scope_type, pk)
    _require(request, Action.MANAGE_MEMBERS, scope)
    membership = get_object_or_404(_scope_memberships(scope), pk=membership_pk)
    issuer_services.membership_revoke(actor=request.user, membership=membership)
    messages.success(request, _("The role was removed."))
    return redirect("staff:members", scope_type=scope_type, pk=pk)


@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.objects.select_related("institution").filter(token=token).first()
    if invitation is None:
        raise Http404
    if invitation.is_open and invitation.email:
        # The link came by mail: whoever registers with the invited address here proved it.
        get_account_adapter(request).stash_verified_email(request, invitation.email)
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = issuer_services.invitation_accept(user=request.user, token=token)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("Welcome! You are now %(role)s.") % {"role": membership.get_role_display()},
            )
            return redirect("staff:dashboard")
    query = urlencode({"next": request.get_full_path()})
    return render(
        request,
        "staff/invitation_accept.html",
        {
            "invitation": invitation,
            "login_url": f"{reverse('account_login')}?{query}",
            "signup_url": f"{reverse('account_signup')}?{query}",
        },
    )
