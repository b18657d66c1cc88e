"""Screenshots of a built site for review: home, article, tag, statistics and search pages.

Usage: python scripts/screenshots.py [OUTPUT_DIR] [SCREENSHOTS_DIR]   (default: output screenshots)
Serves OUTPUT_DIR on 127.0.0.1, opens each page in Debian's Chromium (Playwright) at 390 and
1366 px wide, and writes `<page>-<width>.png` (full page) into SCREENSHOTS_DIR.
"""

from __future__ import annotations

import functools
import http.server
import re
import sys
import threading
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
WIDTHS = (390, 1366)
ARTICLE = re.compile(r"^\d{4}/\d\d/\d\d/[^/]+/index\.html$")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def pages(output: Path) -> dict[str, str]:
    """The URL path of each page to shoot: an article with a history if there is one."""
    articles = sorted(str(p.relative_to(output)) for p in output.rglob("index.html"))
    articles = [a for a in articles if ARTICLE.match(a)]
    if not articles:
        raise SystemExit(f"{output}: no article page; build the site first (invoke sample)")
    with_history = [a for a in articles if 'class="revisions"' in (output / a).read_text("utf-8")]
    article = (with_history or articles)[-1].removesuffix("index.html")
    tags = sorted(
        (p for p in (output / "tag").glob("*/index.html")),
        key=lambda p: -p.read_text("utf-8").count("<li><time"),
    )
    tag = str(tags[0].parent.relative_to(output)) + "/" if tags else "tags/"
    return {
        "home": "/",
        "article": f"/{article}",
        "tag": f"/{tag}",
        "statistics": "/stats/",
        "search": "/search/?q=donn%C3%A9es",
    }


def shoot(output: Path, folder: Path) -> list[Path]:
    """Write the screenshots; return their paths."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(output))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            for width in WIDTHS:
                context = browser.new_context(
                    viewport={"width": width, "height": 900}, locale="fr-FR"
                )
                page = context.new_page()
                for name, path in pages(output).items():
                    page.goto(base + path)
                    if name == "search":
                        page.wait_for_selector("#search[data-state=ready]", timeout=15000)
                    target = folder / f"{name}-{width}.png"
                    page.screenshot(path=str(target), full_page=True)
                    written.append(target)
                context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return written


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "output")
    shots = Path(sys.argv[2] if len(sys.argv) > 2 else "screenshots")
    for shot in shoot(out, shots):
        print(shot)
