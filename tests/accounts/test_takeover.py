"""Roles, invitations and claims go only to identities that were proven: an account that
registered someone else's address first gets nothing."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.urls import reverse

from badges.awarding import awards, claims
from badges.models import Assertion
from issuers import services as issuer_services
from issuers.models import Invitation, Membership
from issuers.roles import Role
from privacy.models import ConsentRecord, LegalBasis, RecordKind
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_a_pre_registered_unverified_account_does_not_get_the_role(
    client, ready, admin, mailoutbox, django_capture_on_commit_callbacks
):
    squatter = UserFactory(email="new.colleague@a.example", verified=False)
    client.force_login(admin)
    institution = ready["a"]["institution"]
    url = reverse("staff:members", args=["institution", institution.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "new.colleague@a.example", "role": Role.ADMIN})
    assert response.status_code == 302
    assert not Membership.objects.filter(user=squatter).exists()
    # The real colleague is invited instead: the link in their mailbox is the proof.
    invitation = Invitation.objects.get(email="new.colleague@a.example")
    (message,) = mailoutbox
    assert message.to == ["new.colleague@a.example"]
    with pytest.raises(ValidationError):
        issuer_services.membership_grant(
            actor=admin, user=squatter, role=Role.ADMIN, scope=institution
        )
    # The squatter, signed in but without the mail, has no way to the role.
    client.force_login(squatter)
    assert client.get(reverse("staff:dashboard")).status_code == 403
    assert invitation.token not in client.get(url).content.decode()


def test_the_invitation_link_proves_the_address_and_binds_it(client, ready, admin):
    invitation = issuer_services.invitation_create(
        actor=admin, email="colleague@a.example", institution=ready["a"]["institution"]
    )
    accept = reverse("staff:invitation_accept", args=[invitation.token])
    # A newcomer follows the link and registers with the invited address: no mail round trip.
    assert client.get(accept).status_code == 200
    response = client.post(
        f"{reverse('account_signup')}?next={accept}",
        {
            "email": "colleague@a.example",
            "password1": "a-long-and-unusual-passphrase-42",
            "password2": "a-long-and-unusual-passphrase-42",
            "next": accept,
        },
    )
    assert response["Location"] == accept
    assert client.post(accept)["Location"] == reverse("staff:dashboard")
    user = EmailAddress.objects.get(email="colleague@a.example", verified=True).user
    assert Membership.objects.get(user=user).role == Role.ADMIN


def test_an_invitation_is_not_taken_by_an_account_with_another_address(client, ready, admin):
    invitation = issuer_services.invitation_create(
        actor=admin, email="colleague@a.example", institution=ready["a"]["institution"]
    )
    other = UserFactory(email="someone.else@a.example")
    with pytest.raises(ValidationError, match="another email address"):
        issuer_services.invitation_accept(user=other, token=invitation.token)
    assert not Membership.objects.filter(user=other).exists()


def _acknowledged(user, ready) -> None:
    ConsentRecord.objects.create(
        user=user,
        statement=ready["a"]["statements"]["extracurricular"],
        institution=ready["a"]["institution"],
        badge_type="extracurricular",
        legal_basis=LegalBasis.PUBLIC_TASK,
        kind=RecordKind.ACKNOWLEDGEMENT,
    )


def test_a_claim_issues_to_the_address_the_offer_went_to_not_to_the_claimants(
    client, ready, awarder, mailoutbox, django_capture_on_commit_callbacks
):
    claimant = UserFactory(email="other.address@student.example", verified=False)
    _acknowledged(claimant, ready)
    with django_capture_on_commit_callbacks(execute=True):
        award = awards.award_create(
            actor=awarder, badge_class=ready["a"]["badge_class"], email="real.student@a.example"
        )
    claim_path = re.search(r"http://testserver(/student/claim/\S+/)", mailoutbox[0].body).group(1)
    client.force_login(claimant)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(claim_path)
    assertion = Assertion.objects.get(award=award)
    # The credential names the address the token proves, never the claimant's unproven one.
    assert assertion.recipient_identity == "real.student@a.example"
    assert EmailAddress.objects.get(email="real.student@a.example", verified=True).user == claimant


def test_a_claim_for_an_address_another_account_verified_is_refused(ready, awarder):
    UserFactory(email="real.student@a.example")
    claimant = UserFactory(email="other.address@student.example")
    _acknowledged(claimant, ready)
    award = awards.award_create(
        actor=awarder, badge_class=ready["a"]["badge_class"], email="real.student@a.example"
    )
    with pytest.raises(ValidationError, match="another account has confirmed"):
        claims.award_claim(user=claimant, award=award)
    assert not Assertion.objects.exists()


def test_an_offer_to_an_eppn_is_claimed_only_by_who_signed_in_with_it(ready, awarder):
    claimant = UserFactory(email="someone@student.example")
    _acknowledged(claimant, ready)
    award = awards.award_create(
        actor=awarder, badge_class=ready["a"]["badge_class"], eppn="s1234@a.example"
    )
    with pytest.raises(ValidationError, match="s1234@a.example"):
        claims.award_claim(user=claimant, award=award)
    assert not Assertion.objects.exists()


def test_a_password_sign_in_does_not_count_as_proof_of_the_address(client, db):
    # Sign-up with an address one does not own gives no signed-in session at all.
    response = client.post(
        reverse("account_signup"),
        {
            "email": "not.mine@a.example",
            "password1": PASSWORD + "-x",
            "password2": PASSWORD + "-x",
        },
    )
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session
