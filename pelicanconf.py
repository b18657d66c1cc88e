"""Site settings for the feed archive (development). Production overrides are in publishconf.py."""

AUTHOR = "Archive"
SITENAME = "Archive du Fil Numérique"
SITESUBTITLE = "Toute la couverture, jour après jour"
# The development server's address (`invoke serve`): feeds need absolute links. Links inside
# the site use only its path; publishconf.py sets the public address.
SITEURL = "http://127.0.0.1:8000"
RELATIVE_URLS = False

PATH = "content"
ARTICLE_PATHS = ["archive"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
TIMEZONE = "Europe/Paris"
DEFAULT_LANG = "fr"
DEFAULT_DATE_FORMAT = "%Y-%m-%d %H:%M"

THEME = "theme"
PLUGIN_PATHS = ["plugins"]
PLUGINS = ["feed_archive"]

# Archived posts carry their own safe, plain-text summary: never run it through Markdown again.
FORMATTED_FIELDS: list[str] = []
# No attr_list or md_in_html: feed text must never be able to add HTML attributes.
MARKDOWN = {
    "extensions": ["markdown.extensions.fenced_code", "markdown.extensions.tables"],
    "output_format": "html5",
}
# Typography is the plugin's (build/typography.py, once per post when it is read: ’ … and the
# French spaces); typogrify's English rules (curly “quotes”, span.caps) would fight it.
TYPOGRIFY = False

# Build speed: Pelican keeps every read article (Markdown + typography done) in cache/ and only
# reads changed files again; feed_archive sets that cache aside when settings or code change.
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CONTENT_CACHING_LAYER = "generator"
CHECK_MODIFIED_METHOD = "md5"
GZIP_CACHE = False

# Posts carry every metadata in their header: no date from file names (Pelican's default reads
# "2024-20-11…" at the start of a slug as a date and drops the post when it is not one).
FILENAME_METADATA = ""
# An archive holds each item once, in its publication's language: no translations to pair
# (Pelican's pairing compares every article with every other one: ~0.4 s at 10,000 items).
ARTICLE_TRANSLATION_ID = None

ARTICLE_URL = "{date:%Y}/{date:%m}/{date:%d}/{slug}/"
ARTICLE_SAVE_AS = ARTICLE_URL + "index.html"
PAGE_URL = "pages/{slug}/"
PAGE_SAVE_AS = PAGE_URL + "index.html"

# Atom feeds: all items, per tag, and per source (FEED_ARCHIVE_SOURCE_FEED_ATOM), newest 50.
FEED_ALL_ATOM = "feeds/all.atom.xml"
TAG_FEED_ATOM = "feeds/tag/{slug}.atom.xml"
FEED_MAX_ITEMS = 50
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = 20

# --- theme: the plugin writes calendar, tag and source pages itself (site.py, stable URLs) ---
TAG_URL = "tag/{slug}/"
TAG_SAVE_AS = TAG_URL + "index.html"
CATEGORY_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
DIRECT_TEMPLATES = ["index", "404", "search"]
SEARCH_SAVE_AS = "search/index.html"  # the search page (theme/templates/search.html)
PAGINATED_TEMPLATES: dict[str, int | None] = {}

# --- feed_archive: the feeds to archive, and how (see README "Settings") -------------------
FEED_ARCHIVE_SOURCES = [
    {
        "name": "Le Fil Numérique",
        "url": "samples/feeds/next-sample-1.xml",
        # the feed's id scopes its items' identities; by default the URL (without scheme,
        # secret and trailing slash): keep it when the feed moves (`invoke sample` reads
        # snapshot 2 of this feed from another file, as if the feed had moved)
        "id": "fil-numerique.example/feed",
        # "tags": ["actualité"],
        # "category": "Tech",
        # "secret_env": "FIL_RSS_KEY",  # with "{secret}" in the url
    },
]
FEED_ARCHIVE_TIMEZONE = TIMEZONE
