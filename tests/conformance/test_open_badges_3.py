"""OB 3.0: Digital Bazaar's VC verifier (Node) and a second JOSE library check our credentials."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from joserfc import jwt
from joserfc.jwk import RSAKey

from badge_credentials.extension import CONTEXT_V1
from badge_credentials.keys import load_public_key_pem, public_key_to_jwk
from badges import baked_images, issuing, links
from badges.verification import badge_verify
from issuers.models import SigningKey
from tests.factories import BadgeClassFactory, UserFactory

pytestmark = [pytest.mark.conformance, pytest.mark.django_db]
RECIPIENT = "student@example.org"


def _documents(client, assertion) -> dict:
    """What the portal publishes for this credential, as served to anyone."""
    issuer = assertion.badge_class.issuer

    def get(url: str) -> dict:
        return client.get(
            url.removeprefix("http://testserver"), HTTP_ACCEPT="application/ld+json"
        ).json()

    did_document = get(links.issuer_did_document_url(issuer))
    documents = {
        CONTEXT_V1: get(links.vocabulary_context_url()),
        links.legacy_context_url(): get(links.legacy_context_url()),
        did_document["id"]: did_document,
        links.status_list_url(issuer): get(links.status_list_url(issuer)),
    }
    for status in _statuses(assertion.ob3_credential):
        if status["type"] == "BitstringStatusListEntry":
            documents[status["statusListCredential"]] = get(status["statusListCredential"])
    return documents


def _statuses(credential: dict) -> list[dict]:
    statuses = credential.get("credentialStatus") or []
    return statuses if isinstance(statuses, list) else [statuses]


@pytest.mark.parametrize("traits", [{"microcredential": True}, {"digital_education": True}, {}])
def test_credentials_of_every_badge_type_verify(client, issue, ob3_verifier, traits):
    assertion = issue(badge_class=BadgeClassFactory(**traits), email=RECIPIENT)
    report = ob3_verifier(
        {"credential": assertion.ob3_credential, "documents": _documents(client, assertion)}
    )
    assert report["verified"], report["errors"]
    assert badge_verify(data=json.dumps(assertion.ob3_credential), recipient=RECIPIENT).valid


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c.update(name="Something else"),
        lambda c: c["credentialSubject"]["achievement"].update(eqfLevel=8),
        lambda c: c["credentialSubject"]["identifier"][0].update(identityHash="sha256$" + "0" * 64),
        lambda c: c.update(validFrom="2001-01-01T00:00:00Z"),
    ],
    ids=["name", "extension-term", "recipient", "date"],
)
def test_tampered_credentials_fail_everywhere(client, issue, ob3_verifier, tamper):
    assertion = issue(email=RECIPIENT)
    forged = copy.deepcopy(assertion.ob3_credential)
    tamper(forged)
    assert not ob3_verifier({"credential": forged, "documents": _documents(client, assertion)})[
        "verified"
    ]
    assert not badge_verify(data=json.dumps(forged)).valid


def test_revoked_credential_fails_everywhere(client, issue, ob3_verifier):
    assertion = issue(email=RECIPIENT)
    issuing.assertion_revoke(
        actor=UserFactory(is_superuser=True), assertion=assertion, reason="Fraud"
    )
    report = ob3_verifier(
        {"credential": assertion.ob3_credential, "documents": _documents(client, assertion)}
    )
    assert not report["verified"]
    ours = badge_verify(data=json.dumps(assertion.ob3_credential))
    assert [check.name for check in ours.checks if not check.passed] == ["revocation"]


def test_expired_credential_fails_everywhere(client, issue, ob3_verifier):
    badge_class = BadgeClassFactory(expiry_amount=1, expiry_unit="days")
    assertion = issue(
        badge_class=badge_class, email=RECIPIENT, issued_on=timezone.now() - timedelta(days=5)
    )
    report = ob3_verifier(
        {"credential": assertion.ob3_credential, "documents": _documents(client, assertion)}
    )
    assert not report["verified"]
    ours = badge_verify(data=json.dumps(assertion.ob3_credential))
    assert [check.name for check in ours.checks if not check.passed] == ["expiry"]


def test_wrong_recipient_fails_our_verifier(issue):
    assertion = issue(email=RECIPIENT)
    report = badge_verify(data=json.dumps(assertion.ob3_credential), recipient="other@example.org")
    assert [check.name for check in report.checks if not check.passed] == ["recipient"]


def test_a_key_of_another_issuer_fails(client, issue, ob3_verifier):
    assertion = issue(email=RECIPIENT)
    other = issue(email=RECIPIENT)  # another badge class, so another issuer and key
    forged = copy.deepcopy(assertion.ob3_credential)
    forged["proof"]["verificationMethod"] = other.ob3_credential["proof"]["verificationMethod"]
    documents = _documents(client, assertion) | _documents(client, other)
    assert not ob3_verifier({"credential": forged, "documents": documents})["verified"]
    assert not badge_verify(data=json.dumps(forged)).valid


def test_vc_jwt_verifies_with_two_independent_jose_libraries(client, issue, ob3_verifier):
    assertion = issue(email=RECIPIENT)
    key = SigningKey.objects.get(
        issuer=assertion.badge_class.issuer, algorithm="RS256", retired_at__isnull=True
    )
    jwk = public_key_to_jwk(load_public_key_pem(key.public_key_pem))
    documents = _documents(client, assertion)
    report = ob3_verifier({"jwt": assertion.ob3_jwt, "jwk": jwk, "documents": documents})
    assert report["verified"], report["errors"]

    token = jwt.decode(
        assertion.ob3_jwt, RSAKey.import_key(key.public_key_pem), algorithms=["RS256"]
    )
    assert token.header["alg"] == "RS256"
    assert token.claims["iss"] == links.issuer_did(assertion.badge_class.issuer)
    assert token.claims["jti"] == assertion.ob3_credential["id"]
    assert badge_verify(data=assertion.ob3_jwt).valid

    header, payload, signature = assertion.ob3_jwt.split(".")
    forged = ".".join(
        [header, payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB"), signature]
    )
    assert not ob3_verifier({"jwt": forged, "jwk": jwk, "documents": documents})["verified"]
    with pytest.raises(Exception):  # noqa: B017 - joserfc raises its own error types
        jwt.decode(forged, RSAKey.import_key(key.public_key_pem), algorithms=["RS256"])


def test_credentials_signed_before_a_key_rotation_still_verify(client, issue, ob3_verifier):
    from issuers import signing

    old = issue(email=RECIPIENT)
    signing.signing_keys_rotate(actor=UserFactory(is_superuser=True), issuer=old.badge_class.issuer)
    new = issue(badge_class=old.badge_class, email=RECIPIENT)
    assert (
        old.ob3_credential["proof"]["verificationMethod"]
        != new.ob3_credential["proof"]["verificationMethod"]
    )
    for assertion in (old, new):
        report = ob3_verifier(
            {"credential": assertion.ob3_credential, "documents": _documents(client, assertion)}
        )
        assert report["verified"], report["errors"]


def test_credential_with_control_characters_verifies(client, issue, ob3_verifier):
    """RDFC-1.0 escapes a form feed or a bell in a literal (\\f, \\u0007); the proof must be
    made over that form, as Digital Bazaar's verifier computes it."""
    text = 'Page one\x0cpage two\x07, a tab\tand "quotes"'
    badge_class = BadgeClassFactory(description_nl=text, description_en=text)
    assertion = issue(badge_class=badge_class, email=RECIPIENT)
    report = ob3_verifier(
        {"credential": assertion.ob3_credential, "documents": _documents(client, assertion)}
    )
    assert report["verified"], report["errors"]
    assert badge_verify(data=json.dumps(assertion.ob3_credential), recipient=RECIPIENT).valid


