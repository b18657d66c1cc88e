"""Change kinds (post/changes.py): what changed between two versions of a post, by kind."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SAMPLE_1, SAMPLE_2, fetch_into
from feed_archive.post import split_file, version_files
from feed_archive.post.changes import (
    ADDED,
    EDITED,
    KINDS,
    LINK,
    PAYWALL_ADDED,
    PAYWALL_LIFTED,
    REMOVED,
    TITLE,
    change_kinds,
)

BASE = {"title": "Un titre", "source": "https://example.org/a", "guid": "a"}
TEXT = "Le chat dort sur le canapé.\n\nIl fait beau ce matin."


def _version(body: str = TEXT, **header: str) -> tuple[dict[str, str], str]:
    return {**BASE, **header}, body


def test_kinds_are_the_seven_in_their_fixed_order() -> None:
    assert KINDS == (
        "title",
        "added",
        "removed",
        "edited",
        "paywall-lifted",
        "paywall-added",
        "link",
    )
    assert (TITLE, ADDED, REMOVED, EDITED) == KINDS[:4]
    assert (PAYWALL_LIFTED, PAYWALL_ADDED, LINK) == KINDS[4:]


@pytest.mark.parametrize(
    ("newer", "expected"),
    [
        (_version(title="Un autre titre"), (TITLE,)),
        (_version(TEXT + "\n\nUn paragraphe de plus."), (ADDED,)),
        (_version("Le chat dort sur le grand canapé.\n\nIl fait beau ce matin."), (ADDED,)),
        (_version("Le chat dort sur le canapé."), (REMOVED,)),
        (_version("Le chien dort sur le canapé.\n\nIl fait beau ce matin."), (EDITED,)),
        (_version(TEXT, source="https://example.org/b"), (LINK,)),
        (_version(TEXT, paywalled="true"), (PAYWALL_ADDED,)),
        (_version(TEXT.replace("\n\n", " ")), ()),  # the same words, in one paragraph
        (_version(TEXT.replace("chat", "[chat](https://x.example/)")), ()),  # a link only
        (_version(TEXT, modified="2025-01-01 10:00:00+01:00", fetched="x"), ()),
        (
            _version("Le chien dort.", title="Autre", source="https://example.org/b"),
            (TITLE, EDITED, LINK),
        ),
    ],
)
def test_each_kind_on_a_crafted_pair(
    newer: tuple[dict[str, str], str], expected: tuple[str, ...]
) -> None:
    assert change_kinds(_version(), newer) == expected


def test_paywall_lifted_with_the_text_it_uncovers() -> None:
    teaser = _version("Le chat dort sur le canapé.", paywalled="true")
    assert change_kinds(teaser, _version()) == (ADDED, PAYWALL_LIFTED)
    assert change_kinds(_version(), teaser) == (REMOVED, PAYWALL_ADDED)


def test_added_and_edited_together_and_html_titles() -> None:
    newer = _version("Le chien dort sur le canapé.\n\nIl fait beau ce matin.\n\nFin.")
    assert change_kinds(_version(), newer) == (ADDED, EDITED)
    # titles are compared as plain text: an entity is the character it stands for
    same = _version(title="Un titre")
    assert change_kinds(_version(title="Un&#32;titre"), same) == ()
    assert change_kinds(_version(title="R&amp;D"), _version(title="R&D")) == ()


def test_the_sample_update_is_text_added_with_its_title_change(tmp_path: Path) -> None:
    content = tmp_path / "content"
    fetch_into(content, SAMPLE_1)
    fetch_into(content, SAMPLE_2)
    (post,) = [p for p in (content / "archive").rglob("*.md") if version_files(p)]
    ((_, older_file),) = version_files(post)
    older = split_file(older_file.read_text(encoding="utf-8"))
    newer = split_file(post.read_text(encoding="utf-8"))
    assert newer[0]["title"].startswith("[MàJ]")
    assert change_kinds(older, newer) == (TITLE, ADDED)


def test_the_history_gives_each_change_its_kinds(tmp_path: Path) -> None:
    from feed_archive.build.revisions import history

    content = tmp_path / "content"
    fetch_into(content, SAMPLE_1)
    fetch_into(content, SAMPLE_2)
    (post,) = [p for p in (content / "archive").rglob("*.md") if version_files(p)]
    found = history(post)
    assert found is not None
    (change,) = found.changes
    assert change.kinds == (TITLE, ADDED)
    assert found.versions[1].when is not None and found.versions[1].when >= found.versions[0].when
