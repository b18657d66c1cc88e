"""What readers see is true and reads like good French: a 15-month archive, built and read.

Dates of updates as the publisher gave them, titles before the history, no doubled "[MàJ]",
"1er", digit groups, teasers shown once, listings that scale, pagers that lead where they say.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from conftest import build_site, copy_project, run_invoke
from feedmaker import item, rss
from synthetic import THOUSANDS_TITLE, make_archive

PLAIN_BEFORE_PUNCT = re.compile(r"[ \u00a0][;:!?](?!//)")
ARTICLE = re.compile(r"^\d{4}/\d\d/\d\d/[^/]+/index\.html$")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic archive built with the project's settings (5 items per listing page)."""
    base = tmp_path_factory.mktemp("reader")
    archive = make_archive(base)
    return build_site(
        archive.content, base / "output", FEED_ARCHIVE_SEARCH=False, FEED_ARCHIVE_LIST_PAGE_SIZE=5
    )


def soup(site: Path, path: str) -> BeautifulSoup:
    """The page at `path` (a URL path inside the site) parsed."""
    file = site / path.strip("/") / "index.html" if not path.endswith(".html") else site / path
    return BeautifulSoup(file.read_text(encoding="utf-8"), "html.parser")


def article_path(site: Path, guid_end: str) -> str:
    """The URL path of the article whose source link ends with `guid_end`."""
    for page in site.rglob("index.html"):
        rel = str(page.relative_to(site))
        if ARTICLE.match(rel) and guid_end in page.read_text(encoding="utf-8"):
            return "/" + rel.removesuffix("index.html")
    raise AssertionError(guid_end)


def visible_text(page: BeautifulSoup) -> str:
    """The text of <body> a reader sees (no script, style or hidden template)."""
    body = page.body
    for node in body.select("script, style, template, noscript"):
        node.decompose()
    return body.get_text("")


def test_the_update_shows_the_publishers_date_and_the_title_comes_first(site: Path) -> None:
    page = soup(site, article_path(site, "/2025/11/27/hopital/"))
    article = page.select_one("article.post")
    order = [
        el.name + "." + " ".join(el.get("class", []))
        for el in article.select("h1, .dates, .text, .revisions")
    ]
    assert order.index("h1.") < order.index("p.dates") < order.index("div.text")
    assert order.index("div.text") < order.index("details.revisions"), order
    dates = article.select_one(".dates").get_text(" ")
    assert "Mis à jour le vendredi 28 novembre 2025 à 11:15" in " ".join(dates.split())
    history = " ".join(article.select_one(".revisions").get_text(" ").split())
    assert "relevée le vendredi 28 novembre 2025 à 13:00" in history
    assert "mots ajoutés" in history or "mot ajouté" in history
    assert "mot(s)" not in history


def test_the_update_marker_is_not_shown_twice(site: Path) -> None:
    page = soup(site, article_path(site, "/2025/11/27/hopital/"))
    h1 = page.select_one("h1").get_text()
    assert h1.startswith("Rançongiciel") and "MàJ" not in h1
    assert "MàJ" not in page.title.get_text()
    assert page.select_one(".badge.updated") is not None
    day = soup(site, "/2025/11/27/")
    entry = next(li for li in day.select("li.entry") if "hôpital" in li.get_text())
    assert "MàJ" not in entry.get_text() and entry.select_one(".badge.updated")
    text = next(
        p for p in (site.parent / "content").rglob("*.md") if "hopital" in p.read_text("utf-8")
    )
    assert "Title: [MàJ] Rançongiciel" in text.read_text(encoding="utf-8")


def test_the_first_of_a_month_reads_1er_and_weekdays_have_one_rule(site: Path) -> None:
    article = soup(site, article_path(site, "/2025/11/01/premier/"))
    assert "Publié le samedi 1er novembre 2025" in " ".join(
        article.select_one(".dates").get_text(" ").split()
    )
    day = soup(site, "/2025/11/01/")
    assert day.select_one("h1").get_text() == "Samedi 1er novembre 2025"
    home = soup(site, "/")
    headings = [h.get_text() for h in home.select("section.day h2")]
    assert headings and all(h[0].isupper() for h in headings), headings


