import copy
import json
from datetime import timedelta

import pytest
from conftest import BASE_URL, ISSUED_AT, ISSUER_DID, NOW, RECIPIENT, make_credential_input

from badge_credentials import data_integrity, keys, ob3
from badge_credentials.baking import bake
from badge_credentials.contexts import document_loader
from badge_credentials.did import VerificationKey, build_did_document, did_web_document_url
from badge_credentials.extension import extension_documents
from badge_credentials.vc_jwt import sign_vc_jwt
from badge_credentials.verify import verify_badge

STATUS_URL = f"{BASE_URL}/public/issuers/uni/revocations"
EVIL_DID = "did:web:evil.example"


@pytest.fixture
def site(web, did_document):
    web.pages[did_web_document_url(ISSUER_DID)] = did_document
    web.pages[STATUS_URL] = ob3.build_credential_revocation_list(STATUS_URL, ISSUER_DID)
    return web


@pytest.fixture
def documents():
    return extension_documents(BASE_URL)


def _credential(**overrides) -> dict:
    return ob3.build_credential(make_credential_input(status_url=STATUS_URL, **overrides))


def _sign_di(credential: dict, key, method: str = f"{ISSUER_DID}#ed-1") -> dict:
    loader = document_loader(extension_documents(BASE_URL))
    return data_integrity.add_proof(credential, key, verification_method=method, loader=loader)


def _failed(report) -> list[str]:
    return [check.name for check in report.checks if not check.passed]


def test_data_integrity_credential_is_valid(site, documents, ed25519_key) -> None:
    signed = _sign_di(_credential(), ed25519_key)
    report = verify_badge(
        json.dumps(signed), fetch=site.fetch, documents=documents, recipient=RECIPIENT, now=NOW
    )
    assert report.valid, report.to_dict()
    assert report.format == "ob3-data-integrity"
    assert [check.name for check in report.checks] == [
        "input",
        "structure",
        "signature",
        "issuer_key",
        "recipient",
        "expiry",
        "revocation",
    ]
    assert json.loads(json.dumps(report.to_dict()))["valid"] is True


def test_baked_data_integrity_credential_is_valid(
    site, documents, ed25519_key, png_image, svg_image
):
    signed = _sign_di(_credential(), ed25519_key)
    for image in (png_image, svg_image):
        report = verify_badge(
            bake(image, signed, ob_version=3), fetch=site.fetch, documents=documents, now=NOW
        )
        assert report.valid, report.to_dict()


def test_tampered_extension_term_fails_the_signature(site, documents, ed25519_key) -> None:
    signed = _sign_di(_credential(), ed25519_key)
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["studyLoadHours"] = 999
    report = verify_badge(json.dumps(tampered), fetch=site.fetch, documents=documents, now=NOW)
    assert _failed(report) == ["signature"]


def test_the_versioned_vocabulary_is_bundled_and_never_fetched(site, ed25519_key) -> None:
    signed = _sign_di(_credential(), ed25519_key)
    report = verify_badge(json.dumps(signed), fetch=site.fetch, now=NOW)
    assert report.valid, report.to_dict()
    assert not [url for url in site.requested if "w3id.org/edubadges" in url]


def test_key_of_another_did_fails_the_issuer_linkage(site, documents) -> None:
    evil_key = keys.generate_ed25519_key()
    site.pages[did_web_document_url(EVIL_DID)] = build_did_document(
        EVIL_DID, [VerificationKey("k", evil_key.public_key())]
    )
    signed = _sign_di(_credential(), evil_key, method=f"{EVIL_DID}#k")
    report = verify_badge(json.dumps(signed), fetch=site.fetch, documents=documents, now=NOW)
    assert _failed(report) == ["issuer_key"]


def test_method_not_listed_as_assertion_method_fails(site, documents, ed25519_key) -> None:
    did_document = site.pages[did_web_document_url(ISSUER_DID)]
    did_document["assertionMethod"] = [f"{ISSUER_DID}#rsa-1"]
    signed = _sign_di(_credential(), ed25519_key)
    report = verify_badge(json.dumps(signed), fetch=site.fetch, documents=documents, now=NOW)
    assert _failed(report) == ["signature"]
    assert "not an assertionMethod" in report.check("signature").reason


def test_revoked_credential_fails_revocation(site, documents, ed25519_key) -> None:
    signed = _sign_di(_credential(), ed25519_key)
    site.pages[STATUS_URL] = ob3.build_credential_revocation_list(
        STATUS_URL, ISSUER_DID, [ob3.RevokedCredential(signed["id"], "withdrawn by examiner")]
    )
    report = verify_badge(json.dumps(signed), fetch=site.fetch, documents=documents, now=NOW)
    assert _failed(report) == ["revocation"]
    assert "withdrawn by examiner" in report.check("revocation").reason


def test_unreachable_status_list_fails_revocation(site, documents, ed25519_key) -> None:
    site.statuses[STATUS_URL] = 503
    signed = _sign_di(_credential(), ed25519_key)
    report = verify_badge(json.dumps(signed), fetch=site.fetch, documents=documents, now=NOW)
    assert _failed(report) == ["revocation"]


def test_expired_credential_fails_expiry(site, documents, ed25519_key) -> None:
    signed = _sign_di(_credential(valid_until=ISSUED_AT + timedelta(days=10)), ed25519_key)
    report = verify_badge(json.dumps(signed), fetch=site.fetch, documents=documents, now=NOW)
    assert _failed(report) == ["expiry"]