def test_a_forged_ob3_chunk_in_a_png_fails_everywhere(client, issue, ob3_verifier):
    """badgecheck reads only the OB 2.0 chunk of a PNG; the OB 3.0 chunk, read here with
    Pillow rather than our own unbaking, must fail Digital Bazaar's verifier and ours."""
    import io

    from PIL import Image

    from badge_credentials.baking import bake

    assertion = issue(email=RECIPIENT)
    forged = copy.deepcopy(assertion.ob3_credential)
    forged["credentialSubject"]["achievement"]["name"] = "Doctorate in everything"
    image = bake(baked_images.baked(assertion, "png"), forged, ob_version=3)
    with Image.open(io.BytesIO(image)) as picture:
        chunks = dict(picture.text)
    assert json.loads(chunks["openbadges"]) == assertion.ob2_assertion
    baked_credential = json.loads(chunks["openbadgecredential"])
    assert baked_credential == forged

    documents = _documents(client, assertion)
    assert ob3_verifier({"credential": assertion.ob3_credential, "documents": documents})[
        "verified"
    ]
    assert not ob3_verifier({"credential": baked_credential, "documents": documents})["verified"]
    report = badge_verify(data=image)
    assert not report.valid
    assert [part.valid for part in report.parts] == [True, False]


def _forge(credential: dict, signing_key) -> dict:
    from badge_credentials import data_integrity
    from badge_credentials.contexts import document_loader
    from badge_credentials.extension import extension_documents
    from issuers import signing

    unsigned = {name: value for name, value in credential.items() if name != "proof"}
    return data_integrity.add_proof(
        unsigned,
        signing.private_key(signing_key),
        verification_method=links.verification_method(signing_key),
        loader=document_loader(extension_documents("http://testserver")),
    )


