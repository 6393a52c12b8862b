"""Data for the awarding tests: institutions that can issue, awards and enrolments."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from badges.models import Award, Enrollment
from issuers.badge_types import BadgeType
from privacy.models import LegalBasis, PrivacyPolicy, PrivacyStatement
from tests.factories import BadgeClassFactory, MembershipFactory, UserFactory

# The legal basis per type in these tests: consent where the claim must wait for it, a
# public task where an acknowledgement is enough.
BASES = {
    BadgeType.EXTRACURRICULAR: LegalBasis.PUBLIC_TASK,
    BadgeType.MICROCREDENTIAL: LegalBasis.CONSENT,
    BadgeType.DIGITAL_EDUCATION: LegalBasis.LEGITIMATE_INTEREST,
}


def make_issuable(institution, *, direct: bool = False, bases: dict | None = None) -> dict:
    """A legal basis and statement v1 in effect for every type, and an institution admin,
    so that ``onboarding.can_issue`` is true. Returns the statements per type."""
    statements = {}
    for badge_type, basis in (bases or BASES).items():
        policy, _created = PrivacyPolicy.objects.update_or_create(
            institution=institution,
            badge_type=badge_type,
            defaults={
                "legal_basis": basis,
                "issue_directly_on_award": direct and basis != LegalBasis.CONSENT,
            },
        )
        statements[badge_type], _created = PrivacyStatement.objects.get_or_create(
            policy=policy,
            version=1,
            defaults={
                "text_nl": "Volledige tekst.",
                "text_en": "Full privacy text.",
                "excerpt_nl": "Korte samenvatting.",
                "excerpt_en": "We use your name and email address to issue the badge.",
                "effective_date": datetime.date(2020, 1, 1),
            },
        )
    if not institution.memberships.filter(role="admin").exists():
        MembershipFactory(user=UserFactory(), institution=institution, role="admin")
    return statements


class AwardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Award

    badge_class = factory.SubFactory(BadgeClassFactory)
    status = Award.Status.OFFERED
    recipient_email = factory.Sequence(lambda n: f"offered{n}@student.example")
    offered_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=82))


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    badge_class = factory.SubFactory(BadgeClassFactory)
    user = factory.SubFactory(UserFactory)
    narrative = "I organised the open days."
