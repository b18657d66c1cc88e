"""Provenance: each archived file's digest and where it came from, in a committed sidecar.

Every month folder of the archive (`<feed>/<yyyy>/<mm>/`) may hold `provenance.jsonl`: one JSON
object a line, appended, never rewritten. A line says that a file of that folder (a post,
`<stem>.md`, or a kept version, `<stem>.versions/NNN.md.txt`) had a digest, and how it was
recorded: `fetch` (written from a fetch: time, feed URL without its secret, HTTP status and
validators), `kept` (the current text moved into the history by a fetch) or `later` (found
without a record and digested by `invoke verify`). A file's last line gives the digest it must
have; a version's provenance is the first `fetch` line of its item with the same digest.

The digest is SHA-256 over the normalised text (`normalised`): the file decoded as UTF-8,
line ends made LF, Unicode NFC, without the header lines `Modified`, `Fetched` and `Tags`
(the first two are provenance themselves, `Tags` is rewritten by `invoke retag`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from .versions import VERSION_EXTENSION, VERSIONS_SUFFIX

logger = logging.getLogger(__name__)

SIDECAR = "provenance.jsonl"
FETCH, KEPT, LATER = "fetch", "kept", "later"
KINDS = (FETCH, KEPT, LATER)
#: Header lines left out of the digest (see the module docstring).
UNDIGESTED = ("Modified", "Fetched", "Tags")
_UNDIGESTED_LINE = re.compile(r"^(?:" + "|".join(UNDIGESTED) + r"):", re.IGNORECASE)
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def normalised(text: str) -> bytes:
    """The bytes a version's digest is taken over (see the module docstring)."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    header, sep, body = text.partition("\n\n")
    kept = [line for line in header.split("\n") if not _UNDIGESTED_LINE.match(line)]
    return ("\n".join(kept) + sep + body).encode("utf-8", "surrogateescape")


def text_digest(text: str) -> str:
    """The SHA-256 (hex) of a post or version text, normalised."""
    return hashlib.sha256(normalised(text)).hexdigest()


def file_digest(path: Path) -> str:
    """The SHA-256 (hex) of a post or version file, normalised (undecodable bytes kept)."""
    return text_digest(Path(path).read_bytes().decode("utf-8", "surrogateescape"))


@dataclass(frozen=True)
class Record:
    """One sidecar line: a file of the month folder had this digest (and how it was seen)."""

    file: str
    sha256: str
    kind: str
    recorded: str
    fetched: str | None = None
    feed: str | None = None
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None

    @property
    def item(self) -> str:
        """The stem of the post this file belongs to (`<slug>-<key>`)."""
        head = self.file.split("/", 1)[0]
        return head.removesuffix(VERSIONS_SUFFIX).removesuffix(".md")

    def line(self) -> str:
        """The record as one JSON line (keys sorted, no empty field)."""
        values = {k: v for k, v in asdict(self).items() if v is not None}
        return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _record(value: Any) -> Record | None:
    """A Record from a decoded line, or None when it is not one."""
    if not isinstance(value, dict):
        return None
    file, sha, kind = value.get("file"), value.get("sha256"), value.get("kind")
    if not (isinstance(file, str) and isinstance(sha, str) and _HEX64.match(sha)):
        return None
    if kind not in KINDS or not isinstance(value.get("recorded"), str):
        return None
    texts = {k: value.get(k) for k in ("fetched", "feed", "etag", "last_modified")}
    status = value.get("status")
    return Record(
        file=file,
        sha256=sha,
        kind=kind,
        recorded=value["recorded"],
        status=status if isinstance(status, int) and not isinstance(status, bool) else None,
        **{k: v if isinstance(v, str) else None for k, v in texts.items()},
    )


def read_sidecar(folder: Path, bad: list[str] | None = None) -> list[Record]:
    """The records of a month folder's sidecar, in order; a bad line is named and skipped.

    `bad`, when given, receives `<sidecar> line N` for each line that is not a record.
    """
    path = Path(folder) / SIDECAR
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        logger.warning("provenance: cannot read %s (%s)", path, exc)
        return []
    records = []
    lines = text.split("\n")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            found = _record(json.loads(line))
        except ValueError:
            found = None
        if found is None and number == len(lines):
            # an append cut short (a killed fetch): the next append drops it; not a record
            logger.warning("provenance: %s ends with an unfinished line; skipped", path)
        elif found is None:
            logger.warning("provenance: %s line %s is not a record; skipped", path, number)
            if bad is not None:
                bad.append(f"{path} line {number}")
        else:
            records.append(found)
    return records


def append_records(folder: Path, records: Iterable[Record]) -> None:
    """Add records at the end of a month folder's sidecar (created when missing), synced."""
    lines = "".join(r.line() + "\n" for r in records)
    if not lines:
        return
    path = Path(folder) / SIDECAR
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        _end_cleanly(fd, path)
        os.write(fd, lines.encode("utf-8"))  # one write: a kill leaves at most one cut line
        os.fsync(fd)
    finally:
        os.close(fd)


def _end_cleanly(fd: int, path: Path) -> None:
    """Before appending: a last line cut short by a killed append is dropped (or ended)."""
    size = os.fstat(fd).st_size
    if not size:
        return
    tail = os.pread(fd, min(size, 65536), max(0, size - 65536))
    if tail.endswith(b"\n"):
        return
    start = tail.rfind(b"\n") + 1
    try:
        whole = _record(json.loads(tail[start:])) is not None
    except ValueError:
        whole = False
    if whole:
        os.write(fd, b"\n")
    elif start or size <= 65536:
        logger.warning("provenance: %s: an unfinished last line dropped", path)
        os.ftruncate(fd, size - len(tail) + start)


class Ledger:
    """The records of one month folder, as answers: a file's digest, a version's fetch."""

    def __init__(self, records: Iterable[Record]) -> None:
        self.last: dict[str, Record] = {}
        self.first: dict[tuple[str, str], Record] = {}
        for record in records:
            self.last[record.file] = record
            key = (record.item, record.sha256)
            known = self.first.get(key)
            if known is None or (record.kind == FETCH and known.kind != FETCH):
                self.first[key] = record

    @classmethod
    def of(cls, folder: Path, bad: list[str] | None = None) -> Ledger:
        """The ledger of a month folder (empty when it has no sidecar); see read_sidecar."""
        return cls(read_sidecar(folder, bad))

    def recorded(self, file: str) -> str | None:
        """The digest the file (relative to the folder) must have, or None if never recorded."""
        found = self.last.get(file)
        return found.sha256 if found else None

    def origin(self, file: str, sha256: str) -> Record | None:
        """How this version was first recorded: its first fetch line, else its first line."""
        return self.first.get((Record(file, sha256, LATER, "").item, sha256))


def item_files(post: Path) -> Iterator[tuple[str, Path]]:
    """A post's files relative to its month folder: the post, then its kept versions."""
    post = Path(post)
    yield post.name, post
    folder = post.with_name(post.stem + VERSIONS_SUFFIX)
    if folder.is_dir():
        names = sorted(n for n in os.listdir(folder) if n.endswith(VERSION_EXTENSION))
        for name in names:
            if name.removesuffix(VERSION_EXTENSION).isdigit() and (folder / name).is_file():
                yield f"{folder.name}/{name}", folder / name


def root_digest(lines: Iterable[tuple[str, str]]) -> str:
    """The archive's root digest: SHA-256 over the sorted lines `<path> <sha256>\\n`."""
    joined = "".join(f"{path} {sha}\n" for path, sha in sorted(lines))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()
