import json
from datetime import timedelta

import pytest
from conftest import BASE_URL, ISSUED_AT, ISSUER_DID, NOW, RECIPIENT, SALT, make_credential_input

from badge_credentials import data_integrity, keys, ob2, ob3
from badge_credentials.baking import bake
from badge_credentials.contexts import document_loader
from badge_credentials.did import did_web_document_url
from badge_credentials.encoding import b64url_decode, b64url_encode
from badge_credentials.extension import extension_documents
from badge_credentials.hashing import hash_identity
from badge_credentials.jws import sign_badge
from badge_credentials.verify import verify_badge

ISSUER_ID = f"{BASE_URL}/public/issuers/uni"
BADGE_ID = f"{BASE_URL}/public/badges/42"
KEY_ID = f"{BASE_URL}/public/keys/1"
REVOCATIONS = f"{BASE_URL}/public/issuers/uni/revocations"
HOSTED_ID = f"{BASE_URL}/public/assertions/hosted-1"
SIGNED_ID = f"{BASE_URL}/public/assertions/signed-1"


def _assertion(assertion_id: str, **overrides) -> ob2.AssertionInput:
    values = {
        "id": assertion_id,
        "badge_id": BADGE_ID,
        "recipient_identity": RECIPIENT,
        "salt": SALT,
        "issued_on": ISSUED_AT,
    }
    values.update(overrides)
    return ob2.AssertionInput(**values)


@pytest.fixture
def site(web, rsa_key):
    web.pages[ISSUER_ID] = ob2.build_issuer_profile(
        ob2.IssuerInput(
            id=ISSUER_ID,
            name="Uni",
            url="https://uni.example.nl",
            public_key_ids=(KEY_ID,),
            revocation_list=REVOCATIONS,
        )
    )
    web.pages[BADGE_ID] = ob2.build_badge_class(
        ob2.BadgeClassInput(
            id=BADGE_ID,
            issuer_id=ISSUER_ID,
            name="Data Science",
            description="Foundations",
            image=f"{BASE_URL}/media/42.png",
            criteria_narrative="Pass",
        )
    )
    web.pages[KEY_ID] = ob2.build_cryptographic_key(
        KEY_ID, ISSUER_ID, keys.public_key_to_pem(rsa_key.public_key())
    )
    web.pages[REVOCATIONS] = ob2.build_revocation_list(REVOCATIONS, ISSUER_ID)
    hosted = ob2.build_assertion(_assertion(HOSTED_ID))
    web.pages[HOSTED_ID] = hosted
    return web


@pytest.fixture
def signed_token(rsa_key) -> str:
    return sign_badge(ob2.build_assertion(_assertion(SIGNED_ID), signing_key_id=KEY_ID), rsa_key)


def _failed(report) -> list[str]:
    return [check.name for check in report.checks if not check.passed]


def test_hosted_assertion_by_url_is_valid(site) -> None:
    report = verify_badge(HOSTED_ID, fetch=site.fetch, recipient=RECIPIENT, now=NOW)
    assert report.valid, report.to_dict()
    assert report.format == "ob2-hosted"
    assert [check.name for check in report.checks] == [
        "input",
        "structure",
        "hosted",
        "issuer_key",
        "recipient",
        "expiry",
        "revocation",
    ]
    json.dumps(report.to_dict())


def test_hosted_assertion_baked_in_png_and_svg_is_valid(site, png_image, svg_image) -> None:
    for image in (png_image, svg_image):
        baked = bake(image, site.pages[HOSTED_ID], ob_version=2)
        report = verify_badge(baked, fetch=site.fetch, now=NOW)
        assert report.valid, report.to_dict()


def test_tampered_hosted_assertion_fails_the_hosted_check(site) -> None:
    forged = {**site.pages[HOSTED_ID], "issuedOn": "2020-01-01T00:00:00Z"}
    report = verify_badge(json.dumps(forged), fetch=site.fetch, now=NOW)
    assert not report.valid
    assert _failed(report) == ["hosted"]


def test_hosted_assertion_outside_the_issuer_domain_fails(site) -> None:
    evil_id = "https://evil.example/assertions/1"
    site.pages[evil_id] = ob2.build_assertion(_assertion(evil_id))
    report = verify_badge(evil_id, fetch=site.fetch, now=NOW)
    assert _failed(report) == ["issuer_key"]


