"""Exports and provenance at N synthetic items: sizes, a full export, and one new item after it.

    .venv/bin/python benchmarks/exports_bench.py [--items 10000]

Writes a synthetic archive (synth.py), records its digests (`verify`, as on an archive that
had none), then times what a build does for provenance and exports (build/proof.py, exports):
digesting every file, /provenance.json, the SQLite and JSON Lines exports; then adds one item
and times the same steps again (the incremental cost of a new item). No Pelican pages.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "plugins"), str(HERE)]

import synth  # noqa: E402

from feed_archive.build import proof  # noqa: E402
from feed_archive.build.exports import database  # noqa: E402
from feed_archive.build.exports.jsonl import write_jsonl  # noqa: E402
from feed_archive.build.exports.rows import item_digest, read_item  # noqa: E402
from feed_archive.build.postfiles import PostFiles  # noqa: E402
from feed_archive.build.published import provenance_document  # noqa: E402
from feed_archive.ingest.verify import verify  # noqa: E402


def _export(root: Path, cache: Path, out: Path) -> tuple[float, int, dict[str, int]]:
    """One build's provenance and export work: seconds, items read, file sizes."""
    files = PostFiles(str(root), cache / "posts.json")  # the build's one walk (paid anyway)
    paths = [p for p in files.stamps if p.endswith(".md")]
    started = time.perf_counter()
    found = proof.scan(root, paths, cache / "proof.json", files.version_files)
    document = provenance_document(found, {}, "")
    (out / "provenance.json").write_bytes(document)
    wanted = {files[-1].path: item_digest(files, "") for files in found.items.values()}
    by_path = {files[-1].path: files for files in found.items.values()}
    db = database.open_cache(cache / "export.sqlite")
    read = database.update(db, wanted, lambda path: read_item(by_path[path], root, ""))
    database.publish(db, str(out / "archive.sqlite"))
    write_jsonl(db, str(out / "archive.jsonl.gz"), wanted, cache / "members")
    db.close()
    seconds = time.perf_counter() - started
    sizes = {p.name: p.stat().st_size for p in out.iterdir() if p.is_file()}
    return seconds, read, sizes


def main() -> None:
    """Print sizes and times of the exports at --items items."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10000)
    count = parser.parse_args().items
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        content, cache, out = base / "content", base / "cache", base / "out"
        cache.mkdir()
        out.mkdir()
        synth.write_archive(content, count, total=count + 1)
        root = content / "archive"
        verdict = verify(root)
        print(f"{count} items: verify {verdict.checked} files (recorded later)")
        seconds, read, sizes = _export(root, cache, out)
        print(f"full: {seconds:.1f} s, {read} items read")
        for name, size in sorted(sizes.items()):
            print(f"  {name}: {size / 1e6:.1f} MB ({size / count / 1e3:.2f} KB per item)")
        synth.write_archive(content, 1, start=count, total=count + 1)
        verify(root)
        seconds, read, sizes = _export(root, cache, out)
        print(f"one new item: {seconds:.1f} s, {read} item read again")
        db = sqlite3.connect(out / "archive.sqlite")
        print(f"  items in the export: {db.execute('SELECT COUNT(*) FROM items').fetchone()[0]}")


if __name__ == "__main__":
    main()
