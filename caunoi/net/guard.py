"""No SSRF: every address we connect to is public, unless its source is marked allow_private.

The check runs twice. Before each request and each redirect hop, `AddressGuard.check` resolves
the URL's host (through a resolver hook the tests replace with a fake DNS answer) and refuses
loopback, private, link-local, shared, multicast, reserved and cloud-metadata addresses with a
message that says which. Then `GuardedBackend`, the connection layer under httpx, resolves
again, checks again and connects to the checked address itself — so a DNS answer that changes
between the two (rebinding) can never reach a private address.

Host spellings count: "2130706433", "0x7f.1", "127.1", "[::ffff:127.0.0.1]" are all loopback.
`allow_private` is narrow: it lets a source reach private addresses only at the hosts (and
ports) of its own URLs; a redirect from there to any other private host is still refused.
Cloud-metadata addresses are refused always, also inside an IPv6 address (IPv4-mapped, NAT64,
6to4, Teredo): an allow_private host that resolves to one is refused all the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpcore

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

# Instance-metadata endpoints of the cloud platforms: never fetched, whatever the source says, also
# when spelled inside an IPv6 address (::ffff:a.b.c.d, 64:ff9b::a.b.c.d, 2002:aabb:ccdd::…).
METADATA = {
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean… instance metadata
        "169.254.170.2",  # AWS ECS task metadata and credentials
        "169.254.170.23",  # AWS EKS Pod Identity / ECS agent credentials
        "168.63.129.16",  # Azure wireserver (a public address: no range check catches it)
        "100.100.100.200",  # Alibaba Cloud
        "fd00:ec2::254",  # AWS over IPv6
        "fd00:ec2::23",  # AWS EKS Pod Identity over IPv6
        "192.0.0.192",  # Oracle Cloud
    )
}
# the link-local blocks the clouds put their agents in (AWS: .169.123 time, .169.253 DNS, .170.x)
_METADATA_NETS = (ipaddress.ip_network("169.254.169.0/24"), ipaddress.ip_network("169.254.170.0/24"))
_SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_V4_COMPATIBLE = ipaddress.ip_network("::/96")  # ::a.b.c.d, deprecated but still parsed
_NUMERIC_HOST = re.compile(r"^[0-9a-fA-FxX.]+$")


class Refused(Exception):
    """A URL the guard will not let us connect to; str() is the message for the user."""


async def system_resolver(host: str, port: int) -> list[str]:
    """The machine's DNS: every address `host` resolves to."""
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise Refused(f"cannot resolve host {host!r}: {exc.strerror or exc}") from None
    except (OSError, ValueError) as exc:  # a name the IDNA codec refuses (UnicodeError), a NUL in it
        raise Refused(f"cannot resolve host {host[:200]!r}: {exc}") from None
    return list(dict.fromkeys(info[4][0] for info in infos))


