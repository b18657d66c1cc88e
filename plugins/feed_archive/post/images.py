"""Images: how a post points at an image the archive preserved, and its stand-in; pure.

A preserved image is written `{static}/images/archive/<xx>/<sha256>.<ext>` (Pelican resolves
`{static}`); before sanitizing built HTML the path becomes an absolute stand-in the sanitizer
keeps, and is put back after.
"""

from __future__ import annotations

import re

_LOCAL_PATH = r"(?:[A-Za-z0-9_-]+/)*[0-9a-f]{2}/[0-9a-f]{64}\.(?:jpg|png|gif|webp|avif)"
#: An absolute stand-in for `{static}/…` so that the build-time sanitizer keeps local images.
PLACEHOLDER = "https://feed-archive.invalid/static/"
_STATIC_SRC = re.compile(r"\{static\}/(" + _LOCAL_PATH + r")(?=[\"'])")
_PLACEHOLDER_SRC = re.compile(re.escape(PLACEHOLDER) + "(" + _LOCAL_PATH + r")(?=[\"'])")


def protect_local(html: str) -> str:
    """Before sanitizing built HTML: `{static}/…/<sha256>.<ext>` image paths become absolute."""
    return _STATIC_SRC.sub(lambda m: PLACEHOLDER + m.group(1), html) if "{static}" in html else html


def restore_local(html: str) -> str:
    """After sanitizing: the stand-ins of protect_local() become `{static}/…` links again."""
    if PLACEHOLDER not in html:
        return html
    return _PLACEHOLDER_SRC.sub(lambda m: "{static}/" + m.group(1), html)
