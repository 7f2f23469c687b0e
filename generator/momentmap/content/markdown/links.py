"""Relative links and images: rewritten for the page they end up on, or reported
when they lead to no file of the site.
"""

from __future__ import annotations

import posixpath
from urllib.parse import unquote

from markdown_it.token import Token

from momentmap.content.markdown.call import Call
from momentmap.diagnostics import Diagnostic
from momentmap.urls import relative_href
from momentmap.urlsafety import is_external


def resolve_attr(token: Token, attr: str, what: str, line: int, call: Call) -> bool:
    """Rewrite a relative href/src for the page; False (and a warning) when it leads nowhere."""
    value = token.attrGet(attr)
    if not isinstance(value, str):
        return True
    href, problem = resolve_href(value, call)
    if problem is None:
        if href != value:
            token.attrSet(attr, href)
        return True
    shown = unquote(value)
    message = f"{what} '{shown}' {problem} {call.content_dir}/"
    call.problems.append(Diagnostic(call.file, call.body_line + line, 0, "warning", message))
    return False


def resolve_href(href: str, call: Call) -> tuple[str, str | None]:
    """(href for the page, None), or (href, why not) when it matches no file."""
    if href == "" or href.startswith(("#", "?")) or is_external(href):
        return href, None
    path_query, hash_mark, fragment = href.partition("#")
    path, question_mark, query = path_query.partition("?")
    path = unquote(path)
    # A root-absolute path ('/files/x.pdf') is relative to the content folder.
    joined = path.lstrip("/") if path.startswith("/") else posixpath.join(call.source_dir, path)
    source_path = posixpath.normpath(joined) if joined else "."
    if source_path == ".." or source_path.startswith("../"):
        return href, "points outside"
    url = call.targets.pages.get(source_path)
    if url is None:
        url = call.targets.files.get(source_path)
    if url is None:
        return href, "does not match any file in"
    result = relative_href(call.page_url, url, call.link_style)
    return result + question_mark + query + hash_mark + fragment, None
