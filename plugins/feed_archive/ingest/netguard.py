"""Netguard: which addresses a request may connect to; a host name is resolved once, here.

Public API (also for other parts that fetch URLs found in feeds, such as link checks):

- `is_public(address)`: True for a global unicast address only.
- `Gate(allowed=…)`: what one fetch may reach. `Gate.addresses(host, port)` resolves the name
  once and returns only the addresses it may connect to (or raises `Refused`); the caller then
  connects to those exact addresses, so a DNS answer that changes after the check (rebinding)
  never reaches a connection. `Gate.for_feed(url, allowed)` also trusts the feed's own
  configured host, whatever its addresses (an intranet feed, a test server on 127.0.0.1).

Refused without the allow-list (FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS): loopback, private
(RFC 1918, fc00::/7), shared (100.64/10), link-local (169.254/16, fe80::/10), multicast,
unspecified, reserved, documentation and every other non-global address, also when wrapped in
IPv6 (IPv4-mapped, 6to4, NAT64 64:ff9b::/96, Teredo).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Callable, Sequence

import httpx

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
#: host, port -> the addresses it resolves to, in the order to try them.
Resolver = Callable[[str, int], Sequence[str]]
SETTING = "FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS"
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Refused(Exception):
    """The host has no address the request may connect to; the message names the host."""


def system_resolve(host: str, port: int) -> list[str]:
    """The addresses of `host` from the system resolver (getaddrinfo), duplicates removed."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def host_of(url: str) -> str | None:
    """The URL's host as a connection names it (IDNA, lower case, no final dot), or None."""
    try:
        host = httpx.URL(url).raw_host.decode("ascii")
    except (httpx.InvalidURL, UnicodeError):
        return None
    return host.rstrip(".").lower() or None


def _judged(address: Address) -> tuple[Address, ...]:
    """The address and every IPv4 address it carries (IPv4-mapped, 6to4, NAT64, Teredo)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return (address,)
    carried: list[Address] = [address]
    if address.ipv4_mapped is not None:
        carried = [address.ipv4_mapped]
    if address.sixtofour is not None:
        carried.append(address.sixtofour)
    if address in _NAT64:
        carried.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    if address.teredo is not None:
        carried.extend(address.teredo)
    return tuple(carried)


def _parse(address: str) -> Address | None:
    try:
        return ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None


def is_public(address: str | Address) -> bool:
    """True for a global unicast address (and whatever it carries): the only kind a request
    reaches without the allow-list. False for anything that is not an IP address."""
    parsed = _parse(address) if isinstance(address, str) else address
    if parsed is None:
        return False
    return all(a.is_global and not a.is_multicast for a in _judged(parsed))


@dataclass(frozen=True)
class Gate:
    """What one fetch may connect to: public addresses, listed networks, a trusted host."""

    allowed: tuple[Network, ...] = ()
    #: The feed's own configured host (as `host_of` writes it), reachable whatever its addresses.
    trusted_host: str | None = None
    resolve: Resolver = field(default=system_resolve, compare=False)

    @classmethod
    def for_feed(
        cls, url: str, allowed: tuple[Network, ...] = (), resolve: Resolver = system_resolve
    ) -> Gate:
        """The gate of a feed's fetch: its configured host is trusted (and no other host)."""
        return cls(allowed=allowed, trusted_host=host_of(url), resolve=resolve)

    def permits(self, address: str) -> bool:
        """True when `address` is public or inside one of the allowed networks."""
        parsed = _parse(address)
        if parsed is None:
            return False
        if any(a in network for a in (parsed, *_judged(parsed)) for network in self.allowed):
            return True
        return is_public(parsed)

    def trusts(self, host: str) -> bool:
        """True when `host` is the feed's own configured host."""
        return self.trusted_host is not None and host.rstrip(".").lower() == self.trusted_host

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for `host`, resolved once and checked; Refused if none
        may be used; OSError when the name does not resolve."""
        found = list(self.resolve(host, port))
        if self.trusts(host):
            return found
        usable = [a for a in found if self.permits(a)]
        if found and not usable:
            raise Refused(
                f"{host} has no public address (private, loopback, link-local or reserved);"
                f" list its network in {SETTING} to allow it"
            )
        return usable
