"""Keyword tagging: rules matched at fetch time, and `retag` over the whole archive."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SAMPLE_1, SAMPLE_2, copy_project, fetch_into, run_invoke
from feed_archive.ingest import tagging
from feed_archive.post import read_header
from feed_archive.settings import SettingsError, load

RULES = {
    "IA": ["intelligence artificielle", "IA", "LLM"],
    "Surveillance": ["reconnaissance faciale", "vidéosurveillance"],
}


def _tags(path: Path) -> list[str]:
    value = read_header(path.read_text("utf-8")).get("tags", "")
    return [t.strip() for t in value.split(",") if t.strip()]


def _posts(content: Path) -> list[Path]:
    return sorted(p for p in (content / "archive").rglob("*.md"))


def test_matching_is_accent_case_and_word_insensitive() -> None:
    assert tagging.tags_for("L'INTELLIGENCE ARTIFICIELLE", "", RULES) == ("IA",)
    assert tagging.tags_for("", "une intelligence\n artificielle", RULES) == ("IA",)
    assert tagging.tags_for("Les ia génératives", "", RULES) == ("IA",)
    assert tagging.tags_for("Videosurveillance en ville", "", RULES) == ("Surveillance",)
    assert tagging.tags_for("", "Un LLM et de la Reconnaissance Faciale", RULES) == (
        "IA",
        "Surveillance",
    )
    # whole words only: "via", "media", "LLMs" and "IAs" are not "IA"/"LLM"
    assert tagging.tags_for("Passer via un média", "Les LLMs, IAs", RULES) == ()
    assert tagging.tags_for("IA-générative", "", RULES) == ("IA",)
    assert tagging.tags_for("anything", "", {}) == ()
    assert tagging.tags_for("anything", "", None) == ()


@pytest.mark.parametrize(
    "rules, message",
    [
        (["IA"], "expected a dict"),
        ({"IA": 3}, "expected a list of words"),
        ({"": ["x"]}, "bad tag name"),
        ({"IA": ["  "]}, "no word to match"),
    ],
)
def test_bad_rules_are_named(rules, message) -> None:
    with pytest.raises(SettingsError, match=message):
        load({"PATH": "/nonexistent", "FEED_ARCHIVE_TAG_RULES": rules})


def test_rules_apply_at_fetch_time(tmp_path: Path) -> None:
    content = tmp_path / "content"
    rules = {"Hôpitaux": ["hôpital", "hopitaux", "centres hospitaliers"], "IA": ["IA"]}
    fetch_into(content, SAMPLE_1, FEED_ARCHIVE_TAG_RULES=rules)
    tagged = {p.name: _tags(p) for p in _posts(content)}
    hospital = [n for n, tags in tagged.items() if "Hôpitaux" in tags]
    assert any(n.startswith("rancongiciels") for n in hospital)
    (post,) = [p for p in _posts(content) if p.name.startswith("rancongiciels")]
    assert _tags(post) == ["Sécurité", "Hôpitaux"]  # feed tags first, then rules
    # the record remembers which tags rules own
    assert tagging.recorded_tags(content / "archive") == {"Hôpitaux", "IA"}
    # a feed category that equals a rule tag is not doubled
    assert all(tags.count("IA") <= 1 for tags in tagged.values())
    # fetching again with the same rules changes nothing
    report = fetch_into(content, SAMPLE_1, FEED_ARCHIVE_TAG_RULES=rules)
    assert report.counts["updated"] == 0


def test_retag_changes_only_the_tags_line(tmp_path: Path) -> None:
    content = tmp_path / "content"
    archive = content / "archive"
    fetch_into(content, SAMPLE_1)
    fetch_into(content, SAMPLE_2)
    before = {p: p.read_text("utf-8") for p in archive.rglob("*") if p.is_file()}
    rules = {"Hôpitaux": ["hôpital", "hopitaux"], "Cuivre": ["réseau cuivre"]}
    report = tagging.retag(archive, rules)
    assert report.scanned == len(_posts(content)) and not report.errors
    assert report.changed
    for path, old in before.items():
        new = path.read_text("utf-8")
        if path not in report.changed:
            assert new == old or path.name == tagging.RULES_RECORD
            continue
        old_lines, new_lines = old.split("\n"), new.split("\n")
        changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=False) if a != b]
        assert len(old_lines) in (len(new_lines), len(new_lines) - 1)
        assert all(b.startswith("Tags: ") for _, b in changed)
    assert not [p for p in report.changed if ".versions" in str(p)]
    (post,) = [p for p in _posts(content) if p.name.startswith("rancongiciels")]
    assert _tags(post) == ["Sécurité", "Hôpitaux"]
    assert len(list(post.with_name(post.stem + ".versions").iterdir())) == 1
    # fetching with the same rules after retag: nothing to update
    again = fetch_into(content, SAMPLE_2, FEED_ARCHIVE_TAG_RULES=rules)
    assert again.counts["updated"] == 0 and again.counts["new"] == 0
    # retag with the same rules: no file is written
    stamps = {p: p.stat().st_mtime_ns for p in _posts(content)}
    assert tagging.retag(archive, rules).changed == []
    assert stamps == {p: p.stat().st_mtime_ns for p in _posts(content)}


def test_retag_takes_back_a_retired_rule(tmp_path: Path) -> None:
    content = tmp_path / "content"
    archive = content / "archive"
    fetch_into(content, SAMPLE_1, FEED_ARCHIVE_TAG_RULES={"Hôpitaux": ["hopitaux"]})
    (post,) = [p for p in _posts(content) if p.name.startswith("rancongiciels")]
    assert "Hôpitaux" in _tags(post)
    report = tagging.retag(archive, {"Cuivre": ["cuivre"]})
    assert post in report.changed
    assert _tags(post) == ["Sécurité"]
    assert tagging.recorded_tags(archive) == {"Cuivre"}
    # a post that had no Tags line gets one in the header, right after Date
    text = post.read_text("utf-8").replace("Tags: Sécurité\n", "")
    post.write_text(text, "utf-8")
    tagging.retag(archive, {"Hôpitaux": ["hopitaux"]})
    lines = post.read_text("utf-8").split("\n")
    assert lines[1].startswith("Date: ") and lines[2] == "Tags: Hôpitaux"


@pytest.mark.slow
def test_invoke_retag(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    fetch_into(project / "content", SAMPLE_1)
    conf = project / "pelicanconf.py"
    conf.write_text(
        conf.read_text("utf-8") + '\nFEED_ARCHIVE_TAG_RULES = {"Hôpitaux": ["hopitaux"]}\n',
        "utf-8",
    )
    dry = run_invoke(project, "retag", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "1 would change" in dry.stdout
    done = run_invoke(project, "retag")
    assert done.returncode == 0, done.stderr
    assert "retagged: content/archive/" in done.stdout and "1 changed" in done.stdout
    (post,) = (project / "content" / "archive").rglob("rancongiciels*.md")
    assert _tags(post) == ["Sécurité", "Hôpitaux"]


@pytest.mark.parametrize(
    "body, tags",
    [
        ("Une **intelligence** artificielle.", "IA"),
        ("Des intelli*gence* artificielle", "IA"),
        ("## IA\n\nTexte.", "IA"),
        ("Voir [le LLM](https://x.example/llm).", "IA"),
        ("Rien ici, via un média, des LLMs.", ""),
        ("Un \\*LLM\\* entre astérisques.", "IA"),
    ],
)
def test_retag_reads_the_text_under_the_markdown(body: str, tags: str) -> None:
    text = f"Title: Un titre\nDate: 2025-01-01 10:00:00+01:00\nFeed: F\n\n{body}\n"
    compiled = {"IA": ["intelligence artificielle", "LLM", "IA"]}
    out = tagging.retag_text(text, compiled, {"IA"})
    expected = text if not tags else text.replace("Feed:", f"Tags: {tags}\nFeed:")
    assert out == expected
