"""Endorsing bodies: registered by a platform admin with an issuer profile and keys; they
endorse institutions' badges and issuers in their own name and never act as a school."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from badge_credentials import jws
from badges import credentials, endorsements, links
from badges import services as badge_services
from badges.models import Endorsement
from issuers import onboarding, signing
from issuers import services as issuer_services
from issuers.models import AuditEntry, Institution, Issuer, SigningKey
from issuers.permissions import Action, has_perm
from issuers.roles import Role
from tests.factories import InstitutionFactory, MembershipFactory, UserFactory

from .endorsement_helpers import accepted, body_parties

pytestmark = pytest.mark.django_db


def test_a_platform_admin_registers_a_body_with_a_signing_issuer_profile():
    side = body_parties()
    profile = side.endorser
    body = profile.faculty.institution
    assert body.kind == Institution.Kind.ENDORSING_BODY
    assert profile.name_en == body.name_en == "Professional Association"
    assert profile.email == "quality@association.example"
    assert profile.url == "https://association.example/"
    assert set(
        SigningKey.objects.filter(issuer=profile, retired_at=None).values_list(
            "algorithm", flat=True
        )
    ) == {"RS256", "EdDSA"}
    assert AuditEntry.objects.filter(action="endorsing_body_register", institution=body).exists()
    assert list(Institution.objects.endorsing_bodies()) == [body]
    assert body not in Institution.objects.education()


def test_only_a_platform_admin_registers_a_body():
    institution_admin = MembershipFactory(institution=InstitutionFactory(), role=Role.ADMIN).user
    with pytest.raises(PermissionDenied):
        issuer_services.endorsing_body_register(
            actor=institution_admin,
            email="x@body.example",
            schac_home="body.example",
            name_nl="Orgaan",
            name_en="Body",
        )
    assert not Institution.objects.endorsing_bodies().exists()


def test_a_body_has_no_sector_badge_types_or_students():
    platform_admin = UserFactory(is_superuser=True)
    with pytest.raises(ValidationError):
        issuer_services.endorsing_body_register(
            actor=platform_admin,
            email="x@body.example",
            schac_home="body.example",
            name_nl="Orgaan",
            name_en="Body",
            enabled_badge_types=["microcredential"],
        )
    with pytest.raises(ValidationError):
        InstitutionFactory.build(sector="").full_clean()


def test_changing_a_body_changes_the_name_it_signs_in():
    side = body_parties()
    body = side.endorser.faculty.institution
    platform_admin = UserFactory(is_superuser=True)
    issuer_services.endorsing_body_update(
        actor=platform_admin, body=body, email="new@association.example", name_en="Renamed"
    )
    side.endorser.refresh_from_db()
    assert (side.endorser.name_en, side.endorser.email) == ("Renamed", "new@association.example")
    with pytest.raises(PermissionDenied):
        issuer_services.endorsing_body_update(
            actor=side.badge_admin, body=body, name_en="Taken over"
        )


def test_a_body_defines_awards_and_adds_nothing_but_endorses():
    side = body_parties()
    profile = side.endorser
    body = profile.faculty.institution
    platform_admin = UserFactory(is_superuser=True)
    for user in (side.endorser_admin, platform_admin):
        assert has_perm(user, Action.ENDORSE, profile)
        assert not has_perm(user, Action.ADD_BADGE_CLASS, profile)
        assert not has_perm(user, Action.ADD_ISSUER, profile.faculty)
        assert not has_perm(user, Action.ADD_FACULTY, body)
        assert not has_perm(user, Action.AWARD, profile)
    with pytest.raises(PermissionDenied):
        badge_services.badge_class_create(
            actor=side.endorser_admin,
            issuer=profile,
            badge_type="extracurricular",
            name_nl="Eigen badge",
            name_en="Own badge",
        )
    with pytest.raises(PermissionDenied):
        issuer_services.issuer_create(
            actor=side.endorser_admin, faculty=profile.faculty, name_nl="Twee", name_en="Two"
        )
    # A viewer of the body sees its endorsements but does not endorse.
    viewer = MembershipFactory(institution=body, role=Role.VIEWER).user
    assert not has_perm(viewer, Action.ENDORSE, profile)
    with pytest.raises(PermissionDenied):
        endorsements.endorsement_request(
            actor=viewer, endorser=profile, badge_class=side.badge_class, comment="Good."
        )


def test_onboarding_asks_a_body_only_for_an_admin():
    platform_admin = UserFactory(is_superuser=True)
    body = issuer_services.endorsing_body_register(
        actor=platform_admin,
        email="x@body.example",
        schac_home="body.example",
        name_nl="Orgaan",
        name_en="Body",
    )
    items = onboarding.checklist(body)
    assert [item.done for item in items] == [False]
    assert "admin" in items[0].text
    MembershipFactory(institution=body, role=Role.ADMIN)
    assert onboarding.missing(body) == []
    assert not onboarding.can_issue(body, "extracurricular")


def test_a_body_endorsement_is_signed_in_the_body_name(django_capture_on_commit_callbacks):
    side = body_parties()
    endorsement = accepted(side, django_capture_on_commit_callbacks)
    assert endorsement.status == Endorsement.Status.ISSUED
    credential = endorsement.ob3_credential
    assert credential["issuer"]["id"] == links.issuer_did(side.endorser)
    assert credential["issuer"]["name"] == "Professional Association"
    assert credential["issuer"]["url"] == "https://association.example/"
    assert credential["name"].endswith("by Professional Association")
    assert endorsement.ob2_endorsement["issuer"] == links.issuer_url(side.endorser)
    rsa_key = signing.signing_keys_ensure(issuer=side.endorser)["RS256"]
    assert jws.verify_badge_signature(endorsement.ob2_jws, signing.public_key(rsa_key))
    profile = credentials.issuer_profile_v2(side.endorser)
    assert profile["name"] == "Professional Association"
    assert profile["email"] == "quality@association.example"
    assert profile["publicKey"] == [links.key_url(rsa_key)]
    assert credentials.badge_class_v2(side.badge_class)["endorsement"] == [
        links.endorsement_url(endorsement)
    ]


def test_a_body_is_not_endorsed(django_capture_on_commit_callbacks):
    side = body_parties()
    other = MembershipFactory(issuer=side.badge_class.issuer, role=Role.ADMIN).user
    with pytest.raises(ValidationError):
        endorsements.endorsement_request(
            actor=other,
            endorser=side.badge_class.issuer,
            issuer=side.endorser,
            comment="Mutual admiration.",
        )


def test_the_public_pages_describe_the_body(client, django_capture_on_commit_callbacks):
    side = body_parties()
    accepted(side, django_capture_on_commit_callbacks, comment="Our members look for this.")
    badge_page = client.get(
        reverse("public:badge_class", args=[side.badge_class.public_id]) + "?format=html"
    ).content.decode()
    assert "Endorsed by Professional Association on" in badge_page
    assert "Our members look for this." in badge_page
    body_page = client.get(
        reverse("public:issuer", args=[side.endorser.public_id]) + "?format=html"
    ).content.decode()
    assert "Endorsing body" in body_page
    assert side.badge_class.name_en in body_page
    profile = client.get(
        reverse("public:issuer", args=[side.endorser.public_id]),
        HTTP_ACCEPT="application/ld+json",
    ).json()
    assert profile["type"] == "Issuer" and profile["name"] == "Professional Association"


def test_a_body_is_no_school_on_the_home_page_or_in_the_insights(client):
    side = body_parties()
    school = side.badge_class.issuer.faculty.institution
    home = client.get(reverse("home")).content.decode()
    assert school.name_en in home or school.name_nl in home
    assert "Professional Association" not in home and "Beroepsvereniging" not in home
    client.force_login(UserFactory(is_superuser=True))
    insights = client.get(reverse("insights:index")).content.decode()
    assert "Professional Association" not in insights
    client.force_login(side.endorser_admin)
    assert client.get(reverse("insights:index")).status_code == 403
    assert not Issuer.objects.filter(faculty__institution__kind="endorsing_body").exclude(
        pk=side.endorser.pk
    )
