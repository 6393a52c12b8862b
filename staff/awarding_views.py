"""Staff pages for awarding: direct and bulk awards, the awards and badges of a badge class
(withdraw, revoke), enrolment requests (approve, deny) and the institution's audit trail.

As on the other staff pages, every object is looked up through a queryset scoped to the
user (``badges.awarding.selectors``), so staff of another institution get 404; a role too
low for the action gets 403.
"""

from __future__ import annotations

import csv
import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from badges import issuing
from badges.awarding import (
    awards as award_services,
)
from badges.awarding import (
    bulk as bulk_services,
)
from badges.awarding import (
    enrollments as enrollment_services,
)
from badges.awarding import (
    revocations,
    selectors,
)
from badges.awarding.notifications import recipient_told
from badges.awarding.rules import PrerequisitesMissing
from badges.forms import (
    ApproveForm,
    AuditFilterForm,
    AwardForm,
    BulkMappingForm,
    BulkStartForm,
    BulkUploadForm,
    DenyForm,
    RevokeForm,
    RevokeManyForm,
    SelectionForm,
    WithdrawForm,
    WithdrawManyForm,
)
from badges.models import Assertion, Award, BadgeClass, BulkAward, BulkAwardRow, Enrollment
from edubadges import listing
from issuers.models import AuditEntry, Institution
from issuers.permissions import Action, has_perm
from issuers.roles import Role

PAGE_SIZE = 100


def _require(request: HttpRequest, action: Action, obj) -> None:
    if not has_perm(request.user, action, obj):
        raise PermissionDenied


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _badge_class(request: HttpRequest, pk: int) -> BadgeClass:
    return get_object_or_404(
        BadgeClass.objects.for_user(request.user).select_related("issuer__faculty__institution"),
        pk=pk,
    )


# --- direct award ------------------------------------------------------------------------------


@login_required
def award_create(request: HttpRequest, pk: int) -> HttpResponse:
    badge_class = _badge_class(request, pk)
    _require(request, Action.AWARD, badge_class)
    may_override = award_services.may_override_prerequisites(request.user, badge_class)
    form = AwardForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        badge_class=badge_class,
        may_override=may_override,
    )
    missing: list[BadgeClass] = []
    blocked = None
    try:
        from badges.awarding.rules import ensure_awardable

        ensure_awardable(badge_class)
    except ValidationError as error:
        blocked = " ".join(error.messages)
    if request.method == "POST" and blocked is None and form.is_valid():
        try:
            award = award_services.award_create(
                actor=request.user, badge_class=badge_class, **form.service_fields()
            )
        except PrerequisitesMissing as error:
            missing = error.missing
            _apply_errors(form, error)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _award_message(award))
            return redirect("staff:award", pk=award.pk)
    return render(
        request,
        "staff/awards/award_form.html",
        {
            "badge_class": badge_class,
            "form": form,
            "missing": missing,
            "may_override": may_override,
            "blocked": blocked,
            "prerequisites": list(badge_class.prerequisites.all()),
        },
    )


def _award_message(award: Award) -> str:
    if award.status == Award.Status.SCHEDULED:
        return _("The award is scheduled; the recipient gets it on %(date)s.") % {
            "date": date_format(timezone.localtime(award.scheduled_for), "DATETIME_FORMAT")
        }
    if award.status == Award.Status.CLAIMED:
        return _("The badge was issued directly and the recipient was told.")
    return _("The badge was awarded; the recipient gets an email with a claim link.")


# --- awards and badges of a badge class -----------------------------------------------------


# The columns the lists of a badge class's awards and badges show: a page of 100 rows reads
# these and nothing else (no narratives, no signed documents), whatever the badge holds.
AWARD_LIST_COLUMNS = (
    "pk",
    "badge_class_id",
    "status",
    "recipient_name",
    "recipient_email",
    "recipient_eppn",
    "issued_directly",
    "prerequisites_overridden",
    "created_at",
    "scheduled_for",
    "expires_at",
)
ASSERTION_LIST_COLUMNS = (
    "pk",
    "badge_class_id",
    "public_id",
    "status",
    "recipient_name",
    "recipient_identity",
    "revocation_reason",
    "issued_on",
    "expires_at",
)


_PLACEHOLDER_PK = 987654321


