"""Pelican peer for the momentmap benchmark: minimal settings, tiny theme.

bench/run.py sets BENCH_PELICAN_CONTENT to the corpus's content folder (read
where it is, never copied or changed) and BENCH_PELICAN_CACHE to a scratch
folder, and passes the output folder with -o. Content caching is off here, for
the clean build; the warm build turns it on with
`-e CACHE_CONTENT=true LOAD_CONTENT_CACHE=true`.
"""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent

SITENAME = "momentmap benchmark (Pelican peer)"
SITEURL = ""
RELATIVE_URLS = True  # momentmap links relatively, so do the same work here
TIMEZONE = "UTC"
DEFAULT_LANG = "en"

PATH = os.environ.get("BENCH_PELICAN_CONTENT", "content")
ARTICLE_PATHS = ["moments"]  # a moment is an article: it has a date
PAGE_PATHS = ["customers"]  # a customer profile is a page: it has none
STATIC_PATHS: list[str] = []
USE_FOLDER_AS_CATEGORY = True  # the customer folder: one list page per customer
SLUGIFY_SOURCE = "basename"  # two moments of a customer may share a title, not a file name

# The corpus's front matter is YAML; see yaml_front_matter.py.
PLUGIN_PATHS = [str(HERE)]
PLUGINS = ["yaml_front_matter"]
# Pelican's default extensions less codehilite (there is no code) and meta
# (the reader parses the front matter).
MARKDOWN = {
    "extension_configs": {"markdown.extensions.extra": {}},
    "output_format": "html5",
}

THEME = str(HERE / "theme")

CACHE_PATH = os.environ.get("BENCH_PELICAN_CACHE", "cache")
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

# URLs like the other tools: a folder with an index.html per page.
ARTICLE_URL = "moments/{category}/{slug}/"
ARTICLE_SAVE_AS = "moments/{category}/{slug}/index.html"
PAGE_URL = "customers/{slug}/"
PAGE_SAVE_AS = "customers/{slug}/index.html"
CATEGORY_URL = "moments/{slug}/"
CATEGORY_SAVE_AS = "moments/{slug}/index.html"
CATEGORIES_SAVE_AS = "moments/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
TAGS_SAVE_AS = "tags/index.html"
AUTHOR_URL = "people/{slug}/"
AUTHOR_SAVE_AS = "people/{slug}/index.html"
AUTHORS_SAVE_AS = "people/index.html"
DIRECT_TEMPLATES = ["index", "categories", "tags", "authors"]  # no archives page
DRAFT_SAVE_AS = ""  # drafts are not published (nor by momentmap or Hugo)
DRAFT_PAGE_SAVE_AS = ""
ARTICLE_LANG_SAVE_AS = ""
PAGE_LANG_SAVE_AS = ""

# momentmap writes a feed only when base_url is set; not here.
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
