"""Step indicators read as separate, numbered steps: each step's number is part of its text and
the steps stand apart on screen."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, BadgeClassFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_bulk_award_steps_are_numbered_and_spaced(page, sign_in):
    badge_class = BadgeClassFactory()
    admin = UserFactory(email="steps-admin@example.org", is_superuser=True)
    sign_in(admin.email, PASSWORD)
    page.goto(reverse("staff:bulk_upload", args=[badge_class.pk]))
    steps = page.locator("ol.steps > li")
    assert steps.all_inner_texts() == [
        "1. Upload the file",
        "2. Choose the columns",
        "3. Check the preview",
        "4. Award",
    ]
    boxes = [steps.nth(index).bounding_box() for index in range(4)]
    for before, after in zip(boxes, boxes[1:], strict=False):
        if abs(before["y"] - after["y"]) < 1:  # on one line
            assert after["x"] - (before["x"] + before["width"]) >= 16
    assert page.locator('ol.steps > li[aria-current="step"]').inner_text() == "1. Upload the file"