def test_a_credential_forged_with_a_retired_key_fails_everywhere(client, issue, ob3_verifier):
    import time_machine

    from issuers import signing

    start = timezone.now()
    with time_machine.travel(start - timedelta(hours=2), tick=False):
        old = issue(email=RECIPIENT)
    issuer = old.badge_class.issuer
    retired = SigningKey.objects.get(issuer=issuer, algorithm="EdDSA", retired_at__isnull=True)
    with time_machine.travel(start - timedelta(hours=1), tick=False):
        signing.signing_keys_rotate(actor=UserFactory(is_superuser=True), issuer=issuer)
    documents = _documents(client, old)
    assert ob3_verifier({"credential": old.ob3_credential, "documents": documents})["verified"]

    forged = copy.deepcopy(old.ob3_credential)
    forged["credentialSubject"]["achievement"]["name"] = "Signed after retirement"
    forged = _forge(forged, retired)
    report = ob3_verifier({"credential": forged, "documents": documents})
    assert not report["verified"]
    assert any("Key validity" in error for error in report["errors"]), report["errors"]
    ours = badge_verify(data=json.dumps(forged))
    assert [check.name for check in ours.checks if not check.passed] == ["key_validity"]


def test_a_compromised_key_fails_everywhere_after_the_moment_of_compromise(
    client, issue, ob3_verifier
):
    import time_machine

    from issuers import signing

    start = timezone.now()
    with time_machine.travel(start - timedelta(days=2), tick=False):
        before = issue(email=RECIPIENT)
    with time_machine.travel(start - timedelta(hours=1), tick=False):
        after = issue(badge_class=before.badge_class, email=RECIPIENT)
    signing.signing_keys_compromise(
        actor=UserFactory(is_superuser=True),
        issuer=before.badge_class.issuer,
        compromised_at=start - timedelta(days=1),
    )
    documents = _documents(client, before)
    assert ob3_verifier({"credential": before.ob3_credential, "documents": documents})["verified"]
    assert not ob3_verifier({"credential": after.ob3_credential, "documents": documents})[
        "verified"
    ]
    assert badge_verify(data=json.dumps(before.ob3_credential)).valid
    assert not badge_verify(data=json.dumps(after.ob3_credential)).valid


def _revoke(assertion, reason: str = "Fraud") -> None:
    issuing.assertion_revoke(
        actor=UserFactory(is_superuser=True), assertion=assertion, reason=reason
    )


def test_dcc_verifier_accepts_our_credentials(client, issue, dcc_verifier):
    assertion = issue(email=RECIPIENT)
    report = dcc_verifier(
        {"credential": assertion.ob3_credential, "documents": _documents(client, assertion)}
    )
    assert report["verified"], report
    steps = {step["id"]: step for step in report["log"]}
    assert steps["revocation_status"]["valid"] is True
    assert steps["valid_signature"]["valid"] is True


