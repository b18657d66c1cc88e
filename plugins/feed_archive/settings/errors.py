"""Errors: the one exception a bad setting raises."""


class SettingsError(ValueError):
    """A FEED_ARCHIVE_* value that cannot be used; the message names it."""
