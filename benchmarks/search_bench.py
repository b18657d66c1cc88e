"""Search benchmark: synthetic French archives -> index time, memory, size, bytes per query.

Run alone: `.venv/bin/python benchmarks/search_bench.py --sizes 1000 10000`
or from `invoke bench` via `run(sizes=(1000, 10000))`.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from search_site import make_site  # noqa: E402

from feed_archive.settings import DEFAULTS  # noqa: E402

# ---------------------------------------------------------------- measurements

_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {plugins!r})
from pathlib import Path
from feed_archive.build import search
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
        ("/theme/search/", "search UI (our JS+CSS)"),
        ("/theme/", "theme CSS"),
    ):
        if marker in path:
            return name
    return "search page HTML"


#: Tells the benchmark when the page shows its first results and when its count is exact
#: (#search data-state="ready" with a data-count, then data-count="exact"), through a CDP
#: binding: the CDP session sees it in order with the requests the page started.
_MILESTONES = """
(() => {
  const sent = new Set();
  const tell = (name) => {
    if (!sent.has(name)) { sent.add(name); window.__searchMilestone(name); }
  };
  new MutationObserver(() => {
    const root = document.getElementById("search");
    if (!root || !root.dataset.count) return;
    if (root.dataset.state === "ready") tell("first");
    if (root.dataset.count === "exact" && sent.has("first")) tell("exact");
  }).observe(document, {attributes: true, subtree: true,
                        attributeFilter: ["data-state", "data-count"]});
})();
"""


def first_query(site: Path, query: str, sort: str = "date", compress: bool = True) -> dict:
    """Load /search/?q=`query` in Chromium with a cold cache. Bytes on the wire (CDP
    encodedDataLength) of the requests started before the first results were shown ("first")
    and before the exact count was shown ("exact"), each as {group: bytes}; the count shown."""
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
    started: list[str] = []
    marks: dict[str, int] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page()
            cdp = page.context.new_cdp_session(page)
            cdp.on("Network.requestWillBeSent", lambda e: started.append(e["requestId"]))
            cdp.on(
                "Network.responseReceived",
                lambda e: urls.__setitem__(e["requestId"], e["response"]["url"]),
            )
            cdp.on(
                "Network.loadingFinished",
                lambda e: wire.__setitem__(e["requestId"], int(e["encodedDataLength"])),
            )
            cdp.on(
                "Runtime.bindingCalled",
                lambda e: marks.setdefault(e["payload"], len(started)),
            )
            cdp.send("Network.enable")
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            cdp.send("Runtime.enable")
            cdp.send("Runtime.addBinding", {"name": "__searchMilestone"})
            page.add_init_script(_MILESTONES)
            page.goto(url)
            page.wait_for_selector("#search[data-count=exact]", state="attached", timeout=120000)
            page.wait_for_load_state("networkidle")
            shown = page.locator("#search-results li").count()
            count = page.inner_text("#search-status")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    result: dict = {"shown": shown, "count": count}
    for mark in ("first", "exact"):
        groups: dict[str, int] = {}
        for request in started[: marks.get(mark, len(started))]:
            name = _group(urls.get(request, ""))
            groups[name] = groups.get(name, 0) + wire.get(request, 0)
        result[mark] = groups
    return result


def _mb(n: float) -> str:
    return f"{n / 1e6:.1f} MB"


def _kb(n: float) -> str:
    return f"{n / 1000:.0f} KB"


def _where(groups: dict[str, int]) -> str:
    """ "total = group bytes, ..." largest first."""
    parts = ", ".join(
        f"{name} {_kb(size)}" for name, size in sorted(groups.items(), key=lambda kv: -kv[1])
    )
    return f"{_kb(sum(groups.values()))} = {parts}"


#: Queries measured: a frequent word in both orders, a plural, a word in 8 items.
QUERIES = (
    ("données", "date"),
    ("données", "relevance"),
    ("surveillances", "date"),
    ("zygomatique", "date"),
)
#: Modes measured by default: the default FEED_ARCHIVE_SEARCH_MAX_PAGES and one index.
MODES = (DEFAULTS["FEED_ARCHIVE_SEARCH_MAX_PAGES"], 0)


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
                        got = first_query(site, query, sort, compress)
                        how = "gzip" if compress else "no compression"
                        head = f"search {n} {mode}: {query!r} sort={sort} ({how})"
                        say(f"{head}: first results {_where(got['first'])}")
                        say(
                            f"{head}: exact count {_where(got['exact'])} "
                            f"[{got['shown']} shown; {got['count']}]"
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
        help="FEED_ARCHIVE_SEARCH_MAX_PAGES values to compare (0: one index, 1: one per month)",
    )
    args = parser.parse_args()
    run(tuple(args.sizes), tuple(args.max_pages))


if __name__ == "__main__":
    main()
