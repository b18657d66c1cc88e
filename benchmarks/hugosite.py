"""Hugo + Pagefind on the benchmark's posts: set-up (not timed) and the two timed commands.

The set-up converts each post the plugin wrote (a `Key: value` header, a blank line, Markdown)
into a Hugo page with JSON front matter (title, date, lastmod, slug, tags, and the flags the
Pagefind filters use) and the body as is, under `<site>/content/posts/YYYY/MM/`, next to a copy
of `benchmarks/hugo/` (hugo.toml and the layouts written for this benchmark).
"""

from __future__ import annotations

import html
import json
import re
import runpy
import shutil
from pathlib import Path
from typing import Any

from feed_archive.build.search import pagefind_binary
from feed_archive.build.timeline import BRIEF_PREFIXES
from feed_archive.post import read_header
from feed_archive.settings import DEFAULTS

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LAYOUT = HERE / "hugo"
MISSING = "hugo not found: apt-get install hugo"
_PAGINATE = re.compile(r"^paginate = \d+$", re.M)
_INDEXED = re.compile(r"Indexed (\d+) pages?")


def hugo_binary() -> str | None:
    """Path of the `hugo` command on PATH, or None when it is not installed."""
    return shutil.which("hugo")


def list_page_size() -> int:
    """FEED_ARCHIVE_LIST_PAGE_SIZE as the project's pelicanconf.py sets it, else the default."""
    conf = runpy.run_path(str(ROOT / "pelicanconf.py"))
    key = "FEED_ARCHIVE_LIST_PAGE_SIZE"
    return int(conf.get(key, DEFAULTS[key]))


def _split(text: str) -> tuple[dict[str, str], str]:
    """A post file's header (keys lowercased) and its Markdown body."""
    head, _, body = text.partition("\n\n")
    return read_header(head), body


def front_matter(meta: dict[str, str]) -> dict[str, Any]:
    """Hugo front matter for a post header: plain-text title, RFC 3339 dates, tag list, flags."""
    title = html.unescape(meta["title"])
    matter: dict[str, Any] = {
        "title": title,
        "date": meta["date"].replace(" ", "T", 1),
        "slug": meta["slug"],
        "tags": [t.strip() for t in meta.get("tags", "").split(",") if t.strip()],
        "feed": html.unescape(meta.get("feed", "")),
    }
    if meta.get("modified"):
        matter["lastmod"] = meta["modified"].replace(" ", "T", 1)
    if title.startswith(BRIEF_PREFIXES):
        matter["brief"] = True
    if meta.get("paywalled") == "true":
        matter["paywalled"] = True
    return matter


def hugo_page(meta: dict[str, str], body: str) -> str:
    """A Hugo content file for one post: JSON front matter, a blank line, the same body."""
    return json.dumps(front_matter(meta), ensure_ascii=False, indent=1) + "\n\n" + body


def write_layout(site: Path, page_size: int) -> None:
    """Copy benchmarks/hugo/ (config and layouts) into `site`, with `paginate = page_size`."""
    shutil.rmtree(site / "layouts", ignore_errors=True)
    shutil.copytree(LAYOUT, site, dirs_exist_ok=True)
    config = site / "hugo.toml"
    text, found = _PAGINATE.subn(f"paginate = {page_size}", config.read_text(encoding="utf-8"))
    if found != 1:
        raise RuntimeError(f"{config}: no 'paginate = N' line to set")
    config.write_text(text, encoding="utf-8")


def write_posts(content: Path, site: Path) -> int:
    """Convert the posts under `content/archive` into `site/content/posts`; return their number."""
    shutil.rmtree(site / "content", ignore_errors=True)
    count = 0
    for post in sorted((content / "archive").rglob("*.md")):
        meta, body = _split(post.read_text(encoding="utf-8"))
        target = site / "content" / "posts" / meta["date"][:4] / meta["date"][5:7] / post.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(hugo_page(meta, body), encoding="utf-8")
        count += 1
    return count


def write_site(content: Path, site: Path, page_size: int) -> int:
    """Make a Hugo site in `site` from the posts under `content/archive`; return their number."""
    shutil.rmtree(site, ignore_errors=True)
    write_layout(site, page_size)
    return write_posts(content, site)


def hugo_command(site: Path, public: Path) -> list[str]:
    """`hugo` building `site` into `public` (no --minify: our build does not minify either)."""
    hugo = hugo_binary() or "hugo"
    return [hugo, "--source", str(site), "--destination", str(public)] + [
        "--cacheDir",
        str(site / ".cache"),
    ]


def pagefind_command(public: Path) -> list[str]:
    """The Pagefind CLI indexing Hugo's output into `public/pagefind`."""
    return [str(pagefind_binary()), "--site", str(public)]


def indexed_pages(output: str) -> int:
    """Pages the Pagefind CLI says it indexed, from its output (0 when it does not say)."""
    found = _INDEXED.findall(output)
    return int(found[-1]) if found else 0
