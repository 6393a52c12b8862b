"""Dates appear in the active language's formats on every page: one style per language, and
never a pattern written into a template."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import formats, translation

ROOT = Path(__file__).resolve().parent.parent
NAMED = {
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "YEAR_MONTH_FORMAT",
    "MONTH_DAY_FORMAT",
    "TIME_FORMAT",
}
MOMENT = datetime(2026, 12, 1, 8, 3, tzinfo=ZoneInfo("Europe/Amsterdam"))


def test_templates_and_code_use_named_formats_only():
    literal = []
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("templates/**/*.txt")]:
        for pattern in re.findall(r'\|date:"([^"]*)"', path.read_text()):
            if pattern not in NAMED:
                literal.append(f"{path.relative_to(ROOT)}: {pattern}")
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "bench" in path.parts:
            continue
        text = path.read_text()
        for pattern in re.findall(r'date_format\([^)]*?,\s*"([^"]+)"', text):
            if pattern not in NAMED:
                literal.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert not literal, literal


@pytest.mark.parametrize(
    ("language", "date", "moment", "short"),
    [
        ("en", "1 December 2026", "1 December 2026, 08:03", "1 Dec 2026"),
        ("nl", "1 december 2026", "1 december 2026, 08:03", "1 dec 2026"),
    ],
)
def test_one_style_per_language(language, date, moment, short):
    with translation.override(language):
        assert formats.date_format(MOMENT, "DATE_FORMAT") == date
        assert formats.date_format(MOMENT, "DATETIME_FORMAT") == moment
        assert formats.date_format(MOMENT, "SHORT_DATE_FORMAT") == short
        assert formats.date_format(MOMENT, "SHORT_DATETIME_FORMAT") == f"{short}, 08:03"


@pytest.mark.django_db
def test_the_staff_and_student_pages_show_the_same_style(client, issue):
    import time_machine

    from tests.factories import UserFactory

    student = UserFactory()
    with time_machine.travel(MOMENT, tick=False):
        assertion = issue(email=student.email, recipient=student)
    client.force_login(UserFactory(is_superuser=True))
    staff = client.get(reverse("staff:assertion", args=[assertion.pk])).content.decode()
    assert "1 December 2026, 08:03" in staff and "Dec. 1" not in staff
    client.force_login(student)
    backpack = client.get(reverse("backpack:detail", args=[assertion.public_id])).content.decode()
    assert "1 December 2026" in backpack
    dutch = client.get(
        reverse("backpack:detail", args=[assertion.public_id]), HTTP_ACCEPT_LANGUAGE="nl"
    ).content.decode()
    assert "1 december 2026" in dutch
