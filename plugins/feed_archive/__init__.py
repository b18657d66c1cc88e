"""feed_archive: a Pelican plugin that archives RSS/Atom/JSON feeds as Markdown posts."""

from .plugin import register

__all__ = ["register"]
