"""Stats words: gettext strings, numbers, dates in the site's language, typeset for it; pure."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_skeleton
from babel.support import NullTranslations

from .. import i18n, typography
from .data import Month

logger = logging.getLogger(__name__)

#: French "de" before a vowel: "d’octobre", "d’août".
_ELISION = re.compile(r"\b([Dd])e (?=[aeiouyàâéèêîôû])")


class Words:
    """Strings (with their values), numbers and dates of one language, typeset for it."""

    def __init__(self, translations: NullTranslations, dates: i18n.DateFormatter) -> None:
        self.translations = translations
        self.dates = dates
        self.french = dates.locale.language == "fr"

    def text(self, value: str) -> str:
        """`value` with the language's typography (French spacing before ; : ! ?)."""
        return typography.french_text(value) if self.french else value

    def gettext(self, message: str, **values: str) -> str:
        """The translation of `message`, its `%(name)s` placeholders filled from `values`."""
        return self.text(str(self.translations.gettext(message)) % values)

    def pgettext(self, context: str, message: str, **values: str) -> str:
        """Like gettext, for a message whose translation depends on where it is used."""
        return self.text(str(self.translations.pgettext(context, message)) % values)

    def ngettext(self, singular: str, plural: str, n: int, **values: str) -> str:
        """The form for `n`, with `%(num)s` the number written with its digit groups."""
        values.setdefault("num", self.number(n))
        return self.text(self.translations.ngettext(singular, plural, n) % values)

    def number(self, value: int) -> str:
        """A count with the locale's digit groups ("4 000", "4,000")."""
        return self.dates.number(value)

    def percent(self, part: int, whole: int) -> str:
        """`part` as a share of `whole`: "21 %" in French, "21%" in English."""
        return self.dates.percent(part / whole if whole else 0)

    def items(self, n: int) -> str:
        """ "1 article", "4 000 articles"."""
        return self.ngettext("%(num)s item", "%(num)s items", n)

    def date(self, day: dt.date) -> str:
        """A date in words: "7 novembre 2025", "1er août 2024"."""
        return self.dates.date(day)

    def month(self, month: Month) -> str:
        """A month and its year in words: "octobre 2025"."""
        return self.dates.month(*month)

    def day_label(self, day: dt.date) -> str:
        """A short date for an axis: "7 nov.", "1er août", "Nov 7"."""
        if self.french:
            pattern = "d'er' MMM" if day.day == 1 else "d MMM"
            return format_date(day, pattern, locale=self.dates.locale)
        return format_skeleton("MMMd", day, locale=self.dates.locale)

    def month_label(self, month: Month) -> str:
        """A short month for an axis: "oct. 2025", "Oct 2025"."""
        return format_skeleton("yMMM", dt.date(*month, 1), locale=self.dates.locale)

    def days_period(self, first: dt.date, last: dt.date) -> str:
        """ "du 20 octobre au 7 novembre 2025": the year said once when both dates share it."""
        if first == last:
            return self.gettext("on %(day)s", day=self.date(last))
        start = self.dates.day_month(first) if first.year == last.year else self.date(first)
        return self.gettext("from %(start)s to %(end)s", start=start, end=self.date(last))

    def months_period(self, first: Month, last: Month) -> str:
        """ "d’octobre à novembre 2025", "d’août 2024 à novembre 2025", "en octobre 2025"."""
        if first == last:
            return self.pgettext("months", "in %(month)s", month=self.month(last))
        start = self.dates.month_name(first[1]) if first[0] == last[0] else self.month(first)
        end = self.month(last)
        text = self.pgettext("months", "from %(start)s to %(end)s", start=start, end=end)
        return _ELISION.sub(r"\1’", text) if self.french else text


def words_for(theme: str | Path, lang: str, zone: str | None = None) -> Words:
    """The Words of a theme's translations (`<theme>/translations`) in `lang`."""
    try:
        tz = ZoneInfo(zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        logger.warning("stats: unknown TIMEZONE %r, dates in UTC", zone)
        tz = ZoneInfo("UTC")
    folder = str(Path(theme) / "translations")
    return Words(i18n.translations(folder, lang), i18n.DateFormatter(lang, tz))
