"""Shared fixtures for the framework-free credentials library (no Django here)."""

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from PIL import Image

from badge_credentials import keys, ob2, ob3
from badge_credentials.contexts import document_loader
from badge_credentials.did import VerificationKey, build_did_document, did_web_for
from badge_credentials.errors import FetchError
from badge_credentials.extension import extension_documents

BASE_URL = "https://badges.example.nl"
ISSUER_DID = did_web_for("badges.example.nl", ["issuers", "uni"])
ISSUED_AT = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
RECIPIENT = "Student@Example.NL"
SALT = "d2f0c8a1b3e4f5a6"


@pytest.fixture(scope="session")
def rsa_key() -> Any:
    return keys.generate_rsa_key()


@pytest.fixture(scope="session")
def other_rsa_key() -> Any:
    return keys.generate_rsa_key()


@pytest.fixture(scope="session")
def ed25519_key() -> Any:
    return keys.generate_ed25519_key()


@pytest.fixture
def loader() -> Callable[..., dict[str, Any]]:
    return document_loader(extension_documents(BASE_URL))


@pytest.fixture
def png_image() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (200, 30, 30, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def svg_image() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        b'<!-- badge --><circle cx="5" cy="5" r="4" fill="#c00"/></svg>'
    )


def make_achievement(badge_type: str = "microcredential", **overrides: Any) -> ob3.AchievementInput:
    values: dict[str, Any] = {
        "id": f"{BASE_URL}/public/badges/42",
        "badge_type": badge_type,
        "name": "Data Science Essentials",
        "description": "Foundations of data analysis.",
        "criteria_narrative": "Pass the final assessment.",
        "image": f"{BASE_URL}/media/badges/42.png",
        "criteria_url": f"{BASE_URL}/public/badges/42#criteria",
        "in_language": "en",
        "tags": ("data", "python"),
        "alignments": (
            ob2.AlignmentInput(
                target_name="Data analysis",
                target_url="https://esco.ec.europa.eu/skill/123",
                target_framework="ESCO",
                target_code="S1.2.3",
                target_type="ext:ESCO",
            ),
        ),
    }
    if badge_type == "microcredential":
        values.update(
            ects_credits=5.0,
            eqf_level=6,
            nlqf_level=6,
            participation="blended",
            assessment_type="written exam",
            assessment_supervised=True,
            assessment_identity_verified=True,
            quality_assurance=ob3.QualityAssuranceInput(
                name="NVAO", url="https://www.nvao.net", description="Accredited programme"
            ),
            study_load_hours=140,
            learning_outcomes=("Clean a data set", "Fit a linear model"),
        )
    if badge_type == "digital_education":
        values.update(
            ects_credits=3.0,
            eqf_level=6,
            learning_outcomes=("Explain regression",),
            other_identifiers=(ob3.IdentifierInput("34479"),),
        )
    values.update(overrides)
    return ob3.AchievementInput(**values)


def make_credential_input(**overrides: Any) -> ob3.CredentialInput:
    values: dict[str, Any] = {
        "id": f"{BASE_URL}/public/assertions/abc",
        "name": "Data Science Essentials",
        "issuer": ob3.ProfileInput(
            id=ISSUER_DID,
            name="Universiteit Voorbeeld",
            url="https://www.uni.example.nl",
            email="badges@uni.example.nl",
            image=f"{BASE_URL}/media/issuers/uni.png",
            description="A Dutch university",
        ),
        "achievement": make_achievement(),
        "recipient_identity": RECIPIENT,
        "salt": SALT,
        "valid_from": ISSUED_AT,
        "awarded_date": ISSUED_AT,
        "evidence": (ob2.EvidenceInput(id=f"{BASE_URL}/evidence/1", narrative="Final project"),),
        "status_url": f"{BASE_URL}/public/issuers/uni/revocations",
    }
    values.update(overrides)
    return ob3.CredentialInput(**values)


@dataclass
class FakeWeb:
    """An in-memory web for the verifier: URL → JSON, bytes or an HTTP error status."""

    pages: dict[str, Any] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    requested: list[str] = field(default_factory=list)

    def fetch(self, url: str) -> tuple[str, bytes]:
        self.requested.append(url)
        if url in self.statuses:
            raise FetchError(url, status=self.statuses[url])
        if url not in self.pages:
            raise FetchError(url, status=404)
        page = self.pages[url]
        if isinstance(page, bytes):
            return "application/octet-stream", page
        if isinstance(page, str):
            return "text/plain", page.encode("utf-8")
        return "application/json", json.dumps(page).encode("utf-8")


@pytest.fixture
def web() -> FakeWeb:
    return FakeWeb()


@pytest.fixture
def did_document(rsa_key: Any, ed25519_key: Any) -> dict[str, Any]:
    return build_did_document(
        ISSUER_DID,
        [
            VerificationKey("ed-1", ed25519_key.public_key()),
            VerificationKey("rsa-1", rsa_key.public_key()),
        ],
    )
