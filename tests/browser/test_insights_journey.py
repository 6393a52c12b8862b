"""Insights in headless Chromium: an institution admin goes from the staff dashboard to the
figures of the institution, looks closer at a faculty, chooses a period and downloads the
CSV; every insights page passes axe-core, in English and in Dutch."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from badges.models import BadgeClass
from issuers.models import Faculty, Institution

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "edubadges-demo"


@pytest.fixture
def demo(settings, live_server):
    settings.SITE_URL = live_server.url
    call_command("seed_demo", stdout=io.StringIO())
    return Institution.objects.get(schac_home="hogeschool.example")


def test_an_institution_admin_reads_and_downloads_the_figures(page, demo, sign_in):
    sign_in("admin@hogeschool.example", PASSWORD)
    page.goto(reverse("staff:dashboard"))
    page.get_by_role("link", name="Insights").first.click()
    page.get_by_role("link", name=demo.name).click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Insights: {demo.name}"
    # The charts have a name and a description; the same numbers stand in a table.
    charts = page.get_by_role("img", name="Awards, claims and revocations per month")
    assert charts.count() == 1
    table = page.get_by_role("table", name="Figures per month")
    total = table.locator("tfoot tr")
    assert int(total.locator("td").first.inner_text()) >= 4  # the demo's awards
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Scope", "Month", "Badge type"] and len(rows) > 10

    faculty = Faculty.objects.get(institution=demo)
    page.get_by_role("link", name=faculty.name).click()
    assert faculty.name in page.get_by_role("heading", level=1).inner_text()
    page.get_by_label("From (month)").fill("2020-01")
    page.get_by_label("Until (month)").fill("2019-12")
    page.get_by_role("button", name="Show").click()
    assert page.get_by_text("Choose a month after the first one.").is_visible()


def test_insights_pages_are_accessible(axe, demo, sign_in, page):
    sign_in("admin@edubadges.example", PASSWORD)
    badge_class = BadgeClass.objects.filter(issuer__faculty__institution=demo).first()
    paths = [
        reverse("insights:index"),
        reverse("insights:scope", args=["institution", demo.pk]),
        reverse("insights:scope", args=["badge", badge_class.pk]),
        reverse("insights:scope", args=["institution", demo.pk]) + "?start=2026-05&end=2026-01",
    ]
    problems = {path: violations for path in paths if (violations := axe(path))}
    assert not problems, problems
    page.goto(reverse("insights:index"))
    page.select_option("#language-select", "nl")
    page.get_by_role("button", name="Switch").click()
    dutch = {path: violations for path in paths if (violations := axe(path))}
    assert not dutch, dutch
    assert page.locator("html").get_attribute("lang") == "nl"
