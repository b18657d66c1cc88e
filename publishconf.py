"""Production settings: pelicanconf.py plus the public URL and what a published site needs."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pelicanconf import *  # noqa: F403
from pelicanconf import PLUGINS

# The public URL, absolute, without a trailing slash; it may hold a sub-path, as project sites
# on GitHub Pages do (https://user.github.io/my-archive). The workflow sets it from the Pages
# settings; locally: SITEURL=https://example.org/archive invoke preview
SITEURL = os.environ.get("SITEURL", "").rstrip("/")
RELATIVE_URLS = False
# Incremental production builds: the plugin's record in the cache folder lists every file the
# last build wrote to output/ (and with which inputs), and removes the ones this build no longer
# makes, so output/ is kept when the record is there (the workflow restores both folders from
# the last run). Without it, output/ is emptied first and the build starts clean.
_RECORD = os.path.join(globals().get("CACHE_PATH") or "cache", "feed_archive-output.json")
DELETE_OUTPUT_DIRECTORY = not os.path.isfile(_RECORD)

# The archive's own Atom feed is on in production, whatever pelicanconf.py says (the tag and
# source feeds are set there).
FEED_ALL_ATOM = "feeds/all.atom.xml"

# sitemap.xml (pelican-sitemap) and a robots.txt that points at it (a template under content/).
PLUGINS = [*PLUGINS, "pelican.plugins.sitemap"]
SITEMAP = {"format": "xml", "exclude": [r"^robots\.txt$"]}
TEMPLATE_PAGES = {**globals().get("TEMPLATE_PAGES", {}), "extra/robots.txt": "robots.txt"}

# The open exports (/exports/archive.sqlite and /exports/archive.jsonl.gz) in every
# production build (README, "Exports").
FEED_ARCHIVE_EXPORTS = True
