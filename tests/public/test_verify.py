"""The public "Verify a badge" page and the verify_badge command."""

from __future__ import annotations

import json
import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from badges import baked_images, issuing, links
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_uploading_a_baked_badge_shows_every_check(client, issue):
    assertion = issue(email="student@example.org")
    upload = SimpleUploadedFile(
        "badge.png", baked_images.baked(assertion, "png"), content_type="image/png"
    )
    response = client.post(
        reverse("public:verify"), {"file": upload, "recipient": "student@example.org"}
    )
    page = response.content.decode()
    assert "This badge is valid." in page
    for check in ("Hosted by the issuer", "Issued to this recipient", "Not expired", "Not revoked"):
        assert check in page


def test_pasted_credential_and_linked_badge(client, issue):
    assertion = issue()
    pasted = client.post(reverse("public:verify"), {"text": json.dumps(assertion.ob3_credential)})
    assert "This badge is valid." in pasted.content.decode()
    linked = client.get(reverse("public:verify"), {"url": links.assertion_url(assertion)})
    assert "This badge is valid." in linked.content.decode()


def test_a_revoked_badge_is_reported_with_its_reason(client, issue):
    assertion = issue()
    issuing.assertion_revoke(
        actor=UserFactory(is_superuser=True), assertion=assertion, reason="Exam fraud"
    )
    page = client.get(
        reverse("public:verify"), {"url": links.assertion_url(assertion)}
    ).content.decode()
    assert "This badge is not valid." in page
    assert "Exam fraud" in page


def test_garbage_gets_a_clear_answer(client, db):
    upload = SimpleUploadedFile(
        "x.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, content_type="image/png"
    )
    page = client.post(reverse("public:verify"), {"file": upload}).content.decode()
    assert "This badge is not valid." in page
    assert client.post(reverse("public:verify"), {}).status_code == 200
    assert "Give exactly one badge" in client.post(reverse("public:verify"), {}).content.decode()


def test_other_sites_are_not_fetched_unless_allowed(client, db, settings):
    settings.VERIFY_ALLOW_FETCH = False
    page = client.get(
        reverse("public:verify"), {"url": "https://badges.elsewhere.example/a/1"}
    ).content.decode()
    assert "switched off" in page


def test_command_exits_0_for_valid_and_1_for_invalid(issue, tmp_path, capsys):
    assertion = issue()
    good = tmp_path / "badge.svg"
    good.write_bytes(baked_images.baked(assertion, "svg"))
    call_command("verify_badge", str(good))
    assert json.loads(capsys.readouterr().out)["valid"] is True

    bad = tmp_path / "badge.json"
    document = dict(assertion.ob3_credential, name="Forged")
    bad.write_text(json.dumps(document))
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_badge", str(bad))
    assert exit_info.value.code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False
    assert any(check["name"] == "signature" and not check["passed"] for check in report["checks"])


def test_every_badge_in_an_uploaded_png_is_checked_and_shown_with_what_it_says(client, issue):
    assertion = issue(email="student@example.org")
    upload = SimpleUploadedFile(
        "badge.png", baked_images.baked(assertion, "png"), content_type="image/png"
    )
    page = client.post(
        reverse("public:verify"), {"file": upload, "recipient": "student@example.org"}
    ).content.decode()
    assert "This badge is valid." in page
    assert "The image carries 2 badges" in page
    assert "Open Badges 2.0 assertion (hosted)" in page
    assert "Open Badges 3.0 credential (Data Integrity proof)" in page
    name = assertion.badge_class.name_en or assertion.badge_class.name_nl
    assert page.count(name) >= 2
    assert links.issuer_url(assertion.badge_class.issuer) in page
    assert links.issuer_did(assertion.badge_class.issuer) in page
    assert page.count("student@example.org") >= 2
    assert f'datetime="{assertion.ob2_assertion["issuedOn"]}"' in page


def test_a_png_with_a_forged_ob3_chunk_is_not_valid(client, issue):
    from badge_credentials.baking import bake

    assertion = issue(email="student@example.org")
    forged = json.loads(json.dumps(assertion.ob3_credential))
    forged["credentialSubject"]["achievement"]["name"] = "Doctorate in everything"
    image = bake(baked_images.baked(assertion, "png"), forged, ob_version=3)
    upload = SimpleUploadedFile("badge.png", image, content_type="image/png")
    page = client.post(reverse("public:verify"), {"file": upload}).content.decode()
    assert "This badge is not valid." in page
    assert "Doctorate in everything" in page


def test_command_reports_every_badge_of_an_image(issue, tmp_path, capsys):
    from badge_credentials.baking import bake

    assertion = issue()
    forged = json.loads(json.dumps(assertion.ob3_credential))
    forged["name"] = "Forged"
    path = tmp_path / "forged.png"
    path.write_bytes(bake(baked_images.baked(assertion, "png"), forged, ob_version=3))
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_badge", str(path))
    assert exit_info.value.code == 1
    report = json.loads(capsys.readouterr().out)
    assert [part["valid"] for part in report["parts"]] == [True, False]
    assert [check["name"] for check in report["parts"][1]["checks"] if not check["passed"]] == [
        "signature"
    ]


@pytest.mark.parametrize(
    "path", ["/backpack/", "/staff/", "/admin/", "/verify/?url=x", "/api/v1/awards/", "/healthz"]
)
def test_a_link_to_our_own_non_public_pages_runs_nothing_and_shows_no_exception_text(
    client, db, path
):
    response = client.get(reverse("public:verify"), {"url": f"http://testserver{path}"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "This badge is not valid." in page
    assert "HTTP 404" in page
    for leak in ("attribute", "WSGIRequest", "Traceback", "Error"):
        assert leak not in page


def test_a_failing_fetch_is_reported_without_the_errors_text(db):
    from badge_credentials.verify import verify_badge

    def refused(url: str) -> tuple[str, bytes]:
        raise ConnectionRefusedError("[Errno 111] Connection refused by 10.0.0.7:5432")

    report = verify_badge("https://badges.elsewhere.example/a/1", fetch=refused)
    reasons = " ".join(check.reason for check in report.checks)
    assert not report.valid
    assert "could not be fetched" in reasons
    assert "Errno" not in reasons and "10.0.0.7" not in reasons


def test_a_badge_url_that_redirects_inside_is_not_followed_and_the_answer_tells_nothing(
    client, db, settings, servers, dns
):
    settings.VERIFY_ALLOW_FETCH = True
    public = servers["public"]
    answers = []
    for path in ("/to-loopback", "/to-internal-name"):
        url = f"http://badges.other.example:{public.port}{path}"
        answers.append(client.get(reverse("public:verify"), {"url": url}).content.decode())
    # A port where nothing listens answers the same as one where something does.
    probe = socket.socket()
    probe.bind(("127.0.0.2", 0))
    closed_port = probe.getsockname()[1]
    probe.close()
    settings.OUTBOUND_FETCH_PORTS = [*settings.OUTBOUND_FETCH_PORTS, closed_port]
    url = f"http://badges.other.example:{closed_port}/"
    answers.append(client.get(reverse("public:verify"), {"url": url}).content.decode())
    assert servers["internal"].requests == []
    for page in answers:
        assert "could not be fetched" in page
        for leak in ("refused", "Errno", "127.0.0.1", "secret", "timed out"):
            assert leak not in page
