"""Self-test of run.py: hand-built Open Badges 2.0 badges on a local HTTP server.

Run with the validator's virtualenv:

    conformance/badgecheck/.venv/bin/python conformance/badgecheck/selftest.py

Tests named ``test_blind_spot_*`` pin down what badgecheck 1.2.0 does NOT
catch, so that nobody relies on it for those checks.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import json
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import unittest
import uuid
import warnings
import zlib

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from openbadges_bakery import bake

# rfc3986 2.x deprecation noise from openbadges_bakery
warnings.filterwarnings("ignore", category=DeprecationWarning)

HERE = os.path.dirname(os.path.abspath(__file__))
RUN = os.path.join(HERE, "run.py")
OB2_CONTEXT = "https://w3id.org/openbadges/v2"
EMAIL = "student@example.edu"
SALT = "a9b8c7d6"


def hashed_recipient(email: str = EMAIL, salt: str = SALT) -> dict:
    digest = hashlib.sha256((email + salt).encode()).hexdigest()
    return {"type": "email", "hashed": True, "salt": salt, "identity": f"sha256${digest}"}


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1 RGB
    pixels = zlib.compress(b"\x00\x20\x60\xa0")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


TINY_SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<rect width="10" height="10" fill="#e00"/></svg>'
)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_jws_rs256(payload: dict, private_key) -> str:
    signing_input = (
        b64url(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
        + "."
        + b64url(json.dumps(payload).encode())
    )
    signature = private_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64url(signature)


class BadgeServer:
    """127.0.0.1 on a random port, serving a path -> (status, content type, body) table."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.requests: list[str] = []
        routes, seen = self.routes, self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server API
                seen.append(self.path)
                status, content_type, body = routes.get(
                    self.path, (404, "text/html", b"<h1>not found</h1>")
                )
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> BadgeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def put_json(self, path: str, document: dict, status: int = 200) -> str:
        self.routes[path] = (status, "application/ld+json", json.dumps(document).encode())
        return self.url(path)

    def put_bytes(self, path: str, body: bytes, content_type: str) -> str:
        self.routes[path] = (200, content_type, body)
        return self.url(path)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_validator(target: str, *extra: str) -> tuple[int, dict]:
    completed = subprocess.run(
        [sys.executable, RUN, target, *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = completed.stdout.strip().splitlines()
    if len(lines) != 1:
        raise AssertionError(
            f"one JSON line expected, got {completed.stdout!r}\n{completed.stderr}"
        )
    return completed.returncode, json.loads(lines[0])


class Ob2World:
    """Builds issuers, badge classes and assertions on a BadgeServer under a prefix."""

    def __init__(self, server: BadgeServer, prefix: str) -> None:
        self.server = server
        self.prefix = f"/{prefix}"
        self.image = server.put_bytes(f"{self.prefix}/badge.png", tiny_png(), "image/png")

    def issuer(self, **extra) -> dict:
        issuer = {
            "@context": OB2_CONTEXT,
            "type": "Issuer",
            "id": self.server.url(f"{self.prefix}/issuer"),
            "name": "Universiteit Voorbeeld",
            "url": "https://www.example.edu/",
            "email": "badges@example.edu",
        }
        issuer.update(extra)
        return issuer

    def badge_class(self, issuer_url: str, **extra) -> dict:
        badge_class = {
            "@context": OB2_CONTEXT,
            "type": "BadgeClass",
            "id": self.server.url(f"{self.prefix}/badgeclass"),
            "name": "Data Science Fundamentals",
            "description": "Basics of data analysis with Python.",
            "image": self.image,
            "criteria": {"narrative": "Pass the final assessment."},
            "issuer": issuer_url,
        }
        badge_class.update(extra)
        return {k: v for k, v in badge_class.items() if v is not None}

    def publish_hosted(
        self, *, issuer=None, badge_class=None, assertion_extra=None, assertion_status=200
    ) -> tuple[str, dict]:
        issuer = issuer or self.issuer()
        self.server.put_json(f"{self.prefix}/issuer", issuer)
        badge_class = badge_class or self.badge_class(issuer["id"])
        self.server.put_json(f"{self.prefix}/badgeclass", badge_class)
        assertion = {
            "@context": OB2_CONTEXT,
            "type": "Assertion",
            "id": self.server.url(f"{self.prefix}/assertion"),
            "recipient": hashed_recipient(),
            "badge": badge_class["id"],
            "verification": {"type": "HostedBadge"},
            "issuedOn": "2024-01-15T10:00:00+00:00",
        }
        assertion.update(assertion_extra or {})
        url = self.server.put_json(f"{self.prefix}/assertion", assertion, status=assertion_status)
        return url, assertion

    def publish_signed(
        self, *, revoked=None, signing_key=None, listed_key=None
    ) -> tuple[str, dict]:
        """A signed assertion; `revoked` is the revokedAssertions value (None: no list)."""
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        listed_key = listed_key or private_key
        key_url = self.server.url(f"{self.prefix}/key")
        issuer_url = self.server.url(f"{self.prefix}/issuer")
        extra = {"publicKey": key_url}
        if revoked is not None:
            extra["revocationList"] = self.server.url(f"{self.prefix}/revocations")
            self.server.put_json(
                f"{self.prefix}/revocations",
                {
                    "@context": OB2_CONTEXT,
                    "type": "RevocationList",
                    "id": extra["revocationList"],
                    "issuer": issuer_url,
                    "revokedAssertions": revoked,
                },
            )
        self.server.put_json(f"{self.prefix}/issuer", self.issuer(**extra))
        pem = (
            listed_key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        self.server.put_json(
            f"{self.prefix}/key",
            {
                "@context": OB2_CONTEXT,
                "type": "CryptographicKey",
                "id": key_url,
                "owner": issuer_url,
                "publicKeyPem": pem,
            },
        )
        badge_class = self.badge_class(issuer_url)
        self.server.put_json(f"{self.prefix}/badgeclass", badge_class)
        assertion = {
            "@context": OB2_CONTEXT,
            "type": "Assertion",
            "id": f"urn:uuid:{uuid.uuid4()}",
            "recipient": hashed_recipient(),
            "badge": badge_class["id"],
            "verification": {"type": "SignedBadge", "creator": key_url},
            "issuedOn": "2024-01-15T10:00:00+00:00",
        }
        return sign_jws_rs256(assertion, signing_key or private_key), assertion


class BadgecheckRunnerTest(unittest.TestCase):
    server: BadgeServer

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = BadgeServer().__enter__()
        cls.tmp = tempfile.TemporaryDirectory()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.__exit__(None, None, None)
        cls.tmp.cleanup()

    def world(self) -> Ob2World:
        return Ob2World(self.server, self.id().rsplit(".", 1)[-1])

    def write(self, name: str, content: bytes | str) -> str:
        path = os.path.join(self.tmp.name, name)
        with open(path, "wb") as handle:
            handle.write(content.encode() if isinstance(content, str) else content)
        return path

    def assertValid(self, code: int, output: dict) -> None:
        self.assertEqual((code, output["valid"]), (0, True), output["errors"])
        self.assertEqual(output["blockedRequests"], [])

    def assertInvalid(self, code: int, output: dict, *needles: str) -> None:
        self.assertEqual((code, output["valid"]), (1, False), output)
        text = " ".join(output["errors"])
        for needle in needles:
            self.assertIn(needle, text)

    # --- hosted badges ---------------------------------------------------------

    def test_hosted_assertion_by_url_is_valid(self):
        url, _ = self.world().publish_hosted()
        code, output = run_validator(url)
        self.assertValid(code, output)
        self.assertEqual(output["report"]["openBadgesVersion"], "2.0")
        self.assertEqual(output["report"]["validationSubject"], url)

    def test_recipient_is_checked_against_the_salted_hash(self):
        url, _ = self.world().publish_hosted()
        self.assertValid(*run_validator(url, "--recipient", EMAIL))
        code, output = run_validator(url, "--recipient", "someone.else@example.edu")
        self.assertInvalid(code, output)

    def test_hosted_assertion_from_json_file_is_valid(self):
        _, assertion = self.world().publish_hosted()
        self.assertValid(*run_validator(self.write("hosted.json", json.dumps(assertion))))

    def test_baked_png_and_svg_are_valid(self):
        _, assertion = self.world().publish_hosted()
        data = json.dumps(assertion)
        png = bake(io.BytesIO(tiny_png()), data).read()
        svg = bake(io.BytesIO(TINY_SVG), data).read()
        self.assertValid(*run_validator(self.write("baked.png", png)))
        self.assertValid(*run_validator(self.write("baked.svg", svg)))

    def test_image_without_badge_data_is_invalid(self):
        code, output = run_validator(self.write("plain.png", tiny_png()))
        self.assertInvalid(code, output, "No Open Badges data")

    def test_badge_class_without_criteria_is_invalid(self):
        world = self.world()
        issuer = world.issuer()
        url, _ = world.publish_hosted(
            issuer=issuer, badge_class=world.badge_class(issuer["id"], criteria=None)
        )
        self.assertInvalid(*run_validator(url), "criteria")

    def test_unreachable_issuer_is_invalid(self):
        world = self.world()
        unreachable = f"http://127.0.0.1:{free_port()}/issuer"
        url, _ = world.publish_hosted(badge_class=world.badge_class(unreachable))
        code, output = run_validator(url)
        self.assertInvalid(code, output)
        self.assertTrue(any("127.0.0.1" in e or "issuer" in e.lower() for e in output["errors"]))

    def test_foreign_hosts_are_blocked_not_contacted(self):
        world = self.world()
        url, _ = world.publish_hosted(
            badge_class=world.badge_class("https://issuer.example.org/issuer")
        )
        code, output = run_validator(url)
        self.assertInvalid(code, output)
        self.assertIn("https://issuer.example.org/issuer", output["blockedRequests"])

    def test_expired_assertion_is_invalid(self):
        url, _ = self.world().publish_hosted(
            assertion_extra={"expires": "2024-06-01T00:00:00+00:00"}
        )
        self.assertInvalid(*run_validator(url), "expired")

    # --- signed badges ---------------------------------------------------------

    def test_signed_assertion_is_valid(self):
        jws, _ = self.world().publish_signed(revoked=[])
        self.assertValid(*run_validator(self.write("signed.jws", jws)))

    def test_signed_assertion_baked_in_png_is_valid(self):
        jws, _ = self.world().publish_signed(revoked=[])
        png = bake(io.BytesIO(tiny_png()), jws).read()
        self.assertValid(*run_validator(self.write("signed.png", png)))

    def test_tampered_signed_assertion_is_invalid(self):
        jws, _ = self.world().publish_signed(revoked=[])
        header, payload, signature = jws.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
        claims["issuedOn"] = "2020-01-01T00:00:00+00:00"
        forged = ".".join([header, b64url(json.dumps(claims).encode()), signature])
        self.assertInvalid(*run_validator(self.write("forged.jws", forged)), "failed verification")

    def test_signature_by_a_key_the_issuer_does_not_publish_is_invalid(self):
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jws, _ = self.world().publish_signed(revoked=[], signing_key=other)
        self.assertInvalid(*run_validator(self.write("wrong-key.jws", jws)))

    def test_signed_assertion_revoked_in_a_list_of_two_is_invalid(self):
        world = self.world()
        # the assertion id is only known after signing: sign once to learn it,
        # then republish with a list naming it (ids are random per call)
        jws, assertion = world.publish_signed(revoked=[])
        revocations = world.server.url(f"{world.prefix}/revocations")
        world.server.put_json(
            f"{world.prefix}/revocations",
            {
                "@context": OB2_CONTEXT,
                "type": "RevocationList",
                "id": revocations,
                "issuer": world.server.url(f"{world.prefix}/issuer"),
                "revokedAssertions": [
                    {
                        "id": "urn:uuid:00000000-0000-4000-8000-000000000000",
                        "revocationReason": "other",
                    },
                    {"id": assertion["id"], "revocationReason": "issued in error"},
                ],
            },
        )
        self.assertInvalid(*run_validator(self.write("revoked.jws", jws)), "has been revoked")

    def test_blind_spot_one_entry_revocation_list_is_missed(self):
        # JSON-LD compaction turns the one-element revokedAssertions array into a
        # single object, and badgecheck then iterates over that object's keys.
        world = self.world()
        jws, assertion = world.publish_signed(revoked=[])
        revocations = world.server.url(f"{world.prefix}/revocations")
        world.server.put_json(
            f"{world.prefix}/revocations",
            {
                "@context": OB2_CONTEXT,
                "type": "RevocationList",
                "id": revocations,
                "issuer": world.server.url(f"{world.prefix}/issuer"),
                "revokedAssertions": [
                    {"id": assertion["id"], "revocationReason": "issued in error"}
                ],
            },
        )
        code, output = run_validator(self.write("revoked-one.jws", jws))
        self.assertEqual((code, output["valid"]), (0, True), output["errors"])

    def test_blind_spot_hosted_assertion_marked_revoked_is_accepted(self):
        url, _ = self.world().publish_hosted(
            assertion_extra={"revoked": True, "revocationReason": "issued in error"}
        )
        code, output = run_validator(url)
        self.assertEqual((code, output["valid"]), (0, True), output["errors"])

    def test_blind_spot_hosted_assertion_answering_410_gone_is_accepted(self):
        url, _ = self.world().publish_hosted(
            assertion_extra={"revoked": True, "revocationReason": "issued in error"},
            assertion_status=410,
        )
        code, output = run_validator(url)
        self.assertEqual((code, output["valid"]), (0, True), output["errors"])

    def test_minimal_410_revocation_body_is_invalid_only_for_missing_properties(self):
        world = self.world()
        url = world.server.put_json(
            f"{world.prefix}/assertion",
            {
                "@context": OB2_CONTEXT,
                "type": "Assertion",
                "id": world.server.url(f"{world.prefix}/assertion"),
                "revoked": True,
                "revocationReason": "issued in error",
            },
            status=410,
        )
        code, output = run_validator(url)
        self.assertInvalid(code, output)
        self.assertFalse(any("revoked" in e.lower() for e in output["errors"]), output["errors"])

    # --- contract ----------------------------------------------------------------

    def test_bad_arguments_exit_2_with_one_json_line(self):
        code, output = run_validator("--no-such-flag")
        self.assertEqual(code, 2)
        self.assertFalse(output["valid"])

    def test_missing_file_exits_2(self):
        code, output = run_validator(os.path.join(self.tmp.name, "missing.json"))
        self.assertEqual(code, 2)
        self.assertTrue(output["errors"][0].startswith("crash:"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
