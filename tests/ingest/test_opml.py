"""OPML: reading subscription lists, the sources file, and the import/export invoke tasks."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import copy_project, run_invoke
from feed_archive.ingest import opml
from feed_archive.post import slugify
from feed_archive.settings import SettingsError, load

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Mes abonnements</title></head>
  <body>
    <outline text="Tech">
      <outline type="rss" text="Next" title="Next" xmlUrl="https://next.ink/feed/"
               htmlUrl="https://next.ink/"/>
      <outline type="rss" text="Le Monde Pixels" xmlUrl="https://www.lemonde.fr/pixels/rss_full.xml"/>
    </outline>
    <outline type="rss" text="Sans dossier" xmlUrl="http://example.org/feed.json"
             category="/Blogs/Perso"/>
    <outline text="Pas un flux"/>
    <outline type="rss" text="Mauvais" xmlUrl="javascript:alert(1)"/>
  </body>
</opml>
"""


def test_read_opml() -> None:
    feeds = opml.read_opml(OPML)
    assert feeds[:3] == [
        {"name": "Next", "url": "https://next.ink/feed/", "category": "Tech"},
        {
            "name": "Le Monde Pixels",
            "url": "https://www.lemonde.fr/pixels/rss_full.xml",
            "category": "Tech",
        },
        {"name": "Sans dossier", "url": "http://example.org/feed.json", "category": "Perso"},
    ]
    assert len(feeds) == 4


@pytest.mark.parametrize(
    "data, message",
    [
        (b"<rss/>", "not an OPML file"),
        (b"<opml><head/></opml>", "without a <body>"),
        (b"not xml", "not a readable OPML file"),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x "y">]><opml><body/></opml>',
            "not a readable OPML file",
        ),
    ],
)
def test_bad_opml(data: bytes, message: str) -> None:
    with pytest.raises(opml.OpmlError, match=message):
        opml.read_opml(data)


def test_import_skips_known_feeds_and_names() -> None:
    existing = [{"name": "Next", "url": "https://NEXT.ink/feed"}]
    listed: list[dict] = []
    result = opml.import_feeds(opml.read_opml(OPML), existing, listed)
    assert [e["url"] for e in result.added] == [
        "https://www.lemonde.fr/pixels/rss_full.xml",
        "http://example.org/feed.json",
    ]
    assert result.skipped == [
        ("https://next.ink/feed/", "already configured"),
        ("javascript:alert(1)", "not an http(s) URL"),
    ]
    assert listed == result.added
    again = opml.import_feeds(opml.read_opml(OPML), existing, listed)
    assert again.added == [] and len(again.skipped) == 4
    # a new URL whose name is taken gets a distinct name
    third = opml.import_feeds([{"name": "Next", "url": "https://other.example/rss"}], existing, [])
    assert third.added[0]["name"] == "Next (2)"


def test_export_is_opml_2_and_round_trips() -> None:
    sources = [
        {"name": "Next & co", "url": "https://next.ink/feed/?k={secret}", "category": "Tech"},
        {"name": "Autre", "url": "https://autre.example/rss"},
    ]
    text = opml.write_opml(sources, "Archive")
    root = ET.fromstring(text)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.find("head/title").text == "Archive"
    assert root.find("head/dateCreated").text
    outlines = root.findall("body/outline")
    assert [o.get("xmlUrl") for o in outlines] == [s["url"] for s in sources]
    assert outlines[0].get("text") == "Next & co" and outlines[0].get("type") == "rss"
    back = opml.read_opml(text.encode())
    assert back[0] == {"name": "Next & co", "url": sources[0]["url"], "category": "Tech"}


