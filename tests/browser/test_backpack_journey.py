"""A student keeps and shares a badge in the browser."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from backpack.models import Collection
from badges.models import Assertion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_student_makes_a_badge_public_shares_it_and_downloads_it(
    page, sign_in, live_server, settings
):
    settings.SITE_URL = live_server.url
    call_command("seed_demo", stdout=io.StringIO())
    assertion = Assertion.objects.filter(
        recipient__email="student1@hogeschool.example", badge_class__badge_type="microcredential"
    ).get()
    name = assertion.badge_class.name_en

    sign_in("student1@hogeschool.example", "edubadges-demo")
    page.goto("/backpack/")
    page.get_by_label("Type").select_option("microcredential")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=name, exact=True).click()
    assert page.get_by_text("This badge is private: its page does not show your name.").is_visible()
    assert page.get_by_text("Form of participation").is_visible()

    page.get_by_role("link", name="Change what is public").click()
    assert page.get_by_text("your name: Student1 HBO").is_visible()
    page.get_by_label("Make this badge public").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Your badge is public now.").wait_for()

    public_url = page.get_by_label("Link to the badge page").input_value()
    assert public_url.endswith(f"/public/assertions/{assertion.public_id}")
    linkedin = page.get_by_role("link", name="Add to LinkedIn profile").get_attribute("href")
    assert linkedin.startswith("https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME")

    with page.expect_download() as download:
        page.get_by_role("link", name="PDF certificate in English").click()
    assert download.value.suggested_filename.endswith("-en.pdf")

    page.goto("/backpack/collections/new/")
    page.get_by_label("name").fill("My portfolio")
    page.get_by_label("shared").check()
    page.get_by_label(name).check()
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The collection was saved.").wait_for()
    collection = Collection.objects.get(name="My portfolio")

    visitor = page.context.browser.new_context(base_url=live_server.url, locale="en-GB")
    public = visitor.new_page()
    public.goto(f"/public/collections/{collection.share_token}")
    public.get_by_role("link", name=name).click()
    assert public.get_by_text("Awarded to Student1 HBO").is_visible()
    assert (
        public.locator('meta[property="og:title"]').get_attribute("content")
        == assertion.badge_class.name
    )
    public.get_by_role("link", name="Verify this badge").click()
    public.get_by_text("This badge is valid.").wait_for()
    visitor.close()
