"""A sample of the credentials a bulk award issues (signed in batches) verifies with the
independent verifiers: Digital Bazaar's and the DCC's for OB 3.0, badgecheck for OB 2.0."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from badges import baked_images
from badges.awarding import bulk
from badges.models import Assertion
from issuers.roles import Role
from tests.awarding.factories import make_issuable
from tests.factories import BadgeClassFactory, MembershipFactory, UserFactory

from .test_open_badges_3 import _documents

pytestmark = [pytest.mark.conformance, pytest.mark.django_db]

ROWS = 12


@pytest.fixture
def bulk_issued(live_site, world, django_capture_on_commit_callbacks):
    institution = world["a"]["institution"]
    make_issuable(institution, direct=True)
    awarder = UserFactory()
    MembershipFactory(user=awarder, issuer=world["a"]["issuer"], role=Role.AWARDER)
    badge_class = BadgeClassFactory(issuer=world["a"]["issuer"])
    text = "email\n" + "".join(f"c{n:02d}@student.example\n" for n in range(ROWS))
    upload = bulk.bulk_award_upload(
        actor=awarder, badge_class=badge_class, file=SimpleUploadedFile("c.csv", text.encode())
    )
    upload = bulk.bulk_award_prepare(actor=awarder, bulk=upload, mapping=upload.mapping)
    with django_capture_on_commit_callbacks(execute=True):
        bulk.bulk_award_start(actor=awarder, bulk=upload)
    issued = list(
        Assertion.objects.filter(award__bulk_award=upload, status=Assertion.Status.ISSUED)
        .select_related("badge_class__issuer", "award")
        .order_by("pk")
    )
    assert len(issued) == ROWS
    return [issued[0], issued[ROWS // 2], issued[-1]]


def test_a_sample_of_bulk_issued_credentials_verifies_independently(
    client, bulk_issued, ob3_verifier, dcc_verifier, badgecheck, tmp_path
):
    for assertion in bulk_issued:
        recipient = assertion.award.recipient_email
        documents = _documents(client, assertion)
        report = ob3_verifier({"credential": assertion.ob3_credential, "documents": documents})
        assert report["verified"], report["errors"]
        dcc = dcc_verifier({"credential": assertion.ob3_credential, "documents": documents})
        assert dcc["verified"], dcc
        signed = tmp_path / f"{assertion.public_id}.jws"
        signed.write_text(assertion.ob2_jws)
        assert badgecheck(str(signed), recipient=recipient)["valid"]
        baked = tmp_path / f"{assertion.public_id}.png"
        baked.write_bytes(baked_images.baked(assertion, "png"))
        assert badgecheck(str(baked), recipient=recipient)["valid"]
