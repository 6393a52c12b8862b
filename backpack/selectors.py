"""What a student sees in the backpack: only their own badges and awards."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from badges.awarding.selectors import (
    student_assertions,
    student_awards,
    student_enrollments,
    student_open_offers,
)
from badges.models import Assertion, Award, Enrollment

from .models import HiddenBadge

STATUS_FILTERS = ("issued", "pending", "revoked", "expired", "hidden")


def assertions_of(user) -> QuerySet[Assertion]:
    """The student's badges: bound to the account, or issued to their verified address."""
    return student_assertions(user).select_related("badge_class__issuer__faculty__institution")


def open_awards_of(user) -> list[Award]:
    """Offers waiting for the student (an unbound offer only for a verified address or eppn)."""
    return student_open_offers(user)


def closed_awards_of(user) -> list[Award]:
    """Earlier offers that did not become a badge: declined, expired or withdrawn."""
    now = timezone.now()
    return [
        award
        for award in student_awards(user).filter(
            status__in=[
                Award.Status.DECLINED,
                Award.Status.EXPIRED,
                Award.Status.WITHDRAWN,
                Award.Status.OFFERED,
            ]
        )
        if award.status != Award.Status.OFFERED or (award.expires_at and award.expires_at <= now)
    ]


def pending_enrollments_of(user):
    return student_enrollments(user).filter(status=Enrollment.Status.PENDING)


def is_hidden(user, assertion: Assertion) -> bool:
    return HiddenBadge.objects.filter(owner=user, assertion=assertion).exists()


def hidden_count(user) -> int:
    return HiddenBadge.objects.filter(owner=user).count()


def backpack_assertions(
    user, *, status: str = "", badge_type: str = "", institution: str = ""
) -> QuerySet[Assertion]:
    assertions = assertions_of(user)
    hidden = HiddenBadge.objects.filter(owner=user).values("assertion")
    if status == "hidden":
        return assertions.filter(pk__in=hidden).order_by("-issued_on")
    assertions = assertions.exclude(pk__in=hidden)
    now = timezone.now()
    if status == "issued":
        assertions = assertions.filter(status=Assertion.Status.ISSUED).exclude(expires_at__lte=now)
    elif status == "revoked":
        assertions = assertions.filter(status=Assertion.Status.REVOKED)
    elif status == "expired":
        assertions = assertions.filter(status=Assertion.Status.ISSUED, expires_at__lte=now)
    elif status == "pending":
        assertions = assertions.filter(
            status__in=[Assertion.Status.PENDING, Assertion.Status.SIGNING]
        )
    if badge_type:
        assertions = assertions.filter(badge_class__badge_type=badge_type)
    if institution:
        assertions = assertions.filter(badge_class__issuer__faculty__institution__pk=institution)
    return assertions.order_by("-issued_on")
