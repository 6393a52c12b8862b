"""Fetching visitors' URLs reaches public addresses on standard ports only, at every hop
(servers and name lookup in ``tests/outbound.py``)."""

from __future__ import annotations

import pytest

from edubadges.outbound import FetchRefused, address_is_public, fetch_public_url
from tests.outbound import PUBLIC_STAND_IN


def test_a_public_host_is_fetched_by_name_at_the_address_it_resolved_to(servers, dns):
    public = servers["public"]
    fetched = fetch_public_url(f"http://badges.other.example:{public.port}/badge")
    assert fetched.status == 200 and fetched.body == b'{"ok": true}'
    assert fetched.content_type == "application/json"


def test_the_name_is_resolved_once_so_a_second_answer_cannot_point_inside(servers, dns):
    # DNS rebinding: the first answer is public, a later one would be loopback.
    dns["answers"]["badges.other.example"] = [PUBLIC_STAND_IN, "127.0.0.1"]
    public = servers["public"]
    fetch_public_url(f"http://badges.other.example:{public.port}/badge")
    assert dns["asked"].count("badges.other.example") == 1
    assert public.requests == ["/badge"]


def test_a_redirect_to_loopback_is_not_followed(servers, dns):
    with pytest.raises(FetchRefused):
        fetch_public_url(f"http://badges.other.example:{servers['public'].port}/to-loopback")
    assert servers["public"].requests == ["/to-loopback"]
    assert servers["internal"].requests == []


def test_a_redirect_to_a_name_that_resolves_to_a_private_address_is_not_followed(servers, dns):
    with pytest.raises(FetchRefused):
        fetch_public_url(f"http://badges.other.example:{servers['public'].port}/to-internal-name")
    assert servers["internal"].requests == []


def test_a_name_that_resolves_to_loopback_is_refused_before_connecting(servers, dns):
    with pytest.raises(FetchRefused):
        fetch_public_url(f"http://intranet.school.example:{servers['internal'].port}/secret")
    assert servers["internal"].requests == []


def test_redirects_and_size_are_capped(servers, dns):
    base = f"http://badges.other.example:{servers['public'].port}"
    with pytest.raises(FetchRefused):
        fetch_public_url(f"{base}/loop")
    assert len(servers["public"].requests) == 4  # the first request and three redirects
    with pytest.raises(FetchRefused):
        fetch_public_url(f"{base}/large", max_bytes=1000)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://badges.other.example/x",
        "file:///etc/passwd",
        "http://badges.other.example:22/",
        "http://badges.other.example:6379/",
        "http://user:pass@badges.other.example/",
        "http://nowhere.invalid/",
    ],
)
def test_other_schemes_ports_credentials_and_unknown_names_are_refused(dns, url):
    with pytest.raises(FetchRefused):
        fetch_public_url(url)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - an address to refuse, not to bind
        "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "fe80::1", "fc00::1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1", "ff02::1", "192.0.2.1", "198.18.0.1",
    ],
)  # fmt: skip
def test_internal_and_reserved_addresses_are_not_public(address, settings):
    settings.OUTBOUND_FETCH_ALLOWED_NETWORKS = []
    assert not address_is_public(address)


def test_public_addresses_are_public(settings):
    settings.OUTBOUND_FETCH_ALLOWED_NETWORKS = []
    assert address_is_public("145.100.1.1") and address_is_public("2001:610:1::1")
