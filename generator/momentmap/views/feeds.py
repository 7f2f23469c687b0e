"""feed.xml (Atom 1.0, RFC 4287) and sitemap.xml (sitemaps.org 0.9).

Both need absolute URLs, so they are made only when the site has a
`base_url`. Everything goes through ElementTree, so a writer's `<`, `&` or
`]]>` is escaped like any other text; characters XML 1.0 cannot carry at
all (most control characters, lone surrogates) are dropped first.

Entry ids are `tag:` URIs (RFC 4151) made of the base_url's host and the
moment id, so they stay the same when the title changes, when the site
moves to another folder or from http to https, and whatever the link style.
They change with the host, or with the moment id (an `id:` line in the
front matter keeps it when a file is renamed).
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from momentmap.content.markdown.sanitize import sanitize_html
from momentmap.model import Moment, Site
from momentmap.urls import LinkStyle, output_path

FEED_PATH = "feed.xml"
STORIES_FEED_PATH = "stories/feed.xml"
SITEMAP_PATH = "sitemap.xml"
FEED_ENTRIES = 50  # the newest moments a feed carries
SITEMAP_URLS = 50_000  # the most one sitemap file may list (sitemaps.org)
SUMMARY_CHARS = 300
TAG_DATE = "2024"  # a fixed date for tag: URIs, so ids never depend on the build
LEFT_OUT = (
    f"{FEED_PATH}, {STORIES_FEED_PATH} and {SITEMAP_PATH} left out: "
    "set base_url in momentmap.yaml or pass --base-url"
)

_ATOM = "http://www.w3.org/2005/Atom"
_SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
# What XML 1.0 allows in a document (its `Char` production); everything else is dropped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SAFE_IN_PATH = "/%!$&'()*+,;=:@-._~"


def updated(site: Site, moment: Moment) -> str:
    """When the moment last changed, as RFC 3339 (Atom `updated`, sitemap `lastmod`):
    the newest commit that touched its file, when git knows it, else its own date;
    never earlier than the moment's date (its `published`)."""
    published = timestamp(moment)
    history = site.history.get(moment.source_path)
    if history is None:
        return published
    edited = (history.edited or history.created).time
    if edited.tzinfo is None:
        edited = edited.replace(tzinfo=dt.UTC)
    return _latest([published, edited.replace(microsecond=0).isoformat()])


def timestamp(moment: Moment) -> str:
    """The moment's date and time as RFC 3339. A time is kept as written (a zone
    is not converted); a missing time is midnight and a missing zone is UTC, since
    Atom needs both."""
    when = moment.when
    time = when.time or "00:00"
    if len(time) == 5:
        time += ":00"
    zone = when.zone or "Z"
    if zone != "Z" and ":" not in zone:
        zone = zone[:3] + ":" + zone[3:]
    return f"{when.day.isoformat()}T{time}{zone}"


def base_uri(base_url: str) -> str:
    """base_url as an ASCII URI: an international host in IDNA form, the path %-encoded."""
    parts = urlsplit(base_url)
    netloc = parts.netloc
    if not netloc.isascii():
        userinfo, at, hostport = netloc.rpartition("@")
        host, colon, port = hostport.rpartition(":") if "]" not in hostport else ("", "", "")
        if not colon or not port.isdigit():
            host, colon, port = hostport, "", ""
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            host = quote(host, safe="")
        netloc = quote(userinfo, safe=":%") + at + host + colon + port
    path = quote(parts.path, safe=_SAFE_IN_PATH)
    return urlunsplit((parts.scheme, netloc, path, "", ""))


def absolute_url(base: str, url: str, style: LinkStyle) -> str:
    """The absolute URL of a site url under `base` (from `base_uri`), in the link style."""
    target = output_path(url) if style == "portable" else url
    return base + quote(target, safe=_SAFE_IN_PATH)


def tag_uri(base_url: str, specific: str) -> str:
    """'tag:intranet.example,2024:momentmap/<specific>'."""
    host = urlsplit(base_uri(base_url)).hostname or "localhost"
    authority = host.strip("[]").replace(":", "-")  # an IPv6 address is no DNS name
    return f"tag:{authority},{TAG_DATE}:momentmap/{quote(specific, safe='/-._~')}"


# Atom ------------------------------------------------------------------------------------------


def feed_xml(site: Site, *, entries: int = FEED_ENTRIES, stories: bool = False) -> str:
    """The newest `entries` moments that are not drafts, newest first, as an Atom feed;
    with `stories`, only those marked `share: true` (stories/feed.xml)."""
    config = site.config
    base, style = base_uri(config.base_url), config.links
    shown = [m for m in reversed(site.moments.values()) if not m.draft and (m.share or not stories)]
    newest = shown[:entries]
    stamps = [updated(site, m) for m in newest]
    path, name, home = (
        (STORIES_FEED_PATH, "stories", "stories/") if stories else (FEED_PATH, "feed", "")
    )
    feed = ET.Element("feed", {"xmlns": _ATOM, _XML_LANG: _clean(config.language)})
    _add(feed, "id", tag_uri(config.base_url, name))
    _add(feed, "title", f"{config.title}: stories worth sharing" if stories else config.title)
    if config.description:
        _add(feed, "subtitle", config.description)
    _add(feed, "updated", _latest(stamps) if stamps else f"{site.as_of.isoformat()}T00:00:00Z")
    _add(feed, "link", rel="self", type="application/atom+xml", href=base + path)
    _add(feed, "link", rel="alternate", type="text/html", href=absolute_url(base, home, style))
    author = _add(feed, "author")
    _add(author, "name", config.title)
    _add(author, "uri", absolute_url(base, "", style))
    _add(feed, "generator", "momentmap")
    for moment, stamp in zip(newest, stamps, strict=True):
        _entry(feed, site, moment, stamp, base)
    return _serialize(feed)


