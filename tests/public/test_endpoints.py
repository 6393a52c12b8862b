"""Public Open Badges endpoints: JSON-LD for machines, HTML for people, cheap to serve."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from badge_credentials import baking
from badges import issuing, links
from badges.models import AssertionDocuments
from issuers import signing
from tests.factories import BadgeClassFactory, UserFactory

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/ld+json"}
HTML = {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"}


def _path(url: str) -> str:
    return url.removeprefix("http://testserver")


def test_assertion_json_for_machines_and_html_for_browsers(client, issue):
    assertion = issue()
    url = _path(links.assertion_url(assertion))
    machine = client.get(url, **JSON)
    assert machine.status_code == 200
    assert machine["Content-Type"].startswith("application/ld+json")
    assert machine.json() == assertion.ob2_assertion
    assert client.get(url, HTTP_ACCEPT="*/*").json()["id"] == links.assertion_url(assertion)
    browser = client.get(url, **HTML)
    assert browser["Content-Type"].startswith("text/html")
    assert "Accept" in browser["Vary"]


def test_public_documents_are_cacheable_and_answer_304(client, issue):
    assertion = issue()
    url = _path(links.assertion_url(assertion))
    first = client.get(url, **JSON)
    assert "public" in first["Cache-Control"] and "max-age" in first["Cache-Control"]
    assert first["Access-Control-Allow-Origin"] == "*"
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], **JSON)
    assert again.status_code == 304


def test_serving_does_not_sign(client, issue, monkeypatch):
    assertion = issue()
    monkeypatch.setattr(signing, "private_key", lambda *_: pytest.fail("signed per request"))
    for url in (links.assertion_url(assertion), links.credential_url(assertion)):
        assert client.get(_path(url), **JSON).status_code == 200


def test_private_badge_page_hides_the_name_public_one_shows_it(client, issue):
    assertion = issue(recipient_name="Ada Lovelace")
    url = _path(links.assertion_url(assertion))
    assert "Ada Lovelace" not in client.get(url, **HTML).content.decode()
    assertion.is_public = True
    assertion.save()
    assert "Ada Lovelace" in client.get(url, **HTML).content.decode()
    # The JSON never carries the name, public or not: only the salted hash.
    assert "Ada" not in client.get(url, **JSON).content.decode()


def test_revoked_hosted_assertion_answers_410_and_is_listed(client, issue):
    assertion = issue()
    issuing.assertion_revoke(
        actor=UserFactory(is_superuser=True), assertion=assertion, reason="Plagiarism"
    )
    response = client.get(_path(links.assertion_url(assertion)), **JSON)
    assert response.status_code == 410
    assert response.json()["revoked"] is True
    assert response.json()["revocationReason"] == "Plagiarism"
    issuer = assertion.badge_class.issuer
    revocations = client.get(_path(links.revocation_list_url(issuer)), **JSON).json()
    ids = {entry["id"] for entry in revocations["revokedAssertions"]}
    assert {links.assertion_url(assertion), f"urn:uuid:{assertion.uuid}"} <= ids
    status = client.get(_path(links.status_list_url(issuer))).json()
    assert status["revokedCredentials"][0]["id"] == links.credential_url(assertion)
    page = client.get(_path(links.assertion_url(assertion)), **HTML).content.decode()
    assert "Revoked" in page and "Plagiarism" in page


def test_unsigned_assertions_are_not_served(client, db):
    assertion = issuing.assertion_create(
        actor=UserFactory(is_superuser=True), badge_class=BadgeClassFactory(), email="a@example.org"
    )
    assert client.get(_path(links.assertion_url(assertion)), **JSON).status_code == 404


def test_issuer_profile_lists_keys_and_revocation_list(client, issue):
    assertion = issue()
    issuer = assertion.badge_class.issuer
    profile = client.get(_path(links.issuer_url(issuer)), **JSON).json()
    assert profile["type"] == "Issuer"
    assert profile["revocationList"] == links.revocation_list_url(issuer)
    key = client.get(_path(profile["publicKey"][0]), **JSON).json()
    assert key["type"] == "CryptographicKey" and key["owner"] == links.issuer_url(issuer)
    assert "BEGIN PUBLIC KEY" in key["publicKeyPem"]
    assert (
        "PRIVATE" not in client.get(_path(links.issuer_did_document_url(issuer))).content.decode()
    )


def test_rotated_keys_stay_published_and_old_badges_still_verify(client, issue):
    from badges.verification import badge_verify

    old = issue()
    issuer = old.badge_class.issuer
    signing.signing_keys_rotate(actor=UserFactory(is_superuser=True), issuer=issuer)
    new = issue(badge_class=old.badge_class, email="other@example.org")
    did_document = client.get(_path(links.issuer_did_document_url(issuer))).json()
    assert len(did_document["verificationMethod"]) == 4
    assert old.ob3_credential["proof"]["verificationMethod"] in did_document["assertionMethod"]
    assert (
        old.ob3_credential["proof"]["verificationMethod"]
        != new.ob3_credential["proof"]["verificationMethod"]
    )
    for assertion in (old, new):
        assert badge_verify(data=json.dumps(assertion.ob3_credential)).valid
        assert badge_verify(data=assertion.ob2_jws).valid


def test_baked_images_and_other_formats_are_downloadable(client, issue):
    assertion = issue()
    png = client.get(_path(links.assertion_image_url(assertion, "png")))
    assert png["Content-Type"] == "image/png"
    assert baking.unbake(png.content).ob_version == 2
    svg = client.get(_path(links.assertion_image_url(assertion, "svg")))
    assert svg["Content-Type"] == "image/svg+xml"
    assert "default-src 'none'" in svg["Content-Security-Policy"]
    credential_svg = client.get(reverse("public:credential_image", args=[assertion.public_id]))
    assert baking.unbake(credential_svg.content).ob_version == 3
    jwt = client.get(reverse("public:credential_jwt", args=[assertion.public_id]))
    assert jwt.content.decode() == assertion.ob3_jwt
    signed = client.get(reverse("public:signed_assertion", args=[assertion.public_id]))
    assert signed.content.decode() == assertion.ob2_jws


def test_the_legacy_extension_context_stays_published_as_it_was(client):
    """Credentials issued before the versioned vocabulary name this document."""
    from badge_credentials.extension import extension_context_document

    response = client.get(_path(links.legacy_context_url()))
    assert response.status_code == 200
    assert response.json() == extension_context_document("http://testserver")
    vocabulary = "http://testserver/ns/badges/vocab#"
    assert response.json()["@context"]["eqfLevel"]["@id"] == vocabulary + "eqfLevel"


def test_the_versioned_vocabulary_is_served_as_bundled(client):
    from importlib import resources

    response = client.get(_path(links.vocabulary_context_url()))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    bundled = resources.files("badge_credentials.contexts").joinpath("edubadges-v1.json")
    assert response.content == bundled.read_bytes()
    terms = response.json()["@context"]
    assert terms["eqfLevel"]["@id"] == "http://data.europa.eu/snb/model/elm/EQFLevel"
    assert terms["creditPoint"]["@id"] == "http://data.europa.eu/snb/model/elm/creditPoint"
    assert terms["participation"]["@id"] == "http://data.europa.eu/snb/model/elm/mode"
    assert terms["studyLoadHours"]["@id"] == "https://w3id.org/edubadges/ns#studyLoadHours"
    assert "testserver" not in response.content.decode()
    assert client.get("/ns/edubadges/v2").status_code == 404


def test_badge_class_json_and_page(client, db):
    badge_class = BadgeClassFactory(microcredential=True)
    document = client.get(_path(links.badge_class_url(badge_class)), **JSON).json()
    assert document["type"] == "BadgeClass"
    assert document["issuer"] == links.issuer_url(badge_class.issuer)
    assert client.get(_path(document["image"])).status_code == 200
    page = client.get(_path(links.badge_class_url(badge_class)), **HTML).content.decode()
    assert "EU" in page or "ECTS" in page


def test_erased_copies_of_a_withdrawn_badge_answer_410(client, issue):
    assertion = issue()
    issuing.assertion_revoke(
        actor=UserFactory(is_superuser=True),
        assertion=assertion,
        reason="withdrawn by the recipient",
    )
    AssertionDocuments.objects.filter(pk=assertion.pk).update(ob2_jws="", ob3_jwt="")
    for name, args in (
        ("public:signed_assertion", [assertion.public_id]),
        ("public:credential_jwt", [assertion.public_id]),
        ("public:assertion_image", [assertion.public_id, "png"]),
        ("public:assertion_image", [assertion.public_id, "svg"]),
        ("public:credential_image", [assertion.public_id]),
    ):
        response = client.get(reverse(name, args=args))
        assert response.status_code == 410, name
        assert response.json()["revocationReason"] == "withdrawn by the recipient"
