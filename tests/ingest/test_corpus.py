"""Corpus conformance: every real and broken feed of ../shared/corpus/feeds, served over HTTP.

Each file is fetched into a fresh archive; then one Pelican site is built from all the posts.
A file ends as "N posts" or as one clear error line naming it; real feeds keep every distinct
entry that feedparser (or json, for JSON Feed) sees, in readable characters.
"""

from __future__ import annotations

import csv
import functools
import html
import http.server
import json
import logging
import re
import shutil
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import feedparser
import markdown
import pytest

import corpus_report
import html_audit
from conftest import CORPUS, ROOT, LogCollector, QuietFiles, archive_config, build_site

pytestmark = pytest.mark.slow

#: Mojibake: UTF-8 bytes of common Latin letters and punctuation read as Latin-1/cp1252.
MOJIBAKE = re.compile("Ã[\xa0-\xbf]|â€[\x80-\xbf™œ“”˜‹›šž]|Â[\xa0-\xbf]")
#: Real files that cannot be archived, and the error we expect: a Reuters feed whose server
#: failed before the first item (it ends with "Exception rendering module on server").
NOT_FEEDS: dict[str, str] = {
    "real/feed-rs/rss2/rss_2.0_invalid_1.xml": "the document ends early, before its first",
}
ARTICLE_PAGE = re.compile(r"^\d{4}/\d{2}/\d{2}/[^/]+/index\.html$")


@dataclass
class Outcome:
    """What fetching one corpus file into a fresh archive gave."""

    path: str
    content: Path
    report: Any = None
    crash: str | None = None
    records: list[logging.LogRecord] = field(default_factory=list)

    @property
    def posts(self) -> list[Path]:
        """The Markdown files written."""
        return sorted(self.content.rglob("*.md"))


def corpus_files() -> list[str]:
    """Every data file of the corpus, relative to it (empty when the corpus is absent)."""
    if not CORPUS.is_dir():
        return []
    return sorted(
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.is_file() and p.parts[len(CORPUS.parts)] in ("real", "broken")
    )


def manifest() -> dict[str, dict[str, str]]:
    """MANIFEST.tsv rows by path."""
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8", newline="") as handle:
        return {row["path"]: row for row in csv.DictReader(handle, delimiter="\t")}


