"""State: the one object a build's hooks share, kept in Pelican's settings for one run.

Pelican hands each hook something different (the Pelican object, a generator, the readers, a
content object), but all of them hold the same `settings` dict: the state lives there under
`FEED_ARCHIVE__BUILD`, created when the build starts (`initialized`) and emptied when it ends.
No module keeps anything between hooks.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, MutableMapping

from ..settings import BuildConfig, SettingsError, load_build

logger = logging.getLogger(__name__)

KEY = "FEED_ARCHIVE__BUILD"


@dataclass
class BuildState:
    """What the hooks of one build share: its settings, read-ahead posts, plan, output log."""

    config: BuildConfig
    started: float = field(default_factory=time.monotonic)
    #: source path -> (HTML, header values) of posts read ahead by the worker processes
    prepared: dict[str, tuple[str, dict[str, list[str]]]] = field(default_factory=dict)
    #: the archive's post and version files found when the build started (postfiles.PostFiles)
    posts: Any = None
    #: the timeline (timeline.Timeline) once the articles are known
    timeline: Any = None
    #: the corrections log (changelog.make_log: a listings.Listing of entries)
    changes: Any = None
    #: the page plan (plan.PagePlan) once every generator has its context
    plan: Any = None
    #: what this build wrote, kept and removed (writer.OutputLog)
    output: Any = None
    #: every post's files with digests and provenance records (proof.ArchiveProof)
    proof: Any = None
    #: how many items the exports read again (None: no export this build)
    exported: int | None = None
    #: the search indexing started while the other pages are written (search.Indexing)
    search: Any = None
    #: what the output folder held when the build started, and what it kept (outputs.Outputs)
    outputs: Any = None
    #: the restored cache's key and file digests, with FEED_ARCHIVE_CACHE_KEY (seal.Sealed)
    seal: Any = None
    #: the settings error the build started with, if any (already logged)
    error: str | None = None

    @classmethod
    def begin(cls, settings: MutableMapping[str, Any]) -> BuildState:
        """A new state for the build that starts with these settings.

        A bad FEED_ARCHIVE_* value is logged once, naming the key, and the build goes on with
        the defaults (`error` keeps the message).
        """
        error = None
        try:
            config = load_build(settings)
        except SettingsError as exc:
            error = str(exc)
            logger.error("feed_archive: %s (the build uses the defaults)", exc)
            config = load_build({})
        state = cls(config, error=error)
        settings[KEY] = state
        return state

    @staticmethod
    def of(settings: Any) -> BuildState | None:
        """The state of the build these settings belong to (None outside a build)."""
        found = settings.get(KEY) if hasattr(settings, "get") else None
        return found if isinstance(found, BuildState) else None

    def end(self, settings: MutableMapping[str, Any]) -> None:
        """Forget the run (an autoreloading Pelican starts its next run afresh)."""
        settings.pop(KEY, None)
