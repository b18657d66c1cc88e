"""Database: the SQLite export, kept in the cache folder and updated item by item.

Tables (the README, "Exports", documents each column): `items`, `versions` (every version of
every item, its text as archived and its provenance), `tags`, `sources` (one row per feed),
`changes` (one row per kind of change between two consecutive versions) and `versions_fts`, an
FTS5 index of the versions' titles and texts (external content: the `versions` table). An item
whose digest (rows.item_digest) is the one in the cached database is not read again; the
published file is made afresh from its rows, byte for byte the one a clean build makes.
Python's sqlite3 only.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any, Callable, Iterable

from .rows import ItemRows

logger = logging.getLogger(__name__)

#: Raised whenever the tables change: a cached database of another schema is made again.
SCHEMA_VERSION = 3
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
    for table in ("versions", "tags", "changes"):
        db.execute(f"DELETE FROM {table} WHERE item_id = ?", found)
    db.execute("DELETE FROM items WHERE id = ?", found)


def _insert(db: sqlite3.Connection, rows: ItemRows) -> None:
    marks = ", ".join("?" * len(ITEM_COLUMNS))
    cursor = db.execute(
        f"INSERT INTO items ({', '.join(ITEM_COLUMNS)}) VALUES ({marks})",
        [rows.item[c] for c in ITEM_COLUMNS],
    )
    item_id = cursor.lastrowid
    marks = ", ".join("?" * (len(VERSION_COLUMNS) + 1))
    db.executemany(
        f"INSERT INTO versions (item_id, {', '.join(VERSION_COLUMNS)}) VALUES ({marks})",
        [[item_id, *(v[c] for c in VERSION_COLUMNS)] for v in rows.versions],
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
    """The published database at `target`, made afresh from the cached rows in path order.

    Ids are numbered by path (items) and by file (versions), every table is filled in key
    order and the full-text index is made last from its rows: the same archive gives the same
    bytes, however the cached database came to hold it.
    """
    (cache,) = [row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main"]
    Path(target).unlink(missing_ok=True)
    out = sqlite3.connect(target)
    try:
        out.executescript(SCHEMA)
        out.execute("ATTACH DATABASE ? AS src", (cache,))
        items = ", ".join(ITEM_COLUMNS)
        versions = ", ".join(VERSION_COLUMNS)
        chosen = ", ".join("v." + c for c in VERSION_COLUMNS)
        script = f"""
        INSERT INTO items (id, {items})
            SELECT ROW_NUMBER() OVER (ORDER BY path), {items} FROM src.items ORDER BY path;
        CREATE TEMP TABLE renumbered AS
            SELECT s.id AS old, m.id AS new FROM src.items s JOIN main.items m USING (path);
        INSERT INTO versions (id, item_id, {versions})
            SELECT ROW_NUMBER() OVER (ORDER BY v.file), r.new, {chosen}
            FROM src.versions v JOIN renumbered r ON r.old = v.item_id ORDER BY v.file;
        INSERT INTO tags SELECT r.new, t.position, t.tag
            FROM src.tags t JOIN renumbered r ON r.old = t.item_id ORDER BY r.new, t.position;
        INSERT INTO changes SELECT r.new, c.older, c.newer, c.position, c.kind, c.seen
            FROM src.changes c JOIN renumbered r ON r.old = c.item_id
            ORDER BY r.new, c.newer, c.position;
        INSERT INTO sources SELECT * FROM src.sources ORDER BY name;
        INSERT INTO versions_fts(versions_fts) VALUES ('rebuild');
        DROP TABLE temp.renumbered;
        """
        out.executescript(script)
        out.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        out.commit()
        out.execute("DETACH DATABASE src")
    finally:
        out.close()


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
