"""The student's pages: claim or decline an offered badge (from the link in the email), the
catalogue of badges open for enrolment, their enrolment requests and their badges.

The claim page leads an anonymous visitor through sign-in or registration (``?next=``
brings them back), then through the consent step of ``privacy`` as the badge type's legal
basis requires, then to "claim" or "decline".
"""

from __future__ import annotations

import mimetypes
import posixpath
from urllib.parse import urlencode

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from badges.awarding import claims, selectors
from badges.awarding import enrollments as enrollment_services
from badges.awarding.rules import ConsentRequired, Recipient, holds, missing_prerequisites
from badges.forms import CatalogueFilterForm, EnrollmentRequestForm
from badges.models import Assertion, Award, BadgeClass, Enrollment
from edubadges.headers import protect_uploaded_file
from issuers.permissions import Action, has_perm
from privacy.models import PrivacyStatement
from privacy.services import PrivacyNotConfigured, consent_requirement


def _requirement(user, badge_class: BadgeClass):
    """What the privacy step still asks of ``user``; None when the type cannot be claimed."""
    institution = badge_class.issuer.faculty.institution
    try:
        return consent_requirement(
            user=user, institution=institution, badge_type=badge_class.badge_type
        )
    except PrivacyNotConfigured:
        return None


def _entrance_links(request: HttpRequest) -> dict:
    query = urlencode({"next": request.get_full_path()})
    return {
        "login_url": f"{reverse('account_login')}?{query}",
        "signup_url": f"{reverse('account_signup')}?{query}",
    }


def _award_or_404(token: str) -> Award:
    award = claims.award_for_token(token)
    if award is None:
        raise Http404
    return award


def _claim_rate_limited(request: HttpRequest) -> HttpResponse | None:
    """Claim links are long secrets; still, nobody gets to try many of them quickly."""
    return ratelimit.consume_or_429(request, action="claim", limit_get=True)


@never_cache
def claim(request: HttpRequest, token: str) -> HttpResponse:
    limited = _claim_rate_limited(request)
    if limited is not None:
        return limited
    award = _award_or_404(token)
    badge_class = award.badge_class
    institution = badge_class.issuer.faculty.institution
    user = request.user
    if (
        award.status == Award.Status.CLAIMED
        and user.is_authenticated
        and award.recipient_id == user.pk
    ):
        messages.info(request, _("You have claimed this badge already."))
        return redirect("backpack:list")
    context = {
        "award": award,
        "badge_class": badge_class,
        "institution": institution,
        "statement": PrivacyStatement.objects.current_for(institution, badge_class.badge_type),
    }
    if not claims.is_claimable(award):
        return render(
            request,
            "students/claim_closed.html",
            {**context, "reason": claims.closed_reason(award)},
        )
    if not user.is_authenticated:
        if award.recipient_email:
            # The link came by mail: whoever registers with that address here proved it.
            get_account_adapter(request).stash_verified_email(request, award.recipient_email)
        return render(request, "students/claim.html", {**context, **_entrance_links(request)})
    requirement = _requirement(user, badge_class)
    if requirement is None:
        return render(
            request,
            "students/claim_closed.html",
            {
                **context,
                "reason": _("This badge cannot be claimed at the moment; try again later."),
            },
        )
    if request.method == "POST":
        try:
            claims.award_claim(user=user, award=award)
        except ConsentRequired:
            return redirect(requirement.page_url(next_url=request.path))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("students:claim", token=token)
        messages.success(
            request,
            _("You claimed “%(badge)s”. It is being signed and appears among your badges.")
            % {"badge": badge_class.name},
        )
        return redirect("backpack:list")
    return render(
        request,
        "students/claim.html",
        {
            **context,
            "requirement": requirement,
            "consent_url": requirement.page_url(next_url=request.path),
            "already_holds": holds(badge_class, Recipient.of(user=user, email=user.email)),
        },
    )


@never_cache
@login_required
def decline(request: HttpRequest, token: str) -> HttpResponse:
    limited = _claim_rate_limited(request)
    if limited is not None:
        return limited
    award = _award_or_404(token)
    if not claims.is_claimable(award) and not (
        award.status == Award.Status.DECLINED and award.recipient_id == request.user.pk
    ):
        return render(
            request,
            "students/claim_closed.html",
            {
                "award": award,
                "badge_class": award.badge_class,
                "reason": claims.closed_reason(award),
            },
        )
    if request.method == "POST":
        try:
            claims.award_decline(user=request.user, award=award)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("students:claim", token=token)
        messages.success(
            request, _("You declined “%(badge)s”.") % {"badge": award.badge_class.name}
        )
        return redirect("backpack:list")
    return render(
        request, "students/decline.html", {"award": award, "badge_class": award.badge_class}
    )


