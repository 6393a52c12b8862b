import pytest

from tests.factories import (
    BadgeClassFactory,
    FacultyFactory,
    InstitutionFactory,
    IssuerFactory,
    MembershipFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def world(db):
    """Two institutions, each with a faculty, an issuer and a badge class."""

    def build(prefix: str):
        institution = InstitutionFactory(schac_home=f"{prefix}.example")
        faculty = FacultyFactory(institution=institution)
        issuer = IssuerFactory(faculty=faculty)
        badge_class = BadgeClassFactory(issuer=issuer)
        return {
            "institution": institution,
            "faculty": faculty,
            "issuer": issuer,
            "badge_class": badge_class,
        }

    return {"a": build("a"), "b": build("b")}


@pytest.fixture
def user_with_role():
    def make(role: str, **scope):
        user = UserFactory()
        MembershipFactory(user=user, role=role, **scope)
        return user

    return make
