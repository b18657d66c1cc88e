"""Coverage statistics: figures computed from items, SVG drawn in Python, the built page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from feed_archive.stats.charts import bar_chart
from feed_archive.stats.compose import compute
from feed_archive.stats.data import Item
from feed_archive.timeline import is_brief

SVG = "{http://www.w3.org/2000/svg}"


def _items() -> list[Item]:
    newest = date(2025, 11, 7)
    items = [
        Item(newest, "A", ("IA", "Justice"), brief=True),
        Item(newest, "A", ("IA",), paywalled=True),
        Item(newest - timedelta(days=1), "B", ("Sécurité",)),
        Item(newest - timedelta(days=89), "B", ("IA",)),
        Item(newest - timedelta(days=90), "B", ("<b>x</b>",)),  # outside the 90 days
        Item(date(2024, 12, 31), "A", ("IA",)),
    ]
    return items


def _chart(stats, key):
    return next(c for c in stats.charts if c.key == key)


def test_figures() -> None:
    stats = compute(_items())
    assert (stats.total, stats.sources) == (6, 2)
    assert (stats.first, stats.last) == (date(2024, 12, 31), date(2025, 11, 7))
    per_day = _chart(stats, "per-day")
    # the last 90 days end with the newest item; the day 90 days before is outside
    assert per_day.rows == [("2025-08-10", 1), ("2025-11-06", 1), ("2025-11-07", 2)]
    assert "2 au plus en un jour (07/11/2025)" in per_day.description
    per_month = _chart(stats, "per-month")
    assert per_month.rows[0] == ("2024-12", 1) and per_month.rows[-1] == ("2025-11", 3)
    assert len(per_month.rows) == 12  # empty months are there, with 0
    assert ("2025-01", 0) in per_month.rows
    sources = _chart(stats, "sources")
    assert sources.rows == [("A", 3), ("B", 3)]
    shares = _chart(stats, "shares")
    assert shares.rows == [("Brèves", 1, "16.7%"), ("Réservés aux abonnés", 1, "16.7%")]
    tags = _chart(stats, "tags")
    assert tags.title.startswith("Les 4 mots-clés")
    assert "IA (4)" in tags.description
    # a year-long archive is counted per week
    assert "par semaine" in tags.description


def test_hidden_tags_and_english() -> None:
    stats = compute(_items(), "en", hidden_tags=["ia"])
    tags = _chart(stats, "tags")
    assert "IA" not in tags.description and tags.title == "The 3 most frequent tags over time"
    assert _chart(stats, "per-day").title == "Items per day, last 90 days"


def test_svg_is_valid_accessible_and_escaped() -> None:
    stats = compute(_items())
    for chart in stats.charts:
        root = ET.fromstring(chart.svg)  # well-formed XML
        assert root.get("role") == "img"
        title_id, desc_id = root.get("aria-labelledby"), root.get("aria-describedby")
        assert root.find(f"{SVG}title").get("id") == title_id
        assert root.find(f"{SVG}desc").get("id") == desc_id
        assert root.find(f"{SVG}desc").text == chart.description
        assert "<script" not in chart.svg
    svg = _chart(stats, "tags").svg
    assert "&lt;b&gt;x&lt;/b&gt;" in svg and "<b>" not in svg


def test_bars_are_proportional() -> None:
    svg = bar_chart("t", "T", "D", [("a", 2), ("b", 4), ("c", 0)])
    heights = [float(h) for h in re.findall(r'class="bar"[^>]*height="([\d.]+)"', svg)]
    assert heights[1] == pytest.approx(2 * heights[0]) and heights[2] == 0


def test_empty_archive() -> None:
    stats = compute([])
    assert stats.total == 0 and stats.charts == []


def test_briefs() -> None:
    def article(title: str, category: str, tags: tuple[str, ...]) -> SimpleNamespace:
        return SimpleNamespace(title=title, category=category, tags=tags)

    assert is_brief(article("☕️ Une brève", "", ()), ())
    assert is_brief(article("Titre", "Le Fil", ("brève",)), ["Brève"])
    assert not is_brief(article("Titre ☕️", "Le Fil", ("IA",)), ["Brève"])


@pytest.fixture(scope="module")
def stats_page(sample_site: Path) -> Path:
    return sample_site / "stats" / "index.html"


def test_stats_page_is_built(stats_page: Path, sample_site: Path) -> None:
    html = stats_page.read_text("utf-8")
    assert html.count("<svg") == 5
    assert html.count("<table") == 5
    assert "33 articles de 1 source(s), du 20/10/2025 au 07/11/2025." in html
    assert "7 brèves sur 33 articles (21%) ; 4 articles réservés aux abonnés (12%)." in html
    # readable without JavaScript: no script of ours, figures written in the page
    assert "chart" not in " ".join(re.findall(r"<script[^>]*src=\"([^\"]+)\"", html))
    assert 'href="/stats/"' in (sample_site / "index.html").read_text("utf-8")


@pytest.mark.browser
def test_stats_page_in_a_browser(browser, sample_site: Path, serve_dir) -> None:
    base = serve_dir(sample_site)
    context = browser.new_context(java_script_enabled=False, locale="fr-FR")
    page = context.new_page()
    page.goto(base)
    page.get_by_role("link", name="Statistiques").first.click()
    assert page.url.endswith("/stats/")
    charts = page.get_by_role("img")
    assert charts.count() >= 5
    day = page.locator("svg.chart-per-day")
    box = day.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 80
    assert page.locator("svg.chart-per-day rect.bar").count() == 90
    # the accessible name of each chart is its title
    assert day.get_attribute("aria-labelledby") == "chart-per-day-title"
    assert page.get_by_role("img", name="Articles par jour, sur les 90 derniers jours").count() == 1
    table = page.locator("#sources table")
    assert not table.is_visible()
    page.locator("#sources summary").click()
    assert table.is_visible()
    assert "Le Fil Numérique" in table.inner_text() and "33" in table.inner_text()
    # fits a phone screen without horizontal scrolling of the page
    page.set_viewport_size({"width": 375, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380
    context.close()


def test_english_page(tmp_path: Path) -> None:
    from conftest import SAMPLE_1, build_site, fetch_into

    content = tmp_path / "content"
    fetch_into(content, SAMPLE_1)
    output = build_site(content, tmp_path / "output", DEFAULT_LANG="en")
    html = (output / "stats" / "index.html").read_text("utf-8")
    assert "<h1>Coverage statistics</h1>" in html
    assert "Items per month, all time" in html and "Data table" in html
    assert "Statistiques de la couverture" not in html
