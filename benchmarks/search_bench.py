"""Search benchmark: synthetic French archives -> index time, memory, size, first-query bytes.

Run alone: `.venv/bin/python benchmarks/search_bench.py --sizes 1000 10000`
or from `invoke bench` via `run(sizes=(1000, 10000))`.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import html
import http.server
import io
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
SAMPLES = ROOT / "samples" / "feeds"
WORDS_PER_ITEM = 600
SOURCES = ("Le Fil Numérique", "Le Fil Numérique (abonnés)", "Brèves du Fil", "Le Fil Éco", "Labo")
FIRST_YEAR, LAST_YEAR = 2016, 2025

# ---------------------------------------------------------------- synthetic French text


def _sample_words() -> list[str]:
    """Real French words taken from the bundled sample feeds (our own text)."""
    words: list[str] = []
    for path in sorted(SAMPLES.glob("*.xml")):
        text = html.unescape(html.unescape(path.read_text(encoding="utf-8")))
        text = re.sub(r"<[^>]+>", " ", text)
        words += re.findall(r"[a-zàâäçéèêëîïôöùûüÿœæ]{2,}", text.lower())
    return words


_SUFFIXES = (
    "",
    "s",
    "tion",
    "tions",
    "ment",
    "ments",
    "ique",
    "iques",
    "eur",
    "eurs",
    "euse",
    "ité",
    "ités",
    "age",
    "ages",
    "iste",
    "istes",
    "isme",
    "er",
    "é",
    "ée",
    "ées",
    "ant",
)
_SYLLABLES = (
    "ba",
    "cor",
    "dé",
    "fra",
    "gou",
    "lan",
    "mé",
    "nor",
    "pro",
    "ré",
    "sta",
    "tel",
    "vi",
    "zo",
    "cha",
    "pli",
    "tra",
    "ver",
    "mon",
    "sé",
    "qua",
    "bri",
    "ges",
    "ri",
)


class FrenchText:
    """Zipf-like French prose from real sample words, derived forms and proper nouns."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        counts: dict[str, int] = {}
        for word in _sample_words():
            counts[word] = counts.get(word, 0) + 1
        common = sorted(counts, key=lambda w: -counts[w])
        stems = [w for w in common if len(w) > 4]
        derived = sorted({s[:-1] + suffix for s in stems for suffix in _SUFFIXES[:12]})
        self.rng.shuffle(derived)
        names = sorted(
            {
                "".join(self.rng.choice(_SYLLABLES) for _ in range(self.rng.randint(2, 3)))
                for _ in range(6000)
            }
        )
        # rank order: frequent real words first, then derived words, then rare proper nouns
        self.vocab = common + derived + [n.capitalize() for n in names]
        weights = [1.0 / (rank + 1) ** 1.07 for rank in range(len(self.vocab))]
        self.cum = []
        total = 0.0
        for w in weights:
            total += w
            self.cum.append(total)

    def words(self, n: int) -> list[str]:
        """`n` words drawn with the Zipf weights."""
        return self.rng.choices(self.vocab, cum_weights=self.cum, k=n)

    def paragraph(self, n: int) -> str:
        """One paragraph of about `n` words in sentences."""
        out, left = [], n
        while left > 0:
            size = min(left, self.rng.randint(8, 24))
            sentence = " ".join(self.words(size))
            out.append(sentence[0].upper() + sentence[1:] + ".")
            left -= size
        return " ".join(out)


# ---------------------------------------------------------------- synthetic site

#: The shape of theme/templates/article.html as built (header, body, filters, related items).
ARTICLE = """<!doctype html>
<html lang="fr">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — Archive du Fil Numérique</title>
<link rel="stylesheet" href="/theme/css/theme.css">
</head>
<body>
<a class="skip" href="#main">Aller au contenu</a>
<header class="site"><div class="wrap bar"><a class="brand" href="/">Archive du Fil Numérique</a>
<nav aria-label="Menu principal"><ul><li><a href="/archives/">Calendrier</a></li>
<li><a href="/tags/">Thèmes</a></li><li><a href="/sources/">Sources</a></li>
<li><a href="/search/">Rechercher</a></li></ul></nav>
<form role="search" action="/search/" method="get"><label class="vh" for="q">Rechercher</label>
<input type="search" id="q" name="q"><button type="submit">Rechercher</button></form>
</div></header>
<main id="main" class="wrap" tabindex="-1">
<nav class="crumbs"><a href="/archives/">Calendrier</a> › <a href="/{year}/">{year}</a></nav>
<article class="post">
<header><p class="kicker"><a href="/sources/x/">{source}</a></p>
<p class="dates">Publié le <time datetime="{iso}">{human}</time></p></header>
<div class="body" data-pagefind-body data-pagefind-sort="date:{sort}">
<h1>{title}</h1>
<span data-pagefind-meta="date:{iso}" hidden></span>
{tags}<span data-pagefind-filter="source" data-pagefind-ignore hidden>{source}</span>\
<span data-pagefind-filter="year" data-pagefind-ignore hidden>{year}</span>
<span data-pagefind-filter="kind" data-pagefind-ignore hidden>{kind}</span>{paywalled}
<div class="text">
{body}
</div>
</div>
<p class="tags">{tag_links}</p>
</article>
<aside class="related"><h2 id="related">À lire aussi</h2><ul class="lines">{related}</ul></aside>
</main>
<footer class="site"><div class="wrap"><p>Archive du Fil Numérique</p></div></footer>
</body>
</html>
"""


