"""Endorsements through the independent verifiers: Digital Bazaar's verifier accepts the
EndorsementCredential and reports a withdrawn one revoked; badges of an endorsed badge class
still verify in both versions, badgecheck fetching and validating the endorsement. Each for
an endorsement by another institution's issuer and by an endorsing body."""

from __future__ import annotations

import pytest

from badge_credentials.extension import CONTEXT_V1
from badges import credentials, endorsements, links
from tests.badges.endorsement_helpers import accepted, body_parties, parties

from .test_open_badges_3 import _documents

pytestmark = [pytest.mark.conformance]
RECIPIENT = "student@example.org"
ENDORSERS = pytest.mark.parametrize(
    "make_parties", [parties, body_parties], ids=["institution", "endorsing_body"]
)


def _endorsement_documents(client, endorsement) -> dict:
    def get(url: str) -> dict:
        return client.get(
            url.removeprefix("http://testserver"), HTTP_ACCEPT="application/ld+json"
        ).json()

    did_document = get(links.issuer_did_document_url(endorsement.endorser))
    return {
        CONTEXT_V1: get(links.vocabulary_context_url()),
        did_document["id"]: did_document,
        links.status_list_url(endorsement.endorser): get(
            links.status_list_url(endorsement.endorser)
        ),
    }


@ENDORSERS
@pytest.mark.django_db
def test_digital_bazaar_accepts_the_endorsement_credential_and_then_its_withdrawal(
    make_parties, client, ob3_verifier, django_capture_on_commit_callbacks
):
    side = make_parties()
    endorsement = accepted(side, django_capture_on_commit_callbacks)
    served = client.get(
        links.endorsement_credential_url(endorsement).removeprefix("http://testserver")
    ).json()
    assert served["issuer"]["name"] == credentials.issuer_profile_v3(side.endorser).name
    report = ob3_verifier(
        {"credential": served, "documents": _endorsement_documents(client, endorsement)}
    )
    assert report["verified"], report["errors"]

    endorsements.endorsement_withdraw(
        actor=side.endorser_admin, endorsement=endorsement, reason="Withdrawn"
    )
    report = ob3_verifier(
        {"credential": served, "documents": _endorsement_documents(client, endorsement)}
    )
    assert not report["verified"]
    assert any("revoked" in error.lower() for error in report["errors"]), report["errors"]


@pytest.mark.django_db
def test_a_tampered_endorsement_fails(client, ob3_verifier, django_capture_on_commit_callbacks):
    side = parties()
    endorsement = accepted(side, django_capture_on_commit_callbacks)
    forged = dict(endorsement.ob3_credential)
    forged["credentialSubject"] = {
        **forged["credentialSubject"],
        "endorsementComment": "Something it never said.",
    }
    report = ob3_verifier(
        {"credential": forged, "documents": _endorsement_documents(client, endorsement)}
    )
    assert not report["verified"]


@ENDORSERS
@pytest.mark.django_db
def test_a_badge_of_an_endorsed_badge_class_verifies_with_the_endorsement_in_it(
    make_parties, client, issue, ob3_verifier, django_capture_on_commit_callbacks
):
    side = make_parties()
    endorsement = accepted(side, django_capture_on_commit_callbacks)
    assertion = issue(badge_class=side.badge_class, email=RECIPIENT)
    achievement = assertion.ob3_credential["credentialSubject"]["achievement"]
    assert achievement["endorsement"] == [endorsement.ob3_credential]
    report = ob3_verifier(
        {"credential": assertion.ob3_credential, "documents": _documents(client, assertion)}
    )
    assert report["verified"], report["errors"]


@ENDORSERS
@pytest.mark.django_db(transaction=True)
def test_badgecheck_accepts_the_badge_class_with_its_endorsement(
    make_parties, badgecheck, live_site, issue, django_capture_on_commit_callbacks
):
    side = make_parties()
    endorsement = accepted(side, django_capture_on_commit_callbacks)
    assertion = issue(badge_class=side.badge_class, email=RECIPIENT)
    report = badgecheck(links.assertion_url(assertion), recipient=RECIPIENT)
    assert report["valid"], report["errors"]
    nodes = {node.get("id"): node for node in report["graph"]}
    badge_class = nodes[links.badge_class_url(side.badge_class)]
    assert badge_class["endorsement"] == links.endorsement_url(endorsement)
    fetched = nodes[links.endorsement_url(endorsement)]
    assert fetched["type"] == "Endorsement"
    assert fetched["issuer"] == links.issuer_url(side.endorser)
    assert fetched["claim"]["endorsementComment"] == "A sound module."
