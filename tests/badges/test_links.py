"""The public URLs that credentials name are those Django's URL patterns give, however often
they are asked for."""

from __future__ import annotations

import uuid

import pytest
from django.test import override_settings
from django.urls import reverse

from badges import links


@pytest.mark.parametrize(
    "name, args",
    [
        ("public:assertion", [uuid.uuid4()]),
        ("public:credential", [uuid.uuid4()]),
        ("public:assertion_image", [uuid.uuid4(), "svg"]),
        ("public:assertion_image", [uuid.uuid4(), "png"]),
        ("public:key_badge_class", [uuid.uuid4(), uuid.uuid4()]),
        ("public:status_list_credential", [uuid.uuid4(), 3]),
        ("public:vocabulary_context", [1]),
        ("public:assertion", [str(uuid.uuid4())]),
    ],
)
def test_a_public_url_is_what_reverse_gives(name, args):
    for _ in range(2):
        assert links._public(name, *args) == links.absolute(reverse(name, args=args))
    with override_settings(SITE_URL="https://badges.example.org"):
        assert links._public(name, *args) == (
            "https://badges.example.org" + reverse(name, args=args)
        )
