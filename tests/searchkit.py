"""Hand-written built pages and archived posts for the search tests."""

from __future__ import annotations

from pathlib import Path

ARTICLE = """<!DOCTYPE html><html lang="fr"><head><title>{title}</title></head>
<body><nav>menu données</nav><div data-pagefind-body data-pagefind-sort="date:{day}T10:00">
<h1>{title}</h1><span data-pagefind-filter="year" hidden>{year}</span>
<p>{text}</p></div></body></html>
"""


def write_page(site: Path, day: str, slug: str, title: str, text: str) -> None:
    """One article page at <yyyy>/<mm>/<dd>/<slug>/index.html, in the theme's shape."""
    year, month, dom = day.split("-")
    page = site / year / month / dom / slug / "index.html"
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(ARTICLE.format(title=title, day=day, year=year, text=text), encoding="utf-8")


def write_post(content: Path, day: str, slug: str, title: str, text: str, tags: str) -> None:
    """One archived post, as the plugin writes them, under content/archive/."""
    folder = content / "archive" / "test-feed" / day[:4] / day[5:7]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}.md").write_text(
        f"Title: {title}\nDate: {day} 10:00:00+01:00\nTags: {tags}\nCategory: Test Feed\n"
        f"Slug: {slug}\nAuthors: Test\nSummary: {title}\n"
        f"Source: https://example.org/{slug}\nGuid: https://example.org/?p={slug}\n"
        f"Feed: Test Feed\n\n{text}\n",
        encoding="utf-8",
    )
