"""Guard: the smallest check a link check needs before it connects (until netguard lands).

A URL's host is resolved and refused (Refused) when any of its addresses is outside the
public internet (loopback, private, link-local, reserved, multicast…) and in none of the
networks of FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS. The connection then resolves the name again:
unlike ingest/netguard.py (issue 13), this does not pin the checked address.
"""

from __future__ import annotations

import ipaddress
import logging
import socket

import httpx

logger = logging.getLogger(__name__)


class Refused(Exception):
    """The URL's host is not on the public internet; the message names it."""


def _public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def check_host(url: httpx.URL, allowed: tuple[str, ...] = ()) -> tuple[str, int]:
    """The host and port of an http(s) URL whose every address may be reached; else Refused."""
    if url.scheme not in ("http", "https"):
        raise Refused(f"not an http(s) link: {url.scheme}")
    host = url.raw_host.decode("ascii")
    port = url.port or (443 if url.scheme == "https" else 80)
    networks = [ipaddress.ip_network(n, strict=False) for n in allowed]
    found = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    for text in found:
        address = ipaddress.ip_address(str(text).split("%", 1)[0])
        if not _public(address) and not any(address in n for n in networks):
            raise Refused(f"{host} has an address outside the public internet ({address})")
    return host, port
