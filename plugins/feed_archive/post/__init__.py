"""The post format, shared by both phases: what a post file holds and how to read it back.

Ingestion (`ingest/`) writes posts, the build (`build/`) reads them; neither imports the other,
both import this package (and `settings`).
"""

from .body import text_blocks
from .format import (
    BOOKKEEPING,
    KEYS,
    Post,
    content_key,
    format_date,
    metadata_html,
    metadata_name,
    metadata_text,
    read_header,
    render,
    safe_url,
    split_file,
    unique_names,
    with_history,
)
from .html import plain_title, sanitize, text_of
from .images import protect_local, restore_local
from .keys import comparable_identity, item_key, key_of
from .text import collapse, dedupe, first_absolute, fold, is_absolute_http, slugify
from .versions import VERSION_EXTENSION, VERSIONS_SUFFIX, next_version_path, version_files
from .walk import posts

__all__ = [
    "BOOKKEEPING",
    "KEYS",
    "VERSIONS_SUFFIX",
    "VERSION_EXTENSION",
    "Post",
    "collapse",
    "comparable_identity",
    "content_key",
    "dedupe",
    "first_absolute",
    "fold",
    "format_date",
    "is_absolute_http",
    "item_key",
    "key_of",
    "metadata_html",
    "metadata_name",
    "metadata_text",
    "next_version_path",
    "plain_title",
    "posts",
    "protect_local",
    "read_header",
    "render",
    "restore_local",
    "safe_url",
    "sanitize",
    "slugify",
    "split_file",
    "text_blocks",
    "text_of",
    "unique_names",
    "version_files",
    "with_history",
]
