"""Link check: a rotating sample of archived source links, asked whether their page is gone.

Each fetch run checks at most FEED_ARCHIVE_LINK_CHECKS links within
FEED_ARCHIVE_LINK_CHECK_SECONDS, starting where the last run stopped (the state file keeps the
place), in the archive's path order. Politely: the fetcher's User-Agent, `HEAD` (then `GET`
when the server refuses HEAD), never a redirect followed blindly, never a link that holds a
feed's secret (or the `***` that replaced one), never an address outside the public internet
unless FEED_ARCHIVE_ALLOW_PRIVATE_NETWORKS lists it (netguard.Gate, each hop connected to the
very address it checked: connect.pinned). A 404 or 410, or a redirect to a site's
home page, marks the item "source gone" (post/gone.py); a 2xx answer clears the mark; any
other answer, or none, changes nothing. Nothing here ever raises to the caller.
"""

from __future__ import annotations

import bisect
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ..post import is_absolute_http, posts, read_header
from ..post.gone import SOURCE_GONE, Disappearances
from .connect import Watchdog, pinned
from .netguard import Gate, Refused
from .redact import MARK, Redactor

logger = logging.getLogger(__name__)

REDIRECTS = (301, 302, 303, 307, 308)
GONE_STATUSES = (404, 410)
#: Answers to HEAD from servers that do not serve it: the link is asked again with GET.
HEAD_REFUSED = (400, 403, 405, 501)
GONE, ALIVE, UNKNOWN = "gone", "alive", "unknown"


@dataclass
class LinkReport:
    """What one run's link checks did, and the line `invoke fetch` prints for them."""

    enabled: bool = True
    checked: int = 0
    gone: int = 0
    back: int = 0
    unanswered: int = 0
    secret: int = 0
    out_of_time: bool = False
    seconds: float = 0.0

    def line(self) -> str:
        """`links: 20 checked, 1 gone, 0 back, 2 unanswered (3.4 s)` (README, fetch output)."""
        if not self.enabled:
            return "links: not checked (FEED_ARCHIVE_LINK_CHECKS or _SECONDS is 0)"
        parts = [f"{self.checked} checked", f"{self.gone} gone", f"{self.back} back"]
        if self.unanswered:
            parts.append(f"{self.unanswered} unanswered")
        if self.secret:
            parts.append(f"{self.secret} not checked (secret)")
        budget = ", time budget reached" if self.out_of_time else ""
        return "links: " + ", ".join(parts) + f" ({self.seconds:.1f} s{budget})"


@dataclass(frozen=True)
class Verdict:
    """What a link's answers say: GONE (with the status and redirect target), ALIVE, UNKNOWN."""

    kind: str
    status: int | None = None
    location: str = ""


@dataclass(frozen=True)
class Asker:
    """How links are asked: User-Agent, per-request timeout, redirects, reachable addresses."""

    user_agent: str
    timeout: float
    max_redirects: int
    #: what a check may connect to (netguard: public addresses and the allowed networks)
    gate: Gate = field(default_factory=Gate)

    def ask(self, url: httpx.URL, method: str, seconds: float) -> tuple[int, str | None]:
        """The status and Location of one request (body never read) within `seconds`, sent
        only to an address the gate allows; raises on any failure (Refused, OSError, httpx)."""
        options = {
            "timeout": httpx.Timeout(min(self.timeout, seconds)),
            "follow_redirects": False,
            "trust_env": False,
            "headers": {"User-Agent": self.user_agent},
        }
        logger.debug("link check: %s %s", method, url)
        with (
            Watchdog(seconds) as watchdog,
            pinned(options, url, self.gate, watchdog.trace, method) as answer,
        ):
            return answer.status_code, answer.headers.get("location")


def _home(url: httpx.URL) -> bool:
    return url.path in ("", "/") and not url.query


def verdict(link: str, asker: Asker, deadline: float) -> Verdict:
    """Ask one link (following its redirects, each hop checked) what became of its page."""
    hop = httpx.URL(link)
    for _ in range(asker.max_redirects + 1):
        left = deadline - time.monotonic()
        if left <= 0:
            return Verdict(UNKNOWN)
        status, location = asker.ask(hop, "HEAD", left)
        if status in HEAD_REFUSED and deadline - time.monotonic() > 0:
            status, location = asker.ask(hop, "GET", deadline - time.monotonic())
        if status in REDIRECTS and location:
            target = hop.join(location)
            if _home(target) and not _home(hop):
                return Verdict(GONE, status, str(target))
            hop = target
            continue
        if status in GONE_STATUSES:
            return Verdict(GONE, status)
        return Verdict(ALIVE if 200 <= status < 300 else UNKNOWN)
    return Verdict(UNKNOWN)


def _sample(root: Path, start: str) -> list[str]:
    """Every post (relative path) in path order, beginning at `start` and wrapping around."""
    names = sorted(p.relative_to(root).as_posix() for p in posts(root))
    cut = bisect.bisect_left(names, start)
    return names[cut:] + names[:cut]


def _link_of(root: Path, rel: str) -> str:
    try:
        with (root / rel).open(encoding="utf-8") as handle:
            head = "".join(line for line, _ in zip(handle, range(40), strict=False))
    except (OSError, UnicodeDecodeError):
        return ""
    link = read_header(head).get("source", "")
    return link if is_absolute_http(link) else ""


def check_links(
    root: Path,
    gone: Disappearances,
    asker: Asker,
    count: int,
    seconds: float,
    start: str,
    seen: str,
    redact: Redactor | None = None,
) -> tuple[LinkReport, str]:
    """Check up to `count` links within `seconds`, from the post `start`; (report, next start)."""
    report = LinkReport(enabled=count > 0 and seconds > 0)
    if not report.enabled:
        return report, start
    began = time.monotonic()
    deadline = began + seconds
    order = _sample(Path(root), start)
    following = start
    for index, rel in enumerate(order):
        if report.checked >= count:
            break
        if time.monotonic() >= deadline:
            report.out_of_time = True
            break
        following = order[(index + 1) % len(order)]
        link = _link_of(Path(root), rel)
        if not link:
            continue
        if MARK in link or (redact is not None and redact.finds(link)):
            report.secret += 1
            continue
        report.checked += 1
        try:
            found = verdict(link, asker, deadline)
        except (httpx.HTTPError, httpx.InvalidURL, Refused, OSError, ValueError) as exc:
            logger.debug("link check: %s: no answer (%s)", link, exc)
            found = Verdict(UNKNOWN)
        if found.kind == GONE and gone.mark(rel, SOURCE_GONE, seen, found.status, found.location):
            report.gone += 1
            logger.info("source gone (%s): %s", found.status, link)
        elif found.kind == ALIVE and gone.clear(rel, SOURCE_GONE, seen):
            report.back += 1
            logger.info("source back: %s", link)
        elif found.kind == UNKNOWN:
            report.unanswered += 1  # a link cut short by the budget too: the next run goes on
    if time.monotonic() >= deadline:
        report.out_of_time = True
    report.seconds = time.monotonic() - began
    return report, following
