"""Retiring and distrusting signing keys: what is published, and what our verifier accepts."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from badge_credentials import data_integrity, jws, vc_jwt
from badge_credentials.contexts import document_loader
from badge_credentials.extension import extension_documents
from badges import baked_images, credentials, links
from badges.verification import badge_verify
from issuers import signing
from issuers.models import AuditEntry, SigningKey
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
RECIPIENT = "student@example.org"


def _failed(report) -> list[str]:
    return [check.name for check in report.checks if not check.passed]


def _json(client, url: str) -> dict:
    response = client.get(url.removeprefix("http://testserver"), HTTP_ACCEPT="application/ld+json")
    assert response.status_code == 200, url
    return response.json()


def _key(issuer, algorithm: str, **filters) -> SigningKey:
    return SigningKey.objects.filter(issuer=issuer, algorithm=algorithm, **filters).get()


def _forge_di(credential: dict, signing_key: SigningKey) -> dict:
    """Re-sign a (changed) credential with ``signing_key``'s private half, now."""
    unsigned = {name: value for name, value in credential.items() if name != "proof"}
    return data_integrity.add_proof(
        unsigned,
        signing.private_key(signing_key),
        verification_method=links.verification_method(signing_key),
        loader=document_loader(extension_documents("http://testserver")),
    )


@pytest.fixture
def admin_user():
    return UserFactory(is_superuser=True, is_staff=True)


@pytest.fixture
def rotated(issue, admin_user):
    """A badge issued an hour ago, the keys retired half an hour ago, a badge issued now."""
    start = timezone.now()
    with time_machine.travel(start - timedelta(hours=1), tick=False):
        old = issue(email=RECIPIENT)
    issuer = old.badge_class.issuer
    with time_machine.travel(start - timedelta(minutes=30), tick=False):
        signing.signing_keys_rotate(actor=admin_user, issuer=issuer)
    new = issue(badge_class=old.badge_class, email=RECIPIENT)
    return old, new


def test_the_issuer_profile_names_one_key_after_rotations(client, rotated, admin_user):
    old, _new = rotated
    issuer = old.badge_class.issuer
    signing.signing_keys_rotate(actor=admin_user, issuer=issuer)
    profile = _json(client, links.issuer_url(issuer))
    first = SigningKey.objects.filter(issuer=issuer, algorithm="RS256").earliest("created_at")
    assert profile["publicKey"] == [links.key_url(first)]


def test_signed_badges_of_a_later_key_point_at_that_keys_own_documents(client, rotated):
    old, new = rotated
    issuer = old.badge_class.issuer
    new_key = _key(issuer, "RS256", retired_at__isnull=True)
    signed = jws.decode_unverified(new.ob2_jws)[1]
    assert signed["verification"]["creator"] == links.key_url(new_key)
    badge_class = _json(client, signed["badge"])
    assert (
        badge_class["id"] == signed["badge"] == links.key_badge_class_url(new_key, new.badge_class)
    )
    profile = _json(client, badge_class["issuer"])
    assert profile["publicKey"] == [links.key_url(new_key)]
    assert _json(client, links.key_url(new_key))["owner"] == profile["id"]
    # The badge itself is the same badge: same name, criteria and image as the hosted one.
    hosted_class = _json(client, links.badge_class_url(new.badge_class))
    assert {k: v for k, v in badge_class.items() if k not in ("id", "issuer")} == {
        k: v for k, v in hosted_class.items() if k not in ("id", "issuer")
    }
    # Badges signed with the first key keep pointing at the issuer's own documents.
    assert jws.decode_unverified(old.ob2_jws)[1]["badge"] == links.badge_class_url(old.badge_class)


def test_old_and_new_badges_of_every_kind_verify_after_rotation(rotated):
    for assertion in rotated:
        for data in (
            links.assertion_url(assertion),
            assertion.ob2_jws,
            baked_images.baked(assertion, "png"),
            baked_images.baked(assertion, "svg"),
            json.dumps(assertion.ob3_credential),
            assertion.ob3_jwt,
        ):
            report = badge_verify(data=data, recipient=RECIPIENT)
            assert report.valid, report.to_dict()


def test_retired_keys_publish_the_end_of_their_validity(client, rotated):
    old, _new = rotated
    issuer = old.badge_class.issuer
    retired = SigningKey.objects.filter(issuer=issuer, retired_at__isnull=False)
    did_document = _json(client, links.issuer_did_document_url(issuer))
    methods = {method["id"]: method for method in did_document["verificationMethod"]}
    for key in retired:
        method = methods[links.verification_method(key)]
        published = key.retired_at.replace(microsecond=0) + timedelta(
            seconds=1 if key.retired_at.microsecond else 0
        )
        assert method["expires"] == published.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert "revoked" not in method
        document = _json(client, links.key_url(key))
        assert document["expires"] == method["expires"]
        assert "revoked" not in document
    active = SigningKey.objects.filter(issuer=issuer, retired_at__isnull=True)
    for key in active:
        assert "expires" not in methods[links.verification_method(key)]


def test_a_retired_key_does_not_verify_what_it_signed_after_retirement(rotated):
    old, _new = rotated
    retired_ed = _key(old.badge_class.issuer, "EdDSA", retired_at__isnull=False)
    forged = copy.deepcopy(old.ob3_credential)
    forged["credentialSubject"]["achievement"]["name"] = "Signed after retirement"
    report = badge_verify(data=json.dumps(_forge_di(forged, retired_ed)))
    assert _failed(report) == ["key_validity"]
    assert "after the key was retired" in report.check("key_validity").reason
    genuine = badge_verify(data=json.dumps(old.ob3_credential))
    assert genuine.valid
    assert "before the key was retired" in genuine.check("key_validity").reason


