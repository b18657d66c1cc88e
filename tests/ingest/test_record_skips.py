"""Nothing is dropped in silence: deep HTML is archived; an item that fails is named, exit 1."""

from __future__ import annotations

import pytest

from conftest import archive_config, copy_project, run_invoke
from feed_archive.ingest import archive, clean
from feed_archive.post import read_header
from feedmaker import item, rss


@pytest.mark.parametrize(
    ("opening", "closing"),
    [
        ("<em><strong>", "</strong></em>"),
        ("<ul><li>", "</li></ul>"),
        ("<blockquote>", "</blockquote>"),
    ],
)
def test_deeply_nested_html_is_archived_flattened(tmp_path, opening, closing):
    html = "<p>Début. " + opening * 400 + "Au fond du puits." + closing * 400 + " Fin.</p>"
    feed = tmp_path / "f.xml"
    feed.write_bytes(rss([item(1, html), item(2)]))
    (report,) = archive.run(archive_config(tmp_path / "c", {"url": str(feed), "name": "Le Fil"}))
    assert (report.counts["new"], report.counts["skipped"]) == (2, 0)
    texts = [p.read_text(encoding="utf-8") for p in (tmp_path / "c").rglob("*.md")]
    deep = next(t for t in texts if read_header(t)["guid"].endswith("p=1"))
    body = deep.partition("\n\n")[2]
    assert "Début" in body and "Au fond du puits" in body and "Fin." in body
    assert len(body) < 2000


def test_an_item_that_cannot_be_archived_is_named_and_counted(tmp_path, monkeypatch):
    real = clean.to_markdown

    def fails_on_one(html: str) -> str:
        if "piégé" in html:
            raise ValueError("converter gave up")
        return real(html)

    monkeypatch.setattr(clean, "to_markdown", fails_on_one)
    feed = tmp_path / "f.xml"
    feed.write_bytes(rss([item(1), item(2, "<p>Un texte piégé.</p>", title="Le piège")]))
    (report,) = archive.run(archive_config(tmp_path / "c", {"url": str(feed), "name": "Le Fil"}))
    assert (report.counts["new"], report.counts["skipped"]) == (1, 1)
    assert report.problem and not report.failed
    assert '1 skipped: "Le piège" (ValueError: converter gave up)' in report.line()


def test_invoke_fetch_exits_1_when_an_item_is_not_archived(tmp_path):
    project = copy_project(tmp_path / "project")
    whole = rss([item(1), item(2, "<p>" + "Long texte. " * 200 + "</p>")])
    (project / "cut.xml").write_bytes(whole[: whole.index(b"Long texte") + 100])
    result = run_invoke(project, "fetch", "--url", "cut.xml", "--name", "Coupé")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Coupé: 1 new, 0 updated, 0 unchanged, 1 incomplete" in result.stdout