def test_allowed_origins_extend_the_issuer_domain(site) -> None:
    other_id = "https://cdn.example.nl/assertions/1"
    site.pages[other_id] = ob2.build_assertion(_assertion(other_id))
    site.pages[ISSUER_ID]["verification"] = {"allowedOrigins": ["cdn.example.nl"]}
    assert verify_badge(other_id, fetch=site.fetch, now=NOW).valid


def test_gone_hosted_assertion_is_revoked(site) -> None:
    presented = json.dumps(site.pages[HOSTED_ID])
    site.statuses[HOSTED_ID] = 410
    report = verify_badge(presented, fetch=site.fetch, now=NOW)
    assert _failed(report) == ["revocation"]
    assert "410" in report.check("revocation").reason


def test_hosted_assertion_answering_revoked_is_revoked(site) -> None:
    presented = json.dumps(site.pages[HOSTED_ID])
    site.pages[HOSTED_ID] = {"id": HOSTED_ID, "revoked": True, "revocationReason": "fraud"}
    report = verify_badge(presented, fetch=site.fetch, now=NOW)
    assert _failed(report) == ["revocation"]
    assert "fraud" in report.check("revocation").reason


def test_signed_badge_is_valid(site, signed_token, png_image) -> None:
    for data in (signed_token, bake(png_image, signed_token, ob_version=2)):
        report = verify_badge(data, fetch=site.fetch, recipient=RECIPIENT.lower(), now=NOW)
        assert report.valid, report.to_dict()
        assert report.format == "ob2-signed"
        assert report.check("signature").passed


def test_tampered_signed_badge_fails_the_signature(site, signed_token) -> None:
    header, payload, signature = signed_token.split(".")
    assertion = json.loads(b64url_decode(payload))
    assertion["recipient"]["identity"] = hash_identity("thief@example.nl", SALT)
    forged = b64url_encode(json.dumps(assertion).encode())
    report = verify_badge(
        f"{header}.{forged}.{signature}", fetch=site.fetch, recipient="thief@example.nl", now=NOW
    )
    assert report.format == "ob2-signed"
    assert _failed(report) == ["signature"]


def test_signed_badge_by_a_stranger_fails_the_signature(site, other_rsa_key) -> None:
    token = sign_badge(
        ob2.build_assertion(_assertion(SIGNED_ID), signing_key_id=KEY_ID), other_rsa_key
    )
    report = verify_badge(token, fetch=site.fetch, now=NOW)
    assert _failed(report) == ["signature"]


def test_key_not_owned_by_the_issuer_fails_the_linkage(site, signed_token) -> None:
    site.pages[KEY_ID]["owner"] = "https://evil.example/issuer"
    report = verify_badge(signed_token, fetch=site.fetch, now=NOW)
    assert _failed(report) == ["issuer_key"]


def test_key_not_listed_by_the_issuer_fails_the_linkage(site, signed_token) -> None:
    site.pages[ISSUER_ID]["publicKey"] = [f"{BASE_URL}/public/keys/2"]
    assert _failed(verify_badge(signed_token, fetch=site.fetch, now=NOW)) == ["issuer_key"]


@pytest.mark.parametrize("single_entry_as_object", [False, True])
def test_revoked_signed_badge_fails_revocation(site, signed_token, single_entry_as_object) -> None:
    revocations = ob2.build_revocation_list(
        REVOCATIONS, ISSUER_ID, [ob2.RevokedAssertion(SIGNED_ID, "issued in error")]
    )
    if single_entry_as_object:
        revocations["revokedAssertions"] = revocations["revokedAssertions"][0]
    site.pages[REVOCATIONS] = revocations
    report = verify_badge(signed_token, fetch=site.fetch, now=NOW)
    assert _failed(report) == ["revocation"]
    assert "issued in error" in report.check("revocation").reason


def test_unreachable_revocation_list_fails_revocation(site, signed_token) -> None:
    site.statuses[REVOCATIONS] = 500
    assert _failed(verify_badge(signed_token, fetch=site.fetch, now=NOW)) == ["revocation"]


def test_expired_badge_fails_expiry(site, rsa_key) -> None:
    token = sign_badge(
        ob2.build_assertion(
            _assertion(SIGNED_ID, expires=ISSUED_AT + timedelta(days=30)), signing_key_id=KEY_ID
        ),
        rsa_key,
    )
    report = verify_badge(token, fetch=site.fetch, now=NOW)
    assert _failed(report) == ["expiry"]
    assert "expired" in report.check("expiry").reason


def test_wrong_recipient_fails(site, signed_token) -> None:
    report = verify_badge(signed_token, fetch=site.fetch, recipient="someone@else.nl", now=NOW)
    assert _failed(report) == ["recipient"]