def test_a_retired_rsa_key_does_not_verify_vc_jwts_or_signed_badges_made_after_retirement(
    rotated,
):
    old, _new = rotated
    issuer = old.badge_class.issuer
    retired_rsa = _key(issuer, "RS256", retired_at__isnull=False)
    private = signing.private_key(retired_rsa)
    credential = {k: v for k, v in old.ob3_credential.items() if k != "proof"}
    credential["validFrom"] = credential["awardedDate"] = timezone.now().strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    token = vc_jwt.sign_vc_jwt(credential, private, kid=links.verification_method(retired_rsa))
    assert _failed(badge_verify(data=token)) == ["key_validity"]

    old.issued_on = timezone.now()
    payload = credentials.assertion_v2(old, identity=RECIPIENT, signing_key=retired_rsa)
    report = badge_verify(data=jws.sign_badge(payload, private))
    assert _failed(report) == ["key_validity"]


def test_compromised_keys_verify_only_what_they_signed_before_the_compromise(
    client, issue, admin_user
):
    start = timezone.now()
    with time_machine.travel(start - timedelta(days=2), tick=False):
        before = issue(email=RECIPIENT)
    issuer = before.badge_class.issuer
    with time_machine.travel(start - timedelta(hours=2), tick=False):
        after = issue(badge_class=before.badge_class, email=RECIPIENT)
    signing.signing_keys_compromise(
        actor=admin_user, issuer=issuer, compromised_at=start - timedelta(days=1)
    )
    compromised = SigningKey.objects.filter(issuer=issuer, compromised_at__isnull=False)
    assert {key.algorithm for key in compromised} == {"RS256", "EdDSA"}
    assert SigningKey.objects.filter(issuer=issuer, retired_at__isnull=True).count() == 2

    for data in (before.ob2_jws, json.dumps(before.ob3_credential), before.ob3_jwt):
        report = badge_verify(data=data)
        assert report.valid, report.to_dict()
    for data in (after.ob2_jws, json.dumps(after.ob3_credential), after.ob3_jwt):
        report = badge_verify(data=data)
        assert _failed(report) == ["key_validity"], report.to_dict()
        assert "after the key was compromised" in report.check("key_validity").reason

    did_document = _json(client, links.issuer_did_document_url(issuer))
    methods = {method["id"]: method for method in did_document["verificationMethod"]}
    rsa = compromised.get(algorithm="RS256")
    assert methods[links.verification_method(rsa)]["revoked"] == rsa.compromised_at.strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    key_document = _json(client, links.key_url(rsa))
    assert key_document["revoked"] is True
    assert key_document["expires"] == methods[links.verification_method(rsa)]["revoked"]
    entry = AuditEntry.objects.get(action="signing_keys_compromise")
    assert entry.actor == admin_user
    assert sorted(entry.data["compromised"]) == sorted(str(key.public_id) for key in compromised)


def test_a_moment_of_compromise_in_the_future_is_refused(issue, admin_user):
    assertion = issue()
    with pytest.raises(ValidationError):
        signing.signing_keys_compromise(
            actor=admin_user,
            issuer=assertion.badge_class.issuer,
            compromised_at=timezone.now() + timedelta(hours=1),
        )
    assert not SigningKey.objects.filter(compromised_at__isnull=False).exists()


def test_keys_retired_before_the_compromise_stay_trusted(issue, admin_user):
    assertion = issue()
    issuer = assertion.badge_class.issuer
    start = timezone.now()
    with time_machine.travel(start - timedelta(days=3), tick=False):
        signing.signing_keys_ensure(issuer=issuer)
    with time_machine.travel(start - timedelta(days=2), tick=False):
        signing.signing_keys_rotate(actor=admin_user, issuer=issuer)
    signing.signing_keys_compromise(
        actor=admin_user, issuer=issuer, compromised_at=start - timedelta(days=1)
    )
    assert not SigningKey.objects.filter(
        issuer=issuer, retired_at__lt=start - timedelta(days=1), compromised_at__isnull=False
    ).exists()


def test_the_admin_offers_retire_and_compromised(client, issue, admin_user):
    assertion = issue()
    issuer = assertion.badge_class.issuer
    client.force_login(admin_user)
    url = reverse("admin:issuers_issuer_changelist")
    page = client.get(url).content.decode()
    assert "rotate_signing_keys" in page and "compromised_signing_keys" in page

    ask = client.post(url, {"action": "compromised_signing_keys", "_selected_action": [issuer.pk]})
    assert ask.status_code == 200
    assert "Compromised since" in ask.content.decode()
    assert not SigningKey.objects.filter(compromised_at__isnull=False).exists()

    moment = timezone.now() - timedelta(hours=3)
    done = client.post(
        url,
        {
            "action": "compromised_signing_keys",
            "_selected_action": [issuer.pk],
            "apply": "1",
            "compromised_at": timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S"),
        },
    )
    assert done.status_code == 302
    assert SigningKey.objects.filter(issuer=issuer, compromised_at__isnull=False).count() == 2
    assert AuditEntry.objects.filter(action="signing_keys_compromise", actor=admin_user).exists()

    client.post(url, {"action": "rotate_signing_keys", "_selected_action": [issuer.pk]})
    assert AuditEntry.objects.filter(action="signing_keys_rotate", actor=admin_user).exists()
