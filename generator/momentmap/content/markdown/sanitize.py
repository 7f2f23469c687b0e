"""Raw HTML a site allows (`allow_html: true`), cut down to what cannot run code.

`allow_html` lets writers use tables, <details> or <kbd>; it does not let a
moment file run script in a colleague's browser. Tags and attributes pass
through an allowlist, URLs through the same check as Markdown links, and the
rest is dropped; text is re-escaped on the way out. The caller's `url`
function checks and rewrites every URL (None drops the attribute).
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from html.parser import HTMLParser

ALLOWED_TAGS = frozenset(
    [
        "a",
        "abbr",
        "article",
        "aside",
        "b",
        "bdi",
        "bdo",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "rp",
        "rt",
        "ruby",
        "s",
        "samp",
        "section",
        "small",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
        "var",
        "wbr",
    ]
)
VOID_TAGS = frozenset({"br", "col", "hr", "img", "wbr"})
# Their content is not text to show: dropped with the tag.
HIDDEN_CONTENT = frozenset(
    {"script", "style", "template", "iframe", "object", "noscript", "textarea", "title"}
)
GLOBAL_ATTRIBUTES = frozenset({"title", "lang", "dir", "class", "id"})
TAG_ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "scope", "align"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "reversed", "type"},
    "time": {"datetime"},
    "details": {"open"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
}
URL_ATTRIBUTES = frozenset({"href", "src", "cite"})


class _Sanitizer(HTMLParser):
    def __init__(self, url: Callable[[str], str | None]) -> None:
        super().__init__(convert_charrefs=True)
        self.url = url
        self.out: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN_CONTENT:
            self.hidden += 1
        if self.hidden or tag not in ALLOWED_TAGS:
            return
        allowed = GLOBAL_ATTRIBUTES | TAG_ATTRIBUTES.get(tag, set())
        kept = []
        for name, value in attrs:
            if name not in allowed:
                continue  # on* handlers, style, srcset, formaction… never pass
            value = value or ""
            if name in URL_ATTRIBUTES:
                checked = self.url(value.strip())
                if checked is None:
                    continue
                value = checked
            kept.append(f' {name}="{escape(value, quote=True)}"')
        self.out.append(f"<{tag}{''.join(kept)}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in HIDDEN_CONTENT:
            self.hidden -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_CONTENT:
            self.hidden = max(0, self.hidden - 1)
            return
        if not self.hidden and tag in ALLOWED_TAGS and tag not in VOID_TAGS:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.out.append(escape(data, quote=False))

    # Comments, declarations and processing instructions are never published.
    def handle_comment(self, data: str) -> None:
        pass

    def handle_decl(self, decl: str) -> None:
        pass

    def handle_pi(self, data: str) -> None:
        pass

    def unknown_decl(self, data: str) -> None:
        pass


def sanitize_html(fragment: str, *, url: Callable[[str], str | None]) -> str:
    """The fragment with only allowlisted tags and attributes, and URLs as `url` says."""
    parser = _Sanitizer(url)
    parser.feed(fragment)
    parser.close()
    return "".join(parser.out)
