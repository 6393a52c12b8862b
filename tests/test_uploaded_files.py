"""Uploaded files are stored sanitised and served so that nothing in them can run."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from tests.factories import BadgeClassFactory, InstitutionFactory

pytestmark = pytest.mark.django_db

POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
HOSTILE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
    b'viewBox="0 0 64 64"><a xlink:href="#c"><set attributeName="href" '
    b'to="javascript:alert(document.domain)"/><circle id="c" r="30" cx="32" cy="32"/></a>'
    b"<script>alert(1)</script></svg>"
)


@pytest.fixture(autouse=True)
def _own_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_an_svg_stored_by_any_path_is_kept_sanitised(settings):
    # The factory sets the file directly, past every form and validator.
    badge_class = BadgeClassFactory(image=SimpleUploadedFile("x.svg", HOSTILE_SVG))
    institution = InstitutionFactory(logo=SimpleUploadedFile("logo.svg", HOSTILE_SVG))
    for field_file in (badge_class.image, institution.logo):
        stored = Path(settings.MEDIA_ROOT, field_file.name).read_bytes()
        assert b"<circle" in stored
        assert b"javascript" not in stored and b"script" not in stored and b"<set" not in stored


def test_uploaded_images_are_served_inline_with_a_policy_under_which_nothing_runs(client):
    name = default_storage.save("badges/image.svg", ContentFile(HOSTILE_SVG))
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Security-Policy"].startswith(POLICY)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert not response.get("Content-Disposition", "").startswith("attachment")
    assert b"javascript" not in b"".join(response.streaming_content)


def test_other_uploaded_files_are_downloads_not_pages(client):
    name = default_storage.save("issuers/page.html", ContentFile(b"<script>alert(1)</script>"))
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"].startswith(POLICY)
    assert response["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_evidence_and_paths_outside_the_media_folder_are_not_served_from_it(client, settings):
    name = default_storage.save("evidence/secret.pdf", ContentFile(b"%PDF-1.4"))
    assert client.get(f"/media/{name}").status_code == 404
    assert client.get("/media/../settings.py").status_code == 404
    assert client.get("/media/%2e%2e/etc/passwd").status_code == 404
    assert client.get("/media/badges/").status_code == 404


def test_the_command_sanitises_svgs_stored_before_the_allow_list(settings, capsys):
    folder = Path(settings.MEDIA_ROOT, "badges")
    folder.mkdir()
    (folder / "old.svg").write_bytes(HOSTILE_SVG)  # as an earlier version stored it
    (folder / "old.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(SystemExit):
        call_command("uploads_sanitise", "--check")
    assert (folder / "old.svg").read_bytes() == HOSTILE_SVG
    call_command("uploads_sanitise")
    cleaned = (folder / "old.svg").read_bytes()
    assert b"<circle" in cleaned and b"javascript" not in cleaned and b"script" not in cleaned
    assert (folder / "old.png").read_bytes() == b"\x89PNG\r\n\x1a\n"
    assert "badges/old.svg: sanitised" in capsys.readouterr().out
    call_command("uploads_sanitise", "--check")  # nothing left to do
