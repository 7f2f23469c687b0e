"""Files beside the pages: moments.json, the search index, the feed and sitemap.

`build` writes them and `serve` serves them through this one list, each with
a key like a page's, so an unchanged file is neither made nor written again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from momentmap.digest import hash_text
from momentmap.files import Text, WrittenFiles, write_new
from momentmap.model import Site
from momentmap.views.data import moments_json
from momentmap.views.feeds import (
    FEED_PATH,
    LEFT_OUT,
    STORIES_FEED_PATH,
    feed_xml,
    sitemap_files,
    sitemap_paths,
)
from momentmap.views.pages import Page
from momentmap.views.search import index_paths, search_files


@dataclass(frozen=True, slots=True)
class ExtraFiles:
    """Files made together, in one pass over the site."""

    paths: tuple[str, ...]  # output paths, '/'-separated
    key: str  # like a page's key: the same key gives the same bytes
    make: Callable[[], Mapping[str, Text]]  # path -> text, for every one of `paths`


def extra_files(site: Site, site_key: str, pages: list[Page]) -> tuple[list[ExtraFiles], list[str]]:
    """The files to make beside `pages`, and notices about files left out.
    `site_key` is the key of a page that shows the whole site."""
    notices: list[str] = []
    files = [
        ExtraFiles(
            ("moments.json",),
            hash_text(site_key, "moments.json"),
            lambda: {"moments.json": moments_json(site)},
        ),
        ExtraFiles(
            index_paths(len(site.moments)),
            hash_text(site_key, "search"),
            lambda: search_files(site),
        ),
    ]
    if site.config.base_url:
        # Each moment's last-edited date is part of its digest (git info is folded
        # in), so `everything` covers it; the sitemap also lists every page.
        urls = [page.url for page in pages]
        files += [
            ExtraFiles(
                (FEED_PATH,),
                hash_text(site_key, FEED_PATH),
                lambda: {FEED_PATH: feed_xml(site)},
            ),
            ExtraFiles(
                (STORIES_FEED_PATH,),
                hash_text(site_key, STORIES_FEED_PATH),
                lambda: {STORIES_FEED_PATH: feed_xml(site, stories=True)},
            ),
            ExtraFiles(
                sitemap_paths(urls),
                hash_text(site_key, "sitemap", *urls),
                lambda: sitemap_files(site, urls),
            ),
        ]
    else:
        notices.append(LEFT_OUT)
    return files, notices


def write_files(make: Callable[[], Mapping[str, Text]], targets: dict[str, str]) -> WrittenFiles:
    """Make a group of files and write each to its target, a big one piece by piece;
    each target written, with the file's identity."""
    written: WrittenFiles = []
    for path, text in make().items():
        target = targets[path]
        if isinstance(text, str):
            made = write_new(target, text.encode("utf-8"))
        else:
            made = write_new(target, (piece.encode("utf-8") for piece in text))
        written.append((target, made))
    return written
