"""An endorsing body's staff on the staff pages: they endorse institutions' badges, see their
own endorsements, and nothing of any institution beyond what is public."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from badges import endorsements
from badges.models import Endorsement
from issuers import services as issuer_services
from issuers.models import Institution
from issuers.roles import Role
from tests.badges.endorsement_helpers import accepted, body_parties, parties
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_body_admin_endorses_through_the_pages_and_the_badge_admin_accepts(
    client, django_capture_on_commit_callbacks
):
    side = body_parties()
    client.force_login(side.endorser_admin)
    dashboard = client.get(reverse("staff:dashboard")).content.decode()
    assert "Endorsing body" in dashboard
    assert reverse("staff:endorsements") in dashboard
    assert reverse("insights:index") not in dashboard
    found = client.get(reverse("staff:endorsements"), {"q": side.badge_class.name_en})
    create_url = reverse("staff:endorsement_create", args=["badge", side.badge_class.public_id])
    assert create_url in found.content.decode()
    response = client.post(
        create_url, {"endorser": side.endorser.pk, "comment": "Our members look for this."}
    )
    endorsement = Endorsement.objects.get()
    assert response.status_code == 302
    assert endorsement.endorser == side.endorser
    detail = client.get(reverse("staff:endorsement", args=[endorsement.pk])).content.decode()
    assert "Professional Association" in detail and "waiting for a decision" in detail

    client.force_login(side.badge_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("staff:endorsement_decide", args=[endorsement.pk, "accept"]))
    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.ISSUED


def test_the_body_page_offers_endorsing_and_no_school_management(client):
    side = body_parties()
    body = side.endorser.faculty.institution
    client.force_login(side.endorser_admin)
    page = client.get(reverse("staff:institution", args=[body.pk])).content.decode()
    assert "Ready to endorse?" in page
    for school_only in (
        reverse("staff:faculty_create", args=[body.pk]),
        reverse("staff:institution_edit", args=[body.pk]),
        reverse("api_staff:clients", args=[body.pk]),
        "Ready to issue?",
    ):
        assert school_only not in page
    assert client.get(reverse("staff:faculty_create", args=[body.pk])).status_code == 403
    assert client.get(reverse("staff:institution_edit", args=[body.pk])).status_code == 404
    assert client.get(reverse("api_staff:clients", args=[body.pk])).status_code == 404
    assert (
        client.get(reverse("staff:badge_class_create", args=[side.endorser.pk])).status_code == 403
    )
    assert (
        client.get(reverse("staff:issuer_create", args=[side.endorser.faculty.pk])).status_code
        == 403
    )


def test_the_search_offers_no_body_to_endorse(client):
    side = body_parties()
    school_admin = MembershipFactory(issuer=side.badge_class.issuer, role=Role.ADMIN).user
    client.force_login(school_admin)
    found = client.get(reverse("staff:endorsements"), {"q": "Professional"}).content.decode()
    body_url = reverse("staff:endorsement_create", args=["issuer", side.endorser.public_id])
    assert body_url not in found
    assert client.get(body_url).status_code == 404


def test_body_staff_see_only_their_own_endorsements_and_no_school_data(
    client, django_capture_on_commit_callbacks
):
    side = body_parties()
    mine = accepted(side, django_capture_on_commit_callbacks)
    others = parties()
    theirs = accepted(others, django_capture_on_commit_callbacks, comment="Between schools.")
    school = others.badge_class.issuer.faculty.institution
    client.force_login(side.endorser_admin)

    listing = client.get(reverse("staff:endorsements")).content.decode()
    assert reverse("staff:endorsement", args=[mine.pk]) in listing
    assert reverse("staff:endorsement", args=[theirs.pk]) not in listing
    forbidden = [
        reverse("staff:endorsement", args=[theirs.pk]),
        reverse("staff:institution", args=[school.pk]),
        reverse("staff:institution", args=[side.badge_class.issuer.faculty.institution_id]),
        reverse("staff:issuer", args=[others.badge_class.issuer.pk]),
        reverse("staff:badge_class", args=[side.badge_class.pk]),
        reverse("staff:badge_awards", args=[side.badge_class.pk]),
        reverse("staff:members", args=["institution", school.pk]),
        reverse("staff:audit_log", args=[school.pk]),
        reverse("privacy:staff_institution", args=[school.pk]),
        reverse("api_staff:clients", args=[school.pk]),
    ]
    answers = {url: client.get(url).status_code for url in forbidden}
    assert all(status in (403, 404) for status in answers.values()), answers
    # Deciding on what the body offered, or withdrawing what a school said, is not theirs.
    client.post(reverse("staff:endorsement_decide", args=[theirs.pk, "withdraw"]))
    theirs.refresh_from_db()
    assert theirs.status == Endorsement.Status.ISSUED
    pending = endorsements.endorsement_request(
        actor=others.endorser_admin,
        endorser=others.endorser,
        badge_class=side.badge_class,
        comment="Also good.",
    )
    assert (
        client.post(reverse("staff:endorsement_decide", args=[pending.pk, "accept"])).status_code
        == 404
    )
    pending.refresh_from_db()
    assert pending.status == Endorsement.Status.REQUESTED


def test_school_staff_see_nothing_of_a_body_beyond_its_public_profile(client):
    side = body_parties()
    body = side.endorser.faculty.institution
    client.force_login(side.badge_admin)
    for url in (
        reverse("staff:institution", args=[body.pk]),
        reverse("staff:issuer", args=[side.endorser.pk]),
        reverse("staff:members", args=["institution", body.pk]),
    ):
        assert client.get(url).status_code in (403, 404), url


def test_the_platform_admin_registers_a_body_in_the_admin(
    client, django_capture_on_commit_callbacks
):
    platform_admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(platform_admin)
    data = {
        "schac_home": "werkgevers.example",
        "country": "NL",
        "website": "https://werkgevers.example/",
        "email": "keurmerk@werkgevers.example",
        "name_nl": "Werkgeversfederatie",
        "name_en": "Employers' Federation",
        "invitations-TOTAL_FORMS": "1",
        "invitations-INITIAL_FORMS": "0",
        "invitations-MIN_NUM_FORMS": "0",
        "invitations-MAX_NUM_FORMS": "1000",
        "invitations-0-email": "head@werkgevers.example",
        "invitations-0-role": Role.ADMIN,
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:issuers_endorsingbody_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    body = Institution.objects.endorsing_bodies().get()
    assert body.faculties.get().issuers.get().email == "keurmerk@werkgevers.example"
    assert body.invitations.get().email == "head@werkgevers.example"
    change = client.get(reverse("admin:issuers_endorsingbody_change", args=[body.pk]))
    assert "keurmerk@werkgevers.example" in change.content.decode()
    institutions = client.get(reverse("admin:issuers_institution_changelist")).content.decode()
    assert "Employers&#x27; Federation" not in institutions
    bodies = client.get(reverse("admin:issuers_endorsingbody_changelist")).content.decode()
    assert "Employers&#x27; Federation" in bodies


def test_a_body_invites_admins_and_viewers_but_no_awarders(client):
    side = body_parties()
    body = side.endorser.faculty.institution
    client.force_login(side.endorser_admin)
    members_url = reverse("staff:members", args=["institution", body.pk])
    page = client.get(members_url).content.decode()
    assert 'value="viewer"' in page and 'value="admin"' in page
    assert 'value="awarder"' not in page
    with pytest.raises(ValidationError):
        issuer_services.invitation_create(
            actor=side.endorser_admin, institution=body, email="a@x.example", role=Role.AWARDER
        )
    response = client.post(
        members_url, {"email": "colleague@association.example", "role": "viewer"}
    )
    assert response.status_code == 302
    assert body.invitations.get().role == Role.VIEWER


def test_a_body_admin_edits_only_the_contact_address_of_its_profile(client):
    side = body_parties()
    profile = side.endorser
    name = profile.name_en
    client.force_login(side.endorser_admin)
    url = reverse("staff:issuer_edit", args=[profile.pk])
    page = client.get(url).content.decode()
    assert 'name="email"' in page and 'name="name_en"' not in page
    assert "changed by the platform administrator" in page
    response = client.post(url, {"email": "badges@body.example", "name_en": "Something Else"})
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.email == "badges@body.example" and profile.name_en == name


def test_the_profile_of_a_body_keeps_the_bodys_name_whoever_changes_it():
    side = body_parties()
    profile = side.endorser
    platform_admin = UserFactory(is_superuser=True)
    with pytest.raises(ValidationError, match="changes them on the body"):
        issuer_services.issuer_update(actor=platform_admin, issuer=profile, name_en="Renamed")
    # The same values, and the contact address, may pass through.
    issuer_services.issuer_update(
        actor=platform_admin, issuer=profile, name_en=profile.name_en, email="x@body.example"
    )
    profile.refresh_from_db()
    assert profile.email == "x@body.example"


def test_the_platform_admin_changes_the_bodys_name_on_the_body_not_its_profile(admin_client):
    side = body_parties()
    profile = side.endorser
    page = admin_client.get(reverse("admin:issuers_issuer_change", args=[profile.pk]))
    assert page.status_code == 200
    assert 'name="name_en"' not in page.content.decode()
