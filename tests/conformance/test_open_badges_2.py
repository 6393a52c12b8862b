"""OB 2.0: the official 1EdTech validator (badgecheck) against a live server.

badgecheck 1.2.0 misses hosted revocation (410 / revoked: true) and one-entry revocation
lists, so those cases are checked with our own verifier here too.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from badges import baked_images, issuing, links
from badges.verification import badge_verify
from tests.factories import BadgeClassFactory, UserFactory

pytestmark = [pytest.mark.conformance, pytest.mark.django_db(transaction=True)]

RECIPIENT = "student@example.org"


def _file(tmp_path, name: str, data: bytes | str) -> str:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return str(path)


@pytest.fixture
def issued(live_site, issue):
    return issue(email=RECIPIENT)


def test_hosted_assertion_url_is_valid(badgecheck, issued):
    report = badgecheck(links.assertion_url(issued), recipient=RECIPIENT)
    assert report["valid"], report["errors"]


def test_hosted_assertion_for_another_recipient_is_invalid(badgecheck, issued):
    assert not badgecheck(links.assertion_url(issued), recipient="someone-else@example.org")[
        "valid"
    ]


def test_signed_assertion_is_valid_and_tampering_is_caught(badgecheck, issued, tmp_path):
    assert badgecheck(_file(tmp_path, "signed.jws", issued.ob2_jws), recipient=RECIPIENT)["valid"]
    header, payload, signature = issued.ob2_jws.split(".")
    forged = ".".join(
        [header, payload[:-4] + ("AAAA" if not payload.endswith("AAAA") else "BBBB"), signature]
    )
    assert not badgecheck(_file(tmp_path, "forged.jws", forged))["valid"]
    assert not badge_verify(data=forged).valid


@pytest.mark.parametrize("extension", ["png", "svg"])
def test_baked_images_are_valid(badgecheck, issued, tmp_path, extension):
    data = baked_images.baked(issued, extension)
    report = badgecheck(_file(tmp_path, f"badge.{extension}", data), recipient=RECIPIENT)
    assert report["valid"], report["errors"]


def test_expired_badge_is_invalid(badgecheck, live_site, issue):
    badge_class = BadgeClassFactory(expiry_amount=1, expiry_unit="days")
    assertion = issue(
        badge_class=badge_class, email=RECIPIENT, issued_on=timezone.now() - timedelta(days=3)
    )
    assert not badgecheck(links.assertion_url(assertion))["valid"]
    report = badge_verify(data=links.assertion_url(assertion))
    assert not report.valid
    assert [check.name for check in report.checks if not check.passed] == ["expiry"]


def test_revoked_signed_badge_is_invalid(badgecheck, issued, tmp_path):
    issuing.assertion_revoke(
        actor=UserFactory(is_superuser=True), assertion=issued, reason="Withdrawn by the board"
    )
    assert not badgecheck(_file(tmp_path, "signed.jws", issued.ob2_jws))["valid"]
    report = badge_verify(data=issued.ob2_jws)
    assert [check.name for check in report.checks if not check.passed] == ["revocation"]


def test_revoked_hosted_badge_is_caught_by_our_verifier(issued):
    issuing.assertion_revoke(actor=UserFactory(is_superuser=True), assertion=issued, reason="Fraud")
    report = badge_verify(data=links.assertion_url(issued))
    assert not report.valid
    failed = {check.name: check.reason for check in report.checks if not check.passed}
    assert "revocation" in failed, report.to_dict()
    assert "Fraud" in failed["revocation"]


def test_a_single_revocation_is_caught_by_our_verifier(issue, live_site):
    """The issuer's list then holds one badge (two ids); badgecheck mishandles one entry."""
    assertion = issue(email=RECIPIENT)
    issuing.assertion_revoke(
        actor=UserFactory(is_superuser=True), assertion=assertion, reason="Error"
    )
    assert not badge_verify(data=assertion.ob2_jws).valid


def test_our_verifier_agrees_on_valid_badges(issued):
    for data in (
        links.assertion_url(issued),
        issued.ob2_jws,
        baked_images.baked(issued, "png"),
        baked_images.baked(issued, "svg"),
    ):
        report = badge_verify(data=data, recipient=RECIPIENT)
        assert report.valid, report.to_dict()


@pytest.fixture
def rotated(live_site, issue):
    """A badge signed with the issuer's first key, the keys rotated, a badge signed with the
    new key, and the keys rotated once more."""
    from issuers import signing

    admin = UserFactory(is_superuser=True)
    start = timezone.now()
    with time_machine.travel(start - timedelta(hours=2), tick=False):
        old = issue(email=RECIPIENT)
    with time_machine.travel(start - timedelta(hours=1), tick=False):
        signing.signing_keys_rotate(actor=admin, issuer=old.badge_class.issuer)
    middle = issue(badge_class=old.badge_class, email=RECIPIENT)
    signing.signing_keys_rotate(actor=admin, issuer=old.badge_class.issuer)
    new = issue(badge_class=old.badge_class, email=RECIPIENT)
    return old, middle, new


@pytest.mark.parametrize("kind", ["hosted", "png", "svg", "jws"])
def test_old_and_new_badges_stay_valid_after_key_rotations(badgecheck, rotated, tmp_path, kind):
    for number, assertion in enumerate(rotated):
        if kind == "hosted":
            target = links.assertion_url(assertion)
        elif kind == "jws":
            target = _file(tmp_path, f"{number}.jws", assertion.ob2_jws)
        else:
            data = baked_images.baked(assertion, kind)
            target = _file(tmp_path, f"{number}.{kind}", data)
        report = badgecheck(target, recipient=RECIPIENT)
        assert report["valid"], (number, report["errors"])


def test_a_signed_badge_of_a_later_key_that_names_the_shared_badge_class_cannot_pass(
    badgecheck, rotated, tmp_path
):
    """The case the OB 2.0 model makes impossible (see the README): a badge class names one
    issuer profile, and that profile one key, so a badge signed with another key that points
    at the shared badge class cannot pass. Badges signed before this portal gave every later
    key documents of its own are such badges."""
    from badge_credentials import jws
    from badges import credentials
    from issuers import signing
    from issuers.models import SigningKey

    _old, middle, _new = rotated
    later_key = SigningKey.objects.get(
        issuer=middle.badge_class.issuer, algorithm="RS256", retired_at__isnull=True
    )
    payload = credentials.assertion_v2(middle, identity=RECIPIENT, signing_key=later_key)
    payload["badge"] = links.badge_class_url(middle.badge_class)
    token = jws.sign_badge(payload, signing.private_key(later_key))
    report = badgecheck(_file(tmp_path, "shared.jws", token))
    assert not report["valid"]
    assert any("other than those authorized" in error for error in report["errors"])
    assert not badge_verify(data=token).valid


def test_a_signed_badge_forged_with_a_retired_key_fails_our_verifier(rotated):
    """badgecheck does not read a key's end of validity (``expires``); our verifier does."""
    from badge_credentials import jws
    from badges import credentials
    from issuers import signing
    from issuers.models import SigningKey

    old, _middle, _new = rotated
    first = SigningKey.objects.filter(issuer=old.badge_class.issuer, algorithm="RS256").earliest(
        "created_at"
    )
    old.issued_on = timezone.now()
    payload = credentials.assertion_v2(old, identity=RECIPIENT, signing_key=first)
    report = badge_verify(data=jws.sign_badge(payload, signing.private_key(first)))
    assert [check.name for check in report.checks if not check.passed] == ["key_validity"]
