"""Helpers for the browser tests: serve a folder, drive the search page, run axe-core."""

from __future__ import annotations

import functools
import http.server
import re
import threading
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from conftest import ROOT, _QuietHandler


def plain(text: str) -> str:
    """Lowercase, accents and odd spaces removed: for comparing what the page shows."""
    text = unicodedata.normalize("NFKD", text.replace("\u202f", " ").replace("\xa0", " "))
    return re.sub(r"\s+", " ", "".join(c for c in text if not unicodedata.combining(c))).lower()


def serve(folder: Path, prefix: str) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve `folder` under `prefix` on 127.0.0.1 (the server to shut down, and the base URL)."""
    handler = type("Handler", (_QuietHandler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(folder))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{prefix}"


def settle(page: Any) -> None:
    """Wait until the search page has finished its query."""
    page.wait_for_selector("#search[data-state=ready]", state="attached", timeout=15000)


def open_search(page: Any, site: str, query: str = "", **params: str) -> None:
    """Open the search page with a query and filters; wait for its results."""
    url = f"{site}search/?q={quote(query)}"
    for key, value in params.items():
        url += f"&{key}={quote(value)}"
    page.goto(url)
    if query:
        settle(page)


def titles(page: Any) -> list[str]:
    """The result titles shown, in order, in plain form."""
    return [plain(t) for t in page.locator("#search-results li h2 a").all_inner_texts()]


def dates(page: Any) -> list[str]:
    """The result dates shown (datetime attributes), in order."""
    return page.eval_on_selector_all(
        "#search-results li time", "els => els.map(e => e.getAttribute('datetime'))"
    )


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def axe(page: Any) -> list[dict[str, Any]]:
    """The axe-core violations of the open page (id, impact, help, first nodes)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: run ./bootstrap.sh (npm ci, package-lock.json)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    return result
