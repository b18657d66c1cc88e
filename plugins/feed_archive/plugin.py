"""Pelican entry point: register() connects the build hooks to Pelican's signals, nothing else."""

from __future__ import annotations

from pelican import signals

from . import hooks, revisions, stats


def register() -> None:
    """Connect the plugin's build hooks."""
    signals.initialized.connect(hooks.check_settings)
    signals.content_object_init.connect(hooks.sanitize_archived_content)
    signals.content_object_init.connect(revisions.attach_revisions)
    signals.get_generators.connect(stats.get_generators)
