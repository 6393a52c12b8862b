"""Each role × each kind of scope × own or other institution, on every staff page and action."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from issuers.models import Membership
from issuers.roles import Role
from tests.factories import FacultyFactory, IssuerFactory, MembershipFactory, UserFactory

LEVELS = ["institution", "faculty", "issuer", "badge_class"]
SCOPE_URL_NAME = {
    "institution": "institution",
    "faculty": "faculty",
    "issuer": "issuer",
    "badge_class": "badge",
}

# (url name, level of the object it acts on, kwargs name, is a change)
PAGES = [
    ("staff:institution", "institution", "pk", False),
    ("staff:institution_edit", "institution", "pk", True),
    ("staff:faculty_create", "institution", "institution_pk", True),
    ("staff:faculty", "faculty", "pk", False),
    ("staff:faculty_edit", "faculty", "pk", True),
    ("staff:issuer_create", "faculty", "faculty_pk", True),
    ("staff:issuer", "issuer", "pk", False),
    ("staff:issuer_edit", "issuer", "pk", True),
    ("staff:badge_class_create", "issuer", "issuer_pk", True),
    ("staff:badge_class", "badge_class", "pk", False),
    ("staff:badge_class_edit", "badge_class", "pk", True),
]
MEMBER_PAGES = [("staff:members", level) for level in LEVELS]

ROLE_SCOPES = [
    (role, level)
    for role, level in itertools.product(Role.values, LEVELS)
    if not (role == Role.ADMIN and level == "badge_class")
]


def _url(name: str, kwarg: str, obj) -> str:
    return reverse(name, kwargs={kwarg: obj.pk})


def _members_url(level: str, obj) -> str:
    return reverse("staff:members", kwargs={"scope_type": SCOPE_URL_NAME[level], "pk": obj.pk})


@pytest.fixture
def staff_client(client, world, user_with_role):
    def make(role: str, level: str):
        user = user_with_role(role, **{level: world["a"][level]})
        client.force_login(user)
        return client

    return make


@pytest.mark.parametrize(("role", "level"), ROLE_SCOPES)
def test_staff_of_institution_a_gets_404_on_everything_of_institution_b(
    staff_client, world, role, level
):
    client = staff_client(role, level)
    other = world["b"]
    target_membership = MembershipFactory(
        user=UserFactory(), role=Role.VIEWER, issuer=other["issuer"]
    )
    for name, object_level, kwarg, _is_change in PAGES:
        url = _url(name, kwarg, other[object_level])
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"name_nl": "x", "name_en": "x"}).status_code == 404, url
    for _name, object_level in MEMBER_PAGES:
        url = _members_url(object_level, other[object_level])
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"email": "x@example.org", "role": "admin"}).status_code == 404, url
    remove = reverse(
        "staff:member_remove",
        kwargs={
            "scope_type": "issuer",
            "pk": other["issuer"].pk,
            "membership_pk": target_membership.pk,
        },
    )
    assert client.post(remove).status_code == 404
    assert Membership.objects.filter(pk=target_membership.pk).exists()
    # Nothing of B was changed by any of the attempts.
    other["institution"].refresh_from_db()
    assert other["institution"].name_nl != "x"


@pytest.mark.parametrize(("role", "level"), ROLE_SCOPES)
def test_staff_pages_of_own_institution_follow_role_and_scope(staff_client, world, role, level):
    client = staff_client(role, level)
    own = world["a"]
    scope_index = LEVELS.index(level)
    for name, object_level, kwarg, is_change in PAGES:
        allowed = not is_change or (
            role == Role.ADMIN and scope_index <= LEVELS.index(object_level)
        )
        response = client.get(_url(name, kwarg, own[object_level]))
        assert response.status_code == (200 if allowed else 403), (name, response.status_code)
    for _name, object_level in MEMBER_PAGES:
        # Roles on a badge class are managed by the issuer's admins.
        managed_at = "issuer" if object_level == "badge_class" else object_level
        allowed = role == Role.ADMIN and scope_index <= LEVELS.index(managed_at)
        response = client.get(_members_url(object_level, own[object_level]))
        assert response.status_code == (200 if allowed else 403), (
            object_level,
            response.status_code,
        )


def test_faculty_admin_does_not_see_sibling_faculty(client, world, user_with_role):
    own = world["a"]
    sibling = FacultyFactory(institution=own["institution"])
    sibling_issuer = IssuerFactory(faculty=sibling)
    user = user_with_role(Role.ADMIN, faculty=own["faculty"])
    client.force_login(user)
    assert client.get(reverse("staff:faculty", args=[sibling.pk])).status_code == 404
    assert client.get(reverse("staff:issuer", args=[sibling_issuer.pk])).status_code == 404
    assert client.get(reverse("staff:issuer", args=[own["issuer"].pk])).status_code == 200


def test_student_without_role_is_refused_staff_pages(client, world):
    client.force_login(UserFactory())
    assert client.get(reverse("staff:dashboard")).status_code == 403
    assert (
        client.get(reverse("staff:institution", args=[world["a"]["institution"].pk])).status_code
        == 404
    )


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(reverse("staff:issuer", args=[world["a"]["issuer"].pk]))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
