"""Search: the built site's article pages -> output/pagefind/ with the Pagefind CLI.

`index_site` indexes a built site (by month groups, incrementally); `start` and `finish` are
the build's hooks. Never touches content/.
"""

from .hooks import finish, start, wait
from .index import BUNDLE, MANIFEST, IndexReport, index_site
from .months import plan
from .pagefind import SearchIndexError, pagefind_binary

__all__ = [
    "BUNDLE",
    "MANIFEST",
    "IndexReport",
    "SearchIndexError",
    "finish",
    "index_site",
    "pagefind_binary",
    "plan",
    "start",
    "wait",
]
