"""Fetch: URL (+ validators) -> bytes or "not modified", within time/size/redirect limits."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

logger = logging.getLogger(__name__)
# httpx (INFO) and httpcore (DEBUG) log request URLs and Location headers: a private feed's
# key would reach the logs. Our own lines name the feed instead.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


class FetchError(Exception):
    """A feed could not be downloaded; the message is one line and never holds a secret."""


@dataclass(frozen=True)
class Limits:
    """How long and how much one fetch may take."""

    timeout: float = 15.0
    total_timeout: float = 60.0
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    user_agent: str = "feed-archive"


@dataclass(frozen=True)
class FetchResult:
    """What the server (or file) answered: a body, or not-modified, with validators to remember."""

    status: int
    content: bytes
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    final_url: str | None = None

    @property
    def not_modified(self) -> bool:
        """True when the server answered 304."""
        return self.status == 304


class _Decoder:
    """Incremental gzip/deflate decoding that refuses to produce more than `limit` bytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []
        encoding = encoding.strip().lower()
        if encoding in ("gzip", "x-gzip"):
            self._inflater: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS)
            self._raw_deflate_fallback = True
        elif encoding in ("", "identity"):
            self._inflater = None
        else:
            raise FetchError(f"unsupported Content-Encoding {encoding!r}")
        self._started = False

    def _keep(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise FetchError(f"feed larger than the {_human(self.limit)} limit")
        self.parts.append(data)

    def feed(self, chunk: bytes) -> None:
        """Take one chunk of the body as it came off the wire."""
        if self._inflater is None:
            self._keep(chunk)
            return
        data = chunk
        while data:
            room = self.limit - self.size + 1
            try:
                out = self._inflater.decompress(data, room)
            except zlib.error as exc:
                if not self._started and getattr(self, "_raw_deflate_fallback", False):
                    self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._raw_deflate_fallback = False
                    continue
                raise FetchError(f"corrupt compressed body ({exc})") from exc
            self._started = True
            self._keep(out)
            data = self._inflater.unconsumed_tail

    def result(self) -> bytes:
        """The whole decoded body."""
        return b"".join(self.parts)


class _Watchdog:
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

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()


def _human(size: int) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:g} {unit}" if unit == "bytes" else f"{size:.0f} {unit}"
        size /= 1024  # type: ignore[assignment]
    return str(size)


def maybe_gunzip(data: bytes, limit: int) -> bytes:
    """Decompress a body that is gzip bytes served without Content-Encoding; else return it."""
    if not data.startswith(b"\x1f\x8b"):
        return data
    decoder = _Decoder("gzip", limit)
    decoder.feed(data)
    return decoder.result()


def is_local(url: str) -> bool:
    """True for a file:// URL or a plain filesystem path."""
    scheme = urlsplit(url).scheme
    return scheme == "file" or len(scheme) <= 1


def _read_local(url: str, limits: Limits) -> FetchResult:
    path = Path(unquote(urlsplit(url).path) if url.startswith("file:") else url)
    try:
        with path.open("rb") as handle:
            data = handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise FetchError(f"cannot read {path}: {exc.strerror or exc}") from exc
    if len(data) > limits.max_bytes:
        raise FetchError(f"feed larger than the {_human(limits.max_bytes)} limit")
    return FetchResult(status=200, content=maybe_gunzip(data, limits.max_bytes))


def _http_error(exc: httpx.HTTPError, limits: Limits) -> FetchError:
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchError(f"connection timed out after {limits.timeout:g} s")
    if isinstance(exc, (httpx.ReadTimeout, httpx.WriteTimeout, httpx.PoolTimeout)):
        return FetchError(f"no answer for {limits.timeout:g} s (read timeout)")
    if isinstance(exc, httpx.TooManyRedirects):
        return FetchError(f"more than {limits.max_redirects} redirects")
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FetchError("unsupported URL scheme (only http, https and local files)")
    if isinstance(exc, httpx.ConnectError):
        reason = str(exc).strip() or "connection refused"
        return FetchError(f"cannot connect ({reason})")
    if isinstance(exc, httpx.RemoteProtocolError):
        return FetchError(f"broken HTTP answer ({exc})")
    return FetchError(f"{type(exc).__name__}: {exc}")


def fetch(
    url: str,
    limits: Limits,
    etag: str | None = None,
    last_modified: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> FetchResult:
    """Download one feed politely; raise FetchError with a one-line cause on any failure."""
    if is_local(url):
        return _read_local(url, limits)
    headers = {
        "User-Agent": limits.user_agent,
        "Accept": ACCEPT,
        "Accept-Encoding": "gzip, deflate",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + limits.total_timeout
    timeout = httpx.Timeout(limits.timeout)
    too_long = f"download took longer than {limits.total_timeout:g} s (total timeout)"
    watchdog = _Watchdog(limits.total_timeout)
    try:
        with (
            watchdog,
            httpx.Client(
                timeout=timeout,
                follow_redirects=True,
                max_redirects=limits.max_redirects,
                headers=headers,
                transport=transport,
                trust_env=False,
            ) as client,
            client.stream("GET", url, extensions={"trace": watchdog.trace}) as response,
        ):
            status = response.status_code
            if status == 304:
                return FetchResult(
                    status=304,
                    content=b"",
                    etag=response.headers.get("etag") or etag,
                    last_modified=response.headers.get("last-modified") or last_modified,
                    final_url=str(response.url),
                )
            if status >= 300:
                raise FetchError(f"HTTP {status} {response.reason_phrase}".strip())
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > limits.max_bytes:
                raise FetchError(f"feed larger than the {_human(limits.max_bytes)} limit")
            decoder = _Decoder(response.headers.get("content-encoding", ""), limits.max_bytes)
            for chunk in response.iter_raw():
                decoder.feed(chunk)
                if time.monotonic() > deadline:
                    raise FetchError(too_long)
            body = maybe_gunzip(decoder.result(), limits.max_bytes)
            return FetchResult(
                status=status,
                content=body,
                content_type=response.headers.get("content-type"),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                final_url=str(response.url),
            )
    except httpx.HTTPError as exc:
        if watchdog.fired:
            raise FetchError(too_long) from None
        raise _http_error(exc, limits) from None
    except httpx.InvalidURL as exc:
        raise FetchError(f"invalid URL ({exc})") from None
