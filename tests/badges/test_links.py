"""The public URLs that credentials name are those Django's URL patterns give, however often
they are asked for."""

from __future__ import annotations

import uuid

import pytest
from django.test import override_settings
from django.urls import reverse

from badges import links


@pytest.mark.parametrize(
    "name, ids, fixed",
    [
        ("public:assertion", [uuid.uuid4().hex], ()),
        ("public:assertion", ["a b:c@d%e"], ()),
        ("public:credential", ["AbC123xyz"], ()),
        ("public:assertion_image", ["AbC123xyz"], ("svg",)),
        ("public:assertion_image", ["AbC123xyz"], ("png",)),
        ("public:badge_class", [uuid.uuid4()], ()),
        ("public:key_badge_class", [uuid.uuid4(), uuid.uuid4()], ()),
        ("public:status_list_credential", [uuid.uuid4()], (3,)),
        ("public:vocabulary_context", [], (1,)),
    ],
)
def test_a_public_url_is_what_reverse_gives(name, ids, fixed):
    args = [*ids, *fixed]
    for _ in range(2):
        assert links._public(name, *ids, fixed=fixed) == links.absolute(reverse(name, args=args))
    with override_settings(SITE_URL="https://badges.example.org"):
        assert links._public(name, *ids, fixed=fixed) == (
            "https://badges.example.org" + reverse(name, args=args)
        )


def test_a_pattern_is_reversed_once_per_route():
    links._pattern.cache_clear()
    for _ in range(5):
        links.assertion_url(type("A", (), {"public_id": uuid.uuid4().hex})())
    assert links._pattern.cache_info().misses == 1
