"""Theme: the Jinja filters, globals and gettext strings the templates use; never writes."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from . import display, i18n, listings, typography
from .state import BuildState

logger = logging.getLogger(__name__)


def zone_of(settings: dict[str, Any]) -> ZoneInfo:
    """The site's TIMEZONE (UTC, with a warning, when unknown)."""
    try:
        return ZoneInfo(settings.get("TIMEZONE") or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("theme: unknown TIMEZONE %r, using UTC", settings.get("TIMEZONE"))
        return ZoneInfo("UTC")


def theme_folder(settings: dict[str, Any]) -> Path:
    """The theme's folder."""
    return Path(settings.get("THEME") or "theme")


def host_of(url: str) -> str:
    """The host name of a URL, without "www." ("" when there is none)."""
    host = urlsplit(str(url or "")).hostname or ""
    return host.removeprefix("www.")


def site_root(siteurl: Any) -> str:
    """The prefix of links inside the site: SITEURL's path when it is an absolute URL.

    "https://user.github.io/my-archive" gives "/my-archive" (links stay right under the
    sub-path, 25 to 40 bytes shorter each); "" and relative SITEURLs are kept as they are.
    Canonical, Open Graph and feed URLs keep the absolute SITEURL.
    """
    text = str(siteurl or "")
    if text.startswith(("http://", "https://")):
        return urlsplit(text).path.rstrip("/")
    return text


def install_theme_helpers(generator: Any) -> None:
    """Add the theme's filters, globals and gettext strings to a generator's Jinja env."""
    env = getattr(generator, "env", None)
    if env is None:
        return
    settings = generator.settings
    lang = settings.get("DEFAULT_LANG") or "en"
    dates = i18n.DateFormatter(lang, zone_of(settings))
    env.filters.update(
        {
            "fa_date": dates.date,
            "fa_time": dates.time,
            "fa_iso": dates.iso,
            "fa_month": dates.month,
            "fa_month_name": dates.month_name,
            "fa_day_month": dates.day_month,
            "fa_number": dates.number,
            "fa_percent": dates.percent,
            "fa_cap": i18n.capitalized,
            "fa_by_month": listings.by_month,
            "fa_by_year": listings.by_year,
            "fa_host": host_of,
            "fa_root": site_root,
            "fa_typo": typography.for_language(lang),
        }
    )
    state = BuildState.of(settings)
    markers = state.config.paywall_markers if state else ()

    def title(article: Any) -> str:
        info = getattr(article, "fa", None)
        return display.shown_title(str(article.title), bool(info and info.modified))

    def text(article: Any) -> str:
        info = getattr(article, "fa", None)
        content = article.content
        return display.without_teaser(content, markers) if info and info.paywalled else content

    def summary(article: Any) -> str:
        info = getattr(article, "fa", None)
        value = str(article.metadata.get("summary") or "")
        return display.summary_before_teaser(value, markers) if info and info.paywalled else value

    env.filters.update(
        {
            "fa_title": title,
            "fa_text": text,
            "fa_summary": summary,
            "fa_author": display.shown_author,
        }
    )
    env.globals["fa_dates"] = dates
    if "jinja2.ext.InternationalizationExtension" not in env.extensions:
        env.add_extension("jinja2.ext.i18n")
    folder = theme_folder(settings) / "translations"
    env.install_gettext_translations(i18n.translations(str(folder), lang), newstyle=True)