def test_digit_groups_in_a_title_never_break(site: Path) -> None:
    """Everywhere the title shows, "40 000" is held together by a narrow no-break space."""
    places = 0
    for page in site.rglob("*.html"):
        parsed = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        shown = parsed.title.get_text() + visible_text(parsed) if parsed.title else ""
        if "malveillant" not in shown:
            continue
        places += 1
        assert "40 000" not in shown and "40\u00a0000" not in shown, page
        assert "40\u202f000" in shown, page
    assert places >= 5  # article, day, month, tag, source pages (and neighbours' links)
    posts = (site.parent / "content" / "archive").rglob("*.md")
    assert any(f"Title: {THOUSANDS_TITLE}\n" in p.read_text("utf-8") for p in posts), (
        "kept as given"
    )


def test_no_plain_space_before_french_punctuation_on_any_page(site: Path) -> None:
    wrong = []
    for page in sorted(site.rglob("*.html")):
        text = visible_text(BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser"))
        for found in PLAIN_BEFORE_PUNCT.finditer(text):
            wrong.append(
                f"{page.relative_to(site)}: …{text[max(0, found.start() - 30) : found.end() + 5]!r}"
            )
    assert not wrong, "\n".join(wrong[:20])


def test_a_teaser_is_shown_once_with_its_notice(site: Path) -> None:
    page = soup(site, article_path(site, "/2025/11/20/accord/"))
    text = visible_text(page)
    assert page.select_one(".notice") is not None
    assert "Il reste 72" not in text and "Vous devez être abonné" not in text
    assert "Les opérateurs ont signé un accord" in text
    home = visible_text(soup(site, "/"))
    assert "Il reste 72" not in home


def test_percent_signs_get_their_space(site: Path) -> None:
    page = soup(site, article_path(site, "/2025/11/20/accord/"))
    assert "%" not in visible_text(page).replace("\u202f%", "")


def test_a_brief_shows_its_badge_not_a_tag_saying_the_same(site: Path) -> None:
    briefs = 0
    for page in site.glob("20*/*/*/index.html"):
        for entry in soup(site, str(page.parent.relative_to(site))).select("li.entry"):
            if entry.select_one(".badge.brief"):
                briefs += 1
                assert "Brève" not in [a.get_text() for a in entry.select("a.tag")]
    assert briefs > 5
    tag_page = soup(site, "/tag/breve/")
    assert len(tag_page.select("ul.lines li")) >= 5, "the tag page itself stays"


def test_an_email_address_is_never_shown_as_an_author(site: Path) -> None:
    for page in site.rglob("*.html"):
        assert "prenom@exemple.fr" not in page.read_text(encoding="utf-8"), page


def test_sparse_tags_are_grouped_by_year_dense_ones_by_month(site: Path) -> None:
    rare = soup(site, "/tag/rare/")
    headings = [h.get_text() for h in rare.select("main h2")]
    assert headings == ["2025", "2024"], headings
    dense = soup(site, "/tag/securite/")
    months = [h.get_text() for h in dense.select("main h3")]
    assert months, "a dense year lists its months"


def test_listing_pages_are_numbered_newest_first(site: Path) -> None:
    """Page 1 is the newest; each next number holds older items; the last is the oldest."""
    first = soup(site, "/tag/securite/")
    pager = first.select_one("nav.pager")
    assert pager.select_one("[aria-current=page]").get_text() == "1"
    numbers = [int(a.get_text()) for a in pager.select("a.num")]
    last = max(numbers)
    assert 2 in numbers and last > 5, numbers  # nearby pages and the last one
    seen = [first]
    for number in range(2, last + 1):
        link = seen[-1].select_one("nav.pager").find("a", string=str(number))
        assert link is not None, f"page {number - 1} does not link page {number}"
        page = soup(site, link["href"])
        assert page.select_one("nav.pager [aria-current=page]").get_text() == str(number)
        seen.append(page)
    newest = [max(t["datetime"] for t in page.select("ul.lines time")) for page in seen]
    assert newest == sorted(newest, reverse=True), "pages do not go back in time"
    oldest_item = min(t["datetime"] for page in seen for t in page.select("ul.lines time"))
    assert oldest_item in [t["datetime"] for t in seen[-1].select("ul.lines time")]


def test_month_pages_list_their_items_by_day(site: Path) -> None:
    month = soup(site, "/2025/11/")
    days = month.select("section.month-day")
    assert days and days[0].select_one("h2").get_text().startswith(
        ("Dimanche", "Samedi", "Vendredi", "Jeudi", "Mercredi", "Mardi", "Lundi")
    )
    titles = " ".join(d.get_text(" ") for d in days)
    assert "malveillant" in titles and "hôpital" in titles


def test_previous_and_next_lead_to_the_older_and_the_newer_item(site: Path) -> None:
    articles = sorted(
        (p for p in site.rglob("index.html") if ARTICLE.match(str(p.relative_to(site)))),
        key=lambda p: BeautifulSoup(p.read_text("utf-8"), "html.parser").select_one(".dates time")[
            "datetime"
        ],
    )
    for older, page, newer in zip(articles, articles[1:], articles[2:], strict=False):
        html = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        prev = html.select_one("nav.prevnext a[rel=prev]")["href"]
        nxt = html.select_one("nav.prevnext a[rel=next]")["href"]
        assert prev == "/" + str(older.parent.relative_to(site)) + "/", page
        assert nxt == "/" + str(newer.parent.relative_to(site)) + "/", page


def test_day_and_month_pagers_lead_to_the_neighbouring_dates(site: Path) -> None:
    days = sorted(
        {p.parent.relative_to(site) for p in site.glob("[0-9]*/[0-9]*/[0-9]*/index.html")}
    )
    for older, day, newer in zip(days, days[1:], days[2:], strict=False):
        html = soup(site, str(day))
        assert html.select_one("nav.pager a[rel=prev]")["href"] == f"/{older}/"
        assert html.select_one("nav.pager a[rel=next]")["href"] == f"/{newer}/"
    months = sorted({p.parent.relative_to(site) for p in site.glob("[0-9]*/[0-9][0-9]/index.html")})
    for older, month, newer in zip(months, months[1:], months[2:], strict=False):
        html = soup(site, str(month))
        assert html.select_one("nav.pager a[rel=prev]")["href"] == f"/{older}/"
        assert html.select_one("nav.pager a[rel=next]")["href"] == f"/{newer}/"


def test_counts_use_digit_groups(tmp_path: Path) -> None:
    """1,005 items in one tag: "1 005 articles" on the tag, year, calendar and source pages."""
    import datetime as dt

    from feed_archive.post import Post, render

    folder = tmp_path / "content" / "archive" / "fil"
    folder.mkdir(parents=True)
    (tmp_path / "content" / "pages").mkdir()
    start = dt.datetime(2025, 1, 1, 8, tzinfo=dt.UTC)
    for n in range(1005):
        moment = (start + dt.timedelta(hours=8 * n)).astimezone(dt.timezone(dt.timedelta(hours=1)))
        post = Post(
            identity=f"urn:{n}",
            title=f"Brève {n}",
            date=moment.isoformat(sep=" "),
            slug=f"breve-{n}",
            feed="Le Fil",
            body="Texte.",
            tags=("Sujet",),
            category="Le Fil",
        )
        (folder / f"breve-{n}.md").write_text(render(post), encoding="utf-8")
    output = build_site(tmp_path / "content", tmp_path / "output", FEED_ARCHIVE_SEARCH=False)
    for path in ("/tag/sujet/", "/2025/", "/archives/", "/sources/le-fil/", "/tags/"):
        text = visible_text(soup(output, path))
        assert "1\u202f005" in text, path
        assert "1005" not in text, path


def test_the_development_build_shows_counts_and_no_avoidable_warning(tmp_path: Path) -> None:
    """`invoke build` of a feed with images without alt text: progress lines, no warning."""
    project = copy_project(tmp_path / "project")
    images = '<p>Texte.</p><p><img src="https://fil.example/a.png"><img src="/b.jpg" alt=""></p>'
    (project / "feed.xml").write_bytes(rss([item(1, images), item(2, images)]))
    fetched = run_invoke(project, "fetch", "--url", "feed.xml", "--name", "Le Fil")
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    built = run_invoke(project, "build", env={"COLUMNS": "250"})  # one log record, one line
    output = built.stdout + built.stderr
    assert built.returncode == 0, output
    assert "WARNING" not in output and "Empty alt" not in output, output
    assert "2 items over" in output and "pages" in output
    assert "1 source" in output and "1 sources" not in output, output


def test_a_long_fetch_shows_its_progress(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    (project / "big.xml").write_bytes(rss([item(n) for n in range(1, 1101)]))
    fetched = run_invoke(project, "fetch", "--url", "big.xml", "--name", "Gros")
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    lines = fetched.stdout.splitlines()
    assert "Gros: 1000 of 1100 items archived" in lines
    assert lines.index("Gros: 1000 of 1100 items archived") < len(lines) - 2  # before the end
