"""Dates: which dates a feed gives can be trusted; pure rules, the fetch time as reference.

A feed's date is used unless it is more than a day after the fetch (a typo, a CMS bug, 9999),
before 1800 (year 1 and other placeholders), or the Unix epoch (a zero timestamp, in any zone).
Then the next date is tried: the update date, then the time the archive first saw the item.
"""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

#: How far after the fetch a date may be (clocks and time zones are often a few hours off).
FUTURE_SLACK = timedelta(days=1)
EARLIEST = datetime(1800, 1, 1, tzinfo=UTC)
_EPOCH_ZONES = 14 * 3600


def usable(moment: datetime | None, fetched: datetime) -> bool:
    """True for a date that can be shown as when an item was published or updated."""
    if moment is None:
        return False
    if moment < EARLIEST or moment > fetched + FUTURE_SLACK:
        return False
    seconds = moment.timestamp()
    return not (abs(seconds) <= _EPOCH_ZONES and seconds % 3600 == 0)


@dataclass(frozen=True)
class Dates:
    """The dates a post gets: publication, the feed's update (or None), the raw feed value kept."""

    published: datetime
    updated: datetime | None
    feed_value: str


def choose(
    published: datetime | None, updated: datetime | None, published_text: str, fetched: datetime
) -> Dates:
    """The publication date (else update date, else fetch time) and a trusted update date."""
    good_update = updated if usable(updated, fetched) else None
    if usable(published, fetched):
        return Dates(published, good_update, "")  # type: ignore[arg-type]
    return Dates(good_update or fetched, good_update, published_text)


def iso_date(value: Any) -> datetime | None:
    """An ISO 8601 date-time string as an aware datetime (UTC when it has no offset), or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def text_date(value: Any) -> datetime | None:
    """An RFC 822 or ISO 8601 date string (as in `dc:modified`) as an aware datetime, or None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return iso_date(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
