"""What a student sees in the backpack: only their own badges and awards."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from badges.awarding.selectors import (
    student_assertions,
    student_awards,
    student_enrollments,
    student_open_offers,
)
from badges.models import Assertion, Award, Enrollment
from issuers.badge_types import BadgeType

from .models import HiddenBadge

STATUS_FILTERS = ("issued", "pending", "revoked", "expired", "hidden")


def assertions_of(user) -> QuerySet[Assertion]:
    """The student's badges: bound to the account, or issued to their verified address."""
    return student_assertions(user).select_related("badge_class__issuer__faculty__institution")


def open_awards_of(user, *, badge_type: str = "", institution: str = "") -> list[Award]:
    """Offers waiting for the student (an unbound offer only for a verified address or eppn),
    narrowed like the badges by type and by institution (its id) when they are given."""
    return [
        award
        for award in student_open_offers(user)
        if (not badge_type or award.badge_class.badge_type == badge_type)
        and (not institution or str(award.badge_class.issuer.faculty.institution_id) == institution)
    ]


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


def pending_enrollments_of(user, *, badge_type: str = "", institution: str = ""):
    enrollments = student_enrollments(user).filter(status=Enrollment.Status.PENDING)
    if badge_type:
        enrollments = enrollments.filter(badge_class__badge_type=badge_type)
    if institution:
        enrollments = enrollments.filter(badge_class__issuer__faculty__institution_id=institution)
    return enrollments


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
            status__in=[
                Assertion.Status.PENDING,
                Assertion.Status.SIGNING,
                Assertion.Status.FAILED,
            ]
        )
    if badge_type:
        assertions = assertions.filter(badge_class__badge_type=badge_type)
    if institution:
        assertions = assertions.filter(badge_class__issuer__faculty__institution__pk=institution)
    return assertions.order_by("-issued_on")


# What a card in the backpack shows, and nothing more: the list reads these columns only.
CARD_COLUMNS = (
    "public_id",
    "status",
    "revocation_reason",
    "issued_on",
    "expires_at",
    "is_public",
    "badge_class__public_id",
    "badge_class__name_nl",
    "badge_class__name_en",
    "badge_class__badge_type",
    "badge_class__issuer__faculty__institution__name_nl",
    "badge_class__issuer__faculty__institution__name_en",
)
_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


class BadgeCard(TypedDict):
    """What a card shows. A dict, because templates look keys up first."""

    public_id: str
    status: str
    revocation_reason: str
    issued_on: datetime | None
    expires_at: datetime | None
    is_public: bool
    is_expired: bool
    state: str  # revoked, pending, expired or valid: the status tag
    state_label: str
    issued_text: str
    expired_text: str
    name: str
    badge_type_label: str
    institution_name: str
    detail_url: str
    image_url: str


def _url_maker(name: str):
    """Reverse ``name`` once; fill in each id by replacing the placeholder."""
    pattern = reverse(name, args=[_PLACEHOLDER])
    return lambda public_id: pattern.replace(_PLACEHOLDER, str(public_id))


def _in_language(row: dict, field: str, language: str) -> str:
    other = "en" if language == "nl" else "nl"
    return row[f"{field}_{language}"] or row[f"{field}_{other}"] or ""


def badge_cards(assertions: QuerySet[Assertion]) -> list[BadgeCard]:
    """The backpack's cards for ``assertions``, in one query of the columns shown."""
    language = "en" if (get_language() or "nl")[:2] == "en" else "nl"
    now = timezone.now()
    detail_url = _url_maker("backpack:detail")
    image_url = _url_maker("public:badge_class_image")
    labels = {
        "revoked": _("Revoked"),
        "pending": _("Being issued"),
        "expired": _("Expired"),
        "valid": _("Valid"),
    }
    type_labels = {value: str(label) for value, label in BadgeType.choices}
    dates: dict = {}

    def day(moment: datetime | None) -> str:
        # Many badges share a day: each day is formatted once, as the template's |date would.
        if moment is None:
            return ""
        local = timezone.localtime(moment).date()
        if local not in dates:
            dates[local] = date_format(local, "DATE_FORMAT")
        return dates[local]

    institution = "badge_class__issuer__faculty__institution__name"
    cards = []
    for row in assertions.values(*CARD_COLUMNS):
        expired = row["expires_at"] is not None and row["expires_at"] <= now
        status = row["status"]
        if status == Assertion.Status.REVOKED:
            state = "revoked"
        elif status != Assertion.Status.ISSUED:  # not signed yet, or signing is retried
            state = "pending"
        elif expired:
            state = "expired"
        else:
            state = "valid"
        cards.append(
            BadgeCard(
                public_id=row["public_id"],
                status=status,
                revocation_reason=row["revocation_reason"],
                issued_on=row["issued_on"],
                expires_at=row["expires_at"],
                is_public=row["is_public"],
                is_expired=expired,
                state=state,
                state_label=labels[state],
                issued_text=_("Issued on %(date)s") % {"date": day(row["issued_on"])},
                expired_text=(
                    _("Expired on %(date)s") % {"date": day(row["expires_at"])} if expired else ""
                ),
                name=_in_language(row, "badge_class__name", language),
                badge_type_label=type_labels.get(row["badge_class__badge_type"], ""),
                institution_name=_in_language(row, institution, language),
                detail_url=detail_url(row["public_id"]),
                image_url=image_url(row["badge_class__public_id"]),
            )
        )
    return cards