def test_a_revoked_credential_fails_dcc_through_the_bitstring_status_list(
    client, issue, dcc_verifier
):
    """DCC's verifier-core treats 1EdTechRevocationList as always valid: only the W3C
    Bitstring Status List (listed first) makes it see the revocation."""
    assertion = issue(email=RECIPIENT)
    _revoke(assertion)
    report = dcc_verifier(
        {"credential": assertion.ob3_credential, "documents": _documents(client, assertion)}
    )
    assert not report["verified"]
    steps = {step["id"]: step for step in report["log"]}
    assert steps["revocation_status"]["valid"] is False, report


def test_a_revoked_credential_fails_digital_bazaar_through_each_status_list(
    client, issue, ob3_verifier
):
    """Each list on its own rejects it: served the revoked Bitstring Status List with the
    1EdTech list as it was before, and the other way round."""
    assertion = issue(email=RECIPIENT)
    before = _documents(client, assertion)
    _revoke(assertion)
    after = _documents(client, assertion)
    bitstring_url = next(
        status["statusListCredential"]
        for status in _statuses(assertion.ob3_credential)
        if status["type"] == "BitstringStatusListEntry"
    )
    revocation_url = links.status_list_url(assertion.badge_class.issuer)
    assert ob3_verifier({"credential": assertion.ob3_credential, "documents": before})["verified"]
    only_bitstring = before | {bitstring_url: after[bitstring_url]}
    report = ob3_verifier({"credential": assertion.ob3_credential, "documents": only_bitstring})
    assert not report["verified"]
    assert any("Bitstring" in error for error in report["errors"]), report["errors"]
    only_1edtech = before | {revocation_url: after[revocation_url]}
    report = ob3_verifier({"credential": assertion.ob3_credential, "documents": only_1edtech})
    assert not report["verified"]
    assert any("revoked" in error for error in report["errors"]), report["errors"]


def test_a_status_list_credential_forged_by_another_issuer_is_refused(client, issue, ob3_verifier):
    assertion = issue(email=RECIPIENT)
    other = issue(email=RECIPIENT)
    documents = _documents(client, assertion) | _documents(client, other)
    mine = next(
        s["statusListCredential"]
        for s in _statuses(assertion.ob3_credential)
        if s["type"] == "BitstringStatusListEntry"
    )
    theirs = next(
        s["statusListCredential"]
        for s in _statuses(other.ob3_credential)
        if s["type"] == "BitstringStatusListEntry"
    )
    documents[mine] = documents[theirs]
    assert not ob3_verifier({"credential": assertion.ob3_credential, "documents": documents})[
        "verified"
    ]


def test_credentials_issued_with_the_legacy_context_keep_verifying(client, issue, ob3_verifier):
    """A credential as the portal issued it before the versioned vocabulary: the site's own
    context (whose IRIs follow SITE_URL), an integer EQF level, no creditPoint."""
    from badge_credentials import data_integrity
    from badge_credentials.contexts import document_loader
    from badge_credentials.extension import extension_documents
    from issuers import signing

    assertion = issue(badge_class=BadgeClassFactory(microcredential=True), email=RECIPIENT)
    old = {k: v for k, v in copy.deepcopy(assertion.ob3_credential).items() if k != "proof"}
    old["@context"][2] = links.legacy_context_url()
    achievement = old["credentialSubject"]["achievement"]
    achievement["eqfLevel"] = int(achievement["eqfLevel"].rsplit("/", 1)[1])
    achievement.pop("creditPoint", None)
    old["issuer"].pop("address", None)
    key = SigningKey.objects.get(
        issuer=assertion.badge_class.issuer, algorithm="EdDSA", retired_at__isnull=True
    )
    old = data_integrity.add_proof(
        old,
        signing.private_key(key),
        verification_method=links.verification_method(key),
        loader=document_loader(extension_documents("http://testserver")),
    )
    report = ob3_verifier({"credential": old, "documents": _documents(client, assertion)})
    assert report["verified"], report["errors"]
    assert badge_verify(data=json.dumps(old), recipient=RECIPIENT).valid
