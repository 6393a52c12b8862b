"""Fetching a URL that a visitor gave us, without letting them reach our own network.

Used by the verifier (and so by the backpack import and the Open Badges API's upsert), which
fetch other issuers' badges. Only http(s) on the standard ports; the host name is resolved once
and the connection goes to that very address (a second lookup could answer differently), which
must be a public one: private, loopback, link-local, shared, reserved, multicast and
unspecified addresses are refused, at every redirect too. Redirects and the size of the answer
are capped, and whatever goes wrong the caller learns one thing only: it could not be fetched.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

DEFAULT_PORTS = {"http": 80, "https": 443}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 3


class FetchRefused(Exception):
    """The URL was not fetched; the reason is logged, never shown."""


@dataclass(frozen=True)
class Fetched:
    url: str
    status: int
    content_type: str
    body: bytes


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(net) for net in settings.OUTBOUND_FETCH_ALLOWED_NETWORKS]


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if any(ip in network for network in _allowed_networks()):
        return True
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _resolve(host: str, port: int) -> str:
    """The one address to connect to; refuses a name with any non-public address, so that a
    name cannot mix a public answer with an internal one."""
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchRefused(f"{host} does not resolve") from error
    addresses = [str(answer[4][0]) for answer in answers]
    if not addresses:
        raise FetchRefused(f"{host} does not resolve")
    refused = [address for address in addresses if not address_is_public(address)]
    if refused:
        raise FetchRefused(f"{host} resolves to a non-public address ({', '.join(refused)})")
    return addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the resolved address, with the certificate checked for the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _target(url: str) -> tuple[str, str, int, str]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise FetchRefused(f"scheme {scheme!r} is not fetched")
    if parts.username or parts.password:
        raise FetchRefused("URLs with credentials are not fetched")
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError as error:
        raise FetchRefused("bad port") from error
    if port not in settings.OUTBOUND_FETCH_PORTS:
        raise FetchRefused(f"port {port} is not fetched")
    host = parts.hostname
    if not host:
        raise FetchRefused("no host")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port, path


def _one_request(url: str, *, headers: dict[str, str], max_bytes: int, timeout: float) -> Fetched:
    scheme, host, port, path = _target(url)
    address = _resolve(host, port)
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address, timeout)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        if response.status in REDIRECT_STATUSES:
            location = response.getheader("Location") or ""
            return Fetched(urljoin(url, location), response.status, "", b"")
        length = response.getheader("Content-Length")
        if length and length.isdigit() and int(length) > max_bytes:
            raise FetchRefused(f"{length} bytes announced")
        body = response.read(max_bytes + 1)
        if len(body) > max_bytes:
            raise FetchRefused("the answer is too large")
        return Fetched(url, response.status, response.getheader("Content-Type") or "", body)
    except (OSError, http.client.HTTPException) as error:
        raise FetchRefused(f"{type(error).__name__} from {host}") from error
    finally:
        connection.close()


def fetch_public_url(
    url: str,
    *,
    accept: str = "*/*",
    max_bytes: int = 2 * 1024 * 1024,
    timeout: float = 10,
    max_redirects: int = MAX_REDIRECTS,
) -> Fetched:
    """GET ``url`` from a public address; raises :class:`FetchRefused` for anything else.

    The answer may have any status but a redirect (those are followed, each one checked anew);
    a redirect beyond ``max_redirects`` is refused.
    """
    headers = {"Accept": accept, "User-Agent": "edubadges-verifier", "Connection": "close"}
    current = url
    try:
        for _hop in range(max_redirects + 1):
            fetched = _one_request(current, headers=headers, max_bytes=max_bytes, timeout=timeout)
            if fetched.status not in REDIRECT_STATUSES:
                return fetched
            current = fetched.url
        raise FetchRefused("too many redirects")
    except FetchRefused as error:
        logger.info("Not fetched: %s (%s)", url, error)
        raise
