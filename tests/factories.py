from __future__ import annotations

import factory
from django.core.files.base import ContentFile

from badges.choices import DUTCH_MICROCREDENTIAL_FRAMEWORK
from badges.demo_images import badge_png
from badges.models import BadgeClass
from issuers.badge_types import BadgeType
from issuers.models import Faculty, Institution, Issuer, Membership
from issuers.roles import Role
from privacy.models import LegalBasis, PrivacyPolicy, PrivacyStatement

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "accounts.User"
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """The address is confirmed unless ``verified=False``: sign-in asks for that."""
        if create and extracted is not False:
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    sector = "hbo"
    schac_home = factory.Sequence(lambda n: f"institution{n}.example")
    name_nl = factory.Sequence(lambda n: f"Instelling {n}")
    name_en = factory.Sequence(lambda n: f"Institution {n}")
    enabled_badge_types = factory.LazyFunction(lambda: list(BadgeType.values))


class FacultyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Faculty

    institution = factory.SubFactory(InstitutionFactory)
    name_nl = factory.Sequence(lambda n: f"Faculteit {n}")
    name_en = factory.Sequence(lambda n: f"Faculty {n}")


class IssuerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Issuer

    faculty = factory.SubFactory(FacultyFactory)
    name_nl = factory.Sequence(lambda n: f"Uitgever {n}")
    name_en = factory.Sequence(lambda n: f"Issuer {n}")
    email = "badges@example.org"
    url = "https://www.example.org/"


def png_file(name: str = "badge.png") -> ContentFile:
    return ContentFile(badge_png((11, 92, 173), size=200), name=name)


class BadgeClassFactory(factory.django.DjangoModelFactory):
    """An extra-curricular certificate by default; use the traits for the other types."""

    class Meta:
        model = BadgeClass
        skip_postgeneration_save = True

    issuer = factory.SubFactory(IssuerFactory)
    badge_type = BadgeType.EXTRACURRICULAR
    name_nl = factory.Sequence(lambda n: f"Badge {n}")
    name_en = factory.Sequence(lambda n: f"Badge {n}")
    description_nl = "Een beschrijving."
    description_en = "A description."
    criteria_en = "Do the thing."
    image = factory.LazyFunction(png_file)

    class Params:
        microcredential = factory.Trait(
            badge_type=BadgeType.MICROCREDENTIAL,
            learning_outcomes_en="Analyse data",
            eqf_level=6,
            study_load_ects=5,
            assessment_type="portfolio",
            participation="online",
            quality_assurance_name=DUTCH_MICROCREDENTIAL_FRAMEWORK["name"],
            quality_assurance_url=DUTCH_MICROCREDENTIAL_FRAMEWORK["url"],
            quality_assurance_description=DUTCH_MICROCREDENTIAL_FRAMEWORK["description"],
        )
        digital_education = factory.Trait(
            badge_type=BadgeType.DIGITAL_EDUCATION,
            learning_outcomes_en="Program",
            eqf_level=6,
            programme_identifier="34479",
        )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.ADMIN


class PrivacyPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrivacyPolicy

    institution = factory.SubFactory(InstitutionFactory)
    badge_type = BadgeType.EXTRACURRICULAR
    legal_basis = LegalBasis.PUBLIC_TASK


class PrivacyStatementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PrivacyStatement

    policy = factory.SubFactory(PrivacyPolicyFactory)
    version = 1
    text_nl = "Volledige tekst."
    text_en = "Full text."
    excerpt_nl = "Samenvatting."
    excerpt_en = "Excerpt."
