"""Issuing: build, sign both formats, bake, store — once, whatever the messages do."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.utils import timezone

from badge_credentials import baking, hashing, jws, vc_jwt
from badge_credentials.keys import load_public_key_pem
from badges import baked_images, issuing
from badges.models import Assertion
from issuers import signing
from issuers.models import SigningKey
from tests.factories import BadgeClassFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_issuing_signs_both_formats_and_bakes_images(issue):
    assertion = issue(email="Student@Example.org")
    assert assertion.status == Assertion.Status.ISSUED
    assert assertion.identity_hash == hashing.hash_identity("student@example.org", assertion.salt)

    hosted = assertion.ob2_assertion
    assert hosted["verification"] == {"type": "HostedBadge"}
    assert hosted["recipient"]["identity"] == assertion.identity_hash
    assert hosted["recipient"]["hashed"] is True

    rsa_key = SigningKey.objects.get(issuer=assertion.badge_class.issuer, algorithm="RS256")
    payload = jws.verify_badge_signature(
        assertion.ob2_jws, load_public_key_pem(rsa_key.public_key_pem)
    )
    assert payload["verification"]["type"] == "SignedBadge"
    assert payload["id"] == f"urn:uuid:{assertion.uuid}"

    credential = assertion.ob3_credential
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["credentialSubject"]["achievement"]["achievementType"] == "MicroCredential"
    _header, decoded = vc_jwt.verify_vc_jwt(
        assertion.ob3_jwt, load_public_key_pem(rsa_key.public_key_pem)
    )
    assert decoded["id"] == credential["id"]

    png = baked_images.baked(assertion, baked_images.PNG)
    assert [badge.ob_version for badge in baking.unbake_all(png)] == [2, 3]
    assert baking.unbake(baked_images.baked(assertion, baked_images.SVG)).ob_version == 2
    credential_svg = baked_images.baked(assertion, baked_images.SVG_CREDENTIAL)
    assert baking.unbake(credential_svg).ob_version == 3


def test_a_duplicate_or_retried_message_never_signs_twice(issue):
    assertion = issue()
    first = assertion.ob3_credential["proof"]["proofValue"]
    assert issuing.assertion_sign(assertion_id=assertion.pk) is False
    assertion.refresh_from_db()
    assert assertion.ob3_credential["proof"]["proofValue"] == first
    assert assertion.signing_attempts == 1


def test_a_row_claimed_by_another_worker_is_left_alone(db):
    badge_class = BadgeClassFactory()
    admin = UserFactory(is_superuser=True)
    assertion = issuing.assertion_create(
        actor=admin, badge_class=badge_class, email="a@example.org"
    )
    Assertion.objects.filter(pk=assertion.pk).update(status=Assertion.Status.SIGNING)
    assert issuing.assertion_sign(assertion_id=assertion.pk) is False
    assert Assertion.objects.get(pk=assertion.pk).ob2_jws == ""


def test_a_failure_while_signing_returns_the_assertion_to_pending(db):
    badge_class = BadgeClassFactory()
    assertion = issuing.assertion_create(
        actor=UserFactory(is_superuser=True), badge_class=badge_class, email="a@example.org"
    )
    with (
        mock.patch.object(issuing, "_signed_documents", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        issuing.assertion_sign(assertion_id=assertion.pk)
    assert Assertion.objects.get(pk=assertion.pk).status == Assertion.Status.PENDING
    assert issuing.assertion_sign(assertion_id=assertion.pk) is True


def test_sweep_requeues_lost_and_stuck_assertions_once(db):
    badge_class = BadgeClassFactory()
    admin = UserFactory(is_superuser=True)
    with time_machine.travel(timezone.now() - timedelta(hours=1), tick=False):
        lost = issuing.assertion_create(
            actor=admin, badge_class=badge_class, email="lost@example.org"
        )
        stuck = issuing.assertion_create(
            actor=admin, badge_class=badge_class, email="stuck@example.org"
        )
        Assertion.objects.filter(pk=stuck.pk).update(
            status=Assertion.Status.SIGNING, updated_at=timezone.now()
        )
    fresh = issuing.assertion_create(
        actor=admin, badge_class=badge_class, email="fresh@example.org"
    )
    with mock.patch.object(issuing, "_queue_signing_many") as queue:
        assert issuing.assertions_sweep() == 2
    queued = [pk for call in queue.call_args_list for pk in call.args[0]]
    assert sorted(queued) == sorted([lost.pk, stuck.pk])
    assert fresh.pk not in queued
    # Marked as queued: the next sweep does not queue them again.
    assert issuing.assertions_sweep() == 0
    for assertion_id in (lost.pk, stuck.pk):
        assert issuing.assertion_sign(assertion_id=assertion_id) is True
        assert issuing.assertion_sign(assertion_id=assertion_id) is False


def test_expiry_follows_the_badge_class(issue):
    badge_class = BadgeClassFactory(expiry_amount=2, expiry_unit="years")
    assertion = issue(badge_class=badge_class)
    assert assertion.expires_at.year == assertion.issued_on.year + 2
    assert assertion.ob2_assertion["expires"].startswith(str(assertion.issued_on.year + 2))
    assert assertion.ob3_credential["validUntil"].startswith(str(assertion.issued_on.year + 2))


def test_an_awarder_of_another_institution_cannot_issue(db, world, user_with_role):
    from django.core.exceptions import PermissionDenied

    awarder = user_with_role("awarder", issuer=world["a"]["issuer"])
    with pytest.raises(PermissionDenied):
        issuing.assertion_create(
            actor=awarder, badge_class=world["b"]["badge_class"], email="x@example.org"
        )


def test_archived_badges_cannot_be_issued(db):
    from django.core.exceptions import ValidationError

    badge_class = BadgeClassFactory(archived=True)
    with pytest.raises(ValidationError):
        issuing.assertion_create(
            actor=UserFactory(is_superuser=True), badge_class=badge_class, email="x@example.org"
        )


def test_revocation_needs_a_reason_and_is_recorded(issue):
    from django.core.exceptions import ValidationError

    from issuers.models import AuditEntry

    assertion = issue()
    admin = UserFactory(is_superuser=True)
    with pytest.raises(ValidationError):
        issuing.assertion_revoke(actor=admin, assertion=assertion, reason="  ")
    revoked = issuing.assertion_revoke(actor=admin, assertion=assertion, reason="Fraud")
    assert revoked.status == Assertion.Status.REVOKED and revoked.revoked_at is not None
    assert AuditEntry.objects.filter(
        action="assertion_revoke", object_id=str(assertion.pk)
    ).exists()


def test_private_keys_are_sealed_and_rotation_keeps_old_keys(db):
    badge_class = BadgeClassFactory()
    issuer = badge_class.issuer
    keys = signing.signing_keys_ensure(issuer=issuer)
    assert "PRIVATE KEY" not in keys["RS256"].sealed_private_key
    assert signing.private_key(keys["EdDSA"]) is not None
    fresh = signing.signing_keys_rotate(actor=UserFactory(is_superuser=True), issuer=issuer)
    assert fresh["RS256"].pk != keys["RS256"].pk
    assert SigningKey.objects.filter(issuer=issuer).count() == 4
    assert SigningKey.objects.filter(issuer=issuer, retired_at__isnull=True).count() == 2


def test_a_wrong_key_encryption_key_cannot_open_private_keys(db, settings):
    from badge_credentials.errors import SealedKeyError

    keys = signing.signing_keys_ensure(issuer=BadgeClassFactory().issuer)
    settings.SIGNING_KEY_ENCRYPTION_KEYS = ["c29tZS1vdGhlci1rZXktb2YtMzItYnl0ZXMtbG9uZyE="]
    with pytest.raises(SealedKeyError):
        signing.private_key(keys["RS256"])
