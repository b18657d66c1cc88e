"""Pelican entry point: register() connects every build hook to Pelican's signals, nothing else.

The order below is the order of a build, and it matters where two handlers share a signal:
- initialized: `begin` makes the build's state (every later hook reads it from the settings).
- readers_init / article_generator_init: archived posts get our reader, and are read ahead
  in the worker pool before Pelican reads them.
- article_generator_finalized: the timeline first (`index_articles`: every later page and
  the plan need it), then each post's history and its disappearances (`gone.attach`), then
  the corrections log (from the histories and the disappearances), then each post's files'
  digests (`proof`).
- all_generators_finalized: the page plan, once every generator has its context and
  before any page is written.
- get_writer: the writer that skips the pages the plan says are unchanged.
- article_writer_finalized: the archive's own pages (`write_archive_pages`, then `/gone/`)
  after Pelican's article pages, then /provenance.json and the exports, then search indexing
  starts in the background (the article pages are done).
- static_generator_finalized: the static files this build copies (kept in the output).
- finalized: `end` removes stale files, waits for search, removes every file the build did not
  make, logs the size budget and seals the folders; it must come after every other plugin's
  finalized hook (pelican-sitemap writes sitemap.xml there), whatever the order of PLUGINS:
  `end_last`, at initialized (every plugin is registered by then), connects it again, last.
"""

from __future__ import annotations

from pelican import signals

from .build import (
    changelog,
    content,
    exports,
    gone,
    outputs,
    pages,
    proof,
    published,
    reader,
    revisions,
    search,
    stats,
    theme,
    writer,
)


def end_last(pelican: object) -> None:
    """initialized hook: `content.end` becomes the last finalized receiver (Pelican's signals
    call their receivers in the order they were connected: an ordered set)."""
    signals.finalized.disconnect(content.end)
    signals.finalized.connect(content.end)


def register() -> None:
    """Connect the plugin's build hooks (see the module docstring for why in this order)."""
    signals.initialized.connect(content.begin)
    signals.initialized.connect(end_last)
    signals.readers_init.connect(reader.install)
    signals.article_generator_init.connect(reader.preread)
    signals.generator_init.connect(theme.install_theme_helpers)
    signals.get_generators.connect(stats.get_generators)
    signals.article_generator_finalized.connect(pages.index_articles)
    signals.article_generator_finalized.connect(revisions.attach_revisions)
    signals.article_generator_finalized.connect(gone.attach)
    signals.article_generator_finalized.connect(changelog.collect)
    signals.article_generator_finalized.connect(proof.attach_proof)
    signals.all_generators_finalized.connect(content.plan_pages)
    signals.get_writer.connect(writer.get_writer)
    signals.article_writer_finalized.connect(pages.write_archive_pages)
    signals.article_writer_finalized.connect(gone.write_page)
    signals.article_writer_finalized.connect(changelog.write)
    signals.article_writer_finalized.connect(published.write_provenance)
    signals.article_writer_finalized.connect(exports.write_exports)
    signals.article_writer_finalized.connect(search.start)
    signals.static_generator_finalized.connect(outputs.note_statics)
    signals.finalized.connect(content.end)
