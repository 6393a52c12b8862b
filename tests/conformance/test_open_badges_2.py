"""OB 2.0: the official 1EdTech validator (badgecheck) against a live server.

badgecheck 1.2.0 misses hosted revocation (410 / revoked: true) and one-entry revocation
lists, so those cases are checked with our own verifier here too.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from badges import issuing, links
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
    data = bytes(issued.baked_png if extension == "png" else issued.baked_svg)
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
        bytes(issued.baked_png),
        bytes(issued.baked_svg),
    ):
        report = badge_verify(data=data, recipient=RECIPIENT)
        assert report.valid, report.to_dict()