def test_sources_file_is_merged_into_the_settings(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    configured = [{"name": "Un", "url": "https://un.example/feed"}]
    listed = [
        {"name": "Un bis", "url": "https://un.example/feed/"},  # same feed: ignored
        {"name": "Deux", "url": "https://deux.example/feed", "images": True},
    ]
    opml.save_sources_file(tmp_path / "sources.json", listed)
    assert json.loads((tmp_path / "sources.json").read_text("utf-8")) == listed
    config = load({"PATH": str(content), "FEED_ARCHIVE_SOURCES": configured})
    assert [s.name for s in config.sources] == ["Un", "Deux"]
    assert config.sources[1].images is True and config.sources[0].images is False
    (tmp_path / "sources.json").write_text("{broken", "utf-8")
    with pytest.raises(SettingsError, match="unreadable sources file"):
        load({"PATH": str(content), "FEED_ARCHIVE_SOURCES": configured})
    other = tmp_path / "elsewhere.json"
    opml.save_sources_file(other, [])
    config = load(
        {
            "PATH": str(content),
            "FEED_ARCHIVE_SOURCES": configured,
            "FEED_ARCHIVE_SOURCES_FILE": str(other),
        }
    )
    assert [s.name for s in config.sources] == ["Un"]


@pytest.mark.slow
def test_invoke_import_and_export(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    subscriptions = tmp_path / "abonnements.opml"
    subscriptions.write_bytes(OPML)
    first = run_invoke(project, "import-opml", str(subscriptions))
    assert first.returncode == 0, first.stderr
    assert "3 feed(s) added to sources.json, 1 skipped" in first.stdout
    assert "skipped: javascript:alert(1) (not an http(s) URL)" in first.stdout
    listed = json.loads((project / "sources.json").read_text("utf-8"))
    assert [s["name"] for s in listed] == ["Next", "Le Monde Pixels", "Sans dossier"]
    second = run_invoke(project, "import-opml", str(subscriptions))
    assert second.returncode == 0, second.stderr
    assert "0 feed(s) added" in second.stdout
    assert json.loads((project / "sources.json").read_text("utf-8")) == listed
    out = tmp_path / "export.opml"
    exported = run_invoke(project, "export-opml", "--file", str(out))
    assert exported.returncode == 0, exported.stderr
    urls = [o.get("xmlUrl") for o in ET.parse(out).getroot().iter("outline")]
    assert urls[0] == "samples/feeds/next-sample-1.xml"  # the configured sample feed
    assert urls[1:] == [s["url"] for s in listed]
    stdout = run_invoke(project, "export-opml")
    assert stdout.returncode == 0 and stdout.stdout.startswith("<?xml")


def test_only_http_feeds_are_imported() -> None:
    feeds = [{"name": "Local", "url": "file:///etc/passwd"}, {"name": "Path", "url": "/etc/x"}]
    result = opml.import_feeds(feeds, [], [])
    assert result.added == [] and [r for _, r in result.skipped] == ["not an http(s) URL"] * 2


#: A feed name whose slug is longer than the 60 characters a feed's slug keeps.
LONG = "Le Journal quotidien de la cybersécurité et des libertés numériques en Europe"


def _long_opml(count: int) -> bytes:
    outlines = "".join(
        f'<outline type="rss" text="{LONG}" xmlUrl="https://autre{n}.example/rss"/>'
        for n in range(count)
    )
    return f'<?xml version="1.0"?><opml version="2.0"><body>{outlines}</body></opml>'.encode()


@pytest.mark.slow
def test_invoke_import_opml_terminates_when_a_long_name_is_taken(tmp_path: Path) -> None:
    """A long name taken by a configured feed used to loop for ever (" (2)" fell past the cut)."""
    project = copy_project(tmp_path / "project")
    opml.save_sources_file(project / "sources.json", [{"name": LONG, "url": "https://un.example/"}])
    subscriptions = tmp_path / "longs.opml"
    subscriptions.write_bytes(_long_opml(3))
    imported = run_invoke(project, "import-opml", str(subscriptions), timeout=60)
    assert imported.returncode == 0, imported.stderr
    assert "3 feed(s) added to sources.json, 0 skipped" in imported.stdout
    names = [s["name"] for s in json.loads((project / "sources.json").read_text("utf-8"))]
    assert len(names) == 4 and names[0] == LONG
    assert [name[-4:] for name in names[1:]] == [" (2)", " (3)", " (4)"]
    # every name is a distinct feed folder: the settings load (export-opml validates them)
    exported = run_invoke(project, "export-opml", timeout=60)
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.count("xmlUrl=") == 5


def test_imported_names_are_unique_within_the_slug_limit() -> None:
    """Taken names, long or short or without letters, always give a new, distinct slug."""
    existing = [{"name": LONG, "url": "https://un.example/"}, {"name": "Next", "url": "x"}]
    existing += [{"name": f"{LONG} ({n})", "url": f"https://{n}.example/"} for n in range(2, 5)]
    feeds = [{"name": LONG, "url": f"https://autre{n}.example/rss"} for n in range(12)]
    feeds += [{"name": "Next", "url": "https://next.example/"}, {"name": "¿?", "url": "https://q/"}]
    result = opml.import_feeds(feeds, existing, [])
    assert len(result.added) == len(feeds)
    known = {slugify(str(s["name"]), 60) for s in existing}
    slugs = [slugify(str(s["name"]), 60) for s in result.added]
    assert all(slugs) and len(set(slugs)) == len(slugs) and not known & set(slugs), slugs
    assert all(len(s["name"]) <= len(LONG) + 5 for s in result.added)
