"""The student's backpack: own badges only, sharing choices, collections, downloads, imports."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from backpack.models import Collection, ExternalBadge
from badges import issuing, links
from tests.factories import BadgeClassFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def student(db):
    return UserFactory(email="ada@example.org", first_name="Ada", last_name="Lovelace")


@pytest.fixture
def badge(issue, student):
    return issue(
        email=student.email,
        recipient=student,
        recipient_name="Ada Lovelace",
        narrative="Great work",
        evidence_url="https://portfolio.example/ada",
        grade="9",
    )


def test_backpack_lists_own_badges_with_filters(client, student, badge, issue):
    other = issue(email="someone@example.org", recipient=UserFactory())
    revoked = issue(badge_class=BadgeClassFactory(), email=student.email, recipient=student)
    issuing.assertion_revoke(
        actor=UserFactory(is_superuser=True), assertion=revoked, reason="Mistake"
    )
    client.force_login(student)
    page = client.get(reverse("backpack:list")).content.decode()
    assert badge.badge_class.name in page and revoked.badge_class.name in page
    assert other.badge_class.name not in page
    only_revoked = client.get(reverse("backpack:list"), {"status": "revoked"}).content.decode()
    assert revoked.badge_class.name in only_revoked and badge.badge_class.name not in only_revoked
    by_type = client.get(reverse("backpack:list"), {"type": "microcredential"}).content.decode()
    assert badge.badge_class.name in by_type and revoked.badge_class.name not in by_type


def test_another_students_badge_is_404(client, badge):
    client.force_login(UserFactory())
    for name in ("backpack:detail", "backpack:sharing", "backpack:certificate"):
        assert client.get(reverse(name, args=[badge.public_id])).status_code == 404
    response = client.post(reverse("backpack:sharing", args=[badge.public_id]), {"is_public": "on"})
    assert response.status_code == 404
    badge.refresh_from_db()
    assert badge.is_public is False


def test_detail_shows_every_eu_element_and_the_share_options(client, student, badge):
    client.force_login(student)
    page = client.get(reverse("backpack:detail", args=[badge.public_id])).content.decode()
    for text in (
        "EQF",
        "ECTS",
        "Portfolio",
        "Online",
        "Quality assurance",
        "Add to LinkedIn profile",
        "<iframe",
    ):
        assert text in page, text


def test_making_public_shows_the_consequences_first_then_reveals_the_name(client, student, badge):
    client.force_login(student)
    url = reverse("backpack:sharing", args=[badge.public_id])
    explanation = client.get(url).content.decode()
    assert "your name: Ada Lovelace" in explanation
    public_page = links.assertion_url(badge).removeprefix("http://testserver")
    assert "Ada Lovelace" not in client.get(public_page, HTTP_ACCEPT="text/html").content.decode()
    client.post(url, {"is_public": "on", "show_grade": "on"})
    badge.refresh_from_db()
    assert badge.is_public and badge.show_grade and not badge.show_evidence
    page = client.get(public_page, HTTP_ACCEPT="text/html").content.decode()
    assert "Ada Lovelace" in page and ">9<" in page
    assert "portfolio.example" not in page
    client.post(url, {})
    badge.refresh_from_db()
    assert not badge.is_public and not badge.show_grade


def test_revoked_badges_cannot_be_made_public(client, student, badge):
    issuing.assertion_revoke(actor=UserFactory(is_superuser=True), assertion=badge, reason="Fraud")
    client.force_login(student)
    page = client.post(
        reverse("backpack:sharing", args=[badge.public_id]), {"is_public": "on"}
    ).content.decode()
    assert "Only a valid, issued badge can be made public." in page


def test_linkedin_link_carries_the_certification(badge):
    from backpack.sharing import linkedin_url

    badge.badge_class.issuer.faculty.institution.linkedin_organisation_id = "1337"
    query = parse_qs(urlsplit(linkedin_url(badge)).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"]
    assert query["name"] == [badge.badge_class.name]
    assert query["organizationId"] == ["1337"]
    assert 1 <= int(query["issueMonth"][0]) <= 12
    assert query["certUrl"] == [links.assertion_url(badge)]
    assert query["certId"] == [badge.public_id]


def test_certificate_pdf_in_both_languages(client, student, badge):
    client.force_login(student)
    for language in ("nl", "en"):
        response = client.get(
            reverse("backpack:certificate", args=[badge.public_id]), {"language": language}
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")


def test_qr_code_and_embed_card(client, badge):
    qr = client.get(reverse("public:assertion_qr", args=[badge.public_id]))
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    embed = client.get(reverse("public:assertion_embed", args=[badge.public_id]))
    assert embed.status_code == 200 and "X-Frame-Options" not in embed
    assert (
        client.get(
            links.assertion_url(badge).removeprefix("http://testserver"), HTTP_ACCEPT="text/html"
        )["X-Frame-Options"]
        == "DENY"
    )


def test_collections_share_only_public_badges_and_only_own_ones(client, student, badge, issue):
    private = issue(badge_class=BadgeClassFactory(), email=student.email, recipient=student)
    foreign = issue(email="x@example.org", recipient=UserFactory())
    badge.is_public = True
    badge.save()
    client.force_login(student)
    response = client.post(
        reverse("backpack:collection_create"),
        {"name": "Portfolio", "is_public": "on", "assertions": [badge.pk, private.pk, foreign.pk]},
    )
    assert response.status_code == 200  # the foreign badge is not a valid choice
    client.post(
        reverse("backpack:collection_create"),
        {"name": "Portfolio", "is_public": "on", "assertions": [badge.pk, private.pk]},
    )
    collection = Collection.objects.get(owner=student)
    shared = client.get(
        reverse("public:collection", args=[collection.share_token])
    ).content.decode()
    assert badge.badge_class.name in shared and private.badge_class.name not in shared
    collection.is_public = False
    collection.save()
    assert (
        client.get(reverse("public:collection", args=[collection.share_token])).status_code == 404
    )
    client.force_login(UserFactory())
    assert (
        client.post(reverse("backpack:collection_delete", args=[collection.pk])).status_code == 404
    )


def test_our_own_badges_are_not_imported_as_external(client, student, badge):
    client.force_login(student)
    page = client.post(
        reverse("backpack:import"), {"text": json.dumps(badge.ob3_credential)}
    ).content.decode()
    assert "issued on this portal" in page
    assert not ExternalBadge.objects.exists()


def test_unverifiable_badges_are_refused_with_the_reason(client, student, badge):
    client.force_login(student)
    forged = dict(badge.ob3_credential, name="Forged")
    page = client.post(reverse("backpack:import"), {"text": json.dumps(forged)}).content.decode()
    assert "could not be verified" in page
    assert not ExternalBadge.objects.exists()


@pytest.fixture
def other_issuer_site(monkeypatch):
    """Another issuer's site on the network edge: the only thing mocked."""
    from datetime import UTC, datetime

    from badge_credentials import jws, keys, ob2
    from badge_credentials.errors import FetchError
    from badges import verification

    base = "https://badges.other.example"
    key = keys.generate_rsa_key()
    site = {
        f"{base}/issuer": ob2.build_issuer_profile(
            ob2.IssuerInput(
                id=f"{base}/issuer",
                name="Other Academy",
                url=base,
                email="badges@other.example",
                public_key_ids=(f"{base}/key",),
                revocation_list=f"{base}/revocations",
            )
        ),
        f"{base}/badge": ob2.build_badge_class(
            ob2.BadgeClassInput(
                id=f"{base}/badge",
                issuer_id=f"{base}/issuer",
                name="Chess master",
                description="Plays chess well.",
                image=f"{base}/badge.png",
                criteria_narrative="Win.",
            )
        ),
        f"{base}/key": ob2.build_cryptographic_key(
            f"{base}/key", f"{base}/issuer", keys.public_key_to_pem(key.public_key())
        ),
        f"{base}/revocations": ob2.build_revocation_list(f"{base}/revocations", f"{base}/issuer"),
    }

    def remote_fetch(url: str):
        if url in site:
            return "application/ld+json", json.dumps(site[url]).encode()
        raise FetchError(url, 404)

    monkeypatch.setattr(verification, "_remote_fetch", remote_fetch)

    def signed_badge_for(email: str) -> str:
        assertion = ob2.build_assertion(
            ob2.AssertionInput(
                id="urn:uuid:7f1c1f5e-0000-4000-8000-000000000001",
                badge_id=f"{base}/badge",
                recipient_identity=email,
                salt="pepper",
                issued_on=datetime(2025, 5, 1, tzinfo=UTC),
            ),
            signing_key_id=f"{base}/key",
        )
        return jws.sign_badge(assertion, key)

    return signed_badge_for


