"""The statistics page as readers get it: real builds, real Chromium, phone and desktop widths.

A synthetic archive of 15 months (three sources, briefs, paywalled items) is written in the
plugin's post format and built by Pelican in French and in English.
"""

from __future__ import annotations

import datetime as dt
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import ROOT, build_site

PARIS = ZoneInfo("Europe/Paris")
FIRST_DAY = dt.date(2024, 8, 1)
LAST_DAY = dt.date(2025, 11, 7)
SOURCES = ("Le Fil Numérique", "Journal des télécoms et des réseaux de demain", "Brèves du matin")
TAGS = ("IA", "Vie privée !", "Sécurité", "Justice", "Économie", "Télécoms", "Logiciel libre")
NNBSP = "\u202f"
#: A plain or no-break space before high punctuation: French wants a narrow no-break space.
LOOSE = re.compile(r"[ \u00a0][;:!?]")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
NO_SEARCH = {"FEED_ARCHIVE_SEARCH": False}


def _count_on(offset: int) -> int:
    """Items on the day `offset` days after FIRST_DAY: 1 to 5, a fixed pattern."""
    return 1 + (offset * 7) % 5


def write_archive(content: Path) -> int:
    """Posts from FIRST_DAY to LAST_DAY in the plugin's format; returns how many."""
    from feed_archive.post import Post, format_date, render

    count = 0
    for offset in range((LAST_DAY - FIRST_DAY).days + 1):
        day = FIRST_DAY + dt.timedelta(days=offset)
        for slot in range(_count_on(offset)):
            n = count
            when = dt.datetime.combine(day, dt.time(8 + 2 * slot, 15), tzinfo=PARIS)
            source = SOURCES[0] if n % 4 else SOURCES[1 + (n // 4) % 2]
            brief = n % 6 == 0
            post = Post(
                identity=f"urn:stats-test:{n}",
                title=("☕️ Brève " if brief else "Article ") + str(n),
                date=format_date(when, PARIS),
                slug=f"item-{n:05d}",
                feed=source,
                body=f"Texte {n}.",
                tags=tuple(dict.fromkeys((TAGS[n % 7], TAGS[(n * 3) % 5]))),
                category=source,
                summary=f"Résumé {n}.",
                paywalled=n % 9 == 0,
            )
            folder = content / "archive" / f"source-{SOURCES.index(source)}" / f"{day:%Y/%m}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"item-{n:05d}.md").write_text(render(post), encoding="utf-8")
            count += 1
    return count


@pytest.fixture(scope="module")
def long_archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    content = tmp_path_factory.mktemp("stats-archive") / "content"
    return content, write_archive(content)


@pytest.fixture(scope="module")
def long_site(long_archive: tuple[Path, int], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic archive built in French; returns output/."""
    base = tmp_path_factory.mktemp("stats-fr")
    return build_site(long_archive[0], base / "output", CACHE_PATH=str(base / "cache"), **NO_SEARCH)


@pytest.fixture(scope="module")
def long_site_en(long_archive: tuple[Path, int], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic archive built in English; returns output/."""
    base = tmp_path_factory.mktemp("stats-en")
    return build_site(
        long_archive[0],
        base / "output",
        CACHE_PATH=str(base / "cache"),
        DEFAULT_LANG="en",
        **NO_SEARCH,
    )


class _Text(HTMLParser):
    """The text nodes of a page (SVG titles and descriptions included), without script/style."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def page_text(path: Path) -> str:
    parser = _Text()
    parser.feed(path.read_text("utf-8"))
    return " ".join(parser.parts)


def _loose(text: str) -> list[str]:
    return [text[max(0, m.start() - 30) : m.end() + 10] for m in LOOSE.finditer(text)]


def _grouped(n: int, sep: str) -> str:
    return f"{n:,}".replace(",", sep)


# --- the built HTML ----------------------------------------------------------------------


def test_no_plain_space_before_high_punctuation(sample_site: Path, long_site: Path) -> None:
    """French pages: a narrow no-break space before ; : ! ? in all text, SVG text included."""
    for site in (sample_site, long_site):
        text = page_text(site / "stats" / "index.html")
        assert ":" in text and ";" in text
        assert not _loose(text), _loose(text)


def test_sample_reads_in_french(sample_site: Path) -> None:
    """Dates in words, the year once, plural agreement, percentages and apostrophes."""
    text = page_text(sample_site / "stats" / "index.html")
    n = NNBSP
    assert "33 articles de 1 source, du 20 octobre au 7 novembre 2025." in text
    shares = f"7 brèves sur 33 articles (21{n}%){n}; 4 articles réservés aux abonnés (12{n}%)."
    assert shares in text
    assert f"D’octobre à novembre 2025{n}: 33 articles" in text
    assert f"Du 10 août au 7 novembre 2025{n}: 33 articles" in text
    assert "Nombre d’articles par jour pour chaque thème" in text
    assert "source(s)" not in text and "d'articles" not in text
    assert not re.search(r"\d\d/\d\d", text), "dates are written in words"
    assert not re.search(r"\d%", text), "a narrow no-break space before %"


def test_long_archive_reads_in_french(long_site: Path, long_archive: tuple[Path, int]) -> None:
    """Digit groups in every count, "1er", elision ("d’août"), months in words."""
    total = long_archive[1]
    assert total > 1000
    text = page_text(long_site / "stats" / "index.html")
    items = f"{_grouped(total, NNBSP)} articles"
    assert f"{items} de 3 sources, du 1er août 2024 au 7 novembre 2025." in text
    assert f"D’août 2024 à novembre 2025{NNBSP}: {items}" in text
    assert "Nombre d’articles par mois pour chaque thème" in text
    assert "Autres sources" not in text  # three sources: all named
    # every number of four digits or more is a year: counts have their digit groups
    for number in re.findall(r"(?<![\d\u202f])\d{4,}(?![\d\u202f])", text):
        assert 2024 <= int(number) <= 2025, number


def test_long_archive_reads_in_english(long_site_en: Path, long_archive: tuple[Path, int]) -> None:
    """The same archive in English: English words, English dates and numbers, no French."""
    total = _grouped(long_archive[1], ",")
    html = (long_site_en / "stats" / "index.html").read_text("utf-8")
    text = page_text(long_site_en / "stats" / "index.html")
    assert '<html lang="en">' in html
    assert f"{total} items from 3 sources, from August 1, 2024 to November 7, 2025." in text
    assert f"From August 2024 to November 2025: {total} items" in text
    assert "Items per month for each tag:" in text and "Data table" in text
    assert re.search(r"\d briefs out of [\d,]+ items \(\d+%\); [\d,]+ paywalled items", text)
    for french in ("articles", "Statistiques", "Tableau", "thèmes", "source(s)", NNBSP):
        assert french not in text, french


# --- in Chromium ---------------------------------------------------------------------------

#: Every rendered text node: its on-screen font size (SVG text scaled by its screen CTM).
TEXT_SIZES = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!node.data.trim() || !el || el.closest('script, style, noscript, title, desc')) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const boxes = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
    const style = getComputedStyle(el);
    if (!boxes.length || style.visibility !== 'visible') continue;
    let size = parseFloat(style.fontSize);
    const svg = el instanceof SVGElement;
    if (svg) {
      const m = el.getScreenCTM();
      size *= Math.min(Math.hypot(m.a, m.b), Math.hypot(m.c, m.d));
    }
    found.push({text: node.data.trim().slice(0, 40), size, svg});
  }
  return found;
}"""

#: The chart labels drawn on screen (HTML around the charts, SVG text): their text's boxes,
#: cut to the element's own box where it hides what overflows (a name cut with an ellipsis).
LABEL_BOXES = """() => [...document.querySelectorAll('.stats-charts figure')].map(figure => {
  const boxes = [];
  for (const el of figure.querySelectorAll('li, text, span')) {
    if (el.closest('details') || el.children.length || !el.textContent.trim()) continue;
    const style = getComputedStyle(el);
    if (style.visibility !== 'visible') continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    const r = range.getBoundingClientRect();
    let [left, right] = [r.left, r.right];
    if (style.overflowX !== 'visible') {
      const own = el.getBoundingClientRect();
      [left, right] = [Math.max(left, own.left), Math.min(right, own.right)];
    }
    if (right - left > 0 && r.height > 0)
      boxes.push({text: el.textContent.trim(), left, right, top: r.top, bottom: r.bottom});
  }
  return {id: figure.id, boxes};
})"""

#: What a reader sees written: the page's text and the charts' SVG text.
VISIBLE_TEXT = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  const svg = [...document.querySelectorAll('svg text')].map(t => t.textContent);
  return document.body.innerText + '\\n' + svg.join('\\n');
}"""


def _open(browser: Any, base: str, width: int, **options: Any) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": width, "height": 900}, **options)
    page = context.new_page()
    page.goto(base + "stats/")
    return context, page


@pytest.fixture
def served(long_site: Path, serve_dir: Any) -> str:
    return serve_dir(long_site)


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1366])
def test_every_label_is_at_least_11px(browser: Any, served: str, width: int) -> None:
    """No text of the page, chart labels included, is drawn smaller than 11 px on screen."""
    context, page = _open(browser, served, width, locale="fr-FR")
    try:
        sizes = page.evaluate(TEXT_SIZES)
        assert len(sizes) > 50
        small = [s for s in sizes if s["size"] < 11]
        assert not small, small[:10]
        # the charts' own labels are measured too: axis ticks, names and values
        labels = page.evaluate(LABEL_BOXES)
        assert sum(len(chart["boxes"]) for chart in labels) > 30
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", [320, 390, 1366])
def test_chart_labels_fit_and_never_overlap(browser: Any, served: str, width: int) -> None:
    """Labels stay inside the window and two labels of a chart never cover each other."""
    context, page = _open(browser, served, width, locale="fr-FR")
    try:
        for chart in page.evaluate(LABEL_BOXES):
            boxes = chart["boxes"]
            assert boxes, chart["id"]
            for box in boxes:
                assert box["left"] >= 0 and box["right"] <= width, (chart["id"], box)
            for i, a in enumerate(boxes):
                for b in boxes[i + 1 :]:
                    apart = (
                        a["right"] <= b["left"] + 0.5
                        or b["right"] <= a["left"] + 0.5
                        or a["bottom"] <= b["top"] + 0.5
                        or b["bottom"] <= a["top"] + 0.5
                    )
                    assert apart, (chart["id"], a, b)
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", [320, 390])
def test_no_horizontal_scroll_on_a_phone(browser: Any, served: str, width: int) -> None:
    context, page = _open(browser, served, width, locale="fr-FR")
    try:
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{scroll}px of content in a {width}px window"
    finally:
        context.close()


@pytest.mark.browser
def test_visible_text_has_french_spacing(browser: Any, served: str) -> None:
    """What Chromium shows (tables opened, SVG text included): no plain space before ; : ! ?"""
    context, page = _open(browser, served, 390, locale="fr-FR")
    try:
        text = page.evaluate(VISIBLE_TEXT)
        assert "Articles par mois" in text and f"{NNBSP}:" in text
        assert not _loose(text), _loose(text)
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.parametrize(
    "width,scheme", [(1280, "light"), (1280, "dark"), (390, "light")], ids=["wide", "dark", "phone"]
)
def test_axe_finds_no_violation(browser: Any, served: str, width: int, scheme: str) -> None:
    """axe-core: no violation at all, data tables opened, in light and dark mode."""
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: run ./bootstrap.sh (npm ci, package-lock.json)")
    context, page = _open(browser, served, width, locale="fr-FR", color_scheme=scheme)
    try:
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => {
                const r = await axe.run(document, {resultTypes: ['violations']});
                return r.violations.map(v => ({id: v.id, impact: v.impact,
                    nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
            }"""
        )
        assert violations == [], violations
    finally:
        context.close()