def ip_literal(host: str) -> IPAddress | None:
    """The address a host spelled as an IP means, in every spelling the C resolver accepts
    ("127.0.0.1", "127.1", "2130706433", "0x7f.1", "0177.0.0.1", "[::1]"); None for a name."""
    host = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if _NUMERIC_HOST.match(host) and any(c.isdigit() for c in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _embedded_v4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return ip.ipv4_mapped
        if ip.sixtofour:
            return ip.sixtofour
        if ip.teredo:
            return ip.teredo[1]
        if any(ip in net for net in _NAT64) or (ip in _V4_COMPATIBLE and int(ip) > 1):
            return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_metadata(ip: IPAddress) -> bool:
    """A cloud-metadata endpoint, spelled plainly or inside an IPv6 address: never connected to."""
    ip = _embedded_v4(ip) or ip
    return ip in METADATA or any(ip in net for net in _METADATA_NETS)


def why_forbidden(ip: IPAddress) -> str | None:
    """What kind of non-public address `ip` is; None when it is a public one."""
    inner = _embedded_v4(ip)
    if inner is not None:
        reason = why_forbidden(inner)
        if reason or ip not in _V4_COMPATIBLE:  # ::a.b.c.d is reserved, whatever it holds
            return f"{reason} (inside {ip})" if reason else None
    if is_metadata(ip):
        return "a cloud-metadata address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_unspecified:
        return "the unspecified address"
    if ip.is_link_local:
        return "a link-local address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED:
        return "a shared (carrier-grade NAT) address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_private:
        return "a private address"
    if ip.is_reserved or not ip.is_global:
        return "a reserved address"
    return None


_LOCAL_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback")


def literal_problem(url: str) -> tuple[str, bool] | None:
    """What the guard will say of `url`'s host, when that is known without asking DNS (an address
    in any spelling, a localhost name): (what kind of address, whether it is never allowed, not
    even to an allow_private source); None for a public address or a name."""
    host = urlsplit(url).hostname or ""
    if host.rstrip(".") in _LOCAL_NAMES or host.rstrip(".").endswith(".localhost"):
        return "a loopback address", False
    ip = ip_literal(host)
    reason = why_forbidden(ip) if ip is not None else None
    if reason is None:
        return None
    return reason, is_metadata(ip)


@dataclass(frozen=True)
class Permit:
    """Hosts (name, port) whose private addresses a source may reach: its own URLs' hosts."""

    hosts: frozenset[tuple[str, int]] = frozenset()

    @classmethod
    def for_urls(cls, urls: Iterable[str]) -> Permit:
        return cls(frozenset(_host_port(u) for u in urls if u))

    def allows(self, host: str, port: int) -> bool:
        return (host.lower().strip("[]").rstrip("."), port) in self.hosts


NO_PERMIT = Permit()
_current_permit: contextvars.ContextVar[Permit] = contextvars.ContextVar("caunoi_permit", default=NO_PERMIT)


def _host_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (parts.hostname or "").lower().strip("[]").rstrip("."), port


class AddressGuard:
    """Resolves hosts and refuses non-public addresses; `resolver` is the hook tests replace."""

    def __init__(self, resolver: Resolver | None = None):
        self.resolver = resolver or system_resolver

    async def addresses(self, host: str, port: int, permit: Permit | None = None) -> list[IPAddress]:
        """The addresses of `host` we may connect to, or Refused saying why not."""
        permit = permit if permit is not None else _current_permit.get()
        literal = ip_literal(host)
        if literal is not None:
            found = [literal]
        else:
            answers = await self.resolver(host, port)
            found = []
            for answer in answers:
                ip = ip_literal(answer)
                if ip is None:
                    raise Refused(f"host {host!r} resolved to something that is not an address: {answer!r}")
                found.append(ip)
        if not found:
            raise Refused(f"host {host!r} has no address")
        allowed_private = permit.allows(host, port)
        for ip in found:
            reason = why_forbidden(ip)
            if reason is None:
                continue
            never = is_metadata(ip)
            if never or not allowed_private:
                name = host if str(ip) == host.strip("[]") else f"{host} ({ip})"
                hint = "" if never else "; a source on a private network must be marked allow_private"
                raise Refused(f"refused to connect to {name}: {reason}{hint}")
        return found

    async def check(self, url: str, permit: Permit | None = None) -> list[IPAddress]:
        host, port = _host_port(url)
        if not host:
            raise Refused(f"URL has no host: {url!r}")
        return await self.addresses(host, port, permit)


@contextlib.contextmanager
def permit_scope(permit: Permit) -> Iterator[None]:
    """Make `permit` the one the connection layer checks for requests made inside this block."""
    token = _current_permit.set(permit)
    try:
        yield
    finally:
        _current_permit.reset(token)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network layer with the guard in front: connect only to checked addresses."""

    def __init__(self, guard: AddressGuard, inner: httpcore.AsyncNetworkBackend | None = None):
        self.guard = guard
        self.inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options=None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = await self.guard.addresses(host, port)
        except Refused as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        last: Exception | None = None
        for ip in addresses:
            try:
                return await self.inner.connect_tcp(
                    str(ip), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(self, path: str, timeout: float | None = None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are not fetched")

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)
