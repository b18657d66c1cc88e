"""Connect: one HTTP request sent to an address a netguard Gate checked, never to another.

The host name is resolved once (by the gate); the request goes to that IP with the URL's Host
header and, over TLS, the URL's host as server name (SNI) and certificate name, so a DNS
answer that changes after the check is never used. `Watchdog` cuts a request's sockets at a
total deadline.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from typing import Any, Iterator

import httpx

from .netguard import Gate

logger = logging.getLogger(__name__)


class Watchdog:
    """Shuts a fetch's sockets down at the total timeout, even while headers drip in."""

    def __init__(self, seconds: float) -> None:
        self.fired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's `trace` extension: remember every socket this fetch opens."""
        if not event.endswith(("connect_tcp.complete", "start_tls.complete")):
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            with self._lock:
                self._sockets.append(sock)
            if self.fired:
                self._fire()

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def target(url: httpx.URL) -> tuple[str, int]:
    """Host and port to connect to for `url`; ValueError for a scheme other than http(s)."""
    if url.scheme not in ("http", "https"):
        raise ValueError("unsupported URL scheme (only http, https and local files)")
    return url.raw_host.decode("ascii"), url.port or (443 if url.scheme == "https" else 80)


@contextlib.contextmanager
def pinned(
    client_options: dict[str, Any],
    url: httpx.URL,
    gate: Gate,
    trace: Any = None,
    method: str = "GET",
) -> Iterator[httpx.Response]:
    """The streamed answer to `method url` from the first address `gate` allows that accepts
    the connection; raises netguard.Refused, OSError (no such name), ValueError (scheme) or
    httpx's errors. Redirects are not followed: the caller checks each hop with the gate."""
    host, port = target(url)
    addresses = gate.addresses(host, port)
    failure: httpx.TransportError = httpx.ConnectError(f"{host}: no address")
    for address in addresses:  # in the resolver's order, as socket.create_connection does
        # a client per address: a pooled connection is never reused for another host name
        with httpx.Client(**client_options) as client:
            request = client.build_request(
                method,
                url.copy_with(host=address),
                headers={"Host": url.netloc.decode("ascii")},
                extensions={"trace": trace, "sni_hostname": host},
            )
            try:
                response = client.send(request, stream=True)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                failure = exc
                logger.debug("%s: cannot connect to one of its addresses: %s", host, exc)
                continue
            try:
                yield response
            finally:
                response.close()
            return
    raise failure
