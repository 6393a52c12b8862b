import pytest

from issuers.roles import Role
from tests.factories import BadgeClassFactory, UserFactory

from .factories import make_issuable


@pytest.fixture
def ready(world):
    """``world`` with both institutions able to issue every type (consent for
    microcredentials, a public task for extra-curricular certificates)."""
    for side in ("a", "b"):
        world[side]["statements"] = make_issuable(world[side]["institution"])
        world[side]["microcredential"] = BadgeClassFactory(
            issuer=world[side]["issuer"], microcredential=True, self_enrollment_enabled=True
        )
    return world


@pytest.fixture
def awarder(ready, user_with_role):
    return user_with_role(Role.AWARDER, issuer=ready["a"]["issuer"])


@pytest.fixture
def admin(ready, user_with_role):
    return user_with_role(Role.ADMIN, institution=ready["a"]["institution"])


@pytest.fixture
def student(db):
    return UserFactory(email="sam.student@student.example", first_name="Sam", last_name="Student")


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Run what the code queues after commit (tasks run inline in the tests)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
