import json
from importlib import resources

import pytest
from conftest import BASE_URL, make_achievement, make_credential_input
from pyld import jsonld

from badge_credentials import contexts, linked_data, ob3
from badge_credentials.errors import ContextLoadError, UndefinedTermError
from badge_credentials.extension import (
    extension_context_document,
    extension_context_url,
    extension_vocabulary,
)

REQUIRED_CONTEXTS = (
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://w3id.org/openbadges/v2",
    "https://w3id.org/security/multikey/v1",
    "https://w3id.org/security/data-integrity/v2",
    "https://www.w3.org/ns/did/v1",
)


def test_required_contexts_are_bundled_with_their_source() -> None:
    for url in REQUIRED_CONTEXTS:
        assert url in contexts.bundled_context_urls()
        assert "@context" in contexts.get_context(url)
        assert contexts.bundled_context_source(url)


def test_every_indexed_file_is_shipped_as_package_data() -> None:
    folder = resources.files("badge_credentials.contexts")
    index = json.loads(folder.joinpath("index.json").read_text(encoding="utf-8"))
    for entry in index.values():
        assert json.loads(folder.joinpath(entry["file"]).read_text(encoding="utf-8"))


def test_loader_serves_bundled_and_extra_documents() -> None:
    loader = contexts.document_loader({"https://example.org/ctx": {"@context": {"a": "urn:a"}}})
    assert loader("https://www.w3.org/ns/credentials/v2", {})["document"]["@context"]
    assert loader("https://example.org/ctx", {})["document"] == {"@context": {"a": "urn:a"}}


def test_loader_refuses_unknown_urls() -> None:
    loader = contexts.document_loader()
    with pytest.raises(ContextLoadError, match="refusing to load"):
        loader("https://evil.example/context.json", {})


def test_loader_returns_copies() -> None:
    loader = contexts.document_loader()
    loader("https://w3id.org/openbadges/v2", {})["document"]["@context"]["id"] = "changed"
    assert loader("https://w3id.org/openbadges/v2", {})["document"]["@context"]["id"] == "@id"


def test_unknown_context_in_a_document_raises_a_clear_error() -> None:
    document = {"@context": "https://evil.example/context.json", "name": "x"}
    with pytest.raises(ContextLoadError, match="evil.example"):
        linked_data.expand(document, contexts.document_loader())


def test_canonicalization_uses_urdna2015(monkeypatch, loader) -> None:
    seen = {}
    original = jsonld.normalize

    def spy(document, options):
        seen.update(options)
        return original(document, options)

    monkeypatch.setattr(jsonld, "normalize", spy)
    linked_data.canonicalize(ob3.build_credential(make_credential_input()), loader)
    assert seen["algorithm"] == "URDNA2015"
    assert seen["format"] == "application/n-quads"


def test_canonical_form_is_rdfc_nquads_and_stable(loader) -> None:
    credential = ob3.build_credential(make_credential_input())
    canonical = linked_data.canonicalize(credential, loader)
    assert canonical.endswith(" .\n")
    assert "_:c14n0" in canonical  # RDFC-1.0 blank node labels
    reordered = dict(reversed(list(credential.items())))
    assert canonical == linked_data.canonicalize(reordered, loader)


def test_extension_context_defines_every_term_with_a_full_iri() -> None:
    document = extension_context_document(BASE_URL)
    context = document["@context"]
    assert context["@protected"] is True
    assert context["@version"] == 1.1
    for term, definition in context.items():
        if term.startswith("@") or term in ("id", "type"):
            continue
        iri = definition["@id"] if isinstance(definition, dict) else definition
        assert iri.startswith(("https://", "http://")), term
    assert extension_vocabulary(BASE_URL) == f"{BASE_URL}/ns/badges/vocab#"
    assert extension_context_url(BASE_URL + "/") == f"{BASE_URL}/ns/badges/context-v1.jsonld"


@pytest.mark.parametrize("badge_type", ["digital_education", "microcredential", "extracurricular"])
def test_no_term_of_a_credential_is_dropped_by_expansion(badge_type, loader) -> None:
    credential = ob3.build_credential(
        make_credential_input(achievement=make_achievement(badge_type))
    )
    assert linked_data.find_undefined_terms(credential, loader) == []
    expanded = json.dumps(linked_data.expand(credential, loader))
    elm = "http://data.europa.eu/snb/model/elm/"
    if badge_type == "microcredential":
        for iri in (
            elm + "EQFLevel",
            elm + "mode",
            elm + "creditPoint",
            elm + "framework",
            "https://w3id.org/edubadges/ns#qualityAssurance",
            "https://w3id.org/edubadges/ns#learningOutcomes",
        ):
            assert iri in expanded, iri
        # The EQF level and the credit system are Europass concepts, not strings.
        assert '{"@id": "http://data.europa.eu/snb/eqf/6"}' in expanded
        assert '{"@id": "http://data.europa.eu/snb/education-credit/6fcec5c5af"}' in expanded
    assert "badges.example.nl/ns/" not in expanded
    assert (
        "https://purl.imsglobal.org/spec/vcrl/v1p0/context.json#1EdTechRevocationList" in expanded
    )


def test_undefined_terms_are_found(loader) -> None:
    credential = ob3.build_credential(make_credential_input())
    credential["credentialSubject"]["achievement"]["favouriteColour"] = "blue"
    credential["evidence"][0]["type"] = ["Evidence", "MadeUpType"]
    assert linked_data.find_undefined_terms(credential, loader) == [
        "MadeUpType",
        "favouriteColour",
    ]
    with pytest.raises(UndefinedTermError, match="favouriteColour"):
        linked_data.ensure_terms_defined(credential, loader)


def test_without_our_extension_context_the_extension_terms_would_be_dropped() -> None:
    credential = ob3.build_credential(make_credential_input())
    credential["@context"] = credential["@context"][:2]
    undefined = linked_data.find_undefined_terms(credential, contexts.document_loader())
    assert "eqfLevel" in undefined and "learningOutcomes" in undefined


def test_ob2_documents_expand_with_the_bundled_context(rsa_key) -> None:
    document = {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Assertion",
        "id": "https://example.org/a/1",
        "recipient": {"type": "email", "hashed": True, "identity": "sha256$00", "salt": "s"},
        "issuedOn": "2025-01-01T00:00:00Z",
        "verification": {"type": "HostedBadge"},
        "badge": "https://example.org/b/1",
    }
    assert linked_data.find_undefined_terms(document, contexts.document_loader()) == []
