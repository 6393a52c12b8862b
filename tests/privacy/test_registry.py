"""Apps with personal data plug into privacy through the registry; privacy imports none."""

from __future__ import annotations

import ast
import io
import json
import zipfile
from pathlib import Path

import pytest

import privacy
from issuers.badge_types import BadgeType
from issuers.models import AuditEntry
from privacy import registry, services
from privacy.models import PrivacyAction
from tests.privacy.factories import record


def test_badges_registers_its_handler():
    assert "badges" in [handler.name for handler in registry.handlers()]


def test_privacy_imports_neither_badges_nor_staff():
    root = Path(privacy.__file__).parent
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                assert module.split(".")[0] not in {"badges", "staff", "public"}, (
                    f"{path.relative_to(root)} imports {module}"
                )


@pytest.fixture
def notes_app():
    """A new app holding personal data, plugged in the way badges is."""
    state = {"erased": [], "withdrawn": []}
    registry.register(
        "notes",
        export=lambda user: ({"notes": [f"note of {user.pk}"]}, [("notes.txt", b"hello")]),
        erase=lambda user: state["erased"].append(user.pk),
        describe_withdrawal=lambda user, institution, badge_type: ["Your notes are deleted."],
        withdraw=lambda user, institution, badge_type: state["withdrawn"].append(badge_type) or 3,
        personal_data=["Notes: free text."],
    )
    yield state
    registry.unregister("notes")


def test_a_new_app_takes_part_in_export_erasure_and_withdrawal(student, campus, notes_app):
    archive = zipfile.ZipFile(io.BytesIO(services.export_archive(student)))
    assert json.loads(archive.read("data.json"))["notes"] == {"notes": [f"note of {student.pk}"]}
    assert archive.read("notes/notes.txt") == b"hello"

    record(student, campus["statements"][BadgeType.EXTRACURRICULAR])
    consequences = services.withdrawal_consequences(
        user=student, institution=campus["institution"], badge_type=BadgeType.EXTRACURRICULAR
    )
    assert "Your notes are deleted." in consequences
    services.consent_withdraw(
        user=student, institution=campus["institution"], badge_type=BadgeType.EXTRACURRICULAR
    )
    assert notes_app["withdrawn"] == [BadgeType.EXTRACURRICULAR]
    entry = AuditEntry.objects.get(action=PrivacyAction.CONSENT_WITHDRAWN)
    assert entry.data["changed"]["notes"] == 3

    services.account_erase(actor=student, user=student)
    assert notes_app["erased"] == [student.pk]


def test_handler_names_are_plain_identifiers():
    with pytest.raises(ValueError):
        registry.register(
            "no/slashes",
            export=lambda user: ({}, []),
            erase=lambda user: None,
            describe_withdrawal=lambda user, institution, badge_type: [],
            withdraw=lambda user, institution, badge_type: 0,
        )
