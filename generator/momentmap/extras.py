"""Files beside the pages: moments.json, the search index, the feed and sitemap.

`build` writes them and `serve` serves them through this one list, each with
a key like a page's, so an unchanged file is neither made nor written again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .cache import hash_text
from .data import moments_json
from .keys import PageKeys
from .model import Site
from .pages import Page


@dataclass(frozen=True, slots=True)
class ExtraFile:
    path: str  # output path, '/'-separated
    key: str
    make: Callable[[], str]


def extra_files(site: Site, keys: PageKeys, pages: list[Page]) -> tuple[list[ExtraFile], list[str]]:
    """The files to make beside `pages`, and notices about files left out."""
    notices: list[str] = []
    files = [
        ExtraFile(
            "moments.json", hash_text(keys.everything, "moments.json"), lambda: moments_json(site)
        ),
    ]
    return files, notices
