"""Database: the SQLite export, kept in the cache folder and updated item by item.

Tables (the README, "Exports", documents each column): `items`, `versions` (every version of
every item, its text as archived and its provenance), `tags`, `sources` (one row per feed),
`changes` (one row per kind of change between two consecutive versions) and `versions_fts`, an
FTS5 index of the versions' titles and texts (external content: the `versions` table). An item
whose digest (rows.item_digest) is the one in the cached database is not read again; the
published file is a compacted copy, byte for byte the one a clean build makes (`publish`).
Python's sqlite3 only.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from pathlib import Path
from typing import Any, Callable, Iterable

from .rows import ItemRows

logger = logging.getLogger(__name__)

#: Raised whenever the tables change: a cached database of another schema is made again.
SCHEMA_VERSION = 2
SCHEMA = """
CREATE TABLE items (
    id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, url TEXT, guid TEXT, title TEXT,
    date TEXT, modified TEXT, link TEXT, feed TEXT, feed_id TEXT, category TEXT, authors TEXT,
    summary TEXT, paywalled INTEGER, versions INTEGER, sha256 TEXT, digest TEXT
);
CREATE TABLE versions (
    id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id), number INTEGER,
    file TEXT NOT NULL UNIQUE, kept_number INTEGER, shown INTEGER, title TEXT, date TEXT,
    updated TEXT, link TEXT, paywalled INTEGER, fetched TEXT, feed_url TEXT, status INTEGER,
    etag TEXT, last_modified TEXT, record TEXT, recorded TEXT, sha256 TEXT, body TEXT
);
CREATE INDEX versions_item ON versions(item_id, number);
CREATE TABLE tags (
    item_id INTEGER NOT NULL REFERENCES items(id), position INTEGER NOT NULL, tag TEXT NOT NULL,
    PRIMARY KEY (item_id, position)
) WITHOUT ROWID;
CREATE INDEX tags_tag ON tags(tag);
CREATE TABLE changes (
    item_id INTEGER NOT NULL REFERENCES items(id), older INTEGER, newer INTEGER NOT NULL,
    position INTEGER NOT NULL, kind TEXT NOT NULL, seen TEXT,
    PRIMARY KEY (item_id, newer, position)
) WITHOUT ROWID;
CREATE TABLE sources (
    name TEXT PRIMARY KEY, feed_id TEXT, feed_url TEXT, items INTEGER, first_date TEXT,
    last_date TEXT
) WITHOUT ROWID;
CREATE VIRTUAL TABLE versions_fts USING fts5(
    title, body, content="versions", content_rowid="id", tokenize="unicode61 remove_diacritics 2"
);
"""
ITEM_COLUMNS = (
    "path url guid title date modified link feed feed_id category authors summary paywalled"
    " versions sha256 digest"
).split()
VERSION_COLUMNS = (
    "number file kept_number shown title date updated link paywalled fetched feed_url status"
    " etag last_modified record recorded sha256 body"
).split()


def open_cache(path: Path) -> sqlite3.Connection:
    """The cached export database, made afresh when missing, unreadable or of another schema."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = sqlite3.connect(path)
        if db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return db
        db.close()
    except sqlite3.DatabaseError as exc:
        logger.info("feed_archive: export cache %s made again (%s)", path, exc)
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
    db.commit()
    return db


def known_digests(db: sqlite3.Connection) -> dict[str, str]:
    """Item path -> the digest its rows were made from."""
    return dict(db.execute("SELECT path, digest FROM items"))


def _remove(db: sqlite3.Connection, path: str) -> None:
    found = db.execute("SELECT id FROM items WHERE path = ?", (path,)).fetchone()
    if found is None:
        return
    (item_id,) = found
    for rowid, title, body in db.execute(
        "SELECT id, title, body FROM versions WHERE item_id = ?", (item_id,)
    ).fetchall():
        db.execute(
            "INSERT INTO versions_fts(versions_fts, rowid, title, body) VALUES('delete', ?, ?, ?)",
            (rowid, title, body),
        )
    for table in ("versions", "tags", "changes"):
        db.execute(f"DELETE FROM {table} WHERE item_id = ?", (item_id,))
    db.execute("DELETE FROM items WHERE id = ?", (item_id,))


def row_id(path: str) -> int:
    """A row's id from its file path: the same in every build, whatever the order of updates."""
    return int.from_bytes(hashlib.sha256(path.encode("utf-8")).digest()[:8], "big") >> 1


