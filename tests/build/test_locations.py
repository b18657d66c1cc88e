"""An archived post's URL and file, given by our reader as metadata, are the ones Pelican makes.

The reader formats `url` and `save_as` once (build/locations.py); each is compared with what
Pelican's own `Article` formats from the same post without them, for the sample, a synthetic
archive and odd settings, and the fast path is checked to be taken where it should.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import SAMPLE_1, SAMPLE_2, fetch_into, site_settings
from feed_archive.build.locations import fields_of
from feed_archive.build.reader import ArchiveMarkdownReader
from synthetic import make_archive


def _pairs(content: Path, settings: dict[str, Any]) -> list[tuple[Any, Any]]:
    """For every archived post: (Pelican's article from our metadata, Pelican's own)."""
    from pelican.contents import Article

    reader = ArchiveMarkdownReader(settings)
    pairs = []
    for path in sorted((content / "archive").rglob("*.md")):
        text, metadata = reader.read(str(path))
        plain = {k: v for k, v in metadata.items() if k not in ("url", "save_as")}
        ours = Article(text, metadata, settings=settings, source_path=str(path))
        theirs = Article(text, plain, settings=settings, source_path=str(path))
        pairs.append((ours, theirs))
    return pairs


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The bundled sample and the 15-month synthetic archive, archived once."""
    sample = tmp_path_factory.mktemp("locations-sample") / "content"
    fetch_into(sample, SAMPLE_1)
    fetch_into(sample, SAMPLE_2)
    synthetic = make_archive(tmp_path_factory.mktemp("locations-synthetic")).content
    return [sample, synthetic]


URLS = {
    "project": {},
    "every field": {
        "ARTICLE_URL": "{lang}/{category}/{author}/{date:%Y}/{date:%b}/{date:%-d}/{slug}.html",
        "ARTICLE_SAVE_AS": "{lang}/{category}/{author}/{date:%Y}/{date:%b}/{date:%-d}/{slug}.html",
    },
    "mixed-case language": {
        "DEFAULT_LANG": "pt_BR",
        "ARTICLE_URL": "{lang}/{slug}/",
        "ARTICLE_SAVE_AS": "{lang}/{slug}/index.html",
    },
    "attributes": {
        "ARTICLE_URL": "{date.year}/{slug}/",
        "ARTICLE_SAVE_AS": "{date.year}/{slug}/index.html",
    },
}


@pytest.mark.parametrize("name", URLS)
def test_url_and_file_are_pelicans_own(archives: list[Path], tmp_path: Path, name: str) -> None:
    for content in archives:
        settings = site_settings(content, tmp_path / "output", **URLS[name])
        pairs = _pairs(content, settings)
        assert len(pairs) > 30
        for ours, theirs in pairs:
            assert "save_as" in ours.metadata, f"{ours.source_path}: formatted by Pelican"
            assert (ours.url, ours.save_as) == (theirs.url, theirs.save_as), ours.source_path


@pytest.mark.parametrize(
    "overrides",
    [
        {"ARTICLE_URL": "{path}/", "ARTICLE_SAVE_AS": "{path}/index.html"},
        {"ARTICLE_URL": "{0}/{slug}/", "ARTICLE_SAVE_AS": "{slug}/index.html"},
        {"EXTRA_PATH_METADATA": {"archive": {"status": "published"}}},
    ],
    ids=["path field", "positional field", "placed by EXTRA_PATH_METADATA"],
)
def test_what_the_reader_cannot_know_is_left_to_pelican(
    archives: list[Path], tmp_path: Path, overrides: dict[str, Any]
) -> None:
    settings = site_settings(archives[0], tmp_path / "output", **overrides)
    for ours, _ in _pairs(archives[0], settings):
        assert "save_as" not in ours.metadata and "url" not in ours.metadata


def test_a_post_in_another_language_is_left_to_pelican(
    archives: list[Path], tmp_path: Path
) -> None:
    post = sorted((archives[0] / "archive").rglob("*.md"))[0]
    content = tmp_path / "content"
    (content / "archive").mkdir(parents=True)
    text = post.read_text(encoding="utf-8")
    (content / "archive" / post.name).write_text(text.replace("\n", "\nLang: en\n", 1))
    ((ours, theirs),) = _pairs(content, site_settings(content, tmp_path / "output"))
    assert ours.lang == "en" and "save_as" not in ours.metadata
    assert ours.save_as == theirs.save_as and ours.save_as.endswith("-en.html")


@pytest.mark.parametrize("status", ["draft", "hidden"])
def test_drafts_go_where_pelican_puts_them(
    archives: list[Path], tmp_path: Path, status: str
) -> None:
    post = sorted((archives[0] / "archive").rglob("*.md"))[0]
    content = tmp_path / "content"
    (content / "archive").mkdir(parents=True)
    text = post.read_text(encoding="utf-8")
    (content / "archive" / post.name).write_text(text.replace("\n", f"\nStatus: {status}\n", 1))
    ((ours, theirs),) = _pairs(content, site_settings(content, tmp_path / "output"))
    assert ours.status == status and ("save_as" in ours.metadata) == (status == "hidden")
    assert (ours.url, ours.save_as) == (theirs.url, theirs.save_as)


def test_fields_of_reads_format_strings() -> None:
    assert fields_of("{date:%Y}/{slug}/") == {"date", "slug"}
    assert fields_of("{date.year}/{author[0]}") == {"date", "author"}
    assert fields_of("{}") is None
    assert fields_of("{unclosed") is None