def _entry(feed: ET.Element, site: Site, moment: Moment, stamp: str, base: str) -> None:
    style = site.config.links
    page = absolute_url(base, moment.url, style)
    entry = _add(feed, "entry")
    _add(entry, "id", tag_uri(site.config.base_url, moment.url.rstrip("/")))
    _add(entry, "title", moment.title)
    _add(entry, "link", rel="alternate", type="text/html", href=page)
    _add(entry, "published", timestamp(moment))
    _add(entry, "updated", stamp)
    for person in moment.people:
        _add(_add(entry, "contributor"), "name", person)
    customer = site.customers.get(moment.customer)
    categories = [("customers", customer.name if customer else moment.customer)]
    if moment.type:
        categories.append(("types", moment.type))
    if moment.stage:
        categories.append(("stages", moment.stage))
    categories += [("tags", tag) for tag in moment.tags]
    categories += [("factors", factor) for factor in moment.factors]
    for kind, value in categories:
        # The scheme names the taxonomy, in one form whatever the link style.
        _add(entry, "category", term=value, scheme=absolute_url(base, f"{kind}/", "pretty"))
    summary = _summary(moment.text)
    if summary:
        _add(entry, "summary", summary)
    if moment.html.strip():
        # Links in the narrative are relative to the moment's page: made absolute
        # here, through the same allowlist as a site's raw HTML.
        html = sanitize_html(moment.html, url=lambda href: urljoin(page, href))
        _add(entry, "content", html, type="html")


def _summary(text: str) -> str:
    """The plain-text narrative on one line, cut at a word near SUMMARY_CHARS."""
    words = " ".join(_clean(text).split())
    if len(words) <= SUMMARY_CHARS:
        return words
    cut = words[:SUMMARY_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.-–—") + "…"


def _latest(stamps: Sequence[str]) -> str:
    """The latest of RFC 3339 timestamps, compared as instants, returned as written."""
    return max(stamps, key=lambda s: (dt.datetime.fromisoformat(s), s))


# Sitemap ---------------------------------------------------------------------------------------


def sitemap_paths(urls: Sequence[str], *, limit: int = SITEMAP_URLS) -> tuple[str, ...]:
    """sitemap.xml, and numbered sitemaps beside it when one file cannot list every page."""
    count = len(page_urls(urls))
    if count <= limit:
        return (SITEMAP_PATH,)
    parts = -(-count // limit)
    return (SITEMAP_PATH, *(f"sitemap-{n}.xml" for n in range(1, parts + 1)))


def page_urls(urls: Sequence[str]) -> list[str]:
    """The urls of the HTML pages a sitemap lists (every page but 404.html), sorted."""
    return sorted(u for u in urls if u == "" or u.endswith("/"))


def sitemap_files(site: Site, urls: Sequence[str], *, limit: int = SITEMAP_URLS) -> dict[str, str]:
    """sitemap.xml listing every page of `urls`; above `limit` pages, a sitemap index
    of numbered sitemaps. Moment pages carry their `updated` date as lastmod."""
    base = base_uri(site.config.base_url)
    moments = {m.url: m for m in site.moments.values()}
    listed = page_urls(urls)
    paths = sitemap_paths(urls, limit=limit)
    if len(paths) == 1:
        return {SITEMAP_PATH: _urlset(site, listed, moments)}
    index = ET.Element("sitemapindex", {"xmlns": _SITEMAP})
    files = {}
    for n, path in enumerate(paths[1:]):
        _add(_add(index, "sitemap"), "loc", base + path)
        chunk = listed[n * limit : (n + 1) * limit]
        files[path] = _urlset(site, chunk, moments)
    return {SITEMAP_PATH: _serialize(index), **files}


def _urlset(site: Site, urls: Sequence[str], moments: dict[str, Moment]) -> str:
    base, style = base_uri(site.config.base_url), site.config.links
    urlset = ET.Element("urlset", {"xmlns": _SITEMAP})
    for url in urls:
        entry = _add(urlset, "url")
        _add(entry, "loc", absolute_url(base, url, style))
        moment = moments.get(url)
        if moment is not None:
            stamp = updated(site, moment)
            # A moment with a date only was not changed at midnight UTC: say the day.
            if stamp == timestamp(moment) and not moment.when.time:
                stamp = moment.date.isoformat()
            _add(entry, "lastmod", stamp)
    return _serialize(urlset)


# XML -------------------------------------------------------------------------------------------


def _clean(text: str) -> str:
    """Text XML 1.0 can carry: illegal characters dropped, line ends normalised."""
    return _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _serialize(root: ET.Element) -> str:
    ET.indent(root, space=" ")
    return _DECLARATION + ET.tostring(root, encoding="unicode") + "\n"


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _clean(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _clean(text)
    return element