def test_a_verified_external_badge_is_imported_and_marked_external(
    client, student, other_issuer_site
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from badge_credentials import baking
    from badges.demo_images import badge_png

    baked = baking.bake(
        badge_png((10, 120, 40), 120), other_issuer_site(student.email), ob_version=2
    )
    client.force_login(student)
    response = client.post(
        reverse("backpack:import"), {"file": SimpleUploadedFile("chess.png", baked)}
    )
    external = ExternalBadge.objects.get(owner=student)
    assert response.status_code == 302
    assert external.name == "Chess master" and external.issuer_name == "Other Academy"
    assert external.ob_format == "ob2-signed"
    page = client.get(reverse("backpack:list")).content.decode()
    assert "Imported from other issuers" in page and "Chess master" in page
    assert (
        client.get(reverse("backpack:external_image", args=[external.public_id])).content == baked
    )
    again = client.post(
        reverse("backpack:import"), {"file": SimpleUploadedFile("chess.png", baked)}
    ).content.decode()
    assert "already imported" in again
    client.force_login(UserFactory())
    assert client.get(reverse("backpack:external", args=[external.public_id])).status_code == 404


def test_an_external_badge_of_someone_else_is_refused(client, student, other_issuer_site):
    client.force_login(student)
    page = client.post(
        reverse("backpack:import"), {"text": other_issuer_site("mallory@example.org")}
    ).content.decode()
    assert "could not be verified" in page and "recipient" in page
    assert not ExternalBadge.objects.exists()


def test_importing_a_badge_url_that_redirects_inside_fetches_nothing_inside(
    client, student, settings, servers, dns
):
    settings.VERIFY_ALLOW_FETCH = True
    client.force_login(student)
    url = f"http://badges.other.example:{servers['public'].port}/to-loopback"
    page = client.post(reverse("backpack:import"), {"url": url}).content.decode()
    assert servers["public"].requests == ["/to-loopback"]
    assert servers["internal"].requests == []
    assert "could not be fetched" in page and "127.0.0.1" not in page
    assert not ExternalBadge.objects.exists()


def test_the_filters_narrow_the_waiting_offers_too(client, student):
    from badges.models import Award

    micro = BadgeClassFactory(microcredential=True, name_en="Waiting micro", name_nl="Wacht micro")
    other = BadgeClassFactory(name_en="Waiting certificate", name_nl="Wacht certificaat")
    for badge_class in (micro, other):
        Award.objects.create(
            badge_class=badge_class, recipient=student, recipient_email=student.email
        )
    client.force_login(student)
    url = reverse("backpack:list")
    everything = client.get(url).content.decode()
    assert "Waiting micro" in everything and "Waiting certificate" in everything
    by_type = client.get(url, {"type": "microcredential"}).content.decode()
    assert "Waiting micro" in by_type and "Waiting certificate" not in by_type
    institution = micro.issuer.faculty.institution_id
    by_institution = client.get(url, {"institution": str(institution)}).content.decode()
    assert "Waiting micro" in by_institution and "Waiting certificate" not in by_institution
    only_revoked = client.get(url, {"status": "revoked"}).content.decode()
    assert "Waiting micro" not in only_revoked