def _link_rows(rows, name: str) -> None:
    """Give each row of a list page its ``staff_url``, reversing ``name`` once per page."""
    pattern = reverse(name, args=[_PLACEHOLDER_PK])
    for row in rows:
        row.staff_url = pattern.replace(str(_PLACEHOLDER_PK), str(row.pk))


@login_required
def badge_awards(request: HttpRequest, pk: int) -> HttpResponse:
    """The awards and the badges of a badge class, each list newest first and paged on its
    own from the last row shown (``after``/``before``, ``badges_after``/``badges_before``):
    every page, the thousandth as the first, reads the same few index entries and rows."""
    badge_class = _badge_class(request, pk)
    status = request.GET.get("status", "")
    if status not in Award.Status.values:
        status = ""
    query = (request.GET.get("q") or "").strip()
    counts = selectors.badge_class_counts(badge_class)
    # A page reads only the columns its rows show.
    award_page = listing.newest_first(
        selectors.badge_class_awards(badge_class, status=status, query=query).only(
            *AWARD_LIST_COLUMNS
        ),
        moment="created_at",
        after=listing.Cursor.parse(request.GET.get("after")),
        before=listing.Cursor.parse(request.GET.get("before")),
        size=PAGE_SIZE,
    )
    assertion_page = listing.newest_first(
        selectors.badge_class_assertions(badge_class, query=query).only(*ASSERTION_LIST_COLUMNS),
        moment="issued_on",
        after=listing.Cursor.parse(request.GET.get("badges_after")),
        before=listing.Cursor.parse(request.GET.get("badges_before")),
        size=PAGE_SIZE,
    )
    _link_rows(award_page, "staff:award")
    _link_rows(assertion_page, "staff:assertion")
    # Links of one list keep the filters and the other list's position; page numbers of
    # links made before the lists were paged by position lead to the first page.
    stale = ("page", "badges_page")
    return render(
        request,
        "staff/awards/badge_awards.html",
        {
            "badge_class": badge_class,
            "can_award": has_perm(request.user, Action.AWARD, badge_class),
            "awards": award_page,
            "award_links": listing.page_links(
                award_page, request.GET, after="after", before="before", stale=stale
            ),
            "assertions": assertion_page,
            "assertion_links": listing.page_links(
                assertion_page,
                request.GET,
                after="badges_after",
                before="badges_before",
                stale=stale,
            ),
            "status": status,
            "query": query,
            "statuses": [
                (value, label, listing.capped_number(counts.awards[value], counts.cap))
                for value, label in Award.Status.choices
            ],
            "counts_capped": any(count > counts.cap for count in counts.awards.values()),
            "count_cap": listing.capped_number(counts.cap, counts.cap),
            "withdraw_form": WithdrawForm(),
            "revoke_form": RevokeForm(),
            "bulk_awards": BulkAward.objects.filter(badge_class=badge_class).only(
                "pk", "filename", "created_at", "status"
            )[:10],
            "failed_signings": counts.failed_signings,
            "failed_signings_shown": listing.capped_number(counts.failed_signings, counts.cap),
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def awards_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    badge_class = _badge_class(request, pk)
    _require(request, Action.AWARD, badge_class)
    # Any award of this badge may be ticked (one may have been claimed since the page was
    # shown); the service leaves those that are no longer open as they are.
    form = WithdrawManyForm(request.POST, queryset=Award.objects.filter(badge_class=badge_class))
    if form.is_valid():
        selected = list(form.cleaned_data["selected"])
        count = award_services.awards_withdraw(
            actor=request.user, awards=selected, reason=form.cleaned_data["reason"]
        )
        messages.success(
            request,
            ngettext("%(count)s award was withdrawn.", "%(count)s awards were withdrawn.", count)
            % {"count": count},
        )
        if skipped := len(selected) - count:
            messages.info(
                request,
                ngettext(
                    "%(count)s award was no longer open and was left as it is.",
                    "%(count)s awards were no longer open and were left as they are.",
                    skipped,
                )
                % {"count": skipped},
            )
    else:
        messages.error(request, " ".join(_form_errors(form)))
    return redirect("staff:badge_awards", pk=badge_class.pk)


@login_required
@require_POST
def assertions_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    badge_class = _badge_class(request, pk)
    _require(request, Action.AWARD, badge_class)
    form = RevokeManyForm(request.POST, queryset=Assertion.objects.filter(badge_class=badge_class))
    if form.is_valid() and not form.cleaned_data["confirmed"]:
        return _confirm_revocation(
            request,
            badge_class=badge_class,
            assertions=list(form.cleaned_data["selected"]),
            reason=form.cleaned_data["reason"],
            action=reverse("staff:assertions_revoke", args=[badge_class.pk]),
            back=reverse("staff:badge_awards", args=[badge_class.pk]),
        )
    if form.is_valid():
        count = revocations.assertions_revoke(
            actor=request.user,
            assertions=form.cleaned_data["selected"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(
            request,
            ngettext("%(count)s badge was revoked.", "%(count)s badges were revoked.", count)
            % {"count": count},
        )
    else:
        messages.error(request, " ".join(_form_errors(form)))
    return redirect("staff:badge_awards", pk=badge_class.pk)


@login_required
@require_POST
def assertions_signing_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Try again to sign the badges of this badge class whose signing failed."""
    badge_class = _badge_class(request, pk)
    _require(request, Action.AWARD, badge_class)
    count = issuing.assertions_signing_retry(
        actor=request.user,
        assertions=Assertion.objects.filter(
            badge_class=badge_class, status=Assertion.Status.FAILED
        ),
    )
    messages.success(
        request,
        ngettext(
            "%(count)s badge is being signed again.",
            "%(count)s badges are being signed again.",
            count,
        )
        % {"count": count},
    )
    return redirect("staff:badge_awards", pk=badge_class.pk)


@login_required
@require_POST
def assertion_signing_retry(request: HttpRequest, pk: int) -> HttpResponse:
    assertion = get_object_or_404(selectors.assertions_for_user(request.user), pk=pk)
    _require(request, Action.AWARD, assertion.badge_class)
    if issuing.assertions_signing_retry(actor=request.user, assertions=[assertion]):
        messages.success(request, _("The badge is being signed again."))
    return redirect("staff:assertion", pk=assertion.pk)


def _confirm_revocation(
    request: HttpRequest, *, badge_class, assertions, reason: str, action: str, back: str
) -> HttpResponse:
    """Ask once more before revoking: it cannot be undone and the reason is public."""
    return render(
        request,
        "staff/awards/revoke_confirm.html",
        {
            "badge_class": badge_class,
            "assertions": [a for a in assertions if a.status != Assertion.Status.REVOKED],
            "reason": reason,
            "action": action,
            "back": back,
        },
    )


def _form_errors(form) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]


@login_required
def award_detail(request: HttpRequest, pk: int) -> HttpResponse:
    award = get_object_or_404(selectors.awards_for_user(request.user), pk=pk)
    assertion = Assertion.objects.filter(award=award).first()
    return render(
        request,
        "staff/awards/award_detail.html",
        {
            "award": award,
            "badge_class": award.badge_class,
            "assertion": assertion,
            "can_award": has_perm(request.user, Action.AWARD, award.badge_class),
            "withdraw_form": WithdrawForm(),
            "notifications": recipient_told(award),
            "entries": [
                (entry, entry.label)
                for entry in AuditEntry.objects.filter(
                    object_type="badges.Award", object_id=str(award.pk)
                ).select_related("actor")
            ],
        },
    )


@login_required
@require_POST
def award_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    award = get_object_or_404(selectors.awards_for_user(request.user), pk=pk)
    _require(request, Action.AWARD, award.badge_class)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            award_services.award_withdraw(
                actor=request.user, award=award, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The award was withdrawn."))
    return redirect("staff:award", pk=award.pk)


@login_required
def assertion_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assertion = get_object_or_404(selectors.assertions_for_user(request.user), pk=pk)
    can_award = has_perm(request.user, Action.AWARD, assertion.badge_class)
    form = RevokeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        _require(request, Action.AWARD, assertion.badge_class)
        if form.is_valid() and not form.cleaned_data["confirmed"]:
            return _confirm_revocation(
                request,
                badge_class=assertion.badge_class,
                assertions=[assertion],
                reason=form.cleaned_data["reason"],
                action=reverse("staff:assertion", args=[assertion.pk]),
                back=reverse("staff:assertion", args=[assertion.pk]),
            )
        if form.is_valid():
            revocations.assertions_revoke(
                actor=request.user, assertions=[assertion], reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The badge was revoked; the recipient is told."))
            return redirect("staff:assertion", pk=assertion.pk)
    return render(
        request,
        "staff/awards/assertion_detail.html",
        {
            "assertion": assertion,
            "badge_class": assertion.badge_class,
            "can_award": can_award,
            "form": form,
            "notifications": recipient_told(assertion),
        },
    )


# --- bulk award -------------------------------------------------------------------------------


@login_required
def bulk_upload(request: HttpRequest, pk: int) -> HttpResponse:
    badge_class = _badge_class(request, pk)
    _require(request, Action.AWARD, badge_class)
    form = BulkUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            bulk = bulk_services.bulk_award_upload(
                actor=request.user, badge_class=badge_class, file=form.cleaned_data["file"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            return redirect("staff:bulk_map", pk=bulk.pk)
    return render(
        request,
        "staff/awards/bulk_upload.html",
        {
            "badge_class": badge_class,
            "form": form,
            "columns": bulk_services.COLUMNS,
            "uploads": BulkAward.objects.filter(badge_class=badge_class).select_related(
                "created_by"
            )[:20],
        },
    )


def _bulk(request: HttpRequest, pk: int) -> BulkAward:
    return get_object_or_404(selectors.bulk_awards_for_user(request.user), pk=pk)


@login_required
def bulk_map(request: HttpRequest, pk: int) -> HttpResponse:
    bulk = _bulk(request, pk)
    _require(request, Action.AWARD, bulk.badge_class)
    if bulk.status not in (BulkAward.Status.UPLOADED, BulkAward.Status.PREVIEW):
        return redirect("staff:bulk", pk=bulk.pk)
    may_override = award_services.may_override_prerequisites(request.user, bulk.badge_class)
    form = BulkMappingForm(
        request.POST if request.method == "POST" else None, bulk=bulk, may_override=may_override
    )
    if request.method == "POST" and form.is_valid():
        try:
            bulk_services.bulk_award_prepare(
                actor=request.user,
                bulk=bulk,
                mapping=form.mapping(),
                narrative=form.cleaned_data["narrative"],
                scheduled_for=form.cleaned_data["scheduled_for"],
                override_prerequisites=form.cleaned_data.get("override_prerequisites", False),
                override_reason=form.cleaned_data.get("override_reason", ""),
            )
        except ValidationError as error:
            if hasattr(error, "error_dict") and "mapping" in error.error_dict:
                for message in error.error_dict.pop("mapping"):
                    form.add_error(None, message)
            if not hasattr(error, "error_dict") or error.error_dict:
                _apply_errors(form, error)
        else:
            return redirect("staff:bulk", pk=bulk.pk)
    samples = bulk_services.column_samples(bulk)
    return render(
        request,
        "staff/awards/bulk_map.html",
        {
            "bulk": bulk,
            "badge_class": bulk.badge_class,
            "form": form,
            "columns": list(zip(bulk.header, samples, strict=False)),
            "delimiter_name": bulk_services.DELIMITER_NAMES.get(bulk.delimiter, bulk.delimiter),
        },
    )


@login_required
@never_cache
def bulk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bulk = _bulk(request, pk)
    if bulk.status == BulkAward.Status.UPLOADED:
        return redirect("staff:bulk_map", pk=bulk.pk)
    context = {
        "bulk": bulk,
        "badge_class": bulk.badge_class,
        "can_award": has_perm(request.user, Action.AWARD, bulk.badge_class),
        "progress": bulk_services.bulk_award_progress(bulk),
        "has_rows": bulk.rows.exists(),
    }
    if bulk.status == BulkAward.Status.PREVIEW:
        errors = bulk.rows.filter(status=BulkAwardRow.Status.INVALID).order_by("line")
        context |= {
            "error_rows": [(row, bulk_services.row_errors_text(row)) for row in errors[:500]],
            "more_errors": max(0, bulk.error_rows - 500),
            "sample_rows": bulk.rows.filter(status=BulkAwardRow.Status.VALID).order_by("line")[:10],
            "start_form": BulkStartForm(),
        }
        return render(request, "staff/awards/bulk_preview.html", context)
    skipped = bulk.rows.filter(status=BulkAwardRow.Status.SKIPPED).order_by("line")
    context["skipped_rows"] = [(row, bulk_services.row_errors_text(row)) for row in skipped[:200]]
    return render(request, "staff/awards/bulk_progress.html", context)


@login_required
@require_POST
def bulk_start(request: HttpRequest, pk: int) -> HttpResponse:
    bulk = _bulk(request, pk)
    _require(request, Action.AWARD, bulk.badge_class)
    form = BulkStartForm(request.POST)
    form.is_valid()
    try:
        bulk_services.bulk_award_start(
            actor=request.user,
            bulk=bulk,
            skip_errors=form.cleaned_data.get("skip_errors", False),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("staff:bulk", pk=bulk.pk)


@login_required
@require_POST
def bulk_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    bulk = _bulk(request, pk)
    _require(request, Action.AWARD, bulk.badge_class)
    bulk_services.bulk_award_cancel(actor=request.user, bulk=bulk)
    messages.success(request, _("The bulk award was cancelled."))
    return redirect("staff:bulk_upload", pk=bulk.badge_class_id)


@login_required
@never_cache
@require_GET
def bulk_progress(request: HttpRequest, pk: int) -> JsonResponse:
    bulk = _bulk(request, pk)
    return JsonResponse(bulk_services.bulk_award_progress(bulk))


class _Echo:
    def write(self, value):
        return value


@login_required
@require_GET
def bulk_report(request: HttpRequest, pk: int) -> HttpResponse:
    bulk = _bulk(request, pk)
    writer = csv.writer(_Echo(), delimiter=bulk.delimiter or ",")

    def lines():
        yield "\ufeff"  # so that Excel reads it as UTF-8
        for row in bulk_services.report_rows(bulk):
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="bulk-award-{bulk.public_id}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- enrolment requests -------------------------------------------------------------------------


@login_required
def enrollments(request: HttpRequest) -> HttpResponse:
    if not selectors.is_awarder_anywhere(request.user):
        raise PermissionDenied
    pending = selectors.enrollments_for_user(request.user, Role.AWARDER).filter(
        status=Enrollment.Status.PENDING
    )
    badge_classes = BadgeClass.objects.filter(pk__in=pending.values("badge_class")).select_related(
        "issuer"
    )
    badge = request.GET.get("badge")
    if badge and badge.isdigit():
        pending = pending.filter(badge_class_id=int(badge))
    decided = selectors.enrollments_for_user(request.user, Role.AWARDER).exclude(
        status=Enrollment.Status.PENDING
    )
    return render(
        request,
        "staff/awards/enrollments.html",
        {
            "pending": Paginator(pending.order_by("created_at"), PAGE_SIZE).get_page(
                request.GET.get("page")
            ),
            "decided": decided.select_related("decided_by").order_by("-decided_at")[:20],
            "badge_classes": badge_classes,
            "badge": badge,
        },
    )


@login_required
@require_POST
def enrollments_approve(request: HttpRequest) -> HttpResponse:
    if not selectors.is_awarder_anywhere(request.user):
        raise PermissionDenied
    form = SelectionForm(
        request.POST,
        queryset=selectors.enrollments_for_user(request.user, Role.AWARDER).filter(
            status=Enrollment.Status.PENDING
        ),
    )
    if not form.is_valid():
        messages.error(request, " ".join(_form_errors(form)))
        return redirect("staff:enrollments")
    result = enrollment_services.enrollments_approve(
        actor=request.user, enrollments=form.cleaned_data["selected"]
    )
    if result.approved:
        messages.success(
            request,
            ngettext(
                "%(count)s request was approved.",
                "%(count)s requests were approved.",
                len(result.approved),
            )
            % {"count": len(result.approved)},
        )
    for enrollment, reason in result.refused:
        messages.error(
            request,
            _("Not approved for %(student)s (%(badge)s): %(reason)s")
            % {
                "student": enrollment.user.get_full_name(),
                "badge": enrollment.badge_class.name,
                "reason": reason,
            },
        )
    return redirect("staff:enrollments")


@login_required
def enrollment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = get_object_or_404(selectors.enrollments_for_user(request.user), pk=pk)
    badge_class = enrollment.badge_class
    may_override = award_services.may_override_prerequisites(request.user, badge_class)
    return render(
        request,
        "staff/awards/enrollment_detail.html",
        {
            "enrollment": enrollment,
            "badge_class": badge_class,
            "can_award": has_perm(request.user, Action.AWARD, badge_class),
            "approve_form": ApproveForm(may_override=may_override, badge_class=badge_class),
            "deny_form": DenyForm(),
            "award": Award.objects.filter(enrollment=enrollment).first(),
        },
    )


@login_required
@require_POST
def enrollment_approve(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = get_object_or_404(selectors.enrollments_for_user(request.user), pk=pk)
    badge_class = enrollment.badge_class
    _require(request, Action.AWARD, badge_class)
    may_override = award_services.may_override_prerequisites(request.user, badge_class)
    form = ApproveForm(request.POST, may_override=may_override, badge_class=badge_class)
    if form.is_valid():
        try:
            enrollment_services.enrollment_approve(
                actor=request.user,
                enrollment=enrollment,
                override_prerequisites=form.cleaned_data.get("override_prerequisites", False),
                override_reason=form.cleaned_data.get("override_reason", ""),
            )
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("The request was approved; the student is told."))
            return redirect("staff:enrollments")
    else:
        messages.error(request, " ".join(_form_errors(form)))
    return redirect("staff:enrollment", pk=enrollment.pk)


@login_required
def enrollment_deny(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = get_object_or_404(selectors.enrollments_for_user(request.user), pk=pk)
    _require(request, Action.AWARD, enrollment.badge_class)
    form = DenyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            enrollment_services.enrollment_deny(
                actor=request.user, enrollment=enrollment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, _("The request was denied; the student is told why."))
            return redirect("staff:enrollments")
    return render(
        request,
        "staff/awards/enrollment_deny.html",
        {"enrollment": enrollment, "badge_class": enrollment.badge_class, "form": form},
    )


# --- audit trail -----------------------------------------------------------------------------


def _recipients_of(entries) -> dict[str, str]:
    """The current recipient of the awards the entries name (blank once erased)."""
    award_ids = [entry.object_id for entry in entries if entry.object_type == "badges.Award"]
    found = {}
    for pk, email, eppn in Award.objects.filter(pk__in=award_ids).values_list(
        "pk", "recipient_email", "recipient_eppn"
    ):
        found[str(pk)] = email or eppn
    return found


@login_required
def audit_log(request: HttpRequest, pk: int) -> HttpResponse:
    institution = get_object_or_404(Institution.objects.for_user(request.user), pk=pk)
    _require(request, Action.CHANGE, institution)
    entries = AuditEntry.objects.filter(institution=institution).select_related("actor")
    actions = sorted(set(entries.values_list("action", flat=True).distinct()))
    form = AuditFilterForm(request.GET or None, actions=actions)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            entries = entries.filter(action=data["action"])
        if data["since"]:
            entries = entries.filter(created_at__date__gte=data["since"])
        if data["until"]:
            entries = entries.filter(created_at__date__lte=data["until"])
        if data["actor"]:
            entries = entries.filter(actor__email__icontains=data["actor"])
    if request.GET.get("format") == "csv":
        return _audit_csv(institution, entries)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    recipients = _recipients_of(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "staff/awards/audit_log.html",
        {
            "institution": institution,
            "form": form,
            "page": page,
            "rows": [
                (
                    entry,
                    entry.label,
                    recipients.get(entry.object_id, "")
                    if entry.object_type == "badges.Award"
                    else "",
                )
                for entry in page.object_list
            ],
            "query": query.urlencode(),
        },
    )


def _audit_csv(institution: Institution, entries) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    safe = bulk_services.spreadsheet_safe

    def lines():
        yield "\ufeff"
        yield writer.writerow(
            [_("when"), _("who"), _("what"), _("object"), _("summary"), _("details")]
        )
        for entry in entries.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    safe(timezone.localtime(entry.created_at).isoformat()),
                    safe(entry.actor.email if entry.actor else ""),
                    safe(entry.label),
                    safe(f"{entry.object_type}#{entry.object_id}"),
                    safe(entry.summary),
                    safe(json.dumps(entry.data, ensure_ascii=False) if entry.data else ""),
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{institution.schac_home}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
