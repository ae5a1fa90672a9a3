"""The SSRF guard. Private, link-local and metadata ranges are fed through the resolver hook (a
fake DNS answer) to a fetcher whose network layer fails the test if it is ever asked to connect:
no packet can leave this machine even if the guard is wrong."""

from __future__ import annotations

import asyncio
import ipaddress

import httpcore
import pytest
from support.dns import fake_dns

from caunoi.net.guard import AddressGuard, Permit, ip_literal, why_forbidden
from caunoi.net.http import Fetcher, FetchPolicy


class NoConnect(httpcore.AsyncNetworkBackend):
    """The network layer under the guard in these tests: records what it was asked, connects nowhere."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, int]] = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.asked.append((host, port))
        raise httpcore.ConnectError("test network: no connections leave this test")

    async def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise AssertionError("no unix sockets")

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


def fetch(url: str, dns: dict, permit: Permit | None = None):
    backend = NoConnect()
    policy = FetchPolicy(retries=0, per_host_interval=0, obey_robots=False)

    async def go():
        async with Fetcher(policy, guard=AddressGuard(fake_dns(dns)), network_backend=backend) as f:
            return await f.get(url, permit=permit or Permit())

    return asyncio.run(go()), backend


@pytest.mark.parametrize(
    "spelling",
    [
        "127.0.0.1",
        "127.0.0.2",
        "127.1",
        "2130706433",
        "0x7f.1",
        "0x7f000001",
        "0177.0.0.1",
        "[::1]",
        "[::ffff:127.0.0.1]",
        "[0:0:0:0:0:ffff:7f00:1]",
    ],
)
def test_every_spelling_of_loopback_is_loopback(spelling):
    ip = ip_literal(spelling)
    assert ip is not None
    assert why_forbidden(ip).startswith("a loopback address")


@pytest.mark.parametrize(
    "address, kind",
    [
        ("10.0.0.1", "private"),
        ("10.255.255.254", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.0.1", "private"),
        ("192.168.255.254", "private"),
        ("169.254.0.1", "link-local"),
        ("169.254.169.254", "cloud-metadata"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("fe80::1", "link-local"),
        ("fd00:ec2::254", "cloud-metadata"),
        ("100.64.0.1", "shared"),
        ("0.0.0.0", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("::ffff:10.0.0.1", "private"),
        ("::ffff:169.254.169.254", "cloud-metadata"),
    ],
)
def test_non_public_ranges_are_named(address, kind):
    assert kind in why_forbidden(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1", "11.0.0.1"])
def test_public_addresses_pass(address):
    assert why_forbidden(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.9.9",
        "192.168.1.10",
        "169.254.169.254",
        "169.254.10.10",
        "fc00::5",
        "fd00::1",
        "127.0.0.1",
        "::1",
    ],
)
def test_a_name_resolving_to_a_private_address_is_refused_before_any_connection(address):
    result, backend = fetch("http://news.example.test/a.html", {"news.example.test": [address]})
    assert not result.ok and result.permanent
    assert "refused to connect to news.example.test" in result.error
    assert backend.asked == []


def test_one_private_answer_among_public_ones_is_enough_to_refuse():
    result, backend = fetch(
        "http://mixed.example.test/", {"mixed.example.test": ["93.184.216.34", "10.0.0.8"]}
    )
    assert "a private address" in result.error
    assert backend.asked == []


def test_dns_rebinding_is_caught_at_the_connection():
    """First answer public (the pre-check passes), second private (the connection's own lookup)."""
    dns = {"rebind.example.test": [["93.184.216.34"], ["127.0.0.1"]]}
    result, backend = fetch("http://rebind.example.test/", dns)
    assert not result.ok
    assert "loopback" in result.error
    assert backend.asked == []


def test_a_public_name_is_connected_to_by_its_checked_address():
    result, backend = fetch("http://public.example.test:8080/x", {"public.example.test": ["93.184.216.34"]})
    assert backend.asked == [("93.184.216.34", 8080)]  # pinned: the name is not looked up again elsewhere
    assert not result.ok and "cannot connect" in result.error


def test_metadata_is_refused_even_for_an_allow_private_source():
    permit = Permit.for_urls(["http://meta.example.test/"])
    result, backend = fetch(
        "http://meta.example.test/latest", {"meta.example.test": ["169.254.169.254"]}, permit
    )
    assert "cloud-metadata" in result.error
    assert backend.asked == []


@pytest.mark.parametrize(
    "address",
    [
        "::ffff:169.254.169.254",  # IPv4-mapped
        "64:ff9b::a9fe:a9fe",  # NAT64
        "64:ff9b:1::a9fe:a9fe",  # local-use NAT64
        "2002:a9fe:a9fe::1",  # 6to4
        "::a9fe:a9fe",  # IPv4-compatible
        "169.254.170.23",  # AWS ECS / EKS agent
        "fd00:ec2::23",
        "168.63.129.16",  # Azure wireserver: a public address
        "::ffff:168.63.129.16",
    ],
)
def test_metadata_in_any_spelling_is_refused_even_for_an_allow_private_source(address):
    permit = Permit.for_urls(["http://meta.example.test/"])
    result, backend = fetch("http://meta.example.test/latest", {"meta.example.test": [address]}, permit)
    assert "cloud-metadata" in result.error and "allow_private" not in result.error
    assert backend.asked == []


def test_the_azure_wireserver_is_refused_as_a_literal_too():
    result, backend = fetch("http://168.63.129.16/machine?comp=goalstate", {})
    assert "refused to connect to 168.63.129.16: a cloud-metadata address" in result.error
    assert backend.asked == []


def test_allow_private_covers_the_sources_own_host_only():
    dns = {"intranet.test": ["10.0.0.5"], "other.test": ["10.0.0.6"]}
    permit = Permit.for_urls(["http://intranet.test/feed"])
    _ok, backend = fetch("http://intranet.test/a", dns, permit)
    assert backend.asked == [("10.0.0.5", 80)]  # allowed through to the (fake) network
    refused, backend = fetch("http://other.test/a", dns, permit)
    assert "refused" in refused.error and backend.asked == []
    other_port, backend = fetch("http://intranet.test:8080/a", dns, permit)
    assert "refused" in other_port.error and backend.asked == []


def test_unresolvable_and_non_http_urls_fail_clearly():
    result, _ = fetch("http://nowhere.test/", {})
    assert "cannot resolve host" in result.error
    result, _ = fetch("file:///etc/passwd", {})
    assert "not an http(s) URL" in result.error
    result, _ = fetch("http://[::1/", {})
    assert "malformed URL" in result.error
