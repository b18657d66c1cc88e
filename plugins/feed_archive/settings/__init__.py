"""Settings: every FEED_ARCHIVE_* setting typed and validated, its default in one place.

`load` gives a fetch its Config (the feeds, limits, time zone…); `load_build` gives a build
its BuildConfig. Both raise SettingsError naming the bad key.
"""

from .config import BuildConfig, Config, load, load_build
from .defaults import DEFAULTS, PREFIX, RENAMED
from .errors import SettingsError
from .feeds import Source, adhoc_source, feed_id_of, freeze_tag_rules, source_of
from .values import check_names, merged

__all__ = [
    "DEFAULTS",
    "PREFIX",
    "RENAMED",
    "BuildConfig",
    "Config",
    "SettingsError",
    "Source",
    "adhoc_source",
    "check_names",
    "feed_id_of",
    "freeze_tag_rules",
    "load",
    "load_build",
    "merged",
    "source_of",
]