def test_future_credential_fails_expiry(site, documents, ed25519_key) -> None:
    signed = _sign_di(_credential(), ed25519_key)
    report = verify_badge(
        json.dumps(signed), fetch=site.fetch, documents=documents, now=ISSUED_AT - timedelta(days=1)
    )
    assert _failed(report) == ["expiry"]


def test_wrong_recipient_fails(site, documents, ed25519_key) -> None:
    signed = _sign_di(_credential(), ed25519_key)
    report = verify_badge(
        json.dumps(signed), fetch=site.fetch, documents=documents, recipient="x@y.nl", now=NOW
    )
    assert _failed(report) == ["recipient"]


def test_unsigned_credential_fails_the_signature(site, documents) -> None:
    report = verify_badge(json.dumps(_credential()), fetch=site.fetch, documents=documents, now=NOW)
    assert _failed(report) == ["signature"]


def test_incomplete_credential_fails_the_structure(site, documents, ed25519_key) -> None:
    signed = _sign_di(_credential(), ed25519_key)
    del signed["credentialSubject"]["achievement"]
    report = verify_badge(json.dumps(signed), fetch=site.fetch, documents=documents, now=NOW)
    assert _failed(report) == ["structure"]


def test_vc_jwt_is_valid(site, rsa_key, png_image) -> None:
    token = sign_vc_jwt(_credential(), rsa_key, kid=f"{ISSUER_DID}#rsa-1")
    for data in (token, bake(png_image, token, ob_version=3)):
        report = verify_badge(data, fetch=site.fetch, recipient=RECIPIENT, now=NOW)
        assert report.valid, report.to_dict()
        assert report.format == "ob3-vc-jwt"


def test_vc_jwt_by_url_is_valid(site, rsa_key) -> None:
    token = sign_vc_jwt(_credential(), rsa_key, kid=f"{ISSUER_DID}#rsa-1")
    site.pages[f"{BASE_URL}/public/assertions/abc.jwt"] = token
    report = verify_badge(f"{BASE_URL}/public/assertions/abc.jwt", fetch=site.fetch, now=NOW)
    assert report.valid, report.to_dict()


def test_tampered_vc_jwt_fails_the_signature(site, rsa_key) -> None:
    header, payload, signature = sign_vc_jwt(
        _credential(), rsa_key, kid=f"{ISSUER_DID}#rsa-1"
    ).split(".")
    forged = payload[:-3] + ("AAA" if payload[-3:] != "AAA" else "BBB")
    report = verify_badge(f"{header}.{forged}.{signature}", fetch=site.fetch, now=NOW)
    assert not report.valid


def test_vc_jwt_signed_by_another_key_fails(site, other_rsa_key) -> None:
    token = sign_vc_jwt(_credential(), other_rsa_key, kid=f"{ISSUER_DID}#rsa-1")
    report = verify_badge(token, fetch=site.fetch, now=NOW)
    assert _failed(report) == ["signature"]


def test_vc_jwt_with_embedded_jwk(site, rsa_key, other_rsa_key) -> None:
    ours = sign_vc_jwt(_credential(), rsa_key, include_jwk=True)
    assert verify_badge(ours, fetch=site.fetch, now=NOW).valid
    theirs = sign_vc_jwt(_credential(), other_rsa_key, include_jwk=True)
    report = verify_badge(theirs, fetch=site.fetch, now=NOW)
    assert _failed(report) == ["issuer_key"]


def test_revoked_vc_jwt_fails_revocation(site, rsa_key) -> None:
    credential = _credential()
    site.pages[STATUS_URL] = ob3.build_credential_revocation_list(
        STATUS_URL, ISSUER_DID, [ob3.RevokedCredential(credential["id"], "fraud")]
    )
    token = sign_vc_jwt(credential, rsa_key, kid=f"{ISSUER_DID}#rsa-1")
    assert _failed(verify_badge(token, fetch=site.fetch, now=NOW)) == ["revocation"]


def test_offline_verification_with_supplied_documents(did_document, documents, ed25519_key) -> None:
    signed = _sign_di(ob3.build_credential(make_credential_input(status_url=None)), ed25519_key)
    report = verify_badge(
        json.dumps(signed), fetch=None, documents={**documents, ISSUER_DID: did_document}, now=NOW
    )
    assert report.valid, report.to_dict()


def test_https_issuer_with_a_bare_jwk_under_its_url(web, rsa_key) -> None:
    issuer_url = f"{BASE_URL}/public/issuers/uni"
    kid = f"{issuer_url}/keys/rsa-1"
    web.pages[kid] = keys.public_key_to_jwk(rsa_key.public_key())
    credential = ob3.build_credential(
        make_credential_input(issuer=ob3.ProfileInput(id=issuer_url, name="Uni"), status_url=None)
    )
    assert verify_badge(sign_vc_jwt(credential, rsa_key, kid=kid), fetch=web.fetch, now=NOW).valid
    web.pages["https://evil.example/k"] = web.pages[kid]
    report = verify_badge(
        sign_vc_jwt(credential, rsa_key, kid="https://evil.example/k"), fetch=web.fetch, now=NOW
    )
    assert _failed(report) == ["issuer_key"]
