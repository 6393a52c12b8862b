"""A student hides one badge from the backpack list, or deletes it: revoked for every copy,
personal data erased, gone from the backpack, collections and export, recorded in the
institution's audit trail, while the issuer keeps its record of the award."""

from __future__ import annotations

import pytest
from django.urls import reverse

from backpack import services
from backpack.models import Collection
from badges.models import Assertion, Award
from badges.privacy_handlers import WITHDRAWN_BY_RECIPIENT, export_user_data
from issuers.models import AuditEntry
from tests.factories import BadgeClassFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def student(db):
    return UserFactory(email="kim@example.org", first_name="Kim", last_name="Jansen")


@pytest.fixture
def badge(issue, student):
    return issue(
        email=student.email,
        recipient=student,
        recipient_name="Kim Jansen",
        narrative="Led the project",
        grade="8",
    )


def test_hiding_keeps_a_badge_out_of_the_list_until_shown_again(client, student, badge, issue):
    other = issue(badge_class=BadgeClassFactory(), email=student.email, recipient=student)
    client.force_login(student)
    client.post(reverse("backpack:hide", args=[badge.public_id]), {"hidden": "yes"})
    listing = client.get(reverse("backpack:list")).content.decode()
    assert badge.badge_class.name not in listing and other.badge_class.name in listing
    assert "1 badge is hidden from this list" in listing
    hidden = client.get(reverse("backpack:list"), {"status": "hidden"}).content.decode()
    assert badge.badge_class.name in hidden and other.badge_class.name not in hidden
    badge.refresh_from_db()
    assert badge.status == Assertion.Status.ISSUED  # still valid
    detail = client.get(reverse("backpack:detail", args=[badge.public_id])).content.decode()
    assert "Show it in my list again" in detail

    from backpack.privacy_handlers import export

    assert export(student)[0]["hidden_badges"] == [badge.public_id]
    client.post(reverse("backpack:hide", args=[badge.public_id]), {"hidden": "no"})
    assert badge.badge_class.name in client.get(reverse("backpack:list")).content.decode()


def test_deleting_asks_first_then_revokes_erases_and_detaches(client, student, badge, mailoutbox):
    collection = services.collection_create(user=student, name="Mine", assertions=[badge])
    award = Award.objects.create(
        badge_class=badge.badge_class, recipient_email=student.email, status="claimed"
    )
    badge.award = award
    badge.save(update_fields=["award"])
    mailoutbox.clear()
    client.force_login(student)
    url = reverse("backpack:delete", args=[badge.public_id])

    page = client.get(url).content.decode()
    assert "cannot be undone" in page and "revoked" in page
    client.post(url)  # without the confirmation nothing happens
    assert Assertion.objects.get(pk=badge.pk).status == Assertion.Status.ISSUED

    response = client.post(url, {"confirm": "yes"}, follow=True)
    assert "was deleted from your backpack" in response.content.decode()
    badge.refresh_from_db()
    assert badge.status == Assertion.Status.REVOKED
    assert badge.revocation_reason == WITHDRAWN_BY_RECIPIENT
    assert badge.recipient is None
    assert (badge.recipient_name, badge.narrative, badge.grade, badge.recipient_identity) == (
        "",
        "",
        "",
        "",
    )
    assert badge.is_public is False
    # Gone from the student's backpack, collections and export.
    assert client.get(reverse("backpack:detail", args=[badge.public_id])).status_code == 404
    assert badge.badge_class.name not in client.get(reverse("backpack:list")).content.decode()
    assert not Collection.objects.get(pk=collection.pk).assertions.exists()
    assert export_user_data(student)[0]["assertions"] == []
    # Every copy checks as withdrawn; the issuer keeps its award and sees what happened.
    hosted = client.get(
        reverse("public:assertion", args=[badge.public_id]), HTTP_ACCEPT="application/ld+json"
    )
    assert hosted.status_code == 410
    award.refresh_from_db()
    assert award.status == "claimed" and award.recipient_email == student.email
    entry = AuditEntry.objects.get(action="assertion_delete_by_recipient")
    assert entry.actor == student and entry.object_id == str(badge.pk)
    assert entry.institution == badge.badge_class.issuer.faculty.institution
    assert "Kim" not in entry.summary
    assert not mailoutbox  # nobody is told about their own deletion


def test_another_students_badge_cannot_be_hidden_or_deleted(client, badge):
    client.force_login(UserFactory())
    assert (
        client.post(reverse("backpack:hide", args=[badge.public_id]), {"hidden": "yes"}).status_code
        == 404
    )
    assert client.get(reverse("backpack:delete", args=[badge.public_id])).status_code == 404
    assert (
        client.post(
            reverse("backpack:delete", args=[badge.public_id]), {"confirm": "yes"}
        ).status_code
        == 404
    )
    badge.refresh_from_db()
    assert badge.status == Assertion.Status.ISSUED and badge.recipient is not None
