"""Dutch is complete: every string in the code has a reviewed translation, compiled."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale/nl/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")


def _entries(catalog) -> dict[tuple[str | None, str], str | dict]:
    return {
        (entry.msgctxt, entry.msgid): entry.msgstr_plural or entry.msgstr
        for entry in catalog
        if not entry.obsolete
    }


def test_every_dutch_string_is_translated_and_reviewed():
    catalog = polib.pofile(str(PO))
    untranslated = [entry.msgid for entry in catalog.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalog.fuzzy_entries()]
    assert not untranslated, f"{len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"


def test_compiled_catalog_matches_the_source():
    compiled = {key: value for key, value in _entries(polib.mofile(str(MO))).items() if key[1]}
    source = {key: value for key, value in _entries(polib.pofile(str(PO))).items() if key[1]}
    assert compiled == source, "run `make messages` to recompile locale/nl/LC_MESSAGES/django.mo"


def test_the_catalog_covers_every_string_in_the_code(tmp_path):
    if shutil.which("xgettext") is None:
        if os.environ.get("REQUIRE_GETTEXT"):
            pytest.fail("gettext is needed to check the catalog")
        pytest.skip("gettext (xgettext) is not installed")
    project = tmp_path / "project"
    ignored = shutil.ignore_patterns(
        ".venv*", "var", "node_modules", ".git", "__pycache__", "*.pyc"
    )
    shutil.copytree(ROOT, project, ignore=ignored)
    env = {
        **os.environ,
        "DEBUG": "true",
        "DJANGO_SETTINGS_MODULE": "edubadges.settings",
        "VAR_DIR": str(tmp_path / "var"),
    }
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "nl",
            "--no-obsolete",
            "--ignore",
            "conformance/*",
            "--ignore",
            "tests/*",
            "--ignore",
            "bench/*",
        ],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    fresh = polib.pofile(str(project / "locale/nl/LC_MESSAGES/django.po"))
    missing = sorted({entry.msgid for entry in fresh.untranslated_entries()})
    assert not missing, f"new strings without a Dutch translation: {missing[:10]}"
