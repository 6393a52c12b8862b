import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from badge_credentials import jws
from badges import credentials, endorsements, links
from badges.models import Endorsement
from issuers import signing
from issuers.models import AuditEntry
from issuers.roles import Role
from tests.factories import IssuerFactory, MembershipFactory

from .endorsement_helpers import accepted, parties

pytestmark = pytest.mark.django_db


def test_an_accepted_endorsement_is_signed_in_both_versions_and_referenced(
    django_capture_on_commit_callbacks,
):
    side = parties()
    endorsement = accepted(side, django_capture_on_commit_callbacks)
    assert endorsement.status == Endorsement.Status.ISSUED
    hosted = endorsement.ob2_endorsement
    assert hosted["type"] == "Endorsement"
    assert hosted["claim"] == {
        "id": links.badge_class_url(side.badge_class),
        "endorsementComment": "A sound module.",
    }
    assert hosted["issuer"] == links.issuer_url(side.endorser)
    rsa_key = signing.signing_keys_ensure(issuer=side.endorser)["RS256"]
    payload = jws.verify_badge_signature(endorsement.ob2_jws, signing.public_key(rsa_key))
    assert payload["verification"]["creator"] == links.key_url(rsa_key)
    credential = endorsement.ob3_credential
    assert credential["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert credential["credentialSubject"]["id"] == links.badge_class_url(side.badge_class)
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["issuer"]["id"] == links.issuer_did(side.endorser)

    assert credentials.badge_class_v2(side.badge_class)["endorsement"] == [
        links.endorsement_url(endorsement)
    ]
    achievement = credentials.achievement_v3(side.badge_class)
    assert achievement.endorsements == (credential,)
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == ["endorsement_request", "endorsement_accept", "endorsement_issue"]


def test_a_signing_message_twice_signs_once(django_capture_on_commit_callbacks):
    side = parties()
    endorsement = accepted(side, django_capture_on_commit_callbacks)
    proof = endorsement.ob3_credential["proof"]["proofValue"]
    assert endorsements.endorsement_sign(endorsement_id=endorsement.pk) is False
    endorsement.refresh_from_db()
    assert endorsement.ob3_credential["proof"]["proofValue"] == proof


def test_issuer_endorsements_are_referenced_from_the_issuer_profile(
    django_capture_on_commit_callbacks,
):
    side = parties()
    endorsement = endorsements.endorsement_request(
        actor=side.endorser_admin,
        endorser=side.endorser,
        issuer=side.badge_class.issuer,
        comment="A trustworthy issuer.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        endorsements.endorsement_accept(actor=side.badge_admin, endorsement=endorsement)
    endorsement.refresh_from_db()
    issuer = side.badge_class.issuer
    assert credentials.issuer_profile_v2(issuer)["endorsement"] == [
        links.endorsement_url(endorsement)
    ]
    assert endorsement.ob3_credential["credentialSubject"]["id"] == links.issuer_did(issuer)
    profile = credentials.issuer_profile_v3(issuer, with_endorsements=True)
    assert profile.endorsements == (endorsement.ob3_credential,)


def test_only_another_institutions_admin_endorses_and_only_the_endorsed_side_decides():
    side = parties()
    colleague_issuer = IssuerFactory(faculty=side.badge_class.issuer.faculty)
    colleague = MembershipFactory(issuer=colleague_issuer, role=Role.ADMIN).user
    with pytest.raises(ValidationError):
        endorsements.endorsement_request(
            actor=colleague,
            endorser=colleague_issuer,
            badge_class=side.badge_class,
            comment="Our own.",
        )
    awarder = MembershipFactory(issuer=side.endorser, role=Role.AWARDER).user
    with pytest.raises(PermissionDenied):
        endorsements.endorsement_request(
            actor=awarder, endorser=side.endorser, badge_class=side.badge_class, comment="Hi"
        )
    endorsement = endorsements.endorsement_request(
        actor=side.endorser_admin,
        endorser=side.endorser,
        badge_class=side.badge_class,
        comment="Good.",
    )
    with pytest.raises(PermissionDenied):
        endorsements.endorsement_accept(actor=side.endorser_admin, endorsement=endorsement)
    with pytest.raises(ValidationError):
        endorsements.endorsement_request(
            actor=side.endorser_admin,
            endorser=side.endorser,
            badge_class=side.badge_class,
            comment="Again.",
        )


def test_a_declined_endorsement_is_never_signed_nor_referenced(django_capture_on_commit_callbacks):
    side = parties()
    endorsement = endorsements.endorsement_request(
        actor=side.endorser_admin,
        endorser=side.endorser,
        badge_class=side.badge_class,
        comment="Good.",
    )
    with django_capture_on_commit_callbacks(execute=True):
        endorsements.endorsement_decline(
            actor=side.badge_admin, endorsement=endorsement, reason="Not ours to show."
        )
    endorsement.refresh_from_db()
    assert endorsement.status == Endorsement.Status.DECLINED and endorsement.ob3_credential is None
    assert "endorsement" not in credentials.badge_class_v2(side.badge_class)
    assert AuditEntry.objects.filter(action="endorsement_decline").exists()


def test_withdrawing_revokes_it_everywhere(client, django_capture_on_commit_callbacks):
    side = parties()
    endorsement = accepted(side, django_capture_on_commit_callbacks)
    endorsements.endorsement_withdraw(
        actor=side.endorser_admin, endorsement=endorsement, reason="The module changed."
    )
    assert "endorsement" not in credentials.badge_class_v2(side.badge_class)
    assert credentials.achievement_v3(side.badge_class).endorsements == ()
    hosted = client.get(reverse("public:endorsement", args=[endorsement.public_id]))
    assert hosted.status_code == 410 and hosted.json()["revoked"] is True
    status = client.get(reverse("public:status_list", args=[side.endorser.public_id])).json()
    assert status["revokedCredentials"] == [
        {
            "id": links.endorsement_credential_url(endorsement),
            "revoked": True,
            "revocationReason": "The module changed.",
        }
    ]
    revocations = client.get(reverse("public:revocations", args=[side.endorser.public_id]))
    assert links.endorsement_url(endorsement) in json.dumps(revocations.json())
    assert AuditEntry.objects.filter(action="endorsement_withdraw").exists()


def test_the_public_badge_page_shows_accepted_endorsements(
    client, django_capture_on_commit_callbacks
):
    side = parties()
    accepted(side, django_capture_on_commit_callbacks, comment="Rigorous and well assessed.")
    page = client.get(
        reverse("public:badge_class", args=[side.badge_class.public_id]) + "?format=html",
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "Rigorous and well assessed." in page
    assert f"Endorsed by {side.endorser.name_en}" in page
