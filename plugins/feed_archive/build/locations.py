"""Locations: an archived post's URL and file, formatted once, when it is read.

Pelican formats `ARTICLE_URL` and `ARTICLE_SAVE_AS` again at every use of `article.url` or
`article.save_as` (~80 µs: a relpath and a strftime per date field); a build uses each several
times. A reader may give both as the post's `url` and `save_as` metadata (Pelican's documented
way to place one post), which Pelican then uses as they are, and keeps in its content cache.
So the reader formats them once, the way Pelican does (`Content.url_format`), for posts whose
header holds every field the two settings use. Otherwise nothing is given and Pelican formats.
"""

from __future__ import annotations

import os
import string
from typing import Any, Mapping

from pelican.urlwrappers import Author

#: The fields of ARTICLE_URL/ARTICLE_SAVE_AS this module can fill from a post's header.
FIELDS = frozenset({"slug", "date", "lang", "category", "author"})


def fields_of(template: str) -> set[str] | None:
    """The field names a format string uses (None: it is not a plain format string)."""
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return None
    names = set()
    for _, name, _, _ in parsed:
        if name is None:
            continue
        base = name.split(".", 1)[0].split("[", 1)[0]
        if not base or base.isdigit():
            return None
        names.add(base)
    return names


class Locations:
    """Formats the `url` and `save_as` of default-language articles from their metadata."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.url = str(settings.get("ARTICLE_URL") or "")
        self.save_as = str(settings.get("ARTICLE_SAVE_AS") or "")
        self.lang = str(settings.get("DEFAULT_LANG") or "en").lower()
        used = [fields_of(self.url), fields_of(self.save_as)]
        self.enabled = bool(self.url and self.save_as) and all(
            found is not None and found <= FIELDS for found in used
        )
        self.needs = set().union(*(found or () for found in used))
        self.default_author = settings.get("AUTHOR")
        self.settings = settings
        self.extra = tuple(str(key) for key in settings.get("EXTRA_PATH_METADATA") or ())
        self.root = os.path.abspath(str(settings.get("PATH") or "."))

    def _placed_by_settings(self, source_path: str) -> bool:
        """True when EXTRA_PATH_METADATA may place this file (Pelican must decide then)."""
        if not self.extra:
            return False
        relative = os.path.relpath(os.path.abspath(source_path), self.root).replace(os.sep, "/")
        return any(
            relative == key or relative.startswith(key.rstrip("/") + "/") for key in self.extra
        )

    def _author(self, metadata: dict[str, Any]) -> str:
        """The slug Pelican gives `{author}`: the first author, else AUTHOR, else nothing."""
        found = metadata.get("author") or (metadata.get("authors") or [None])[0]
        if found is not None:
            return str(found.slug)
        if self.default_author:
            return str(Author(self.default_author, self.settings).slug)
        return ""

    def add(self, metadata: dict[str, Any], source_path: str) -> None:
        """Put `url` and `save_as` into processed metadata when the header gives the fields."""
        if not self.enabled or "url" in metadata or "save_as" in metadata:
            return
        if str(metadata.get("lang", self.lang)).lower() != self.lang:
            return  # another language: Pelican's LANG_URL settings apply
        if "slug" not in metadata or "date" not in metadata:
            return
        if str(metadata.get("status", "published")).lower() not in {"published", "hidden"}:
            return  # drafts go where DRAFT_URL/DRAFT_SAVE_AS say
        if self._placed_by_settings(source_path):
            return
        values = {"slug": metadata["slug"], "date": metadata["date"], "lang": self.lang}
        if "category" in self.needs:
            if metadata.get("category") is None:
                return  # Pelican's DEFAULT_CATEGORY or folder rules decide
            values["category"] = metadata["category"].slug
        if "author" in self.needs:
            values["author"] = self._author(metadata)
        metadata["url"] = self.url.format(**values)
        metadata["save_as"] = self.save_as.format(**values)
