"""Page keys: a hash of everything a page is made from, so unchanged pages are not rendered.

A page is made from the site-wide inputs (momentmap's code, the theme, the
config and options, the as-of date, customers and taxonomy slugs, the
site's date range) and the moments it shows. `Page.moments` names those; a
page that may show any moment (listings, the dashboard) depends on all of
them. Two builds that give a page the same key give it the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import jinja2
from jinja2 import meta

from momentmap.cache import code_version
from momentmap.digest import hash_text
from momentmap.model import Site
from momentmap.views.pages import Page


def theme_version(theme_dirs: Sequence[Path]) -> str:
    """A hash of every template file, in lookup order."""
    parts: list[str | bytes] = []
    for folder in theme_dirs:
        templates = folder / "templates"
        for path in sorted(templates.rglob("*")) if templates.is_dir() else ():
            if path.is_file():
                parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
        parts.append("\0")
    return hash_text(*parts)


def site_version(site: Site, theme: str, options: str) -> str:
    """The site-wide part of every page's key, but the site's date range (PageKeys adds it)."""
    return hash_text(
        code_version(),
        theme,
        options,
        repr(site.config),
        site.as_of.isoformat(),
        repr(site.customers),
        repr(site.terms),
    )


def shows_whole_site(env: jinja2.Environment, own_theme: Path) -> bool:
    """True when a site's own template reads the `site` or `moments` globals.

    The built-in templates show only their page's moments; a site's template
    might show any moment anywhere, so then every page depends on all of them.
    """
    templates = own_theme / "templates"
    for path in sorted(templates.rglob("*")) if templates.is_dir() else ():
        if not path.is_file():
            continue
        try:
            used = meta.find_undeclared_variables(env.parse(path.read_text(encoding="utf-8")))
        except (jinja2.TemplateSyntaxError, UnicodeDecodeError):
            return True  # the build reports it; be safe meanwhile
        if used & {"site", "moments"}:
            return True
    return False


class PageKeys:
    def __init__(
        self,
        site: Site,
        version: str,
        *,
        whole_site: bool = False,
        digests: dict[str, str] | None = None,
    ) -> None:
        """`version` is `site_version`'s; `digests` (moment id -> digest of its inputs)
        saves hashing each moment's text: without them, a moment's digest is computed
        from the moment itself."""
        self.site_wide = version
        # The date range is the shared sparkline axis: on every page that has one.
        self.version = hash_text(version, repr(site.span))
        self.whole_site = whole_site
        self._moments = site.moments
        self._digests: dict[str, str] = dict(digests or {})
        self._everything: str | None = None

    def swapped(self, site: Site, fresh: dict[str, str]) -> PageKeys:
        """The keys of `site`: this site with the moments of `fresh` (id -> new digest)
        read again, as serve's quick pass makes it. Nothing site-wide but the date range
        can differ, so nothing else is worked out again: the keys equal those of a full
        plan of `site`."""
        digests = {**self._digests, **fresh}
        return PageKeys(site, self.site_wide, whole_site=self.whole_site, digests=digests)

    def digest(self, moment_id: str) -> str:
        found = self._digests.get(moment_id)
        if found is None:
            found = self._digests[moment_id] = hash_text(repr(self._moments[moment_id]))
        return found

    @property
    def everything(self) -> str:
        if self._everything is None:
            self._everything = hash_text(self.version, *map(self.digest, self._moments))
        return self._everything

    def key(self, page: Page) -> str:
        if page.moments is None or self.whole_site:
            shown = self.everything
        else:
            # A digest stands for its moment, id included, and has a fixed length: the
            # digests in order, in one piece, hash three times faster than id=digest
            # parts one by one (1.3 s for the keys of 100,000 moments).
            shown = "".join(map(self.digest, page.moments))
        return hash_text(self.version, page.url, page.template, page.title, shown)
