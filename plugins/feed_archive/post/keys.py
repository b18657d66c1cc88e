"""Keys: the hex digests that name an item's file; pure."""

from __future__ import annotations

import hashlib
import re

from .text import collapse


def key_of(identity: str, length: int = 12) -> str:
    """The hex digest that named an item's file before identities were scoped to feeds."""
    return hashlib.sha256(collapse(identity).encode("utf-8")).hexdigest()[:length]


def comparable_identity(identity: str) -> str:
    """An identity as compared: collapsed, and without `http:`/`https:` (a move to https)."""
    return _SCHEME.sub("", collapse(identity))


_SCHEME = re.compile(r"^https?:(?=//)", re.IGNORECASE)


def item_key(feed_id: str, identity: str, length: int = 12) -> str:
    """The hex digest that names an item's file: its identity within its feed's id."""
    scoped = f"{collapse(feed_id)}\n{comparable_identity(identity)}"
    return hashlib.sha256(scoped.encode("utf-8")).hexdigest()[:length]