@pytest.fixture(scope="module")
def corpus_url() -> Iterator[str]:
    """The corpus folder served over HTTP on 127.0.0.1 (types guessed from the extensions)."""
    if not CORPUS.is_dir():
        pytest.skip(f"feed corpus not present at {CORPUS}")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietFiles, directory=str(CORPUS))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def corpus_run(corpus_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Every corpus file fetched over HTTP into its own fresh archive."""
    from feed_archive.ingest import archive

    base = tmp_path_factory.mktemp("corpus")
    outcomes: dict[str, Outcome] = {}
    root = logging.getLogger()
    for number, rel in enumerate(corpus_files()):
        content = base / f"{number:03d}" / "content"
        outcome = Outcome(rel, content)
        handler = LogCollector()
        root.addHandler(handler)
        try:
            config = archive_config(content, {"url": corpus_url + rel, "name": rel})
            (outcome.report,) = archive.run(config)
        except Exception:
            outcome.crash = traceback.format_exc()
        finally:
            root.removeHandler(handler)
        outcome.records = handler.records
        outcomes[rel] = outcome
        error = outcome.crash or (outcome.report.error if outcome.report else None)
        corpus_report.record_file(rel, len(outcome.posts), error and error.splitlines()[-1])
    return outcomes


def entry_marks(entry: Any) -> tuple[str, str, str, str, str]:
    """What identifies a feedparser entry: (id, link, title, date, longest text)."""
    contents = [c.get("value") or "" for c in entry.get("content") or []]
    text = max(contents, key=len, default="") or entry.get("summary") or ""
    date = entry.get("published") or entry.get("updated") or ""
    return (
        " ".join((entry.get("id") or "").split()),
        " ".join((entry.get("link") or "").split()),
        entry.get("title") or "",
        date,
        text,
    )


def json_marks(item: dict[str, Any]) -> tuple[str, str, str, str, str]:
    """What identifies a JSON Feed item: (id, url, title, date, text)."""
    raw_id = item.get("id")
    url = item.get("url") if isinstance(item.get("url"), str) else ""
    text = item.get("content_html") or item.get("content_text") or ""
    date = str(item.get("date_published") or item.get("date_modified") or "")
    ident = " ".join(str(raw_id).split()) if raw_id not in (None, "") else ""
    return ident, url.strip(), item.get("title") or "", date, text


def distinct_items(all_marks: list[tuple[str, str, str, str, str]]) -> int:
    """How many distinct items: by id, else link, else title and date, else title and text.

    Entries sharing an id but differing in link (or, without one, in title and text) are
    distinct items (a CMS giving every item the home page as guid).
    """
    variants: dict[str, set[Any]] = {}
    for guid, link, title, _, text in all_marks:
        if guid:
            variants.setdefault(guid, set()).add(link or (title, text))
    identities = set()
    for guid, link, title, date, text in all_marks:
        if guid:
            identities.add((guid, link or (title, text)) if len(variants[guid]) > 1 else guid)
        elif link:
            identities.add(link)
        elif date:
            identities.add(("date", title, date, "" if title else text[:500]))
        else:
            identities.add(("text", title, text))
    return len(identities)


def expected_posts(data: bytes) -> tuple[int, str]:
    """Distinct entries seen by an independent reading of the bytes, and their decoded text."""
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        document = json.loads(data.decode("utf-8-sig"))
        if "rss" in document:  # RSS written as JSON (Scripting News)
            items = document["rss"]["channel"].get("item") or []
            ids = {
                json.dumps(i.get("guid") or i.get("link") or [i.get("title"), i.get("pubDate")])
                for i in items
            }
            return len(ids), json.dumps(items, ensure_ascii=False)
        items = document.get("items") or []
        items = [i for i in items if isinstance(i, dict)]
        count = distinct_items([json_marks(i) for i in items])
        return count, json.dumps(items, ensure_ascii=False)
    parsed = feedparser.parse(data)
    text = json.dumps(parsed.entries, ensure_ascii=False, default=str)
    return distinct_items([entry_marks(e) for e in parsed.entries]), text


def test_corpus_is_complete(corpus_run: dict[str, Outcome]) -> None:
    """The suite saw every file of the corpus (147 real + 277 broken in this snapshot)."""
    real = [p for p in corpus_run if p.startswith("real/")]
    broken = [p for p in corpus_run if p.startswith("broken/")]
    assert len(real) >= 140 and len(broken) >= 270, (len(real), len(broken))


def test_every_file_ends_as_posts_or_one_clear_error(corpus_run: dict[str, Outcome]) -> None:
    """No crash, no traceback, no skipped item: "N posts" or one error line naming the file."""
    problems = []
    for rel, outcome in corpus_run.items():
        if outcome.crash:
            problems.append(f"{rel}: crashed:\n{outcome.crash}")
            continue
        report = outcome.report
        line = report.line()
        if "\n" in line or not line.startswith(rel + ": "):
            problems.append(f"{rel}: report line does not name the file on one line: {line!r}")
        if report.error:
            if "internal error" in report.error or outcome.posts:
                problems.append(f"{rel}: {line} (posts: {len(outcome.posts)})")
        elif report.counts["new"] != len(outcome.posts) or report.counts["skipped"]:
            problems.append(f"{rel}: {line} but {len(outcome.posts)} files")
        for record in outcome.records:
            text = record.getMessage()
            if record.exc_info or "Traceback" in text:
                problems.append(f"{rel}: traceback logged: {text[:200]}")
            elif record.levelno >= logging.ERROR and not text.startswith(rel + ": FAILED: "):
                problems.append(f"{rel}: unexpected error log: {text[:200]}")
        failed_lines = [r for r in outcome.records if r.levelno >= logging.ERROR]
        if report.error and len(failed_lines) != 1:
            problems.append(f"{rel}: {len(failed_lines)} error lines instead of one")
    assert not problems, "\n".join(problems)


def test_real_feeds_keep_every_distinct_entry(corpus_run: dict[str, Outcome]) -> None:
    """For each real feed, posts == distinct entries (by identity) of feedparser or json."""
    wrong = []
    checked = 0
    for rel, outcome in corpus_run.items():
        if not rel.startswith("real/"):
            continue
        report = outcome.report
        if rel in NOT_FEEDS:
            if not report.error or not report.error.startswith(NOT_FEEDS[rel]):
                wrong.append(f"{rel}: expected the error {NOT_FEEDS[rel]!r}, got {report.line()}")
            continue
        expected, _ = expected_posts((CORPUS / rel).read_bytes())
        checked += 1
        if report.error or len(outcome.posts) != expected:
            wrong.append(f"{rel}: {len(outcome.posts)} posts, {expected} distinct entries")
    assert checked >= 140
    assert not wrong, "\n".join(wrong)


def test_json_feeds_are_read_by_our_json_path(corpus_run: dict[str, Outcome]) -> None:
    """The JSON Feeds of the corpus give one post per distinct item (counted with json)."""
    seen = 0
    for rel, outcome in corpus_run.items():
        if not rel.endswith(".json") or rel in NOT_FEEDS:
            continue
        try:
            document = json.loads((CORPUS / rel).read_bytes().decode("utf-8-sig"))
        except ValueError:
            assert outcome.report.error.startswith("invalid JSON"), outcome.report.line()
            continue
        if "rss" in document:
            distinct, _ = expected_posts((CORPUS / rel).read_bytes())
            assert len(outcome.posts) == distinct, f"{rel}: {len(outcome.posts)} != {distinct}"
            seen += 1
            continue
        version = str(document.get("version", ""))
        if "jsonfeed.org" not in version and version not in ("1", "1.0", "1.1"):
            assert outcome.report.error.startswith("not a feed"), outcome.report.line()
            continue
        items = [i for i in document.get("items", []) if isinstance(i, dict)]
        distinct = distinct_items([json_marks(i) for i in items])
        assert len(outcome.posts) == distinct, f"{rel}: {len(outcome.posts)} != {distinct}"
        seen += 1
    assert seen >= 8


def test_text_is_decoded_in_the_right_characters(corpus_run: dict[str, Outcome]) -> None:
    """French feeds read with accents and no mojibake; no feed gains mojibake on the way."""
    rows = manifest()
    french = [p for p, row in rows.items() if row["language_guess"] == "fr" and p in corpus_run]
    assert len(french) >= 10
    problems = []
    for rel in french:
        text = "".join(p.read_text(encoding="utf-8") for p in corpus_run[rel].posts)
        if not re.search("[éèàçêù]", text):
            problems.append(f"{rel}: no French accented letter in {len(text)} characters")
        if MOJIBAKE.search(text):
            problems.append(f"{rel}: mojibake {MOJIBAKE.findall(text)[:5]}")
    for rel, outcome in corpus_run.items():
        if rel in french or not outcome.posts:
            continue
        found = set()
        for post in outcome.posts:
            found.update(MOJIBAKE.findall(post.read_text(encoding="utf-8")))
        if found:
            _, source_text = expected_posts((CORPUS / rel).read_bytes())
            source_text += html.unescape(html.unescape(source_text))
            added = {m for m in found if m not in source_text}
            if added:
                problems.append(f"{rel}: mojibake not in the feed itself: {sorted(added)[:5]}")
        for post in outcome.posts:
            if "\ufffd" in post.read_text(encoding="utf-8").split("\n\n", 1)[0]:
                source = (CORPUS / rel).read_bytes()
                if "\ufffd" not in expected_posts(source)[1] and b"\xef\xbf\xbd" not in source:
                    problems.append(f"{rel}: U+FFFD in the header of {post.name}")
    assert not problems, "\n".join(problems)


@pytest.fixture(scope="module")
def corpus_site(
    corpus_run: dict[str, Outcome], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, int, list[logging.LogRecord]]:
    """One site built from every corpus post (an item in several files is kept once)."""
    base = tmp_path_factory.mktemp("corpus-site")
    content = base / "content"
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    keys: set[str] = set()
    kept = 0
    for number, outcome in enumerate(corpus_run.values()):
        for post in outcome.posts:
            key = post.stem.rsplit("-", 1)[-1]
            if key in keys:
                continue
            keys.add(key)
            target = content / "archive" / f"f{number:03d}" / post.relative_to(outcome.content)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(post, target)
            kept += 1
    handler = LogCollector()
    logging.getLogger().addHandler(handler)
    try:
        build_site(content, base / "output")
    finally:
        logging.getLogger().removeHandler(handler)
    return content, base / "output", kept, handler.records


def test_corpus_site_builds_one_page_per_post(corpus_site: Any) -> None:
    """Pelican builds the whole corpus without an error and writes one page per post."""
    content, output, kept, records = corpus_site
    errors = [
        f"{r.name}: {r.getMessage()[:300]}"
        for r in records
        if r.levelno >= logging.ERROR or r.exc_info
    ]
    assert not errors, "\n".join(errors)
    pages = [
        p for p in output.rglob("index.html") if ARTICLE_PAGE.match(str(p.relative_to(output)))
    ]
    corpus_report.FIGURES.site_pages = len(pages)
    assert len(pages) == kept > 3000


def test_no_active_content_survives_into_content(corpus_site: Any) -> None:
    """Every archived Markdown file, rendered as Pelican would, holds no active content."""
    from pelican.settings import read_settings

    content, _, _, _ = corpus_site
    settings = read_settings(str(ROOT / "pelicanconf.py"))
    converter = markdown.Markdown(**settings["MARKDOWN"])
    found = []
    posts = sorted((content / "archive").rglob("*.md"))
    for post in posts:
        header, _, body = post.read_text(encoding="utf-8").partition("\n\n")
        converter.reset()
        for item in html_audit.audit(converter.convert(body)) + html_audit.audit(header):
            found.append(f"{post.relative_to(content)}: {item}")
    corpus_report.count("corpus posts scanned for active content", len(posts))
    assert not found, "\n".join(found[:50])


def test_no_active_content_survives_into_output(
    corpus_run: dict[str, Outcome], corpus_site: Any, sample_site: Path
) -> None:
    """The built HTML of the whole corpus holds no active content beyond what the theme emits."""
    _, output, _, _ = corpus_site
    payloads = [o for p, o in corpus_run.items() if "/sanitize/" in p and o.posts]
    corpus_report.count("corpus sanitizer payload files archived and scanned", len(payloads))
    assert len(payloads) >= 30
    allowed = html_audit.theme_findings(sample_site)
    pages = sorted(output.rglob("*.html"))
    bad = html_audit.unexpected(html_audit.audit_files(pages), allowed)
    assert len(pages) > 3000
    assert not bad, "\n".join(bad[:50])
