"""Coverage statistics: figures computed from items, words in the site's language, SVG, the page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import ROOT
from feed_archive.build.stats.charts import bar_chart, label_positions, scale
from feed_archive.build.stats.compose import compute
from feed_archive.build.stats.data import Item, count
from feed_archive.build.stats.words import words_for
from feed_archive.build.timeline import is_brief

SVG = "{http://www.w3.org/2000/svg}"
FR = words_for(ROOT / "theme", "fr", "Europe/Paris")
EN = words_for(ROOT / "theme", "en", "Europe/Paris")
N = "\u202f"  # narrow no-break space


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
    stats = compute(_items(), FR)
    assert (stats.total, stats.sources) == (6, 2)
    assert (stats.first, stats.last) == (date(2024, 12, 31), date(2025, 11, 7))
    figures = count(_items())
    # the last 90 days end with the newest item; the day 90 days before is outside
    assert [(d, v) for d, v in figures.days if v] == [
        (date(2025, 8, 10), 1),
        (date(2025, 11, 6), 1),
        (date(2025, 11, 7), 2),
    ]
    per_day = _chart(stats, "per-day")
    assert per_day.rows == [
        ("10 août 2025", "1"),
        ("6 novembre 2025", "1"),
        ("7 novembre 2025", "2"),
    ]
    assert "2 au plus en un jour (7 novembre 2025)" in per_day.description
    assert per_day.description.startswith(f"Du 10 août au 7 novembre 2025{N}: 4 articles")
    per_month = _chart(stats, "per-month")
    assert per_month.rows[0] == ("décembre 2024", "1") and per_month.rows[-1] == (
        "novembre 2025",
        "3",
    )
    assert len(per_month.rows) == 12  # empty months are there, with 0
    assert ("janvier 2025", "0") in per_month.rows
    assert per_month.description.startswith(f"De décembre 2024 à novembre 2025{N}: 6 articles")
    sources = _chart(stats, "sources")
    assert sources.rows == [("A", "3"), ("B", "3")]
    shares = _chart(stats, "shares")
    assert shares.rows == [("Brèves", "1", f"17{N}%"), ("Réservés aux abonnés", "1", f"17{N}%")]
    tags = _chart(stats, "tags")
    assert tags.title.startswith("Les 4 thèmes")
    assert "IA (4)" in tags.description
    # a year-long archive is counted per week
    assert "par semaine" in tags.description


def test_hidden_tags_and_english() -> None:
    stats = compute(_items(), EN, hidden_tags=["ia"])
    tags = _chart(stats, "tags")
    assert "IA" not in tags.description and tags.title == "The 3 most frequent tags over time"
    assert _chart(stats, "per-day").title == "Items per day, last 90 days"


def test_svg_is_valid_accessible_and_escaped() -> None:
    stats = compute(_items(), FR)
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
    stats = compute([], FR)
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
    assert "33 articles de 1 source, du 20 octobre au 7 novembre 2025." in html
    assert (
        f"7 brèves sur 33 articles (21{N}%){N}; 4 articles réservés aux abonnés (12{N}%)." in html
    )
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


def _many(n: int, **kinds: bool) -> list[Item]:
    return [Item(date(2025, 11, 7), "A", ("IA",), **kinds) for _ in range(n)]


def test_counts_have_digit_groups_and_plural_agreement() -> None:
    """ "4 000 articles", "1 article", "1 source", one tag: singular and plural forms."""
    big = compute(_many(4000), FR)
    assert big.summary == f"4{N}000 articles de 1 source, le 7 novembre 2025."
    assert f"4{N}000 articles, 4{N}000 au plus en un jour" in _chart(big, "per-day").description
    assert _chart(big, "per-day").scale[-1] == f"4{N}000"
    one = compute(_many(1), FR)
    assert one.summary == "1 article de 1 source, le 7 novembre 2025."
    assert _chart(one, "tags").title == "Le thème le plus fréquent au fil du temps"
    assert _chart(one, "shares").description == (
        f"0 brève sur 1 article (0{N}%){N}; 0 article réservé aux abonnés (0{N}%)."
    )
    two = compute(_many(2, brief=True, paywalled=True), FR)
    assert _chart(two, "shares").description == (
        f"2 brèves sur 2 articles (100{N}%){N}; 2 articles réservés aux abonnés (100{N}%)."
    )
    english = compute(_many(1) + _many(3999, brief=True), EN)
    assert english.summary == "4,000 items from 1 source, on November 7, 2025."
    assert _chart(english, "tags").title == "The most frequent tag over time"
    assert _chart(english, "shares").description == (
        "3,999 briefs out of 4,000 items (100%); 0 paywalled items (0%)."
    )
    assert compute(_many(1), EN).summary == "1 item from 1 source, on November 7, 2025."


def test_periods_in_words() -> None:
    """The year is said once when both ends share it; "1er"; "d’" before a vowel."""
    assert (
        FR.days_period(date(2025, 10, 20), date(2025, 11, 7)) == "du 20 octobre au 7 novembre 2025"
    )
    assert (
        FR.days_period(date(2024, 8, 1), date(2025, 11, 1))
        == "du 1er août 2024 au 1er novembre 2025"
    )
    assert FR.days_period(date(2025, 11, 7), date(2025, 11, 7)) == "le 7 novembre 2025"
    assert FR.months_period((2025, 10), (2025, 11)) == "d’octobre à novembre 2025"
    assert FR.months_period((2024, 4), (2025, 1)) == "d’avril 2024 à janvier 2025"
    assert FR.months_period((2025, 5), (2025, 8)) == "de mai à août 2025"
    assert FR.months_period((2025, 10), (2025, 10)) == "en octobre 2025"
    assert EN.days_period(date(2025, 10, 20), date(2025, 11, 7)) == (
        "from October 20 to November 7, 2025"
    )
    assert EN.months_period((2024, 4), (2025, 1)) == "from April 2024 to January 2025"
    assert (
        FR.day_label(date(2025, 9, 1)) == "1er sept." and EN.day_label(date(2025, 9, 1)) == "Sep 1"
    )
    assert FR.month_label((2025, 2)) == "févr. 2025" and EN.month_label((2025, 2)) == "Feb 2025"


def test_label_positions() -> None:
    """Axis labels: first and last bar always; a few, evenly spaced; phone labels among them."""
    assert label_positions(0) == [] and label_positions(1) == [(0, True)]
    for n in range(2, 400):
        picks = label_positions(n, most=7, fewest=3)
        indexes = [i for i, _ in picks]
        majors = [i for i, major in picks if major]
        assert indexes[0] == 0 and indexes[-1] == n - 1 and indexes == sorted(set(indexes))
        assert len(picks) <= 7 and 2 <= len(majors) <= 3, (n, picks)
        assert majors[0] == 0 and majors[-1] == n - 1
    assert scale(0) == [0, 1] and scale(9) == [0, 5, 10] and scale(95) == [0, 50, 100]


def _catalog(name: str):
    from babel.messages.pofile import read_po

    with (ROOT / "theme/translations/fr/LC_MESSAGES" / name).open("rb") as handle:
        return read_po(handle)


def test_every_statistics_string_is_translated_once() -> None:
    """Each msgid of stats.html and the stats package is in French; stats.po has no stale
    entry, and gives a shared msgid the same French as the other files (one catalogue)."""
    from babel.messages.extract import extract_from_dir

    used = set()
    for folder, method in (
        (ROOT / "theme/templates", "jinja2"),
        (ROOT / "plugins/feed_archive/build/stats", "python"),
    ):
        pattern = "stats.html" if method == "jinja2" else "*.py"
        for _, _, message, _, context in extract_from_dir(
            str(folder),
            method_map=[(pattern, method)],
            options_map={pattern: {"extensions": "jinja2.ext.i18n"}},
        ):
            used.add((message if isinstance(message, str) else message[0], context))
    stats = _catalog("stats.po")
    theme = _catalog("messages.po")
    assert len(used) > 30
    missing = [m for m in used if not (stats.get(*m) or theme.get(*m) or None)]
    assert not missing, missing
    untranslated = [m for m in used if not (stats.get(*m) or theme.get(*m)).string]
    assert not untranslated, untranslated
    ours = {(m.id if isinstance(m.id, str) else m.id[0], m.context) for m in stats if m.id}
    assert ours <= used, ours - used
    for other in ("messages.po", "search.po"):
        for message in _catalog(other):
            mine = stats.get(message.id, message.context) if message.id else None
            assert not mine or mine.string == message.string, (other, message.id)
