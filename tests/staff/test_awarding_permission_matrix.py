"""Every awarding page and action × each role and scope: staff of another institution get
404 and change nothing; in their own institution the role decides (403 when too low)."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from badges.models import Assertion, Award, BulkAward, Enrollment
from issuers.roles import Role
from tests.awarding.factories import AwardFactory, EnrollmentFactory
from tests.factories import UserFactory

LEVELS = ["institution", "faculty", "issuer", "badge_class"]
ROLE_SCOPES = [
    (role, level)
    for role, level in itertools.product(Role.values, LEVELS)
    if not (role == Role.ADMIN and level == "badge_class")
]

# (url name, object kind, method, least role needed in the own institution)
PAGES = [
    ("staff:award_create", "badge_class", "get", Role.AWARDER),
    ("staff:award_create", "badge_class", "post", Role.AWARDER),
    ("staff:badge_awards", "badge_class", "get", Role.VIEWER),
    ("staff:awards_withdraw", "badge_class", "post", Role.AWARDER),
    ("staff:assertions_revoke", "badge_class", "post", Role.AWARDER),
    ("staff:bulk_upload", "badge_class", "get", Role.AWARDER),
    ("staff:bulk_upload", "badge_class", "post", Role.AWARDER),
    ("staff:award", "award", "get", Role.VIEWER),
    ("staff:award_withdraw", "award", "post", Role.AWARDER),
    ("staff:assertion", "assertion", "get", Role.VIEWER),
    ("staff:assertion", "assertion", "post", Role.AWARDER),
    ("staff:bulk", "bulk", "get", Role.VIEWER),
    ("staff:bulk_map", "bulk", "get", Role.AWARDER),
    ("staff:bulk_map", "bulk", "post", Role.AWARDER),
    ("staff:bulk_start", "bulk", "post", Role.AWARDER),
    ("staff:bulk_cancel", "bulk", "post", Role.AWARDER),
    ("staff:bulk_progress", "bulk", "get", Role.VIEWER),
    ("staff:bulk_report", "bulk", "get", Role.VIEWER),
    ("staff:enrollment", "enrollment", "get", Role.VIEWER),
    ("staff:enrollment_approve", "enrollment", "post", Role.AWARDER),
    ("staff:enrollment_deny", "enrollment", "get", Role.AWARDER),
    ("staff:enrollment_deny", "enrollment", "post", Role.AWARDER),
    ("staff:audit_log", "institution", "get", "institution_admin"),
]
POST_DATA = {
    "reason": "x",
    "email": "x@student.example",
    "selected": [],
    "column_email": "0",
    "skip_errors": "on",
}


def _objects(side: dict) -> dict:
    badge_class = side["badge_class"]
    award = AwardFactory(badge_class=badge_class)
    assertion = Assertion.objects.create(
        badge_class=badge_class,
        status=Assertion.Status.ISSUED,
        identity_hash="sha256$x",
        salt="salt",
        recipient_identity="held@student.example",
    )
    bulk = BulkAward.objects.create(
        badge_class=badge_class, source="email\na@student.example\n", header=["email"]
    )
    enrollment = EnrollmentFactory(badge_class=badge_class)
    return {
        "badge_class": badge_class,
        "award": award,
        "assertion": assertion,
        "bulk": bulk,
        "enrollment": enrollment,
        "institution": side["institution"],
    }


def _request(client, name: str, obj, method: str):
    url = reverse(name, args=[obj.pk])
    if method == "get":
        return client.get(url)
    data = dict(POST_DATA)
    if name in ("staff:awards_withdraw",):
        data["selected"] = [Award.objects.filter(badge_class_id=obj.pk).first().pk]
    if name in ("staff:assertions_revoke",):
        data["selected"] = [Assertion.objects.filter(badge_class_id=obj.pk).first().pk]
    return client.post(url, data)


@pytest.fixture
def staff_client(client, world, user_with_role):
    def make(role: str, level: str):
        client.force_login(user_with_role(role, **{level: world["a"][level]}))
        return client

    return make


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "level"), ROLE_SCOPES)
def test_awarding_pages_of_another_institution_are_404_and_change_nothing(
    staff_client, world, role, level
):
    client = staff_client(role, level)
    other = _objects(world["b"])
    for name, kind, method, _needed in PAGES:
        response = _request(client, name, other[kind], method)
        assert response.status_code == 404, (name, method, response.status_code)
    post = {"selected": [other["enrollment"].pk]}
    assert client.post(reverse("staff:enrollments_approve"), post).status_code in (302, 403)
    assert Award.objects.get(pk=other["award"].pk).status == Award.Status.OFFERED
    assert Assertion.objects.get(pk=other["assertion"].pk).status == Assertion.Status.ISSUED
    assert BulkAward.objects.get(pk=other["bulk"].pk).status == BulkAward.Status.UPLOADED
    assert Enrollment.objects.get(pk=other["enrollment"].pk).status == Enrollment.Status.PENDING
    assert Award.objects.filter(badge_class=other["badge_class"]).count() == 1
    # Nothing of B shows on A's lists.
    listing = client.get(reverse("staff:enrollments"))
    if listing.status_code == 200:
        assert other["enrollment"].user.email not in listing.content.decode()


def _allowed(role: str, level: str, needed: str) -> bool:
    if needed == "institution_admin":
        return role == Role.ADMIN and level == "institution"
    return role in Role.at_least(needed)


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "level"), ROLE_SCOPES)
def test_awarding_pages_of_the_own_institution_follow_the_role(staff_client, world, role, level):
    client = staff_client(role, level)
    own = _objects(world["a"])
    for name, kind, method, needed in PAGES:
        response = _request(client, name, own[kind], method)
        if _allowed(role, level, needed):
            assert response.status_code in (200, 302), (name, method, response.status_code)
        else:
            assert response.status_code == 403, (name, method, response.status_code)
    listing = client.get(reverse("staff:enrollments"))
    assert listing.status_code == (200 if role != Role.VIEWER else 403)


@pytest.mark.django_db
def test_students_and_anonymous_visitors_get_no_staff_awarding_page(client, world):
    objects = _objects(world["a"])
    for name, kind, method, _needed in PAGES:
        response = _request(client, name, objects[kind], method)
        assert response.status_code == 302 and reverse("account_login") in response["Location"]
    client.force_login(UserFactory())
    for name, kind, method, _needed in PAGES:
        assert _request(client, name, objects[kind], method).status_code == 404, name
    assert client.get(reverse("staff:enrollments")).status_code == 403