def _insert(db: sqlite3.Connection, rows: ItemRows) -> None:
    item_id = row_id(rows.item["path"])
    marks = ", ".join("?" * (len(ITEM_COLUMNS) + 1))
    db.execute(
        f"INSERT INTO items (id, {', '.join(ITEM_COLUMNS)}) VALUES ({marks})",
        [item_id, *(rows.item[c] for c in ITEM_COLUMNS)],
    )
    marks = ", ".join("?" * (len(VERSION_COLUMNS) + 2))
    for version in rows.versions:
        version_id = row_id(version["file"])
        db.execute(
            f"INSERT INTO versions (id, item_id, {', '.join(VERSION_COLUMNS)}) VALUES ({marks})",
            [version_id, item_id, *(version[c] for c in VERSION_COLUMNS)],
        )
        db.execute(
            "INSERT INTO versions_fts(rowid, title, body) VALUES (?, ?, ?)",
            (version_id, version["title"], version["body"]),
        )
    db.executemany(
        "INSERT INTO tags VALUES (?, ?, ?)", [(item_id, n, t) for n, t in enumerate(rows.tags)]
    )
    db.executemany(
        "INSERT INTO changes VALUES (?, ?, ?, ?, ?, ?)",
        [
            (item_id, c["older"], c["newer"], n, c["kind"], c["seen"])
            for n, c in enumerate(rows.changes)
        ],
    )


def update(
    db: sqlite3.Connection,
    wanted: dict[str, str],
    read: Callable[[str], ItemRows | None],
) -> int:
    """Bring the database to the items `wanted` (path -> digest); return how many were read."""
    known = known_digests(db)
    for path in sorted(set(known) - set(wanted)):
        _remove(db, path)
    done = 0
    for path, item_digest in sorted(wanted.items()):
        if known.get(path) == item_digest:
            continue
        rows = read(path)
        _remove(db, path)
        if rows is not None:
            _insert(db, rows)
            done += 1
    _sources(db)
    db.commit()
    return done


def _sources(db: sqlite3.Connection) -> None:
    """One row per feed: its id, URL (as recorded, without its key), items, first and last."""
    db.execute("DELETE FROM sources")
    db.execute(
        """INSERT INTO sources
        SELECT feed, MAX(feed_id), (SELECT v.feed_url FROM versions v JOIN items i
            ON v.item_id = i.id WHERE i.feed = items.feed AND v.feed_url IS NOT NULL
            ORDER BY v.fetched DESC, v.id LIMIT 1), COUNT(*), MIN(date), MAX(date)
        FROM items WHERE feed IS NOT NULL GROUP BY feed"""
    )


def publish(db: sqlite3.Connection, target: str) -> None:
    """A compacted copy of the cached database at `target`: the same rows, the same bytes.

    Row ids come from paths and the other tables are ordered by their keys; the full-text
    index is made again from its rows (its segments would otherwise keep the order of the
    updates), then VACUUM INTO writes every table in key order.
    """
    db.execute("INSERT INTO versions_fts(versions_fts) VALUES ('rebuild')")
    db.commit()
    Path(target).unlink(missing_ok=True)
    db.execute("VACUUM INTO ?", (target,))


def items_with_versions(db: sqlite3.Connection, paths: Iterable[str]) -> Iterable[dict[str, Any]]:
    """The items at `paths` with their versions, tags and changes, as in the JSON Lines export."""
    db.row_factory = sqlite3.Row
    try:
        for path in paths:
            item = db.execute("SELECT * FROM items WHERE path = ?", (path,)).fetchone()
            if item is None:
                continue
            item_id = item["id"]
            values = {k: item[k] for k in item.keys() if k not in ("id", "digest")}
            versions = db.execute(
                "SELECT * FROM versions WHERE item_id = ? ORDER BY number", (item_id,)
            ).fetchall()
            drop = ("id", "item_id")
            values["versions"] = [{k: v[k] for k in v.keys() if k not in drop} for v in versions]
            values["tags"] = [
                t
                for (t,) in db.execute(
                    "SELECT tag FROM tags WHERE item_id = ? ORDER BY position", (item_id,)
                )
            ]
            values["changes"] = [
                {"older": o, "newer": n, "kind": k, "seen": s}
                for o, n, k, s in db.execute(
                    "SELECT older, newer, kind, seen FROM changes WHERE item_id = ?"
                    " ORDER BY newer, position",
                    (item_id,),
                )
            ]
            yield values
    finally:
        db.row_factory = None
