"""Which URLs a published page may carry: the one allowlist for Markdown, raw HTML,
charts, anonymizing and review.

An allowlist of schemes, because denylists keep missing old script-running
schemes (livescript:, mocha:, view-source:javascript:…).
"""

from __future__ import annotations

import re
from urllib.parse import unquote

SAFE_SCHEMES = frozenset(
    {"http", "https", "mailto", "tel", "sms", "ftp", "ftps", "sftp", "ssh", "irc", "ircs",
     "xmpp", "news", "webcal", "geo", "magnet", "callto", "skype", "msteams", "slack",
     "zoommtg", "zoomus", "facetime", "maps"}
)  # fmt: skip
_SAFE_DATA = re.compile(r"data:image/(?:png|gif|jpeg|webp)[;,]")
_SCHEME = re.compile(r"([a-z][a-z0-9+.\-]*):")
_ANY_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def is_safe_url(url: str) -> bool:
    """False for script-running schemes, however spelled (case, entities, %-escapes, tabs)."""
    decoded = unquote(url)
    if _CONTROL.search(decoded):
        return False  # browsers drop tabs and newlines inside a scheme: 'java\tscript:'
    compact = decoded.lstrip(" ").lower()
    scheme = _SCHEME.match(compact)
    if scheme is None:
        return True  # no scheme: a relative link, checked against the content later
    if scheme.group(1) == "data":
        return _SAFE_DATA.match(compact) is not None
    return scheme.group(1) in SAFE_SCHEMES


def safe_href(href: str) -> str:
    """`href` without surrounding space, or '' when it could run code."""
    return href.strip() if is_safe_url(href) else ""


def is_external(url: str) -> bool:
    """True for a URL that leaves the site: it has a scheme or starts with '//'."""
    return url.startswith("//") or _ANY_SCHEME.match(url) is not None
