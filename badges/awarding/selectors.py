"""Reads that need care: what staff may see (scoped through ``BadgeClass.objects.for_user``,
so staff of another institution find nothing and get 404), what a student sees of their
own, and the public catalogue of badges open for enrolment."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts import identities
from edubadges.listing import CappedCount
from issuers import onboarding
from issuers.models import Institution, Membership
from issuers.roles import Role

from ..models import Alignment, Assertion, Award, BadgeClass, BulkAward, Enrollment

_BADGE = "badge_class__issuer__faculty__institution"


def badge_classes_for(user, role: str = Role.VIEWER) -> QuerySet[BadgeClass]:
    return BadgeClass.objects.for_user(user, role)


def awards_for_user(user, role: str = Role.VIEWER) -> QuerySet[Award]:
    return Award.objects.filter(badge_class__in=badge_classes_for(user, role)).select_related(
        _BADGE
    )


def assertions_for_user(user, role: str = Role.VIEWER) -> QuerySet[Assertion]:
    return Assertion.objects.filter(badge_class__in=badge_classes_for(user, role)).select_related(
        _BADGE
    )


def enrollments_for_user(user, role: str = Role.VIEWER) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(badge_class__in=badge_classes_for(user, role)).select_related(
        _BADGE, "user"
    )


def bulk_awards_for_user(user, role: str = Role.VIEWER) -> QuerySet[BulkAward]:
    return BulkAward.objects.filter(badge_class__in=badge_classes_for(user, role)).select_related(
        _BADGE, "created_by"
    )


# --- the awards and badges of one badge class (its staff page) ----------------------------------

# Counts on the staff page of a badge class stop here: "10,000+" costs the database what 10,000
# does, while an exact count of a hundred thousand awards grows with them.
COUNT_CAP = 10_000


def badge_class_awards(
    badge_class: BadgeClass, *, status: str = "", query: str = ""
) -> QuerySet[Award]:
    """The awards of ``badge_class``, of one status if ``status`` is one, whose recipient
    (email, eppn or name) contains ``query``."""
    awards = Award.objects.filter(badge_class=badge_class)
    if status in Award.Status.values:
        awards = awards.filter(status=status)
    if query:
        awards = awards.filter(
            Q(recipient_email__icontains=query)
            | Q(recipient_eppn__icontains=query)
            | Q(recipient_name__icontains=query)
        )
    return awards


def badge_class_assertions(badge_class: BadgeClass, *, query: str = "") -> QuerySet[Assertion]:
    """The badges of ``badge_class`` whose recipient (email or name) contains ``query``."""
    assertions = Assertion.objects.filter(badge_class=badge_class)
    if query:
        assertions = assertions.filter(
            Q(recipient_identity__icontains=query) | Q(recipient_name__icontains=query)
        )
    return assertions


@dataclass(frozen=True)
class BadgeClassCounts:
    """The numbers on a badge class's staff page, each counted up to ``cap + 1`` (a number
    above ``cap`` means "more than ``cap``")."""

    awards: dict[str, int]  # per status of an award, every status present
    failed_signings: int
    cap: int


def badge_class_counts(badge_class: BadgeClass, *, cap: int | None = None) -> BadgeClassCounts:
    """The awards of ``badge_class`` per status and its badges whose signing failed, in one
    query that reads at most ``cap + 1`` (``COUNT_CAP + 1``) index entries per number."""
    cap = COUNT_CAP if cap is None else cap
    numbers = {
        f"awards_{status}": CappedCount(
            Award.objects.filter(badge_class=badge_class, status=status), cap=cap
        )
        for status in Award.Status.values
    }
    numbers["failed_signings"] = CappedCount(
        Assertion.objects.filter(badge_class=badge_class, status=Assertion.Status.FAILED), cap=cap
    )
    counted = BadgeClass.objects.filter(pk=badge_class.pk).values(**numbers).get()
    return BadgeClassCounts(
        awards={status: counted[f"awards_{status}"] for status in Award.Status.values},
        failed_signings=counted["failed_signings"],
        cap=cap,
    )


def is_awarder_anywhere(user) -> bool:
    if not user.is_authenticated:
        return False
    return (
        user.is_superuser
        or Membership.objects.filter(user=user, role__in=Role.at_least(Role.AWARDER)).exists()
    )


# --- the student's own ------------------------------------------------------------------------


def student_awards(user) -> QuerySet[Award]:
    """Awards bound to ``user``, and unbound ones made to one of their verified addresses or to
    an eppn that SURFconext or eduID vouched for: offers follow the person, not the mail."""
    query = Q(recipient=user)
    unbound = Q()
    emails = identities.verified_emails(user)
    eppns = identities.eppns(user)
    if emails:
        unbound |= Q(recipient_email__in=emails)
    if eppns:
        unbound |= Q(recipient_eppn__in=eppns)
    if unbound:
        query |= Q(recipient__isnull=True) & unbound
    return Award.objects.filter(query).select_related(_BADGE).order_by("-created_at")


def student_open_offers(user) -> list[Award]:
    now = timezone.now()
    return [
        award
        for award in student_awards(user).filter(status=Award.Status.OFFERED)
        if not award.expires_at or award.expires_at > now
    ]


def student_assertions(user) -> QuerySet[Assertion]:
    """Badges bound to ``user``, and badges issued directly to one of their verified addresses
    before they had an account."""
    query = Q(recipient=user)
    emails = identities.verified_emails(user)
    if emails:
        query |= Q(recipient__isnull=True, recipient_identity__in=emails)
    return Assertion.objects.filter(query).select_related(_BADGE).order_by("-issued_on")


def student_enrollments(user) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(user=user).select_related(_BADGE).order_by("-created_at")


# --- the public catalogue -----------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueFilters:
    institution: int | None = None
    badge_type: str = ""
    level: int | None = None
    language: str = ""
    query: str = ""
    framework: str = ""
    item: str = ""


def catalogue(filters: CatalogueFilters) -> QuerySet[BadgeClass]:
    """Badge classes open for enrolment whose institution can issue their type."""
    badges = BadgeClass.objects.filter(self_enrollment_enabled=True, archived=False)
    if filters.institution:
        badges = badges.filter(issuer__faculty__institution_id=filters.institution)
    if filters.badge_type:
        badges = badges.filter(badge_type=filters.badge_type)
    if filters.level:
        badges = badges.filter(eqf_level=filters.level)
    if filters.language:
        badges = badges.filter(language=filters.language)
    if filters.framework:
        badges = badges.filter(
            pk__in=Alignment.objects.filter(
                framework_item__framework__public_id=filters.framework
            ).values("badge_class")
        )
    if filters.item:
        badges = badges.filter(
            pk__in=Alignment.objects.filter(framework_item__public_id=filters.item).values(
                "badge_class"
            )
        )
    if filters.query:
        words = Q()
        for field in ("name_nl", "name_en", "description_nl", "description_en"):
            words |= Q(**{f"{field}__icontains": filters.query})
        badges = badges.filter(words)
    pairs = set(badges.values_list("issuer__faculty__institution_id", "badge_type").distinct())
    institutions = Institution.objects.in_bulk({institution_id for institution_id, _type in pairs})
    allowed = Q(pk__in=[])
    for institution_id, badge_type in pairs:
        if onboarding.can_issue(institutions[institution_id], badge_type):
            allowed |= Q(issuer__faculty__institution_id=institution_id, badge_type=badge_type)
    return (
        badges.filter(allowed)
        .select_related("issuer__faculty__institution")
        .order_by("issuer__faculty__institution__name_en", "name_en", "name_nl")
    )


def catalogue_framework_items():
    """Items that badges open for enrolment are aligned to, with their frameworks."""
    from frameworks.models import FrameworkItem

    return (
        FrameworkItem.objects.filter(
            alignments__badge_class__self_enrollment_enabled=True,
            alignments__badge_class__archived=False,
        )
        .select_related("framework")
        .distinct()
        .order_by("framework__name_en", "framework__pk", "position", "code")
    )


def catalogue_institutions() -> QuerySet[Institution]:
    return Institution.objects.filter(
        faculties__issuers__badge_classes__self_enrollment_enabled=True,
        faculties__issuers__badge_classes__archived=False,
    ).distinct()


def failed_signings(institution: Institution) -> list[BadgeClass]:
    """The institution's badge classes with badges whose signing failed, each with the
    number (``failed``), for the institution's page."""
    return list(
        BadgeClass.objects.filter(issuer__faculty__institution=institution)
        .annotate(failed=Count("assertions", filter=Q(assertions__status=Assertion.Status.FAILED)))
        .filter(failed__gt=0)
        .order_by("-failed", "pk")
    )