def test_url_without_fetch_fails_clearly() -> None:
    report = verify_badge(HOSTED_ID, fetch=None, now=NOW)
    assert not report.valid
    assert report.format is None
    assert "outbound fetches are disabled" in report.check("input").reason


def test_hosted_assertion_without_fetch_cannot_be_checked(site) -> None:
    report = verify_badge(json.dumps(site.pages[HOSTED_ID]), fetch=None, now=NOW)
    assert not report.valid
    assert "outbound fetches are disabled" in report.check("structure").reason


@pytest.mark.parametrize(
    "data", [b"\x00\x01garbage", "hello", "{not json", '{"type": "Nothing"}', b"\x89PNG\r\n\x1a\n"]
)
def test_unrecognised_input_fails_the_input_check(data) -> None:
    report = verify_badge(data, now=NOW)
    assert not report.valid
    assert [check.name for check in report.checks] == ["input"]


def test_a_badge_url_answering_410_is_reported_as_revoked_with_its_reason():
    import json as json_module

    from badge_credentials.errors import FetchError
    from badge_credentials.verify import verify_badge

    url = "https://issuer.example/assertions/1"

    def fetch(requested: str):
        body = json_module.dumps({"id": url, "revoked": True, "revocationReason": "Fraud"}).encode()
        raise FetchError(requested, 410, body=body)

    report = verify_badge(url, fetch=fetch)
    assert not report.valid
    assert report.format == "ob2-hosted"
    assert [(check.name, check.passed) for check in report.checks] == [
        ("input", True),
        ("revocation", False),
    ]
    assert "Fraud" in report.checks[-1].reason


def _signed_credential(ed25519_key, **overrides) -> dict:
    credential = ob3.build_credential(make_credential_input(status_url=None, **overrides))
    return data_integrity.add_proof(
        credential,
        ed25519_key,
        verification_method=f"{ISSUER_DID}#ed-1",
        loader=document_loader(extension_documents(BASE_URL)),
    )


@pytest.fixture
def site_with_did(site, did_document):
    site.pages[did_web_document_url(ISSUER_DID)] = did_document
    return site


def test_every_badge_baked_in_a_png_is_verified_and_reported(
    site_with_did, png_image, ed25519_key
) -> None:
    image = bake(
        bake(png_image, site_with_did.pages[HOSTED_ID], ob_version=2),
        _signed_credential(ed25519_key),
        ob_version=3,
    )
    report = verify_badge(
        image, fetch=site_with_did.fetch, documents=extension_documents(BASE_URL), now=NOW
    )
    assert report.valid, report.to_dict()
    assert [part.format for part in report.parts] == ["ob2-hosted", "ob3-data-integrity"]
    assert report.to_dict()["parts"][1]["summary"]["issuer_id"] == ISSUER_DID


def test_a_forged_ob3_chunk_next_to_a_genuine_ob2_assertion_makes_the_image_invalid(
    site_with_did, png_image, ed25519_key
) -> None:
    forged = _signed_credential(ed25519_key)
    forged["credentialSubject"]["achievement"]["name"] = "Doctorate in everything"
    image = bake(
        bake(png_image, site_with_did.pages[HOSTED_ID], ob_version=2), forged, ob_version=3
    )
    report = verify_badge(
        image, fetch=site_with_did.fetch, documents=extension_documents(BASE_URL), now=NOW
    )
    assert not report.valid
    genuine, fake = report.parts
    assert genuine.valid
    assert _failed(fake) == ["signature"]
    assert fake.summary.badge == "Doctorate in everything"


def test_an_unreadable_second_badge_in_an_image_is_reported_not_skipped(site, png_image) -> None:
    image = bake(bake(png_image, site.pages[HOSTED_ID], ob_version=2), "not a badge", ob_version=3)
    report = verify_badge(image, fetch=site.fetch, now=NOW)
    assert not report.valid
    assert report.parts[0].valid
    assert _failed(report.parts[1]) == ["input"]


def test_the_summary_says_what_was_verified(site, signed_token) -> None:
    report = verify_badge(signed_token, fetch=site.fetch, recipient=RECIPIENT, now=NOW)
    assert report.summary.to_dict() == {
        "badge": "Data Science",
        "issuer": "Uni",
        "issuer_id": ISSUER_ID,
        "recipient": RECIPIENT,
        "recipient_hashed": True,
        "issued_on": "2025-03-01T12:00:00Z",
        "expires": None,
        "id": SIGNED_ID,
    }
