"""The backpack's download links work whatever address the portal is reached on."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_download_link_is_relative_to_the_address_in_use(client, issue, settings):
    student = UserFactory()
    badge = issue(email=student.email, recipient=student)
    # The portal is reached on another address than the one credentials name.
    settings.SITE_URL = "https://badges.example.org"
    client.force_login(student)
    page = client.get(reverse("backpack:detail", args=[badge.public_id])).content.decode()
    downloads = page.split('class="downloads"', 1)[1].split("</ul>", 1)[0]
    links = re.findall(r'href="([^"]+)"', downloads)
    assert len(links) >= 7
    assert all(link.startswith("/") for link in links), links
    assert reverse("public:credential", args=[badge.public_id]) in links