def make_site(folder: Path, n: int, seed: int = 7) -> Path:
    """Write `n` synthetic article pages (the theme's article shape) under `folder`."""
    text = FrenchText(seed)
    rng = text.rng
    tags = sorted({" ".join(text.words(rng.randint(1, 2))).capitalize() for _ in range(400)})[:300]
    start = datetime(FIRST_YEAR, 1, 1, 8, 0)
    span = (datetime(LAST_YEAR, 12, 31, 20, 0) - start).total_seconds()
    for i in range(n):
        when = start + timedelta(seconds=span * i / max(n - 1, 1))
        title = " ".join(text.words(rng.randint(6, 11))).capitalize()
        if i % 7 == 0:
            title = "Données personnelles : " + title
        slug = f"item-{i:06d}"
        brief = i % 5 == 0
        words = 120 if brief else WORDS_PER_ITEM
        paragraphs = [text.paragraph(words // 6) for _ in range(6)]
        if i % (max(n, 8) // 8) == 3:  # a rare word, in 8 items spread over the years
            paragraphs[2] += " Un cas zygomatique."
        page_tags = rng.sample(tags, 3)
        target = folder / f"{when:%Y}" / f"{when:%m}" / f"{when:%d}" / slug / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        tags = [html.escape(t) for t in page_tags]
        target.write_text(
            ARTICLE.format(
                title=html.escape(title),
                iso=when.strftime("%Y-%m-%dT%H:%M:00+01:00"),
                human=f"{when:%d/%m/%Y %H:%M}",
                sort=f"{when:%Y-%m-%dT%H:%M}",
                year=f"{when:%Y}",
                source=html.escape(rng.choice(SOURCES)),
                kind="brève" if brief else "article",
                paywalled='\n<span data-pagefind-filter="paywalled" data-pagefind-ignore hidden>'
                "oui</span>"
                if i % 9 == 0
                else "",
                tags="".join(
                    f'<span data-pagefind-filter="tag" data-pagefind-ignore hidden>{t}</span>'
                    for t in tags
                ),
                tag_links=" ".join(f'<a class="tag" href="/tag/x/">{t}</a>' for t in tags),
                related="".join(
                    f'<li><a href="/x/">{html.escape(" ".join(text.words(8)))}</a></li>'
                    for _ in range(4)
                ),
                body="\n".join(f"<p>{p}</p>" for p in paragraphs),
            ),
            encoding="utf-8",
        )
    return folder


# ---------------------------------------------------------------- measurements

_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {plugins!r})
from pathlib import Path
from feed_archive import search
start = time.perf_counter()
report = search.index_site(Path({site!r}), max_pages={max_pages!r})
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
indexes = len(report.indexes)
print(json.dumps({{"seconds": seconds, "peak": peak, "pages": report.pages, "indexes": indexes}}))
"""


def measure_index(site: Path, max_pages: int = 0) -> dict:
    """Index `site` in a fresh process: seconds, peak RSS of pagefind (bytes), pages, disk size."""
    code = _CHILD.format(plugins=str(ROOT / "plugins"), site=str(site), max_pages=max_pages)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    bundle = site / "pagefind"
    result["disk"] = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    return result


def search_page(site: Path) -> None:
    """Render the real search page and theme files with Pelican (no article) into `site`."""
    from pelican import Pelican
    from pelican.settings import read_settings

    with tempfile.TemporaryDirectory(prefix="search-bench-page-") as tmp:
        content, output = Path(tmp) / "content", Path(tmp) / "output"
        content.mkdir()
        settings = read_settings(
            str(ROOT / "pelicanconf.py"),
            override={
                "PATH": str(content),
                "OUTPUT_PATH": str(output),
                "THEME": str(ROOT / "theme"),
                "PLUGIN_PATHS": [str(ROOT / "plugins")],
                "CACHE_PATH": str(Path(tmp) / "cache"),
                "SITEURL": "",
                "FEED_ARCHIVE_SEARCH": False,
            },
        )
        Pelican(settings).run()
        for folder in ("search", "theme"):
            shutil.copytree(output / folder, site / folder, dirs_exist_ok=True)


_TEXT = {".html", ".css", ".js", ".json", ".svg", ".xml"}


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-compressed for text types as GitHub Pages does (when `gzip` is set)."""

    gzip = True

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_head(self):  # type: ignore[no-untyped-def]
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (self.gzip and accepts and path.suffix in _TEXT and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def _group(url: str) -> str:
    path = url.split("?")[0]
    for marker, name in (
        ("/pagefind/index/", "word index chunks"),
        ("/index/", "word index chunks"),
        ("/fragment/", "result fragments"),
        ("/filter/", "filter chunks"),
        (".pf_meta", "index metadata"),
        ("pagefind-entry.json", "index metadata"),
        ("indexes.json", "index metadata"),
        ("wasm.", "pagefind wasm"),
        ("pagefind.js", "pagefind.js"),
        ("pagefind-worker.js", "pagefind worker"),
        ("/search/search.", "search UI (our JS+CSS)"),
        ("/theme/", "theme CSS"),
    ):
        if marker in path:
            return name
    return "search page HTML"


def first_query(
    site: Path, query: str, sort: str = "date", compress: bool = True
) -> tuple[int, dict[str, int], int]:
    """Load /search/?q=`query` in Chromium with a cold cache; bytes on the wire by group."""
    from playwright.sync_api import sync_playwright

    handler = type("Handler", (_Handler,), {"gzip": compress})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/search/?q={quote(query)}"
    if sort != "date":
        url += f"&sort={sort}"
    urls: dict[str, str] = {}
    wire: dict[str, int] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            cdp = page.context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            cdp.on(
                "Network.responseReceived",
                lambda e: urls.__setitem__(e["requestId"], e["response"]["url"]),
            )
            cdp.on(
                "Network.loadingFinished",
                lambda e: wire.__setitem__(e["requestId"], int(e["encodedDataLength"])),
            )
            page.goto(url)
            page.wait_for_selector("#search[data-state=ready]", state="attached", timeout=60000)
            page.wait_for_load_state("networkidle")
            results = page.locator("#search-results li").count()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    groups: dict[str, int] = {}
    for request, size in wire.items():
        name = _group(urls.get(request, ""))
        groups[name] = groups.get(name, 0) + size
    return sum(groups.values()), groups, results


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def _kb(n: float) -> str:
    return f"{n / 1000:.0f} KB"


#: First queries measured: a frequent word, a plural, relevance order, a word in 8 items.
QUERIES = (
    ("données", "date"),
    ("surveillances", "date"),
    ("données", "relevance"),
    ("zygomatique", "date"),
)
#: Modes measured by default: the default setting (FEED_ARCHIVE_SEARCH_MAX_PAGES) and one index.
MODES = (4000, 0)


def run(sizes: tuple[int, ...] = (1000, 10000), modes: tuple[int, ...] = MODES) -> list[str]:
    """Build, index and query synthetic archives of each size; print and return result lines."""
    lines: list[str] = []

    def say(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    for n in sizes:
        with tempfile.TemporaryDirectory(prefix=f"search-bench-{n}-") as tmp:
            site = Path(tmp) / "site"
            start = time.perf_counter()
            make_site(site, n)
            search_page(site)
            say(f"search {n}: generated {n} pages in {time.perf_counter() - start:.1f} s")
            for max_pages in modes:
                mode = f"max-pages={max_pages}"
                result = measure_index(site, max_pages)
                say(
                    f"search {n} {mode}: {result['indexes']} index(es), "
                    f"index {result['seconds']:.1f} s, peak RSS {_mb(result['peak'])}, "
                    f"{result['pages']} pages, on disk {_mb(result['disk'])}"
                )
                for number, (query, sort) in enumerate(QUERIES):
                    for compress in (True, False) if number == 0 else (True,):
                        total, groups, found = first_query(site, query, sort, compress)
                        where = ", ".join(
                            f"{name} {_kb(size)}"
                            for name, size in sorted(groups.items(), key=lambda kv: -kv[1])
                        )
                        say(
                            f"search {n} {mode}: first query {query!r} sort={sort} "
                            f"({'gzip' if compress else 'no compression'}): {_kb(total)} "
                            f"[{found} shown] = {where}"
                        )
                shutil.rmtree(site / "pagefind", ignore_errors=True)
    return lines


def main() -> None:
    """Command line: --sizes N [N ...] [--max-pages M ...]."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument(
        "--max-pages",
        type=int,
        nargs="+",
        default=list(MODES),
        help="FEED_ARCHIVE_SEARCH_MAX_PAGES values to compare (0: one index, 1: one per year)",
    )
    args = parser.parse_args()
    run(tuple(args.sizes), tuple(args.max_pages))


if __name__ == "__main__":
    main()
