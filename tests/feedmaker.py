"""Small RSS and Atom documents for tests: items given as dicts, bytes out (UTF-8)."""

from __future__ import annotations

from html import escape
from typing import Any

#: A long French article (about 900 words) and the teaser a paywalled public feed gives of it.
PARAGRAPHS = [
    f"Paragraphe {n} : la Commission nationale de l'informatique et des libertés a détaillé "
    f"les manquements relevés chez le courtier, point {n} sur {40}, avec des exemples précis "
    "de données collectées sans consentement, conservées trop longtemps et revendues à des "
    "régies publicitaires dont personne ne connaissait le nom."
    for n in range(1, 41)
]
FULL_TEXT = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
TEASER = (
    "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:3])
    + "<p>Il reste 79% de l'article à découvrir…</p>"
    + "<p>Générez une clé RSS dans votre profil pour lire la suite.</p>"
)


def _rss_item(item: dict[str, Any]) -> str:
    parts = ["<item>"]
    if "title" in item:
        parts.append(f"<title>{escape(item['title'])}</title>")
    if item.get("link"):
        parts.append(f"<link>{escape(item['link'])}</link>")
    if item.get("guid"):
        permalink = "" if item.get("permalink") else ' isPermaLink="false"'
        parts.append(f"<guid{permalink}>{escape(item['guid'])}</guid>")
    if item.get("date"):
        parts.append(f"<pubDate>{item['date']}</pubDate>")
    if item.get("updated"):
        parts.append(f"<dc:modified>{item['updated']}</dc:modified>")
    for tag in item.get("tags", ()):
        parts.append(f"<category>{escape(tag)}</category>")
    if "html" in item:
        parts.append(f"<content:encoded><![CDATA[{item['html']}]]></content:encoded>")
    parts.append("</item>")
    return "".join(parts)


def rss(
    items: list[dict[str, Any]], title: str = "Le Fil", link: str = "https://fil.example/"
) -> bytes:
    """An RSS 2.0 document with content:encoded and dc:modified for the given items."""
    body = "\n".join(_rss_item(i) for i in items)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f"<channel><title>{escape(title)}</title><link>{escape(link)}</link>\n"
        f"{body}\n</channel></rss>\n"
    ).encode()


def atom(entries: list[dict[str, Any]], title: str = "Le Fil") -> bytes:
    """An Atom 1.0 document: id, title, link, published, updated and HTML content per entry."""
    parts = []
    for entry in entries:
        parts.append(
            "<entry>"
            f"<id>{escape(entry['guid'])}</id><title>{escape(entry['title'])}</title>"
            + (f'<link href="{escape(entry["link"])}"/>' if entry.get("link") else "")
            + f"<published>{entry['date']}</published>"
            + f"<updated>{entry.get('updated') or entry['date']}</updated>"
            + f'<content type="html">{escape(entry["html"])}</content>'
            "</entry>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title><id>urn:test:feed</id>"
        "<updated>2025-11-07T09:00:00Z</updated>\n" + "\n".join(parts) + "\n</feed>\n"
    ).encode("utf-8")


def item(n: int, html: str | None = None, **extra: Any) -> dict[str, Any]:
    """Item number `n` of a fictional site: guid, link, title, date, some text."""
    values = {
        "guid": f"https://fil.example/?p={n}",
        "link": f"https://fil.example/2025/11/article-{n}/",
        "title": f"Article numéro {n}",
        "date": f"Mon, {n % 28 + 1:02d} Sep 2025 10:00:00 +0200",
        "html": html if html is not None else f"<p>Le texte de l'article numéro {n}.</p>",
    }
    values.update(extra)
    return values
