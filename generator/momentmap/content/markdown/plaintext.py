"""Plain text of rendered tokens, for search, feeds and summaries."""

from __future__ import annotations

from collections.abc import Sequence
from html.parser import HTMLParser

from markdown_it.token import Token


def plain_text(tokens: Sequence[Token], *, escaped_html: bool) -> str:
    """Readable text of block tokens: one line per paragraph, heading, cell or code block.

    Escaped raw HTML is visible text on the page, so it is text here too.
    """
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline":
            parts.append(inline_text(token.children or (), escaped_html=escaped_html))
        elif token.type in ("fence", "code_block"):
            parts.append(token.content)
        elif token.type == "html_block":
            parts.append(token.content if escaped_html else _html_text(token.content))
    return "\n".join(stripped for part in parts if (stripped := part.strip()))


def inline_text(children: Sequence[Token], *, escaped_html: bool) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline") or (escaped_html and child.type == "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(inline_text(child.children or (), escaped_html=escaped_html))
    return "".join(parts)


class _TextOfHTML(HTMLParser):
    """Collects the words of a raw HTML block, skipping scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def _html_text(source: str) -> str:
    parser = _TextOfHTML()
    parser.feed(source)
    parser.close()
    return " ".join("".join(parser.parts).split())
