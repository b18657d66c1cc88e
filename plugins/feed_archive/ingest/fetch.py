"""Fetch: URL (+ validators) -> bytes or "not modified", within time/size/redirect limits."""

from __future__ import annotations

import dataclasses
import logging
import ssl
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from .connect import Watchdog, pinned
from .netguard import Gate, Refused

logger = logging.getLogger(__name__)
# httpx (INFO) and httpcore (DEBUG) log request URLs and Location headers: a private feed's
# key would reach the logs. Our own lines name the feed instead.
for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).setLevel(logging.WARNING)

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9,"
    " application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)
#: Answers that send the fetch on to their Location (each hop is checked like the first).
REDIRECTS = frozenset({301, 302, 303, 307, 308})


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
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FetchError("unsupported URL scheme (only http, https and local files)")
    if isinstance(exc, httpx.ConnectError):
        reason = str(exc).strip() or "connection refused"
        return FetchError(f"cannot connect ({reason})")
    if isinstance(exc, httpx.RemoteProtocolError):
        return FetchError(f"broken HTTP answer ({exc})")
    return FetchError(f"{type(exc).__name__}: {exc}")


def _answer(
    response: httpx.Response, limits: Limits, deadline: float, sent: tuple[str | None, ...]
) -> FetchResult:
    """The FetchResult of a final (not redirecting) answer, its body read within the limits."""
    status = response.status_code
    if status == 304:
        return FetchResult(
            status=304,
            content=b"",
            etag=response.headers.get("etag") or sent[0],
            last_modified=response.headers.get("last-modified") or sent[1],
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
            raise FetchError(
                f"download took longer than {limits.total_timeout:g} s (total timeout)"
            )
    return FetchResult(
        status=status,
        content=maybe_gunzip(decoder.result(), limits.max_bytes),
        content_type=response.headers.get("content-type"),
        etag=response.headers.get("etag"),
        last_modified=response.headers.get("last-modified"),
    )


def fetch(
    url: str,
    limits: Limits,
    etag: str | None = None,
    last_modified: str | None = None,
    *,
    gate: Gate,
    tls: ssl.SSLContext | None = None,
) -> FetchResult:
    """Download one feed politely; raise FetchError with a one-line cause on any failure.

    Every connection, each redirect's included, goes to an address `gate` allows (a feed's
    fetch uses `Gate.for_feed`, an image's a plain `Gate`); `tls` replaces the system's
    certificate authorities (tests, intranets with their own authority).
    """
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
    options: dict[str, Any] = {
        "timeout": httpx.Timeout(limits.timeout),
        "follow_redirects": False,
        "headers": headers,
        "trust_env": False,
        "verify": True if tls is None else tls,
    }
    watchdog = Watchdog(limits.total_timeout)
    try:
        with watchdog:
            hop = httpx.URL(url)
            for _ in range(limits.max_redirects + 1):
                with pinned(options, hop, gate, watchdog.trace) as response:
                    location = response.headers.get("location")
                    if response.status_code not in REDIRECTS or not location:
                        result = _answer(response, limits, deadline, (etag, last_modified))
                        return dataclasses.replace(result, final_url=str(hop))
                    hop = hop.join(location)
            raise FetchError(f"more than {limits.max_redirects} redirects")
    except Refused as exc:
        raise FetchError(str(exc)) from None
    except ValueError as exc:  # a scheme other than http(s), after a redirect too
        raise FetchError(str(exc)) from None
    except OSError as exc:  # the name does not resolve
        raise FetchError(f"cannot connect ({exc.strerror or exc})") from None
    except httpx.HTTPError as exc:
        if watchdog.fired:
            raise FetchError(
                f"download took longer than {limits.total_timeout:g} s (total timeout)"
            ) from None
        raise _http_error(exc, limits) from None
    except httpx.InvalidURL as exc:
        raise FetchError(f"invalid URL ({exc})") from None
