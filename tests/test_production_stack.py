"""docker-compose.yml describes the stack as production runs it, and the portal serves its
static files itself (WhiteNoise) under gunicorn with DEBUG off."""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.stack import free_port

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ["migrate", "web", "worker", "beat"]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_app_container_reads_the_env_file(compose):
    for name in APP_SERVICES:
        assert compose["services"][name]["env_file"] == ".env", name


def test_web_worker_and_beat_wait_for_the_migrations(compose):
    services = compose["services"]
    assert services["migrate"]["command"] == "python manage.py migrate --no-input"
    assert services["migrate"]["restart"] == "no"
    for name in ["web", "worker", "beat"]:
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name
        assert "migrate" not in str(services[name]["command"]), name
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_the_media_volume_is_the_apps_and_writable_by_its_user(compose):
    dockerfile = (ROOT / "Dockerfile").read_text()
    user = re.search(r"^USER (\S+)$", dockerfile, re.MULTILINE).group(1)
    media = compose["x-app"]["environment"]["MEDIA_ROOT"]
    for name in ["web", "worker"]:
        assert f"media:{media}" in compose["services"][name]["volumes"], name
    # The folder exists in the image and belongs to the user before the volume is mounted,
    # so that Docker gives a new named volume that owner.
    assert re.search(rf"mkdir -p {re.escape(media)}\b", dockerfile)
    assert re.search(rf"chown -R {user} /app/var\b", dockerfile)
    assert "media" in compose["volumes"]


def test_static_files_are_collected_into_the_image_and_served_by_the_app(compose):
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "manage.py collectstatic --no-input" in dockerfile
    middleware = settings.MIDDLEWARE
    security = middleware.index("django.middleware.security.SecurityMiddleware")
    assert middleware[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"


def test_every_required_variable_is_in_the_example_env_file(compose):
    required = set(re.findall(r"\$\{(\w+):\?", (ROOT / "docker-compose.yml").read_text()))
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^(\w+)=", example, re.MULTILINE))
    assert required <= documented
    assert "SIGNING_KEY_ENCRYPTION_KEYS" in documented
    assert ".env" in (ROOT / ".dockerignore").read_text().split()  # secrets stay out of images
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def _has_docker_compose() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=60)
    return probe.returncode == 0


@pytest.mark.skipif(not _has_docker_compose(), reason="Docker Compose is not installed here")
def test_docker_compose_accepts_the_file(tmp_path):
    env = tmp_path / ".env"
    env.write_text(
        "SECRET_KEY=" + "s" * 50 + "\nSIGNING_KEY_ENCRYPTION_KEYS=" + "k" * 44 + "\n"
        "POSTGRES_PASSWORD=p\nSITE_URL=https://badges.example.org\n"
    )
    shutil.copy(ROOT / "docker-compose.yml", tmp_path / "docker-compose.yml")
    result = subprocess.run(
        ["docker", "compose", "--project-directory", str(tmp_path), "config", "--quiet"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_gunicorn_serves_static_files_with_debug_off(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SIGNING_KEY_ENCRYPTION", "DATABASE_URL", "CELERY_", "REDIS_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="edubadges.settings",
        DEBUG="false",
        SECRET_KEY="production-like-secret-key-" + "x" * 30,
        SIGNING_KEY_ENCRYPTION_KEYS="cHJvZHVjdGlvbi1saWtlLWtleS0zMi1ieXRlcy1sb25n",
        SITE_URL="http://127.0.0.1",
        VAR_DIR=str(tmp_path),
        STATIC_ROOT=str(tmp_path / "static"),
    )
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    port = free_port()
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "edubadges.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/static/css/portal.css"
    try:
        response = _first_answer(server, url, tmp_path / "gunicorn.log")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/css")
        assert response.read() == (ROOT / "static" / "css" / "portal.css").read_bytes()
        compressed = urllib.request.urlopen(
            urllib.request.Request(url, headers={"Accept-Encoding": "gzip"}), timeout=10
        )
        assert compressed.headers["Content-Encoding"] == "gzip"
        assert (
            gzip.decompress(compressed.read())
            == (ROOT / "static" / "css" / "portal.css").read_bytes()
        )
        admin_css = urllib.request.urlopen(
            f"http://127.0.0.1:{port}/static/admin/css/base.css", timeout=10
        )
        assert admin_css.status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def _first_answer(server: subprocess.Popen, url: str, log: Path):
    deadline = time.monotonic() + 90
    while True:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn stopped: {log.read_text()[-3000:]}")
        try:
            return urllib.request.urlopen(url, timeout=5)
        except urllib.error.HTTPError as error:
            return error
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
