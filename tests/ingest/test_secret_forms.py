"""The key never leaves the environment, in any encoding a server can echo it.

A real local server (pytest-httpserver) checks that it received the key, then echoes it back in
one form (as written, percent-encoded, HTML entities, base64 at any alignment) in item links,
text, titles, guids, tags, ETag/Last-Modified and a redirect's Location. Every file the fetch
and the build write, every log record and report line is then searched for every form, with
encodings computed here, independently of the code under test.
"""

from __future__ import annotations

import base64
import gzip
import html
import json
import logging
import re
import subprocess
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import quote, quote_plus
from xml.sax.saxutils import escape

import pytest
from werkzeug import Request, Response

from conftest import LogCollector, archive_config, build_site, copy_project, run_invoke
from feed_archive.ingest import archive

KEY = "Zk?+q~L/m 2x&==!"
ENV = "FEED_ARCHIVE_TEST_KEY"


def _lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group(0).lower(), text)


def _entities(text: str, style: Callable[[int], str]) -> str:
    return "".join(c if c.isalnum() else style(ord(c)) for c in text)


NAMED = {"+": "&plus;", "/": "&sol;", "&": "&amp;", "=": "&equals;", "?": "&quest;", "!": "&excl;"}


def _b64(data: bytes, urlsafe: bool = False) -> str:
    return (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(data).decode()


#: How a server may send the key back (name -> the form).
FORMS: dict[str, str] = {
    "as-written": KEY,
    "percent-upper": quote(KEY, safe=""),
    "percent-lower": _lower_hex(quote(KEY, safe="")),
    "percent-path": quote(KEY),
    "plus-for-space": quote_plus(KEY),
    "plus-lower": _lower_hex(quote_plus(KEY)),
    "double-percent": quote(quote(KEY, safe=""), safe=""),
    "html-escape": html.escape(KEY),
    "html-named": "".join(NAMED.get(c, c) for c in KEY),
    "html-decimal": _entities(KEY, lambda n: f"&#{n};"),
    "html-hex-lower": _entities(KEY, lambda n: f"&#x{n:x};"),
    "html-hex-upper": _entities(KEY, lambda n: f"&#X{n:X};"),
    "base64": _b64(KEY.encode()),
    "base64-unpadded": _b64(KEY.encode()).rstrip("="),
    "base64-urlsafe": _b64(KEY.encode(), urlsafe=True),
    "base64-urlsafe-unpadded": _b64(KEY.encode(), urlsafe=True).rstrip("="),
    "base64-offset-1": _b64(b"u=" + KEY.encode() + b";"),
    "base64-offset-2": _b64(b"id:" + KEY.encode() + b"/x", urlsafe=True),
    "base64-of-url-form": _b64(f"https://a.example/?k={quote(KEY, safe='')}".encode()),
    "base64-in-percent": quote(_b64(b"t" + KEY.encode()), safe=""),
}
#: Forms the state file can keep with a placeholder (the fetch puts the key back): 304 works.
REVERSIBLE = {
    "as-written",
    "percent-upper",
    "percent-lower",
    "percent-path",
    "plus-for-space",
    "plus-lower",
    "html-escape",
    "base64",
    "base64-unpadded",
    "base64-urlsafe",
    "base64-urlsafe-unpadded",
}


def _stable_cores(data: bytes) -> set[str]:
    """The base64 characters that depend only on `data`, for each of the three alignments."""
    cores = set()
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + data).decode()
        whole = (offset + len(data)) // 3 * 4
        core = encoded[{0: 0, 1: 2, 2: 3}[offset] : whole]
        cores |= {core, core.replace("+", "-").replace("/", "_")}
    return cores


#: Everything that must appear nowhere: the forms above and base64 of the key at any offset.
FORBIDDEN = sorted({*FORMS.values(), *_stable_cores(KEY.encode())} - {""}, key=len)
FORBIDDEN_CI = [KEY.lower(), KEY.upper()]


