import pytest

from badges.models import BadgeClass
from issuers.badge_types import BadgeType
from privacy.models import LegalBasis
from tests.factories import (
    BadgeClassFactory,
    FacultyFactory,
    InstitutionFactory,
    IssuerFactory,
    MembershipFactory,
    UserFactory,
)
from tests.privacy.factories import policy_with_statement


@pytest.fixture
def student(db):
    # Distinctive values, so that a scan of the database finds only what is really theirs.
    user = UserFactory(
        email="griselda.quackenbush@student.example",
        first_name="Griselda",
        last_name="Quackenbush",
    )
    user.eppn = "gquackenbush7@hogeschool.example"
    user.save()
    return user


def _campus(prefix: str) -> dict:
    institution = InstitutionFactory(schac_home=f"{prefix}.example")
    issuer = IssuerFactory(faculty=FacultyFactory(institution=institution))
    badges: dict[str, BadgeClass] = {
        BadgeType.EXTRACURRICULAR: BadgeClassFactory(issuer=issuer),
        BadgeType.MICROCREDENTIAL: BadgeClassFactory(issuer=issuer, microcredential=True),
        BadgeType.DIGITAL_EDUCATION: BadgeClassFactory(issuer=issuer, digital_education=True),
    }
    statements = {
        # Consent for extra-curricular certificates, public task and legitimate interest for
        # the formal types.
        BadgeType.EXTRACURRICULAR: policy_with_statement(
            institution, BadgeType.EXTRACURRICULAR, LegalBasis.CONSENT
        ),
        BadgeType.MICROCREDENTIAL: policy_with_statement(
            institution, BadgeType.MICROCREDENTIAL, LegalBasis.PUBLIC_TASK
        ),
        BadgeType.DIGITAL_EDUCATION: policy_with_statement(
            institution, BadgeType.DIGITAL_EDUCATION, LegalBasis.LEGITIMATE_INTEREST
        ),
    }
    admin = UserFactory(email=f"admin@{prefix}.example")
    MembershipFactory(user=admin, institution=institution, role="admin")
    return {
        "institution": institution,
        "issuer": issuer,
        "badges": badges,
        "statements": statements,
        "admin": admin,
    }


@pytest.fixture
def campus(db):
    """An institution with all three types, a legal basis and statement v1 for each, and an
    institution admin."""
    return _campus("campus")


@pytest.fixture
def other_campus(db):
    return _campus("elsewhere")
