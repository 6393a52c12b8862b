"""Local HTTP servers and a stand-in name lookup for tests of outbound fetches.

Real HTTP servers listen on loopback addresses; only the name lookup (the network edge) is
replaced, so that test names can point at them. 127.0.0.2 plays a public host (the operator's
list of allowed networks names it); 127.0.0.1 stays what it is, loopback.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

PUBLIC_STAND_IN = "127.0.0.2"


class _Server:
    def __init__(self, address: str, routes: dict[str, tuple[int, dict[str, str], bytes]]):
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                server.requests.append(self.path)
                status, headers, body = routes.get(self.path, (404, {}, b"missing"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value.format(**server.ports))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer((address, 0), Handler)
        self.port = self.httpd.server_address[1]
        self.ports: dict[str, int] = {}
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers(settings):
    """``public`` on 127.0.0.2 and ``internal`` on loopback, both on ports allowed here."""
    internal = _Server("127.0.0.1", {"/secret": (200, {}, b"internal secret")})
    public = _Server(
        PUBLIC_STAND_IN,
        {
            "/badge": (200, {"Content-Type": "application/json"}, b'{"ok": true}'),
            "/to-loopback": (302, {"Location": "http://127.0.0.1:{internal}/secret"}, b""),
            "/to-internal-name": (
                301,
                {"Location": "http://intranet.school.example:{internal}/secret"},
                b"",
            ),
            "/loop": (302, {"Location": "/loop"}, b""),
            "/large": (200, {}, b"x" * 5000),
        },
    )
    ports = {"internal": internal.port, "public": public.port}
    internal.ports = public.ports = ports
    settings.OUTBOUND_FETCH_PORTS = [80, 443, internal.port, public.port]
    settings.OUTBOUND_FETCH_ALLOWED_NETWORKS = [f"{PUBLIC_STAND_IN}/32"]
    yield {"public": public, "internal": internal}
    public.close()
    internal.close()


@pytest.fixture
def dns(monkeypatch):
    """Names of the test mapped to addresses, in order of asking; other names do not exist."""
    answers: dict[str, list[str]] = {}
    asked: list[str] = []

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):  # noqa: A002
        asked.append(host)
        try:
            address = answers[host].pop(0) if len(answers[host]) > 1 else answers[host][0]
        except KeyError:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    answers["badges.other.example"] = [PUBLIC_STAND_IN]
    answers["intranet.school.example"] = ["127.0.0.1"]
    answers["127.0.0.1"] = ["127.0.0.1"]
    answers[PUBLIC_STAND_IN] = [PUBLIC_STAND_IN]
    return {"answers": answers, "asked": asked}