def leaks(text: str) -> list[str]:
    """The forbidden forms found in `text` (empty when none)."""
    found = [form for form in FORBIDDEN if form in text]
    return found + [form for form in FORBIDDEN_CI if form in text.lower() or form in text.upper()]


def test_forms_are_distinct_and_the_key_is_long_enough_for_base64() -> None:
    assert len(KEY) >= 8
    assert len(set(FORMS.values())) == len(FORMS)
    assert all(len(core) >= 12 for core in _stable_cores(KEY.encode()))


def _item(form: str, number: int) -> str:
    echoed = escape(form)
    text = f'<p>Texte {form} <a href="https://private.example/a?k={form}">lien</a></p>'
    return f"""<item><title>Titre {echoed}</title>
<link>https://private.example/p/{number}?key={echoed}</link>
<guid>https://private.example/?p={number}&amp;k={echoed}</guid><category>cat {echoed}</category>
<author>a@private.example (Auteur {echoed})</author>
<pubDate>Mon, 03 Nov 2025 09:00:00 +0100</pubDate>
<description>Résumé {echoed}</description>
<content:encoded>{escape(text)}</content:encoded></item>"""


def _document(base: str, forms: list[str]) -> str:
    items = "".join(_item(form, number) for number, form in enumerate(forms))
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Privé</title><link>{base}/</link>{items}</channel></rss>"""


def _private_feed(httpserver: Any, forms: list[str], etag: str | None = None) -> None:
    """/r?key=K redirects (a form in Location) to /feed?key=K, which echoes each form in an
    item; /gone redirects to a 404 whose Location holds the key."""

    def redirect(request: Request) -> Response:
        assert request.args["key"] == KEY, request.args  # the key arrived intact
        location = f"/feed?key={quote(KEY, safe='')}&echo={quote(forms[0])}"
        return Response("", status=302, headers={"Location": location})

    def feed(request: Request) -> Response:
        assert request.args["key"] == KEY, request.args
        headers = {}
        if etag is not None:
            headers = {"ETag": f'"e-{etag}"', "Last-Modified": f"Mon, 03 Nov 2025 {etag}"}
        body = _document(httpserver.url_for("").rstrip("/"), forms)
        return Response(body, content_type="application/rss+xml", headers=headers)

    def gone(request: Request) -> Response:
        return Response("", status=302, headers={"Location": f"/missing/{quote(forms[0])}"})

    httpserver.expect_request("/r").respond_with_handler(redirect)
    httpserver.expect_request("/feed").respond_with_handler(feed)
    httpserver.expect_request("/gone").respond_with_handler(gone)


@pytest.fixture
def logs() -> Iterator[LogCollector]:
    handler = LogCollector()
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def _sources(httpserver: Any) -> list[dict[str, Any]]:
    return [
        {"name": "Privé", "url": httpserver.url_for("/r") + "?key={secret}", "secret_env": ENV},
        {"name": "Perdu", "url": httpserver.url_for("/gone") + "?key={secret}", "secret_env": ENV},
    ]


def _files(folder: Path) -> dict[str, str]:
    """Every file under `folder` as text (gzip-compressed ones, such as Pagefind's, unpacked)."""
    texts = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data = gzip.decompress(data)
            texts[str(path)] = data.decode("utf-8", "replace")
    return texts


def _where(places: dict[str, str]) -> list[str]:
    """The places that hold a form of the key, each with the first form found there."""
    return [f"{where}: {found[0]!r}" for where, text in places.items() if (found := leaks(text))]


def _log_text(handler: LogCollector) -> str:
    formatter = logging.Formatter("%(name)s %(message)s")
    return "\n".join(formatter.format(r) for r in handler.records if r.name != "werkzeug")


def test_key_is_percent_encoded_in_the_request(
    tmp_path: Path, httpserver: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`+`, `/`, space and `&` of the key reach the server as the key (the handler checks)."""
    monkeypatch.setenv(ENV, KEY)
    _private_feed(httpserver, [KEY])
    config = archive_config(tmp_path / "content", _sources(httpserver)[0])
    (report,) = archive.run(config)
    assert report.error is None, report.line()
    assert report.counts["new"] == 1


@pytest.mark.parametrize("name", sorted(FORMS))
def test_each_form_is_redacted_from_the_archive_and_the_logs(
    tmp_path: Path, httpserver: Any, monkeypatch: pytest.MonkeyPatch, logs: LogCollector, name: str
) -> None:
    monkeypatch.setenv(ENV, KEY)
    _private_feed(httpserver, [FORMS[name]], etag=FORMS[name])
    content = tmp_path / "content"
    reports = archive.run(archive_config(content, *_sources(httpserver)))
    assert reports[0].error is None and reports[0].counts["new"] == 1, reports[0].line()
    assert reports[1].failed
    places = _files(content)
    places["report lines"] = "\n".join(r.line() for r in reports)
    places["logs"] = _log_text(logs)
    assert _where(places) == [], "\n".join(_where(places))
    (post,) = content.rglob("*.md")
    assert "***" in post.read_text("utf-8")  # redacted, not dropped: the reader sees where


@pytest.mark.parametrize("name", sorted(FORMS))
def test_validators_never_hold_the_key_and_still_give_304(
    tmp_path: Path, httpserver: Any, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """ETag and Last-Modified echo the key: the state file has a placeholder, the next request
    puts the key back (the server answers 304), or, for a form it cannot put back, keeps none."""
    monkeypatch.setenv(ENV, KEY)
    form = FORMS[name]
    etag, modified = f'"e-{form}"', f"Mon, 03 Nov 2025 {form}"
    served: list[dict[str, str]] = []

    def feed(request: Request) -> Response:
        assert request.args["key"] == KEY
        served.append(dict(request.headers))
        if request.headers.get("If-None-Match") == etag:
            assert request.headers.get("If-Modified-Since") == modified
            return Response("", status=304)
        body = _document(httpserver.url_for("").rstrip("/"), ["x"])
        return Response(
            body, content_type="text/xml", headers={"ETag": etag, "Last-Modified": modified}
        )

    httpserver.expect_request("/feed").respond_with_handler(feed)
    source = {"name": "Privé", "url": httpserver.url_for("/feed") + "?key={secret}"}
    config = archive_config(tmp_path / "content", {**source, "secret_env": ENV})
    (first,) = archive.run(config)
    assert first.status == 200
    state = tmp_path / "content" / "archive" / ".feed-archive-state.json"
    kept = state.read_text("utf-8") if state.exists() else ""  # nothing to keep: no file
    assert leaks(kept) == []
    assert ('"etag"' in kept) == (name in REVERSIBLE)
    (second,) = archive.run(config)
    assert second.error is None
    assert second.status == (304 if name in REVERSIBLE else 200), served[-1]
    assert leaks(state.read_text("utf-8") if state.exists() else "") == []


def test_no_form_reaches_the_built_site_search_index_or_cache(
    tmp_path: Path, httpserver: Any, monkeypatch: pytest.MonkeyPatch, logs: LogCollector
) -> None:
    """One item per form, built with the project's theme: pages, feeds, Pagefind, cache/."""
    monkeypatch.setenv(ENV, KEY)
    _private_feed(httpserver, list(FORMS.values()), etag=FORMS["percent-lower"])
    content = tmp_path / "content"
    (report, _) = archive.run(archive_config(content, *_sources(httpserver)))
    assert report.error is None and report.counts["new"] == len(FORMS), report.line()
    output = build_site(content, tmp_path / "output")
    places = {**_files(content), **_files(output), **_files(tmp_path / "cache")}
    assert any("/pagefind/" in where for where in places)
    assert any(where.endswith("all.atom.xml") for where in places)
    assert any("/cache/" in where for where in places)
    places["logs"] = _log_text(logs)
    assert _where(places) == [], "\n".join(_where(places))


def test_no_form_reaches_the_command_line_or_the_commits(tmp_path: Path, httpserver: Any) -> None:
    """`invoke fetch` then `invoke commit` in a copy of the project, the key in the environment:
    what they print (stdout, stderr), the commit messages and the committed files."""
    project = copy_project(tmp_path / "project")
    with (project / "pelicanconf.py").open("a", encoding="utf-8") as conf:
        conf.write("\nFEED_ARCHIVE_SOURCES = []  # the test's feeds are in sources.json\n")
    (project / "sources.json").write_text(json.dumps(_sources(httpserver)), encoding="utf-8")
    _private_feed(httpserver, list(FORMS.values()), etag=FORMS["plus-for-space"])
    fetched = run_invoke(project, "fetch", env={ENV: KEY})
    assert "Privé" in fetched.stdout and f"{len(FORMS)} new" in fetched.stdout, fetched.stdout
    assert fetched.returncode == 1  # "Perdu" fails (its redirect ends on a 404)
    committed = run_invoke(project, "commit", env={ENV: KEY})
    assert committed.returncode == 0, committed.stderr
    history = subprocess.run(
        ["git", "-C", str(project), "log", "-p", "--format=%an %ae%n%B"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert f"archive: {len(FORMS)} new items" in history and ".feed-archive-state.json" in history
    places = {
        "invoke fetch": fetched.stdout + fetched.stderr,
        "invoke commit": committed.stdout + committed.stderr,
        "git log -p": history,
    }
    assert _where(places) == [], "\n".join(_where(places))


# --- the redaction function itself ---------------------------------------------------------


@pytest.mark.parametrize(
    ("secret", "text"),
    [
        ("s3cr&t k€y+/=", "a " + quote("s3cr&t k€y+/=", safe="") + " b"),
        ("s3cr&t k€y+/=", "a " + _lower_hex(quote_plus("s3cr&t k€y+/=")) + " b"),
        ("s3cr&t k€y+/=", "a s3cr&amp;t k&euro;y&#x2b;&#47;&equals; b"),
        ("s3cr&t k€y+/=", "a s3cr\\&t k€y\\+/\\= b"),  # Markdown's backslash escapes
        ("s3cr&t k€y+/=", "a S3cr%26t&#32;k%e2%82%ACy\\+&sol;%3D b"),  # mixed, char by char
        ("s3cr&t k€y+/=", "a " + _b64("x s3cr&t k€y+/= yy".encode()) + " b"),
        ("S3CRET-host", "a https://s3cret-host.feeds.example/ b"),  # host names lose their case
    ],
)
def test_redactor_finds_every_form(secret: str, text: str) -> None:
    from feed_archive.ingest.redact import Redactor

    redacted = Redactor([secret])(text)
    assert redacted.startswith("a ") and redacted.endswith(" b"), redacted
    assert "***" in redacted
    assert secret not in redacted and "k€y" not in redacted


def test_redactor_leaves_other_text_and_short_keys_alone() -> None:
    from feed_archive.ingest.redact import Redactor

    text = "Le texte https://feed.example/?p=1 &amp; c'est tout (YWJj) ==="
    assert Redactor(["Zk9+q/Lm 2x&=="])(text) == text
    short = Redactor(["abc"])  # too short for base64: "YWJj" (base64 of abc) stays
    assert short("x abc YWJj") == "x *** YWJj"
    assert Redactor([])(text) == text


def test_logs_of_any_library_are_redacted_during_a_fetch(logs: LogCollector) -> None:
    from feed_archive.ingest.redact import Redactor, redacted_logs

    other = logging.getLogger("some.library")
    with redacted_logs(Redactor([KEY])):
        other.warning("GET https://x.example/?k=%s", quote(KEY, safe=""))
        try:
            raise ValueError(f"bad {FORMS['html-decimal']}")
        except ValueError:
            other.exception("failed")
    other.warning("after: %s", "plain")
    text = "\n".join(logging.Formatter("%(message)s").format(r) for r in logs.records)
    assert leaks(text) == [], text
    assert "***" in text and "ValueError" in text and "after: plain" in text
