"""Dates and theme strings in the site's language: Babel, never the system locale.

Gives Jinja filters (dates, times, months) and gettext translations read from the theme's
`translations/<lang>/LC_MESSAGES/messages.po`; never writes anything.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time, get_day_names
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import NullTranslations, Translations

logger = logging.getLogger(__name__)


@functools.lru_cache(maxsize=16)
def locale(lang: str) -> Locale:
    """Babel locale for a language code ("fr", "en", "pt_BR"); English when unknown."""
    try:
        return Locale.parse(str(lang or "en").replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        logger.warning("theme: unknown language %r, dates shown in English", lang)
        return Locale.parse("en")


class DateFormatter:
    """Formats dates and times in one language and time zone."""

    def __init__(self, lang: str, zone: ZoneInfo) -> None:
        self.locale = locale(lang)
        self.zone = zone

    def _local(self, value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            return value.replace(tzinfo=self.zone)
        return value.astimezone(self.zone)

    def date(self, value: dt.date | dt.datetime, form: str = "long") -> str:
        """A date: "31 octobre 2025" (long), "vendredi 31 octobre 2025" (full), "1er mai"."""
        if isinstance(value, dt.datetime):
            value = self._local(value).date()
        if value.day == 1 and self.locale.language == "fr" and form in _FRENCH_FIRST:
            return format_date(value, _FRENCH_FIRST[form], locale=self.locale)
        return format_date(value, form, locale=self.locale)

    def day_month(self, value: dt.date | dt.datetime, short: bool = False) -> str:
        """A date without its year: "7 novembre", "1er novembre", short "7 nov." ("Nov 7")."""
        if isinstance(value, dt.datetime):
            value = self._local(value).date()
        month = "MMM" if short else "MMMM"
        if self.locale.language == "fr":
            day = "d'er'" if value.day == 1 else "d"
            return format_date(value, f"{day} {month}", locale=self.locale)
        return format_date(value, f"{month} d", locale=self.locale)

    def number(self, value: int | float) -> str:
        """A number with the locale's digit groups: "3 769" (narrow no-break space) in French."""
        return format_decimal(value, locale=self.locale)

    def percent(self, share: float) -> str:
        """A share as a percentage: "21 %" in French (narrow no-break space), "21%" in English."""
        text = format_percent(share, locale=self.locale)
        return text.replace("\u00a0", "\u202f") if self.locale.language == "fr" else text

    def time(self, value: dt.datetime) -> str:
        """A time of day: "16:08" in French, "4:08 PM" in English."""
        return format_time(self._local(value), "short", locale=self.locale)

    def month(self, year: int, month: int) -> str:
        """A month and its year: "octobre 2025"."""
        return format_date(dt.date(year, month, 1), "LLLL y", locale=self.locale)

    def month_name(self, month: int) -> str:
        """A month's name alone, standalone form: "octobre"."""
        return format_date(dt.date(2000, month, 1), "LLLL", locale=self.locale)

    def weekdays(self) -> list[tuple[str, str]]:
        """(abbreviation, full name) of the 7 weekdays, in the locale's first-day order."""
        short = get_day_names("abbreviated", locale=self.locale)
        wide = get_day_names("wide", locale=self.locale)
        first = self.first_weekday
        return [(short[(first + i) % 7], wide[(first + i) % 7]) for i in range(7)]

    @property
    def first_weekday(self) -> int:
        """First day of the week (0 = Monday)."""
        return self.locale.first_week_day

    def iso(self, value: dt.datetime | dt.date) -> str:
        """ISO 8601 text for <time datetime>."""
        if isinstance(value, dt.datetime):
            return self._local(value).isoformat(timespec="minutes")
        return value.isoformat()


#: French writes the first day of a month "1er": the full and long date patterns with it.
_FRENCH_FIRST = {"full": "EEEE d'er' MMMM y", "long": "d'er' MMMM y", "medium": "d'er' MMM y"}


def capitalized(text: str) -> str:
    """`text` with its first letter in capitals: a date that starts a heading or a line."""
    return text[:1].upper() + text[1:] if text else text


def _read(po: Path, loc: Locale) -> Translations:
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=loc)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@functools.lru_cache(maxsize=16)
def translations(folder: str, lang: str) -> NullTranslations:
    """gettext strings of the theme for `lang` (the msgids when there are none).

    Reads `<folder>/<lang>/LC_MESSAGES/messages.po`, then every other `*.po` there, so each
    part of the theme (search, statistics, ...) can ship its own strings file.
    """
    loc = locale(lang)
    for name in (str(loc), loc.language):
        found = sorted(
            (Path(folder) / name / "LC_MESSAGES").glob("*.po"),
            key=lambda p: (p.name != "messages.po", p.name),
        )
        if found:
            merged = _read(found[0], loc)
            for po in found[1:]:
                merged.merge(_read(po, loc))
            return merged
    return NullTranslations()
