"""Run the 1EdTech Open Badges 2.0 validator (PyPI ``badgecheck``) offline.

Usage (with the interpreter of conformance/badgecheck/.venv):

    run.py <url | path to baked PNG/SVG | JSON file | JWS file> [--recipient EMAIL]

Prints ONE JSON line on stdout:

    {"valid": bool, "errors": [...], "warnings": [...], "report": {...},
     "graph": [...], "blockedRequests": [...]}

Exit status: 0 valid, 1 invalid, 2 crash or bad arguments.

Network policy: HTTP(S) requests may only go to loopback hosts
(127.0.0.0/8, localhost, ::1) — e.g. a Django live test server. The Open
Badges 2.0 JSON-LD context is answered from the copy shipped inside the
package. Every other request is refused before a connection is opened and
listed in "blockedRequests"; sockets to non-loopback addresses are refused too.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import ipaddress
import json
import socket
import sys
import traceback
import warnings
from urllib.parse import urlsplit

EXIT_VALID = 0
EXIT_INVALID = 1
EXIT_CRASH = 2

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}

# Requests made by the validator that were refused (filled while it runs).
blocked_requests: list[str] = []


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def shipped_documents() -> dict[str, dict]:
    """Documents answered locally: the OB 2.0 context shipped in the package."""
    from openbadges.verifier.openbadges_context import (
        OPENBADGES_CONTEXT_V2_DICT,
        OPENBADGES_CONTEXT_V2_URI,
    )

    return {
        OPENBADGES_CONTEXT_V2_URI: OPENBADGES_CONTEXT_V2_DICT,
        OPENBADGES_CONTEXT_V2_URI + "/": OPENBADGES_CONTEXT_V2_DICT,
        # where w3id.org redirects to
        "https://openbadgespec.org/v2/context.json": OPENBADGES_CONTEXT_V2_DICT,
        "http://w3id.org/openbadges/v2": OPENBADGES_CONTEXT_V2_DICT,
    }


def install_network_guard() -> None:
    """Route every requests call through a policy check; refuse foreign sockets.

    badgecheck opens several requests / requests-cache sessions of its own
    (JSON-LD document loader, node fetching, image and extension checks), so
    the policy is applied where all of them meet: ``HTTPAdapter.send``.
    """
    import requests
    import urllib3
    from requests.adapters import HTTPAdapter

    local_documents = shipped_documents()
    original_send = HTTPAdapter.send

    def guarded_send(self, request, *args, **kwargs):
        url = request.url
        document = local_documents.get(url.split("#", 1)[0])
        if document is not None:
            body = json.dumps(document).encode("utf-8")
            raw = urllib3.HTTPResponse(
                body=io.BytesIO(body),
                headers={
                    "Content-Type": "application/ld+json",
                    "Content-Length": str(len(body)),
                },
                status=200,
                reason="OK",
                preload_content=False,
                decode_content=False,
            )
            return self.build_response(request, raw)
        if is_loopback_host(urlsplit(url).hostname):
            return original_send(self, request, *args, **kwargs)
        blocked_requests.append(url)
        raise requests.ConnectionError(
            f"blocked by conformance runner: {url} is not a loopback URL", request=request
        )

    HTTPAdapter.send = guarded_send

    original_connect = socket.socket.connect
    original_getaddrinfo = socket.getaddrinfo

    def guarded_getaddrinfo(host, *args, **kwargs):
        if isinstance(host, bytes):
            host = host.decode()
        if host is not None and not is_loopback_host(host):
            blocked_requests.append(f"dns:{host}")
            raise socket.gaierror(f"blocked by conformance runner: {host}")
        return original_getaddrinfo(host, *args, **kwargs)

    def guarded_connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not is_loopback_host(
            str(address[0])
        ):
            blocked_requests.append(f"socket:{address[0]}")
            raise ConnectionRefusedError(f"blocked by conformance runner: {address[0]}")
        return original_connect(self, address)

    socket.getaddrinfo = guarded_getaddrinfo
    socket.socket.connect = guarded_connect


def load_input(target: str):
    """Return what ``openbadges.verify`` takes: a URL/JSON/JWS string or an image file."""
    if urlsplit(target).scheme in ("http", "https"):
        return target
    with open(target, "rb") as handle:
        content = handle.read()
    head = content[:2048].lstrip()
    is_png = content.startswith(b"\x89PNG\r\n\x1a\n")
    is_svg = head.startswith(b"<") and b"<svg" in content[:4096]
    if is_png or is_svg:
        image = io.BytesIO(content)
        image.name = target
        return image
    return content.decode("utf-8").strip()


def summarize(result: dict) -> dict:
    report = result.get("report", {})
    messages = report.get("messages", [])

    def texts(level: str) -> list[str]:
        return [
            m.get("result") or m.get("name", "") for m in messages if m.get("messageLevel") == level
        ]

    return {
        "valid": bool(report.get("valid")),
        "errors": texts("ERROR"),
        "warnings": texts("WARNING"),
        "report": report,
        "graph": result.get("graph", []),
        "blockedRequests": list(blocked_requests),
    }


class ArgumentError(Exception):
    pass


class Parser(argparse.ArgumentParser):
    def error(self, message):  # report bad arguments as one JSON line too
        raise ArgumentError(message)


def main(argv: list[str] | None = None) -> int:
    parser = Parser(description="Validate an Open Badges 2.0 badge with badgecheck, offline.")
    parser.add_argument("target", help="URL, baked PNG/SVG, JSON or JWS file")
    parser.add_argument("--recipient", help="email address expected as the recipient")
    try:
        args = parser.parse_args(argv)
        install_network_guard()
        warnings.simplefilter("ignore")
        import openbadges
        from openbadges_bakery import unbake

        badge_input = load_input(args.target)
        if hasattr(badge_input, "read"):
            # badgecheck crashes (py2-only e.message) on images without badge data
            if not unbake(badge_input):
                output = {
                    "valid": False,
                    "errors": [f"No Open Badges data baked into {args.target}."],
                    "warnings": [],
                    "report": {},
                    "graph": [],
                    "blockedRequests": [],
                }
                print(json.dumps(output))
                return EXIT_INVALID
            badge_input.seek(0)
        recipient = {"email": args.recipient} if args.recipient else None
        # keep stdout for our single JSON line
        with contextlib.redirect_stdout(sys.stderr):
            result = openbadges.verify(badge_input, recipient_profile=recipient)
        output = summarize(result)
    except Exception as error:  # noqa: BLE001 - any failure is a crash by contract
        if not isinstance(error, ArgumentError):
            traceback.print_exc(file=sys.stderr)
        output = {
            "valid": False,
            "errors": [f"crash: {type(error).__name__}: {error}"],
            "warnings": [],
            "report": {},
            "graph": [],
            "blockedRequests": list(blocked_requests),
        }
        print(json.dumps(output))
        return EXIT_CRASH
    print(json.dumps(output, default=str))
    return EXIT_VALID if output["valid"] else EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
