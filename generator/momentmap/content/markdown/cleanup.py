"""The core rule that runs on every body's tokens: HTML comments dropped (they may
span blocks), links and images resolved (`links`), and text that markdown-it cut
off at its nesting limit reported.
"""

from __future__ import annotations

from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from momentmap.content.markdown.call import ENV_CALL, Call
from momentmap.content.markdown.links import resolve_attr
from momentmap.diagnostics import Diagnostic

_EMPTIABLE = frozenset(
    {"list_item_close", "bullet_list_close", "ordered_list_close", "blockquote_close"}
)


def clean_tokens(state: StateCore) -> None:
    """Drop HTML comments, resolve relative links and images, report text cut off.

    Runs before 'text_join', so an escaped '\\<!--' is still a separate token
    and stays literal text.
    """
    call = state.env.get(ENV_CALL)
    walk = _Walk(call)
    tokens = state.tokens
    deepest = state.md.options["maxNesting"] - 1
    kept: list[Token] = []
    skip_close = -1  # level of the paragraph or heading a comment emptied
    emptied = False
    opened: list[str] = []  # names of the open containers ('bullet_list', 'paragraph'…)
    for index, token in enumerate(tokens):
        kind = token.type
        if token.nesting == 1:
            opened.append(kind[:-5])
        elif token.nesting == -1:
            if not opened or opened[-1] != kind[:-6]:
                # A close without its open: the footnote plugin leaves these when a
                # footnote is defined inside another footnote's list.
                continue
            opened.pop()
            if token.level == skip_close:
                skip_close = -1
                continue
        if kind == "html_block":
            token.content = walk.text(token.content, token.map[0] if token.map else 0)
            if not token.content.strip():
                continue
        elif kind in ("fence", "code_block") and walk.comment_line >= 0:
            continue
        elif kind == "inline" and token.children:
            token.children = walk.inline(token.children, token.map[0] if token.map else 0)
            if not token.children and kept and kept[-1].type in ("paragraph_open", "heading_open"):
                skip_close = kept.pop().level
                emptied = True
                continue
        elif token.level >= deepest and token.nesting == 1 and call is not None:
            _check_cut_off(tokens, index, call)
        kept.append(token)
    if walk.comment_line >= 0 and call is not None:
        message = "this '<!--' opens a comment that is never closed: the rest is not shown"
        line = call.body_line + walk.comment_line
        call.problems.append(Diagnostic(call.file, line, 0, "warning", message))
    state.tokens = _drop_empty_containers(kept) if emptied else kept


def _drop_empty_containers(tokens: list[Token]) -> list[Token]:
    """Remove the list items, lists and quotes a comment left empty."""
    kept: list[Token] = []
    for token in tokens:
        if (
            token.type in _EMPTIABLE
            and kept
            and kept[-1].nesting == 1
            and kept[-1].type == token.type[: -len("close")] + "open"
        ):
            kept.pop()
            continue
        kept.append(token)
    return kept


def _check_cut_off(tokens: list[Token], index: int, call: Call) -> None:
    # At maxNesting markdown-it stops parsing a container and drops its content:
    # say so rather than lose a writer's text silently.
    token = tokens[index]
    empty = index + 1 < len(tokens) and tokens[index + 1].nesting == -1
    if not empty or token.type in ("paragraph_open", "heading_open") or call.cut_off:
        return
    call.cut_off = True
    line = call.body_line + (token.map[0] if token.map else 0)
    message = "lists or quotes nested this deep are not shown; nest them less"
    call.problems.append(Diagnostic(call.file, line, 0, "warning", message))


class _Walk:
    """Walks one body's tokens in document order; a comment may span blocks."""

    __slots__ = ("call", "comment_line")

    def __init__(self, call: Call | None) -> None:
        self.call = call
        self.comment_line = -1  # body-relative line of an open '<!--', else -1

    def text(self, content: str, line: int) -> str:
        """`content` without its comment parts; an unclosed one stays open."""
        parts: list[str] = []
        pos = 0
        while True:
            if self.comment_line >= 0:
                close = content.find("-->", pos)
                if close == -1:
                    return "".join(parts)
                pos = close + 3
                self.comment_line = -1
            start = content.find("<!--", pos)
            if start == -1:
                parts.append(content[pos:])
                return "".join(parts)
            parts.append(content[pos:start])
            self.comment_line = line
            pos = start + 2  # '<!-->' and '<!--->' close themselves

    def inline(self, children: list[Token], line: int) -> list[Token]:
        kept: list[Token] = []
        dropped: list[bool] = []  # for each open tag: was it dropped? (then drop its close)
        for child in children:
            kind = child.type
            if child.nesting == -1:
                if not (dropped and dropped.pop()):
                    kept.append(child)
                continue
            if kind in ("softbreak", "hardbreak"):
                line += 1
            elif kind == "html_inline":
                line += child.content.count("\n")
            if kind == "text" and (self.comment_line >= 0 or "<!--" in child.content):
                child.content = self.text(child.content, line)
                if child.content:
                    kept.append(child)
                continue
            if self.comment_line >= 0 or (kind == "html_inline" and child.content[:4] == "<!--"):
                if child.nesting == 1:
                    dropped.append(True)
                continue  # inside a comment, or a whole comment
            if kind == "link_open" and self.call is not None:
                if not resolve_attr(child, "href", "link to", line, self.call):
                    dropped.append(True)
                    continue
            elif kind == "image":
                # Alt text is rendered as text: no links to check, no comment spans out.
                child.children = _Walk(None).inline(child.children or [], line)
                if self.call is not None and not resolve_attr(
                    child, "src", "image", line, self.call
                ):
                    kept.extend(child.children)  # keep the alt text visible
                    continue
            if child.nesting == 1:
                dropped.append(False)
            kept.append(child)
        return kept
