import uuid

import pytest

from tests.factories import (
    BadgeClassFactory,
    FacultyFactory,
    InstitutionFactory,
    IssuerFactory,
    MembershipFactory,
    UserFactory,
)
from tests.oidc import oidc_providers, sign_in_with, sso  # noqa: F401 - fixtures
from tests.outbound import dns, servers  # noqa: F401 - fixtures
from tests.stack import celery_beat, stack_logs, start_web  # noqa: F401 - fixtures
from tests.worker import celery_worker, celery_worker_process  # noqa: F401 - fixtures


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Each test counts its own rate limits, in the real (shared) cache of the settings."""
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    }


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


@pytest.fixture
def issue(db, django_capture_on_commit_callbacks):
    """Issue a badge through the real service and (inline) task; returns the assertion."""
    from badges import issuing
    from tests.factories import BadgeClassFactory, UserFactory

    def make(badge_class=None, email: str = "student@example.org", **kwargs):
        badge_class = badge_class or BadgeClassFactory(microcredential=True)
        admin = UserFactory(email="issuing-admin@example.org", is_superuser=True, is_staff=True)
        with django_capture_on_commit_callbacks(execute=True):
            assertion = issuing.assertion_create(
                actor=admin, badge_class=badge_class, email=email, **kwargs
            )
        assertion.refresh_from_db()
        return assertion

    return make
