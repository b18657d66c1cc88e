"""Build speed: parallel reading, a cache that follows the settings, linear taxonomy lookups.

Nothing here changes what Pelican outputs; it only changes who computes it and when:
- `guard_cache` (initialized): Pelican's content cache does not notice changed settings or
  plugin code; we drop it when their digest changed, so a cached build equals a clean one.
- `preread` (article_generator_init): Markdown conversion, typogrify and the plugin's last
  sanitizer pass of every article the cache does not hold run in worker processes (fork, one
  per core); Pelican then reads each file as usual, finding that work (and each file's stamp)
  already done.
- `quick_typography` (initialized): smartypants skips substitutions a text cannot need.
- `linear_membership` (article_generator_finalized): Pelican filters its dates list by
  `article in articles` for every tag, category and author, which is quadratic; the lists get
  a constant-time `in`.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
from pathlib import Path
from typing import Any, Iterable

from pelican.utils import file_suffix

from ..settings import merged
from . import hooks
from .memo import _h, build_workers, code_digest, settings_digest

logger = logging.getLogger(__name__)

CACHE_KEY_NAME = "feed_archive-cache-key"
#: Pelican's own cache files, named after the generators.
PELICAN_CACHES = (
    "ArticlesGenerator",
    "PagesGenerator",
    "ArticlesGenerator-Readers",
    "PagesGenerator-Readers",
)


def guard_cache(pelican: Any) -> None:
    """Drop Pelican's content cache when the settings or the plugin's code changed."""
    settings = pelican.settings
    if not settings.get("LOAD_CONTENT_CACHE") and not settings.get("CACHE_CONTENT"):
        return
    folder = Path(settings.get("CACHE_PATH") or "cache")
    key = _h(settings_digest(settings), code_digest()).hex()
    stamp = folder / CACHE_KEY_NAME
    with contextlib.suppress(OSError):
        if stamp.read_text(encoding="utf-8") == key:
            return
    for name in PELICAN_CACHES:
        with contextlib.suppress(OSError):
            (folder / name).unlink()
    with contextlib.suppress(OSError):
        folder.mkdir(parents=True, exist_ok=True)
        stamp.write_text(key, encoding="utf-8")
    logger.debug("feed_archive: content cache reset (settings or code changed)")


class _FastList(list):
    """A list whose `in` compares identities through a set: same answers for content objects."""

    def __init__(self, items: Iterable[Any]) -> None:
        super().__init__(items)
        self._ids = {id(item) for item in self}

    def __contains__(self, item: object) -> bool:
        return id(item) in self._ids


def linear_membership(generator: Any) -> None:
    """Give the article lists of tags, categories and authors a constant-time `in`."""
    tags = getattr(generator, "tags", None)
    if isinstance(tags, dict):
        for tag, articles in list(tags.items()):
            tags[tag] = _FastList(articles)
    for name in ("categories", "authors"):
        pairs = getattr(generator, name, None)
        if isinstance(pairs, list):
            pairs[:] = [(key, _FastList(articles)) for key, articles in pairs]


# --- parallel reading ---------------------------------------------------------------------

_WORKER: dict[str, Any] = {}
_TYPOGRIFIED: dict[tuple[Any, ...], str] = {}
_ORIGINAL: dict[str, Any] = {}


def _typogrify_options(settings: dict[str, Any]) -> tuple[tuple[Any, ...], dict[str, bool]]:
    """The smartypants mode and the arguments Pelican's reader gives typogrify."""
    import smartypants

    dashes = settings["TYPOGRIFY_DASHES"]
    if dashes == "oldschool":
        mode = smartypants.Attr.set2
    elif dashes == "oldschool_inverted":
        mode = smartypants.Attr.set3
    else:
        mode = smartypants.Attr.set1
    smartypants.Attr.default = mode | smartypants.Attr.w
    return (settings["TYPOGRIFY_IGNORE_TAGS"],), dict.fromkeys(
        settings["TYPOGRIFY_OMIT_FILTERS"], False
    )