def my_badges(request: HttpRequest) -> HttpResponse:
    """The former "Your awards" page: badges and offers are in one place, the backpack."""
    return redirect("backpack:list", permanent=True)


def catalogue(request: HttpRequest) -> HttpResponse:
    institutions = selectors.catalogue_institutions()
    form = CatalogueFilterForm(
        request.GET or None,
        institutions=institutions,
        framework_items=selectors.catalogue_framework_items(),
    )
    filters = selectors.CatalogueFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = selectors.CatalogueFilters(
            institution=data.get("institution"),
            badge_type=data.get("badge_type") or "",
            level=data.get("level"),
            language=data.get("language") or "",
            query=(data.get("q") or "").strip(),
            framework=data.get("framework") or "",
            item=data.get("item") or "",
        )
    page = Paginator(selectors.catalogue(filters), 24).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "students/catalogue.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def catalogue_detail(request: HttpRequest, public_id) -> HttpResponse:
    badge_class = get_object_or_404(
        BadgeClass.objects.select_related("issuer__faculty__institution"),
        public_id=public_id,
        self_enrollment_enabled=True,
        archived=False,
    )
    institution = badge_class.issuer.faculty.institution
    statement = PrivacyStatement.objects.current_for(institution, badge_class.badge_type)
    context = {
        "badge_class": badge_class,
        "institution": institution,
        "statement": statement,
        "prerequisites": list(badge_class.prerequisites.all()),
    }
    user = request.user
    if statement is None or not enrollment_services.open_for_enrollment(badge_class):
        raise Http404
    if not user.is_authenticated:
        return render(
            request, "students/catalogue_detail.html", {**context, **_entrance_links(request)}
        )
    pending = Enrollment.objects.filter(
        badge_class=badge_class, user=user, status=Enrollment.Status.PENDING
    ).first()
    recipient = Recipient.of(user=user, email=user.email, eppn=getattr(user, "eppn", ""))
    requirement = _requirement(user, badge_class)
    form = EnrollmentRequestForm(
        request.POST if request.method == "POST" else None, badge_class=badge_class
    )
    if request.method == "POST" and form.is_valid():
        try:
            enrollment_services.enrollment_request(
                user=user, badge_class=badge_class, **form.cleaned_data
            )
        except ConsentRequired:
            return redirect(requirement.page_url(next_url=request.path))
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your request for “%(badge)s” was sent. You will hear when it is decided.")
                % {"badge": badge_class.name},
            )
            return redirect("students:enrollments")
    return render(
        request,
        "students/catalogue_detail.html",
        {
            **context,
            "form": form,
            "pending": pending,
            "requirement": requirement,
            "consent_url": requirement.page_url(next_url=request.path) if requirement else "",
            "already_holds": holds(badge_class, recipient),
            "missing": missing_prerequisites(badge_class, recipient),
        },
    )


@login_required
def enrollments(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "students/enrollments.html",
        {"enrollments": selectors.student_enrollments(request.user)},
    )


@login_required
@require_POST
def enrollment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = get_object_or_404(Enrollment.objects.filter(user=request.user), pk=pk)
    try:
        enrollment_services.enrollment_withdraw(user=request.user, enrollment=enrollment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your request was withdrawn."))
    return redirect("students:enrollments")


def _may_see_evidence(user, award: Award) -> bool:
    if user.is_authenticated and (
        award.recipient_id == user.pk or has_perm(user, Action.VIEW, award.badge_class)
    ):
        return True
    assertion = Assertion.objects.filter(award=award, status=Assertion.Status.ISSUED).first()
    return bool(assertion and assertion.is_public and assertion.show_evidence)


def evidence(request: HttpRequest, public_id) -> HttpResponse:
    """The evidence file of an award: for the recipient and the badge's staff, and for
    everyone once the recipient made the badge and its evidence public."""
    award = get_object_or_404(Award.objects.select_related("badge_class"), public_id=public_id)
    if not award.evidence_file:
        raise Http404
    if not _may_see_evidence(request.user, award):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        raise PermissionDenied
    name = posixpath.basename(award.evidence_file.name)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(
        award.evidence_file.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
    response["Cache-Control"] = "private, no-store"
    return protect_uploaded_file(response, content_type=content_type, filename=name, download=True)
