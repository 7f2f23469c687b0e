"""Slugs and site URLs.

Vocabulary used across the package:
- a *url* is site-root-relative with no leading slash. A page's url ends in
  '/' ('' is the dashboard, 'customers/acme/' a customer); a file's url does
  not ('moments.json', 'static/style.css').
- an *output path* is where a url's bytes live below the output folder.
- an *href* is what a page actually links to: relative to that page, so the
  site works under any sub-path and from file://.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from typing import Literal
from urllib.parse import quote

LinkStyle = Literal["portable", "pretty"]

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(value: str) -> str:
    """'Société Générale' -> 'societe-generale'; 'x-' + SHA-1 when nothing is left."""
    decomposed = unicodedata.normalize("NFKD", value)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    slug = _NON_SLUG.sub("-", ascii_only.lower()).strip("-")
    if slug:
        return slug
    digest = hashlib.sha1(value.encode("utf-8", "surrogatepass")).hexdigest()
    return "x-" + digest[:8]


def unique_slugs(values: Iterable[str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Map each value to a slug unique among these values.

    Values whose slugs clash get '-2', '-3'… in sorted order of the values.
    Returns the mapping and (value, slug) pairs that had to be renamed.
    """
    by_slug: dict[str, list[str]] = {}
    for value in sorted(set(values)):
        by_slug.setdefault(slugify(value), []).append(value)
    taken = set(by_slug)
    result: dict[str, str] = {}
    renamed: list[tuple[str, str]] = []
    for slug, group in sorted(by_slug.items()):
        result[group[0]] = slug
        n = 2
        for value in group[1:]:
            while f"{slug}-{n}" in taken:
                n += 1
            result[value] = f"{slug}-{n}"
            taken.add(result[value])
            renamed.append((value, result[value]))
    return result, renamed


def output_path(url: str) -> str:
    """The file below the output folder that serves `url`."""
    if url == "" or url.endswith("/"):
        return url + "index.html"
    return url


_NEEDS_QUOTING = re.compile(r"[^A-Za-z0-9/._~!$&'()*+,;=:@-]")


def relative_href(from_url: str, to_url: str, style: LinkStyle = "portable") -> str:
    """An href from the page at `from_url` to `to_url` (which may carry '#fragment').

    Both are normalised site urls, so plain string work is enough (and this
    runs for every link of every page).
    """
    target, hash_, fragment = to_url.partition("#")
    if style == "portable":
        target = output_path(target)
    from_parts = from_url.split("/")[:-1]  # the folders the page is in
    target_parts = target.split("/")
    common = 0
    limit = min(len(from_parts), len(target_parts) - 1)
    while common < limit and from_parts[common] == target_parts[common]:
        common += 1
    rel = "../" * (len(from_parts) - common) + "/".join(target_parts[common:])
    if not rel:
        rel = "./"
    if _NEEDS_QUOTING.search(rel):
        rel = quote(rel, safe="/-._~!$&'()*+,;=:@")
    if ":" in rel.split("/", 1)[0]:
        rel = "./" + rel  # keep 'a:b' from reading as a URL scheme
    return rel + hash_ + fragment
