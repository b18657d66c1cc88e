"""Stats page: a Pelican generator that writes stats/index.html from the built articles."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pelican.generators import Generator

from ...settings import merged
from .compose import compute
from .data import item_of
from .words import words_for

logger = logging.getLogger(__name__)

#: Where the page goes; the theme's header links to {{ SITEURL }}/stats/.
URL = "stats/"
SAVE_AS = URL + "index.html"


class StatsGenerator(Generator):
    """Writes the statistics page (template `stats`) once every article is known."""

    def generate_context(self) -> None:
        """Nothing to read: the figures come from the articles at output time."""

    def generate_output(self, writer: Any) -> None:
        """Compute the figures from the site's articles and write the page."""
        values = merged(self.settings)
        if not values["FEED_ARCHIVE_STATS"]:
            return
        try:
            template = self.get_template("stats")
        except Exception as exc:  # PelicanTemplateNotFound: a theme without the page
            logger.warning("stats: no stats template in the theme, page skipped (%s)", exc)
            return
        articles = self.context.get("articles") or []
        names = tuple(values["FEED_ARCHIVE_BRIEF_CATEGORIES"])
        items = [item_of(a, names) for a in articles if getattr(a, "date", None)]
        words = words_for(
            Path(self.settings.get("THEME") or "theme"),
            str(self.settings.get("DEFAULT_LANG") or "en"),
            self.settings.get("TIMEZONE"),
        )
        stats = compute(items, words, hidden_tags=names)
        writer.write_file(
            SAVE_AS,
            template,
            self.context,
            relative_urls=self.settings.get("RELATIVE_URLS", False),
            stats=stats,
            page_name="stats",
            url=URL,
            template_name="stats",
        )
        logger.info(
            "stats: %s items, %s charts written to %s", stats.total, len(stats.charts), SAVE_AS
        )


def get_generators(pelican: Any) -> type[Generator]:
    """get_generators hook: add the statistics page generator."""
    return StatsGenerator
