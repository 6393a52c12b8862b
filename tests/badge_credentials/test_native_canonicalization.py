"""The native (Oxigraph, compiled per document shape) RDFC-1.0 path against the pyld reference."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from conftest import BASE_URL, make_achievement, make_credential_input

from badge_credentials import data_integrity, linked_data, native_rdf, ob2, ob3
from badge_credentials.contexts import document_loader
from badge_credentials.extension import extension_documents


def _sample() -> list[dict[str, Any]]:
    """Credentials of every badge type, with and without evidence and expiry, and texts that
    need escaping."""
    credentials = []
    for number, badge_type in enumerate(
        ["microcredential", "digital_education", "extracurricular"] * 4
    ):
        issued = datetime(2025, 3, 1, 12, 0, tzinfo=UTC) + timedelta(days=number, seconds=number)
        overrides: dict[str, Any] = {
            "id": f"{BASE_URL}/public/assertions/a{number}/credential",
            "recipient_identity": f"student{number}@example.nl",
            "salt": f"{number:016x}",
            "valid_from": issued,
            "awarded_date": issued,
            "achievement": make_achievement(
                badge_type,
                description=f'Line one\nline "two" \\ {number} é ✓',
            ),
        }
        if number % 2:
            overrides["evidence"] = ()
        if number % 3 == 0:
            overrides["valid_until"] = issued + timedelta(days=365)
        if number % 4 == 0:
            overrides["evidence"] = (
                ob2.EvidenceInput(
                    id=f"{BASE_URL}/evidence/{number}", narrative=f"Project {number}"
                ),
                ob2.EvidenceInput(id=f"https://portfolio.example.org/{number}"),
            )
        credentials.append(ob3.build_credential(make_credential_input(**overrides)))
    return credentials


def _proof_configuration(credential: dict[str, Any], created: str) -> dict[str, Any]:
    return {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": created,
        "verificationMethod": "did:web:badges.example.nl:issuers:uni#key-1",
        "proofPurpose": "assertionMethod",
        "@context": credential["@context"],
    }


def test_native_canonical_form_equals_the_reference_for_a_sample(loader):
    for number, credential in enumerate(_sample()):
        assert linked_data.canonicalize(credential, loader) == (
            linked_data.canonicalize_reference(credential, loader)
        )
        proof_configuration = _proof_configuration(
            credential, f"2025-03-0{number % 9 + 1}T00:00:00Z"
        )
        assert linked_data.canonicalize(proof_configuration, loader) == (
            linked_data.canonicalize_reference(proof_configuration, loader)
        )


def test_documents_of_one_shape_share_one_compiled_template(loader):
    first, second = _sample()[0], copy.deepcopy(_sample()[0])
    second["id"] = f"{BASE_URL}/public/assertions/other/credential"
    second["credentialSubject"]["identifier"][0]["salt"] = "another salt"
    compiler = native_rdf.compiler_for(loader)
    template, _values = compiler.template_for(first)
    assert compiler.template_for(second)[0] is template
    # a loader serving the same documents finds the same compiled templates
    same_documents = document_loader(extension_documents(BASE_URL))
    assert native_rdf.compiler_for(same_documents) is compiler
    assert linked_data.canonicalize(second, loader) == linked_data.canonicalize_reference(
        second, loader
    )
    assert linked_data.canonicalize(second, loader) != linked_data.canonicalize(first, loader)


def test_a_changed_badge_text_is_a_new_template_and_still_matches(loader):
    credential = _sample()[0]
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["achievement"]["achievementType"] = "Certificate"
    changed["issuer"]["address"] = {"type": ["Address"], "addressCountry": "NL"}
    compiler = native_rdf.compiler_for(loader)
    assert compiler.template_for(changed)[0] is not compiler.template_for(credential)[0]
    assert linked_data.canonicalize(changed, loader) == linked_data.canonicalize_reference(
        changed, loader
    )


def test_a_template_that_differs_from_the_reference_is_never_used(loader, caplog):
    credential = _sample()[1]
    credential["credentialSubject"]["achievement"]["fieldOfStudy"] = "A shape of its own"

    def disagreeing_reference(document, loader):
        return "something else\n"

    with pytest.raises(native_rdf.NativeUnsupported):
        native_rdf.canonicalize(credential, loader, disagreeing_reference)
    assert "differs from the reference" in caplog.text
    with pytest.raises(native_rdf.NativeUnsupported):
        native_rdf.canonicalize(credential, loader, linked_data.canonicalize_reference)
    # the public function then answers with the reference
    assert linked_data.canonicalize(credential, loader) == linked_data.canonicalize_reference(
        credential, loader
    )


def test_undefined_terms_are_found_natively_as_by_the_reference(loader):
    credential = _sample()[2]
    credential["favouriteColour"] = "green"
    credential["credentialSubject"]["achievement"]["type"].append("SecretType")
    found = linked_data.find_undefined_terms(credential, loader)
    assert found == linked_data.find_undefined_terms_reference(credential, loader)
    assert found == ["SecretType", "favouriteColour"]
    assert linked_data.find_undefined_terms(_sample()[2], loader) == []


def test_documents_the_native_parser_refuses_go_to_the_reference(loader):
    credential = _sample()[0]
    credential["id"] = "not an absolute IRI"
    assert linked_data.canonicalize(credential, loader) == linked_data.canonicalize_reference(
        credential, loader
    )


def test_control_characters_are_escaped_as_rdfc_1_0_says(loader, ed25519_key):
    """RDFC-1.0 writes \\b, \\f and \\uXXXX for control characters in literals (as Digital
    Bazaar's rdf-canonize does); pyld 2 leaves them raw, so the native form is the one signed."""
    credential = ob3.build_credential(
        make_credential_input(name="Page one\x0cpage two\x07 and \x08 and \x7f")
    )
    canonical = linked_data.canonicalize(credential, loader)
    assert '"Page one\\fpage two\\u0007 and \\b and \\u007F"' in canonical
    secured = data_integrity.add_proof(
        credential, ed25519_key, verification_method="did:web:x#key-1", loader=loader
    )
    data_integrity.verify_proof(
        secured, key_resolver=lambda _method: ed25519_key.public_key(), loader=loader
    )


def test_whole_document_native_canonical_form_equals_the_reference(loader):
    """The primitive the benchmarks measure (Oxigraph reading each document whole) gives the
    same canonical form as the reference and the compiled templates."""
    for number, credential in enumerate(_sample()):
        proof_configuration = _proof_configuration(
            credential, f"2025-04-0{number % 9 + 1}T00:00:00Z"
        )
        for document in (credential, proof_configuration):
            expected = linked_data.canonicalize_reference(document, loader)
            assert native_rdf.canonicalize_whole(document, loader) == expected
            assert linked_data.canonicalize(document, loader) == expected
