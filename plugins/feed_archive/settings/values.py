"""Values: FEED_ARCHIVE_* settings merged with their defaults, each checked for its type.

Every check raises SettingsError naming the key; an unknown FEED_ARCHIVE_* key is an error
too (a typo would otherwise be ignored), with the new name of a renamed one.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from typing import Any, Mapping

from .defaults import DEFAULTS, PREFIX, RENAMED
from .errors import SettingsError

#: Keys the plugin puts in Pelican's settings itself (the build state), never the user.
INTERNAL = frozenset({"FEED_ARCHIVE__BUILD"})


def merged(settings: Mapping[str, Any]) -> dict[str, Any]:
    """The plugin's defaults overlaid with the FEED_ARCHIVE_* values found in `settings`."""
    values = dict(DEFAULTS)
    values.update({k: v for k, v in settings.items() if k.startswith(PREFIX)})
    return values


def check_names(settings: Mapping[str, Any]) -> None:
    """SettingsError for a FEED_ARCHIVE_* key the plugin does not know (a typo, a renamed key)."""
    for key in sorted(k for k in settings if k.startswith(PREFIX) and k not in INTERNAL):
        if key in DEFAULTS:
            continue
        if key in RENAMED:
            raise SettingsError(f"{key}: renamed to {RENAMED[key]}")
        close = difflib.get_close_matches(key, list(DEFAULTS), n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise SettingsError(f"{key}: unknown setting{hint}")


def number(values: Mapping[str, Any], key: str, least: float = 0) -> float:
    """A number setting (int or float, not bool) of at least `least`."""
    value = values[key]
    if not isinstance(value, (int, float)) or isinstance(value, bool) or value < least:
        raise SettingsError(f"{key}: expected a number >= {least:g}, got {value!r}")
    return float(value)


def whole(values: Mapping[str, Any], key: str, least: int = 0) -> int:
    """A whole-number setting of at least `least`."""
    value = values[key]
    if not isinstance(value, int) or isinstance(value, bool) or value < least:
        raise SettingsError(f"{key}: expected a whole number >= {least}, got {value!r}")
    return value


def flag(values: Mapping[str, Any], key: str) -> bool:
    """A True/False setting."""
    value = values[key]
    if not isinstance(value, bool):
        raise SettingsError(f"{key}: expected True or False, got {value!r}")
    return value


def text(values: Mapping[str, Any], key: str, empty: bool = True) -> str:
    """A string setting (None counts as "" when `empty` is allowed)."""
    value = values[key]
    if value is None and empty:
        return ""
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise SettingsError(
            f"{key}: expected a{'' if empty else ' non-empty'} string, got {value!r}"
        )
    return value


def names(values: Mapping[str, Any], key: str) -> tuple[str, ...]:
    """A list of strings."""
    value = values[key]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise SettingsError(f"{key}: expected a list of strings, got {value!r}")
    return tuple(value)


def patterns(values: Mapping[str, Any], key: str) -> tuple[re.Pattern[str], ...]:
    """A list of regular expressions, compiled case-insensitive."""
    try:
        return tuple(re.compile(p, re.IGNORECASE) for p in names(values, key))
    except re.error as exc:
        raise SettingsError(f"{key}: bad pattern ({exc})") from exc


def networks(
    values: Mapping[str, Any], key: str
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """A list of IP networks in CIDR notation ("10.0.0.0/8", "::1"; host bits are ignored)."""
    value = values[key]
    if not isinstance(value, (list, tuple)):
        raise SettingsError(f'{key}: expected a list of networks like "10.0.0.0/8", got {value!r}')
    found = []
    for item in value:
        try:
            if not isinstance(item, str):
                raise ValueError(item)
            found.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            raise SettingsError(f'{key}: {item!r} is not a network like "10.0.0.0/8"') from None
    return tuple(found)
