"""Who a recipient is, what they already hold and which prerequisites they miss.

A recipient is named by an email address, an eppn (eduPersonPrincipalName) or both; once
they have an account, a badge may be bound to that account instead. Every check here
matches on all of these, lower-cased, so that the single award and the bulk preview agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from issuers import onboarding
from issuers.models import Institution

from ..models import Assertion, Award, BadgeClass

OPEN_AWARD_STATUSES = (Award.Status.SCHEDULED, Award.Status.OFFERED)
# A badge waiting for its signature counts as held: it is on its way (one whose signing
# failed is signed when staff try again).
HELD_ASSERTION_STATUSES = (
    Assertion.Status.PENDING,
    Assertion.Status.SIGNING,
    Assertion.Status.FAILED,
    Assertion.Status.ISSUED,
)
GENERIC_EPPN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_email_validator = EmailValidator()
_url_validator = URLValidator(schemes=["http", "https"])


class PrerequisitesMissing(ValidationError):
    """The recipient does not hold every badge this one requires."""

    def __init__(self, missing: list[BadgeClass]):
        self.missing = missing
        names = ", ".join(f"“{badge.name}”" for badge in missing)
        super().__init__(
            {
                "prerequisites": [
                    _(
                        "The recipient does not hold the required badges: %(names)s. An admin "
                        "can award it anyway by overriding the prerequisites, with a reason."
                    )
                    % {"names": names}
                ]
            }
        )


class ConsentRequired(ValidationError):
    """The student has not (or no longer) given the consent or acknowledgement the legal
    basis of the badge type asks for."""

    def __init__(self):
        super().__init__(
            _("First read the privacy statement of this badge type and agree or confirm.")
        )


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


def normalise_eppn(value: str) -> str:
    return (value or "").strip().lower()


def email_is_valid(email: str) -> bool:
    try:
        _email_validator(email)
    except ValidationError:
        return False
    return True


def url_is_valid(url: str) -> bool:
    try:
        _url_validator(url)
    except ValidationError:
        return False
    return True


def eppn_pattern(institution: Institution) -> re.Pattern | None:
    """The institution's eppn pattern, compiled; None when it has none or it is broken."""
    if not institution.eppn_pattern:
        return None
    try:
        return re.compile(institution.eppn_pattern, re.IGNORECASE)
    except re.error:
        return None


def eppn_is_valid(institution: Institution, eppn: str, pattern: re.Pattern | None = None) -> bool:
    if not GENERIC_EPPN.match(eppn):
        return False
    pattern = pattern if pattern is not None else eppn_pattern(institution)
    return pattern is None or bool(pattern.search(eppn))


EPPN_HELP = gettext_lazy("An eppn looks like student-id@institution.nl.")


@dataclass
class Recipient:
    """Everything a recipient may be known by, lower-cased."""

    email: str = ""
    eppn: str = ""
    user: object | None = None
    keys: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, *, email: str = "", eppn: str = "", user=None) -> Recipient:
        email, eppn = normalise_email(email), normalise_eppn(eppn)
        if user is None and (email or eppn):
            user = find_user(email=email, eppn=eppn)
        keys = {email, eppn}
        if user is not None:
            keys |= {normalise_email(user.email), normalise_eppn(getattr(user, "eppn", ""))}
        return cls(email=email, eppn=eppn, user=user, keys={key for key in keys if key})

    @property
    def address(self) -> str:
        """Where to send email: the given address, else the account's."""
        if self.email:
            return self.email
        return normalise_email(self.user.email) if self.user is not None else ""


def find_user(*, email: str = "", eppn: str = ""):
    """The account with this email address, else the one with this eppn: entered on the
    account, or vouched for by a sign-in through SURFconext or eduID."""
    users = get_user_model().objects.filter(is_active=True)
    if email:
        user = users.filter(email__iexact=email).first()
        if user is not None:
            return user
    if eppn:
        user = users.filter(eppn__iexact=eppn).first()
        if user is not None:
            return user
        return users.filter(institution_identities__eppn=eppn.lower()).first()
    return None


def _identity_q(keys: set[str]) -> Q:
    return (
        Q(recipient_identity__in=keys) | Q(recipient__email__in=keys) | Q(recipient__eppn__in=keys)
    )


def held_assertions(badge_class: BadgeClass) -> QuerySet[Assertion]:
    """Badges of ``badge_class`` that count as held now: not revoked, not expired."""
    now = timezone.now()
    return Assertion.objects.filter(
        badge_class=badge_class, status__in=HELD_ASSERTION_STATUSES
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


def open_awards(badge_class: BadgeClass) -> QuerySet[Award]:
    return Award.objects.filter(badge_class=badge_class, status__in=OPEN_AWARD_STATUSES)


def holds(badge_class: BadgeClass, recipient: Recipient) -> bool:
    if not recipient.keys:
        return False
    return held_assertions(badge_class).filter(_identity_q(recipient.keys)).exists()


def has_open_award(badge_class: BadgeClass, recipient: Recipient) -> bool:
    if not recipient.keys:
        return False
    query = Q(recipient_email__in=recipient.keys) | Q(recipient_eppn__in=recipient.keys)
    if recipient.user is not None:
        query |= Q(recipient=recipient.user)
    return open_awards(badge_class).filter(query).exists()


def missing_prerequisites(badge_class: BadgeClass, recipient: Recipient) -> list[BadgeClass]:
    return [
        prerequisite
        for prerequisite in badge_class.prerequisites.all()
        if not holds(prerequisite, recipient)
    ]


def identities(values: Iterable[tuple]) -> set[str]:
    """Lower-cased, non-empty identities from ``values_list`` rows."""
    found: set[str] = set()
    for row in values:
        found.update(value.lower() for value in row if value)
    return found


def holder_identities(badge_class: BadgeClass) -> set[str]:
    """Every identity that holds ``badge_class`` now: for checking a whole upload at once."""
    return identities(
        held_assertions(badge_class).values_list(
            "recipient_identity", "recipient__email", "recipient__eppn"
        )
    )


def open_award_identities(badge_class: BadgeClass) -> set[str]:
    return identities(
        open_awards(badge_class).values_list(
            "recipient_email", "recipient_eppn", "recipient__email", "recipient__eppn"
        )
    )


def ensure_awardable(badge_class: BadgeClass) -> None:
    """Refuse awards of an archived badge, or of a type the institution cannot issue yet."""
    if badge_class.archived:
        raise ValidationError(_("This badge is archived and can no longer be awarded."))
    institution = badge_class.issuer.faculty.institution
    if not onboarding.can_issue(institution, badge_class.badge_type):
        raise ValidationError(
            _(
                "%(institution)s cannot award badges of the type “%(type)s” yet: a legal basis "
                "and a privacy statement for this type are needed first."
            )
            % {"institution": institution.name, "type": badge_class.get_badge_type_display()}
        )
