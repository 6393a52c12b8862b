"""Claiming by email, end to end: the link, sign-in or registration, the privacy step as
the legal basis requires, claim or decline; and issuing directly where the policy says so."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from badges.awarding import awards, claims
from badges.awarding.notifications import Kind
from badges.models import Assertion, Award
from issuers.models import AuditEntry
from notifications.models import Notification
from privacy.models import ConsentRecord, LegalBasis, PrivacyPolicy, RecordKind
from tests.factories import PASSWORD, UserFactory

from .factories import AwardFactory, make_issuable

pytestmark = pytest.mark.django_db


def _claim_path(message) -> str:
    url = re.search(r"http://testserver(/student/claim/[^/\s]+/)", message.body).group(1)
    return url


def _sign_in(client, user, next_url: str):
    return client.post(
        f"{reverse('account_login')}?next={next_url}",
        {"login": user.email, "password": PASSWORD, "next": next_url},
    )


def test_claim_of_a_consent_based_badge_end_to_end(
    client, ready, awarder, student, commits, mailoutbox
):
    badge_class = ready["a"]["microcredential"]
    with commits():
        award = awards.award_create(actor=awarder, badge_class=badge_class, email=student.email)
    claim_path = _claim_path(mailoutbox[0])

    # Anonymous: the badge, the privacy text, and the way in.
    page = client.get(claim_path).content.decode()
    assert badge_class.name in page
    assert "We use your name and email address" in page
    assert f"{reverse('account_login')}?next={claim_path.replace('/', '%2F')}" in page
    assert f"{reverse('account_signup')}?next=" in page

    response = _sign_in(client, student, claim_path)
    assert response.status_code == 302 and response["Location"] == claim_path

    # Signed in, no consent yet: the page leads to the consent step, claiming is refused.
    page = client.get(claim_path).content.decode()
    consent_url = reverse(
        "privacy:consent", args=[ready["a"]["institution"].pk, badge_class.badge_type]
    )
    assert consent_url in page
    assert "Claim badge" not in page
    response = client.post(claim_path)
    assert response.status_code == 302 and response["Location"].startswith(consent_url)
    assert not Assertion.objects.exists()

    # The consent step ("I agree") sends the student back to the claim page.
    consent_page = response["Location"]
    response = client.post(
        consent_page,
        {
            "statement": ready["a"]["statements"]["microcredential"].pk,
            "agree": "on",
            "next": claim_path,
        },
    )
    assert response.status_code == 302 and response["Location"] == claim_path
    assert ConsentRecord.objects.get(user=student).kind == RecordKind.CONSENT

    assert "Claim badge" in client.get(claim_path).content.decode()
    with commits():
        response = client.post(claim_path)
    assert response["Location"] == reverse("backpack:list")
    award.refresh_from_db()
    assert award.status == Award.Status.CLAIMED
    assert award.recipient == student
    assertion = Assertion.objects.get(award=award)
    assert assertion.status == Assertion.Status.ISSUED
    assert assertion.recipient == student
    assert AuditEntry.objects.filter(action="award_claim", actor=student).exists()

    # The badge shows among the student's awards; the link now leads there.
    assert badge_class.name in client.get(reverse("backpack:list")).content.decode()
    assert client.get(claim_path)["Location"] == reverse("backpack:list")
    with commits():
        client.post(claim_path)
    assert Assertion.objects.filter(badge_class=badge_class).count() == 1


def test_an_acknowledgement_is_enough_where_the_basis_is_not_consent(
    client, ready, awarder, student, commits
):
    badge_class = ready["a"]["badge_class"]  # extra-curricular: public task
    with commits():
        award = awards.award_create(actor=awarder, badge_class=badge_class, email=student.email)
    claim_path = reverse("students:claim", args=[award.claim_token])
    client.force_login(student)
    consent_page = client.post(claim_path)["Location"]
    assert "I have read this" in client.get(consent_page).content.decode()
    client.post(
        consent_page,
        {"statement": ready["a"]["statements"]["extracurricular"].pk, "next": claim_path},
    )
    assert ConsentRecord.objects.get(user=student).kind == RecordKind.ACKNOWLEDGEMENT
    with commits():
        client.post(claim_path)
    assert Assertion.objects.get(award=award).status == Assertion.Status.ISSUED


def test_a_new_recipient_registers_through_the_link(client, ready, awarder, commits):
    with commits():
        award = awards.award_create(
            actor=awarder, badge_class=ready["a"]["badge_class"], email="newcomer@student.example"
        )
    claim_path = reverse("students:claim", args=[award.claim_token])
    client.get(claim_path)  # from the mail: the link proves the address
    response = client.post(
        f"{reverse('account_signup')}?next={claim_path}",
        {
            "email": "newcomer@student.example",
            "password1": "a-long-and-unusual-passphrase-42",
            "password2": "a-long-and-unusual-passphrase-42",
            "next": claim_path,
        },
    )
    assert response.status_code == 302 and response["Location"] == claim_path
    assert "Read and confirm" in client.get(claim_path).content.decode()


def test_the_badge_goes_to_the_address_the_link_was_sent_to_and_binds_once(ready, awarder, commits):
    statement = ready["a"]["statements"]["extracurricular"]
    first = UserFactory(email="first@student.example")
    second = UserFactory(email="second@student.example")
    for user in (first, second):
        ConsentRecord.objects.create(
            user=user,
            statement=statement,
            institution=ready["a"]["institution"],
            badge_type="extracurricular",
            legal_basis=LegalBasis.PUBLIC_TASK,
            kind=RecordKind.ACKNOWLEDGEMENT,
        )
    with commits():
        award = awards.award_create(
            actor=awarder, badge_class=ready["a"]["badge_class"], email="forwarded@student.example"
        )
        claims.award_claim(user=first, award=award)
        claims.award_claim(user=first, award=award)  # a double click issues nothing twice
    # The token proved the mailbox it was sent to: the credential names that address (not
    # the claimant's other one), and the address is now a verified one of the claimant.
    assertion = Assertion.objects.get(award=award)
    assert assertion.recipient_identity == "forwarded@student.example"
    assert EmailAddress.objects.get(email="forwarded@student.example").user == first
    assert EmailAddress.objects.get(email="forwarded@student.example").verified
    assert Assertion.objects.count() == 1
    with pytest.raises(ValidationError, match="another account"):
        claims.award_claim(user=second, award=award)
    assert Assertion.objects.count() == 1


def test_decline(client, ready, awarder, student, commits):
    with commits():
        award = awards.award_create(
            actor=awarder, badge_class=ready["a"]["badge_class"], email=student.email
        )
    client.force_login(student)
    decline_url = reverse("students:decline", args=[award.claim_token])
    assert "Yes, decline" in client.get(decline_url).content.decode()
    assert client.post(decline_url)["Location"] == reverse("backpack:list")
    award.refresh_from_db()
    assert award.status == Award.Status.DECLINED and award.recipient == student
    assert AuditEntry.objects.filter(action="award_decline").exists()
    page = client.get(reverse("students:claim", args=[award.claim_token])).content.decode()
    assert "This badge was declined." in page
    with pytest.raises(ValidationError):
        claims.award_claim(user=student, award=award)


@pytest.mark.parametrize(
    ("changes", "text"),
    [
        ({"status": Award.Status.WITHDRAWN}, "withdrawn this offer"),
        ({"status": Award.Status.EXPIRED}, "This offer has expired"),
        ({"expires_at": timezone.now() - timedelta(minutes=1)}, "This offer has expired"),
    ],
)
def test_closed_offers_cannot_be_claimed(client, ready, student, changes, text):
    award = AwardFactory(badge_class=ready["a"]["badge_class"], **changes)
    client.force_login(student)
    response = client.get(reverse("students:claim", args=[award.claim_token]))
    assert text in response.content.decode()
    with pytest.raises(ValidationError):
        claims.award_claim(user=student, award=award)
    assert not Assertion.objects.exists()


def test_an_unknown_claim_token_is_404(client, db):
    assert client.get(reverse("students:claim", args=["nope"])).status_code == 404


def test_issue_directly_on_award_puts_the_badge_in_the_backpack_with_the_privacy_text(
    ready, awarder, student, commits, mailoutbox
):
    make_issuable(ready["a"]["institution"], direct=True)
    with commits():
        award = awards.award_create(
            actor=awarder, badge_class=ready["a"]["badge_class"], email=student.email
        )
    award.refresh_from_db()
    assert award.status == Award.Status.CLAIMED and award.issued_directly
    assertion = Assertion.objects.get(award=award)
    assert assertion.status == Assertion.Status.ISSUED
    assert assertion.recipient == student
    (message,) = mailoutbox
    # The student's account says Dutch: the Dutch excerpt of the statement, no English.
    assert " / " not in message.subject
    assert "Korte samenvatting." in message.body
    assert "We use your name" not in message.body
    assert "/privacy/statements/" in message.body
    assert Notification.objects.get(assertion=assertion).kind == Kind.BADGE_ISSUED
    assert AuditEntry.objects.filter(action="award_issue_direct").exists()


def test_consent_based_types_always_wait_for_the_claim(ready, awarder, commits):
    # Even with the flag forced past the policy's validation.
    PrivacyPolicy.objects.filter(
        institution=ready["a"]["institution"], badge_type="microcredential"
    ).update(issue_directly_on_award=True)
    with commits():
        award = awards.award_create(
            actor=awarder, badge_class=ready["a"]["microcredential"], email="c@student.example"
        )
    assert award.status == Award.Status.OFFERED
    assert not Assertion.objects.exists()
