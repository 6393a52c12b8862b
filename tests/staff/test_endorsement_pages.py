import pytest
from django.urls import reverse

from badges.models import Endorsement
from issuers.models import AuditEntry
from issuers.roles import Role
from tests.badges.endorsement_helpers import parties
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_an_endorsement_is_offered_accepted_shown_and_withdrawn_through_the_pages(
    client, django_capture_on_commit_callbacks
):
    side = parties()
    client.force_login(side.endorser_admin)
    found = client.get(reverse("staff:endorsements"), {"q": side.badge_class.name_en})
    create_url = reverse("staff:endorsement_create", args=["badge", side.badge_class.public_id])
    assert create_url in found.content.decode()
    response = client.post(
        create_url, {"endorser": side.endorser.pk, "comment": "Well designed and assessed."}
    )
    endorsement = Endorsement.objects.get()
    assert response.status_code == 302 and endorsement.status == Endorsement.Status.REQUESTED
    # The endorser cannot accept their own offer.
    client.post(reverse("staff:endorsement_decide", args=[endorsement.pk, "accept"]))
    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.REQUESTED

    client.force_login(side.badge_admin)
    dashboard = client.get(reverse("staff:dashboard")).content.decode()
    assert "1 endorsement is waiting for your decision." in dashboard
    detail = client.get(reverse("staff:badge_class", args=[side.badge_class.pk])).content.decode()
    assert reverse("staff:endorsement", args=[endorsement.pk]) in detail
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:endorsement_decide", args=[endorsement.pk, "accept"]))
    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.ISSUED
    public = client.get(
        reverse("public:badge_class", args=[side.badge_class.public_id]) + "?format=html"
    ).content.decode()
    assert "Well designed and assessed." in public

    client.force_login(side.endorser_admin)
    client.post(
        reverse("staff:endorsement_decide", args=[endorsement.pk, "withdraw"]),
        {"reason": "The module was replaced."},
    )
    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.WITHDRAWN
    assert (
        "Well designed and assessed."
        not in client.get(
            reverse("public:badge_class", args=[side.badge_class.public_id]) + "?format=html"
        ).content.decode()
    )
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "endorsement_request",
        "endorsement_accept",
        "endorsement_issue",
        "endorsement_withdraw",
    }


def test_staff_of_a_third_institution_get_404_for_an_endorsement(client):
    side = parties()
    client.force_login(side.endorser_admin)
    client.post(
        reverse("staff:endorsement_create", args=["badge", side.badge_class.public_id]),
        {"endorser": side.endorser.pk, "comment": "Good."},
    )
    endorsement = Endorsement.objects.get()
    outsider = MembershipFactory(
        institution=parties().endorser.faculty.institution, role=Role.ADMIN
    ).user
    client.force_login(outsider)
    assert client.get(reverse("staff:endorsement", args=[endorsement.pk])).status_code == 404
    response = client.post(reverse("staff:endorsement_decide", args=[endorsement.pk, "accept"]))
    assert response.status_code == 404


def test_an_institution_cannot_endorse_its_own_badges(client):
    side = parties()
    client.force_login(side.badge_admin)
    response = client.get(
        reverse("staff:endorsement_create", args=["badge", side.badge_class.public_id])
    )
    assert response.status_code == 403


def test_the_badge_admin_declines_with_a_reason(client):
    side = parties()
    client.force_login(side.endorser_admin)
    client.post(
        reverse("staff:endorsement_create", args=["badge", side.badge_class.public_id]),
        {"endorser": side.endorser.pk, "comment": "Good."},
    )
    endorsement = Endorsement.objects.get()
    client.force_login(side.badge_admin)
    client.post(
        reverse("staff:endorsement_decide", args=[endorsement.pk, "decline"]),
        {"reason": "We do not know this issuer."},
    )
    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.DECLINED
    assert endorsement.decline_reason == "We do not know this issuer."
    page = client.get(reverse("staff:endorsement", args=[endorsement.pk])).content.decode()
    assert "We do not know this issuer." in page
