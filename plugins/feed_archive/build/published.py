"""Published: files the build derives from the archive itself, not from a template.

`/provenance.json` (every post's files with their digests and records, and the archive's root
digest) is written at article_writer_finalized; `emit` writes any such file through the
output log (writer.OutputLog), so an unchanged file is neither rewritten nor removed as stale.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any, Callable

from ..post.provenance import UNDIGESTED
from .state import BuildState

logger = logging.getLogger(__name__)

PROVENANCE_FILE = "provenance.json"
FORMAT = 1
DIGEST_RULE = (
    "SHA-256 of the file's text as UTF-8, line ends LF, Unicode NFC, without the header lines "
    + ", ".join(UNDIGESTED)
)
ROOT_RULE = "SHA-256 of the sorted lines '<file> <sha256>\\n' of every file below"


def emit(
    state: BuildState,
    output: str,
    rel: str,
    data: bytes | Callable[[str], None],
    key: bytes | None = None,
) -> bool:
    """Write `rel` under the output unless the file there was made with `key`; True if written.

    `data`: the bytes (their digest is the key unless one is given), or a function that
    writes the file at the path it is given (called only when the file must be made).
    """
    if key is None:
        assert isinstance(data, bytes), "a key is needed for a file made by a function"
        key = hashlib.sha256(data).digest()
    log = state.output
    path = os.path.join(output, rel)
    if log is not None and log.unchanged(rel, key):
        log.keep(rel)
        return False
    before = None  # (a made file is not read back: it may be large)
    if log is not None and rel in log.previous and isinstance(data, bytes):
        try:
            before = (Path(path).read_bytes(), os.stat(path))
        except OSError:
            before = None
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    temporary = path + ".part"
    if isinstance(data, bytes):
        Path(temporary).write_bytes(data)
    else:
        data(temporary)
    os.replace(temporary, path)
    if log is not None:
        log.wrote(rel, key, before, False)
        log.unplanned.add(rel)  # not a page of the plan: its inputs' digest is its key
    return True


def _path_of(post: str, files: Any) -> str:
    """An item's path in /provenance.json: its post file's, relative to the archive."""
    return str(files[-1].path) if files else os.path.basename(post)


def provenance_document(proof: Any, articles: dict[str, Any], siteurl: str) -> bytes:
    """The bytes of /provenance.json: one item a line, sorted by path (deterministic)."""
    head = {
        "format": FORMAT,
        "digest": DIGEST_RULE,
        "root": {"rule": ROOT_RULE, "sha256": proof.root},
        "site": siteurl,
    }
    lines = []
    for post, files in sorted(proof.items.items(), key=lambda pair: _path_of(*pair)):
        article = articles.get(post)
        item: dict[str, Any] = {"path": _path_of(post, files)}
        if article is not None:
            item["url"] = article.fa.url if hasattr(article, "fa") else article.url
            item["title"] = str(article.metadata.get("title") or "")
        item["versions"] = [f.entry() for f in files]
        lines.append(json.dumps(item, sort_keys=True, ensure_ascii=False, separators=(",", ":")))
    opening = json.dumps(head, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    text = opening[:-1] + ',"items":[\n' + ",\n".join(lines) + "\n]}\n"
    return text.encode("utf-8")


def write_provenance(generator: Any, writer: Any = None) -> None:
    """article_writer_finalized hook: write /provenance.json from the build's proofs."""
    state = BuildState.of(generator.settings)
    if state is None or getattr(state, "proof", None) is None:
        return
    articles = {os.path.abspath(str(a.source_path)): a for a in generator.articles}
    siteurl = str(generator.settings.get("SITEURL") or "")
    data = provenance_document(state.proof, articles, siteurl)
    if emit(state, generator.output_path, PROVENANCE_FILE, data):
        logger.info("feed_archive: %s written (root digest %s)", PROVENANCE_FILE, state.proof.root)
