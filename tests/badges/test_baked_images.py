"""Baked images are made from a badge's signed documents when they are downloaded."""

from __future__ import annotations

import json

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from badge_credentials import baking
from badges import baked_images
from badges.models import Assertion, AssertionDocuments
from tests.factories import BadgeClassFactory

pytestmark = pytest.mark.django_db

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
    b'<circle cx="32" cy="32" r="30" fill="teal"/></svg>'
)


def test_a_png_carries_both_badges_and_each_svg_one(issue):
    assertion = issue()
    documents = assertion.documents
    png = baking.unbake_all(baked_images.baked(assertion, baked_images.PNG))
    assert [json.loads(badge.payload) for badge in png] == [
        documents.ob2_assertion,
        documents.ob3_credential,
    ]
    svg = baking.unbake(baked_images.baked(assertion, baked_images.SVG))
    assert svg.ob_version == 2 and json.loads(svg.payload) == documents.ob2_assertion
    credential = baking.unbake(baked_images.baked(assertion, baked_images.SVG_CREDENTIAL))
    assert json.loads(credential.payload) == documents.ob3_credential
    assert baked_images.has_png(assertion.badge_class)


def test_a_badge_class_with_an_svg_image_gives_svgs_and_no_png(client, issue):
    badge_class = BadgeClassFactory(microcredential=True)
    badge_class.image.save("badge.svg", ContentFile(SVG), save=True)
    assertion = issue(badge_class=badge_class)
    assert not baked_images.has_png(badge_class)
    assert baked_images.baked(assertion, baked_images.PNG) is None
    baked = baked_images.baked(assertion, baked_images.SVG)
    assert b"teal" in baked and baking.unbake(baked).ob_version == 2
    assert (
        client.get(reverse("public:assertion_image", args=[assertion.public_id, "png"])).status_code
        == 404
    )


def test_nothing_is_baked_before_signing_or_after_the_signatures_are_gone(issue):
    assertion = issue()
    AssertionDocuments.objects.filter(pk=assertion.pk).update(ob2_jws="", ob3_jwt="")
    assertion = Assertion.objects.get(pk=assertion.pk)
    for kind in baked_images.KINDS:
        assert baked_images.baked(assertion, kind) is None
    AssertionDocuments.objects.filter(pk=assertion.pk).delete()
    assertion = Assertion.objects.get(pk=assertion.pk)
    assert baked_images.baked(assertion, baked_images.SVG) is None
    with pytest.raises(ValueError):
        baked_images.baked(assertion, "gif")