def _memo_key(text: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    import smartypants

    return (text, repr(args), repr(sorted(kwargs.items())), smartypants.Attr.default)


def _typogrify_memoized(text: str, *args: Any, **kwargs: Any) -> str:
    """typogrify, answered from the pre-pass when it already typographed this text."""
    found = _TYPOGRIFIED.pop(_memo_key(text, args, kwargs), None)
    if found is not None:
        return found
    return _ORIGINAL["typogrify"](text, *args, **kwargs)


def _read_chunk(paths: list[str]) -> list[tuple[str, Any, str, dict[str, Any], Any]]:
    """Worker: read, typograph and sanitize some files; return what Pelican would compute."""
    from pelican.readers import _filter_discardable_metadata

    readers = _WORKER["readers"]
    settings = readers.settings
    results = []
    typo = None
    if settings["TYPOGRIFY"]:
        from typogrify.filters import typogrify as typo

        args, kwargs = _typogrify_options(settings)
    for path in paths:
        try:
            reader = readers.readers[file_suffix(path)]
            content, metadata = reader.read(path)
            metadata = _filter_discardable_metadata(metadata)
            done = []
            html = content
            if typo is not None:
                for text in (content, metadata.get("title"), metadata.get("summary")):
                    if isinstance(text, str) and text:
                        done.append((_memo_key(text, args, kwargs), typo(text, *args, **kwargs)))
                        if text is content:
                            html = done[-1][1]
            safe = None
            if "feed" in metadata and html:  # what hooks.sanitize_archived_content will do
                key = (html, metadata.get("source") or None)
                safe = (key, hooks.safe_html(*key))
            stamp = readers._get_file_stamp(path)
        except Exception:  # Pelican reads it again itself and reports the error
            continue
        for value in _wrappers(metadata):
            value.settings = None
        results.append((path, stamp, content, metadata, (done, safe)))
    return results


def _wrappers(metadata: dict[str, Any]) -> Iterable[Any]:
    from pelican.urlwrappers import URLWrapper

    for value in metadata.values():
        for item in value if isinstance(value, (list, tuple)) else (value,):
            if isinstance(item, URLWrapper):
                yield item


class _PopCache(dict):
    """Reader cache entries that are handed out once, then forgotten (saves memory)."""

    def get(self, key: Any, default: Any = None) -> Any:
        return self.pop(key, default)


def preread(generator: Any) -> None:
    """Convert and typograph, in parallel, every article Pelican is about to read from disk."""
    settings = generator.settings
    _stamp_once(generator)
    count = build_workers(settings)
    readers = generator.readers
    if count < 2 or (
        settings.get("CACHE_CONTENT") and settings.get("CONTENT_CACHING_LAYER") == "reader"
    ):
        return
    names = {
        os.path.abspath(os.path.join(generator.path, f)): f
        for f in generator.get_files(
            settings["ARTICLE_PATHS"], exclude=settings["ARTICLE_EXCLUDES"]
        )
        if not _cached(generator, f) and file_suffix(f) in readers.readers
    }
    todo = list(names)
    if len(todo) < int(merged(settings)["FEED_ARCHIVE_PARALLEL_MIN"]):
        return
    size = max(1, len(todo) // (count * 8))
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    _WORKER["readers"] = readers
    stamps = getattr(generator._get_file_stamp, "_fa_stamps", {})
    cache = _PopCache()
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            for results in pool.imap_unordered(_read_chunk, chunks):
                for path, stamp, content, metadata, (done, safe) in results:
                    for value in _wrappers(metadata):
                        value.settings = settings
                    cache[path] = (stamp, (content, metadata))
                    # the stamp of the bytes the worker read: Pelican caches the article with
                    # it without hashing the file once more in this process
                    stamps.setdefault(names[path], stamp)
                    _TYPOGRIFIED.update(done)
                    if safe is not None:
                        hooks.SANITIZED[safe[0]] = safe[1]
    except (OSError, RuntimeError, ValueError) as exc:  # no fork here: Pelican reads alone
        logger.warning("feed_archive: parallel reading unavailable (%s)", exc)
        return
    finally:
        _WORKER.clear()
    if cache:
        readers._cache = cache
        _stamps_given(readers, {path: entry[0] for path, entry in cache.items()})
        _install_typogrify()
    logger.debug("feed_archive: %s articles read by %s processes", len(cache), count)


def _cached(generator: Any, name: str) -> bool:
    """Whether Pelican's content cache holds this file, unchanged (no hashing when absent)."""
    entries = getattr(generator, "_cache", None)
    if isinstance(entries, dict) and name not in entries:
        return False
    return generator.get_cached_data(name, None) is not None


def _stamps_given(readers: Any, stamps: dict[str, Any]) -> None:
    """The reader cache checks each entry against the stamp the worker computed (same bytes)."""
    original = readers._get_file_stamp

    def stamp(filename: str) -> Any:
        found = stamps.pop(filename, None)
        return original(filename) if found is None else found

    readers._get_file_stamp = stamp


def _stamp_once(generator: Any) -> None:
    """Hash each source file once per build (the pre-pass and Pelican both check the cache)."""
    original = getattr(generator, "_get_file_stamp", None)
    if original is None or getattr(original, "_fa_once", False):
        return
    stamps: dict[str, Any] = {}

    def stamp(filename: str) -> Any:
        if filename not in stamps:
            stamps[filename] = original(filename)
        return stamps[filename]

    stamp._fa_once = True  # type: ignore[attr-defined]
    stamp._fa_stamps = stamps  # type: ignore[attr-defined]
    generator._get_file_stamp = stamp


def _install_typogrify() -> None:
    import typogrify.filters

    if "typogrify" not in _ORIGINAL:
        _ORIGINAL["typogrify"] = typogrify.filters.typogrify
        typogrify.filters.typogrify = _typogrify_memoized


def forget_typography(generator: Any) -> None:
    """Drop typography and sanitizer answers left unused (the pre-pass reads ahead)."""
    _TYPOGRIFIED.clear()
    hooks.SANITIZED.clear()


# --- smartypants without the work that cannot change anything ------------------------------

#: smartypants' per-text helpers, and a text that must hold one of these for the helper to
#: change anything (every pattern each of them substitutes contains one).
_SMARTY_NEEDS = {
    "process_escapes": ("\\",),
    "convert_dashes": ("--",),
    "convert_dashes_oldschool": ("--",),
    "convert_dashes_oldschool_inverted": ("--",),
    "convert_ellipses": ("...", ". . ."),
    "convert_backticks": ("``", "''"),
    "convert_single_backticks": ("`", "'"),
    "convert_quotes": ("'", '"'),
}
SMARTY_ORIGINALS: dict[str, Any] = {}


def _guarded(function: Any, needs: tuple[str, ...]) -> Any:
    def helper(text: str) -> str:
        for mark in needs:
            if mark in text:
                return function(text)
        return text

    helper.__wrapped__ = function  # type: ignore[attr-defined]
    helper.__name__ = function.__name__
    return helper


def quick_typography(pelican: Any = None) -> None:
    """Skip smartypants' regular expressions on text they cannot change (same output).

    smartypants runs about twenty substitutions on every text between two tags; each of its
    helpers is left out for a text without the characters its patterns need (no quote, no
    `--`, no `...`, no backslash): typogrify gives the same HTML in half the time (1.6 ->
    0.8 ms of CPU for a synthetic French post; smartypants itself ~10× less).
    """
    import smartypants

    for name, needs in _SMARTY_NEEDS.items():
        if name not in SMARTY_ORIGINALS:
            SMARTY_ORIGINALS[name] = getattr(smartypants, name)
            setattr(smartypants, name, _guarded(SMARTY_ORIGINALS[name], needs))


# --- URLs computed once per article ---------------------------------------------------------

from pelican.contents import Article  # noqa: E402


def _once(name: str, compute: Any) -> property:
    def get(self: Any) -> Any:
        state = self.__dict__
        key = "_fa_" + name
        if key not in state:
            state[key] = compute(self)
        return state[key]

    return property(get, doc=f"Pelican's `{name}`, computed once.")


class CachedArticle(Article):
    """An Article whose `url` and `save_as` are formatted once (Pelican formats them per use)."""

    url = _once("url", Article.url.fget)
    save_as = _once("save_as", Article.save_as.fget)


def cache_urls(generator: Any) -> None:
    """Make every article's URL a computed-once value (article_generator_pretaxonomy).

    The values are computed here, before Pelican saves its content cache, so a cached article
    comes back with them; the cache is dropped when settings change (guard_cache).
    """
    for name in ("articles", "translations", "hidden_articles", "hidden_translations"):
        for article in getattr(generator, name, None) or ():
            if type(article) is Article:
                article.__class__ = CachedArticle
            if isinstance(article, CachedArticle):
                article.url, article.save_as  # noqa: B018 - computed now, kept in Pelican's cache
