"""Pelican entry point: register() connects the build hooks to Pelican's signals, nothing else."""

from __future__ import annotations

from pelican import signals

from .build import hooks, memo, reader, revisions, search, site, speed, stats


def register() -> None:
    """Connect the plugin's build hooks."""
    signals.initialized.connect(hooks.check_settings)
    signals.initialized.connect(hooks.quiet_feed_warnings)
    signals.initialized.connect(hooks.show_progress)
    signals.initialized.connect(speed.guard_cache)
    signals.initialized.connect(speed.quick_typography)
    signals.readers_init.connect(reader.install)
    signals.get_writer.connect(memo.get_writer)
    signals.article_generator_init.connect(speed.preread)
    signals.article_generator_pretaxonomy.connect(speed.cache_urls)
    signals.article_generator_finalized.connect(speed.linear_membership)
    signals.article_generator_finalized.connect(speed.forget_typography)
    signals.content_object_init.connect(hooks.sanitize_archived_content)
    signals.content_object_init.connect(revisions.attach_revisions)
    signals.get_generators.connect(stats.get_generators)
    signals.generator_init.connect(site.install_theme_helpers)
    signals.article_generator_finalized.connect(site.index_articles)
    signals.article_writer_finalized.connect(site.write_archive_pages)
    signals.finalized.connect(memo.finish)
    signals.finalized.connect(search.index_on_finalized)
