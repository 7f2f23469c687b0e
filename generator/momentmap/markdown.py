"""Moment bodies: Markdown to safe HTML, reflection sections and plain text.

`create_markdown` builds one parser per build (or per worker process).
`render_body` is a pure function of its arguments: what one call needs (the
page it renders for, the link targets, the problems it finds) travels in
markdown-it's per-call `env`, so one parser serves any number of threads.

The work happens in markdown-it's own hooks: `validateLink` for unsafe
schemes, an inline rule for lone '[', a core rule that drops HTML comments and
resolves links on the token stream, render rules that escape raw HTML, and a
walk over the top-level tokens that takes the reflection sections out of the
narrative.
"""

from __future__ import annotations

import posixpath
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Literal
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.footnote.index import render_footnote_ref

from momentmap.diagnostics import Diagnostic
from momentmap.model import Item
from momentmap.record import Record
from momentmap.sanitize import sanitize_html
from momentmap.urls import LinkStyle, relative_href, slugify
from momentmap.urlsafety import is_external, is_safe_url

# markdown-it-py parses the densest input (a token every 2-4 characters) at
# 10-30 µs per character; this bound keeps the slowest body near a second
# while leaving room for ~8,000 words. A typical moment body is 2-3,000 characters.
MAX_BODY_CHARS = 50_000

SectionKind = Literal["learnings", "do_differently", "assumptions", "plan"]

_SECTION_TITLES: dict[str, SectionKind] = {
    "learnings": "learnings",
    "what we learned": "learnings",
    "what i learned": "learnings",
    "lessons learned": "learnings",
    "do differently": "do_differently",
    "would do differently": "do_differently",
    "what we would do differently": "do_differently",
    "what i would do differently": "do_differently",
    "assumptions": "assumptions",
    "open assumptions": "assumptions",
    "assumptions to clarify": "assumptions",
    "plan": "plan",
    "planning": "plan",
    "next year": "plan",
    "next steps": "plan",
}

_EMPTIABLE = frozenset(
    {"list_item_close", "bullet_list_close", "ordered_list_close", "blockquote_close"}
)

_BRACKET_DEPTH = 8  # label-check depth at which _lone_bracket gives up

_ENV_CALL = "momentmap"
_ENV_BRACKETS = "momentmap_brackets"


@dataclass(frozen=True, slots=True)
class LinkTargets:
    pages: Mapping[str, str]  # moment source path ('moments/acme/kickoff.md') -> page url
    files: Mapping[str, str]  # any other published file's source path -> its url


@dataclass(frozen=True, slots=True)
class RenderedBody(Record):
    html: str  # the narrative: everything except the four sections
    text: str  # plain text of the narrative, one line per block
    learnings: tuple[Item, ...]
    do_differently: tuple[Item, ...]
    assumptions: tuple[Item, ...]
    plan: tuple[Item, ...]
    problems: tuple[Diagnostic, ...]  # missing link targets, text cut off, body too long


@dataclass(slots=True)
class _Call:
    """What the core and render rules need from one render_body call (lives in env)."""

    file: str
    body_line: int
    source_dir: str
    page_url: str
    targets: LinkTargets
    link_style: LinkStyle
    content_dir: str
    problems: list[Diagnostic] = field(default_factory=list)
    in_item: bool = False
    cut_off: bool = False


class _MomentMarkdown(MarkdownIt):
    # Raw HTML is shown as text (escaped) unless the site allows HTML.
    escape_html = True

    def validateLink(self, url: str) -> bool:
        # Every link, image, autolink and reference definition passes here.
        return is_safe_url(url)


def create_markdown(*, allow_html: bool) -> MarkdownIt:
    """Built once per build (and once per worker process later): CommonMark + tables,
    task lists, footnotes, heading anchors; render rules installed."""
    md = _MomentMarkdown(
        "commonmark",
        # html=True even when HTML is not allowed: comments must be tokens to be
        # dropped, and the render rules escape what is left. maxNesting bounds
        # recursion (and the cost of '[[[…'); deeper text is reported, see
        # _check_cut_off. 'tasklists' needs markdown-it-py >= 4.1.
        {"html": True, "tasklists": True, "maxNesting": 20, "xhtmlOut": False},
    )
    md.enable(["table", "strikethrough"])
    # No inline '^[…]' footnotes: git hosts do not render them either.
    md.use(footnote_plugin, inline=False)
    md.use(anchors_plugin, min_level=2, max_level=4, slug_func=slugify)
    md.inline.ruler.before("link", "momentmap_lone_bracket", _lone_bracket)
    md.core.ruler.before("text_join", "momentmap_clean", _clean_tokens)
    md.add_render_rule("footnote_ref", _render_footnote_ref)
    md.escape_html = not allow_html
    if allow_html:
        md.add_render_rule("html_block", _render_html_sanitized)
        md.add_render_rule("html_inline", _render_html_sanitized)
    else:
        md.add_render_rule("html_block", _render_html_block_escaped)
        md.add_render_rule("html_inline", _render_html_inline_escaped)
    return md


def render_body(
    md: MarkdownIt,
    body: str,
    *,
    body_line: int,
    file: str,
    source_path: str,
    page_url: str,
    targets: LinkTargets,
    link_style: LinkStyle,
    sections: bool = True,
) -> RenderedBody:
    """Render one body: narrative HTML and text, the four sections' items, problems.

    With sections=False (a customer profile's notes) every heading is narrative.

    body_line: line in the file where the body starts; file: site-relative path
    for diagnostics; source_path: content-relative path of this file; page_url:
    the url of the page the HTML ends up on.
    """
    if len(body) > MAX_BODY_CHARS:
        message = (
            f"the body has {len(body):,} characters; momentmap renders at most "
            f"{MAX_BODY_CHARS:,} (split the moment or attach long notes as a file)"
        )
        problem = Diagnostic(file, body_line, 0, "error", message)
        return RenderedBody("", "", (), (), (), (), (problem,))

    content_dir = "content"
    if file.endswith("/" + source_path):
        content_dir = file[: -len(source_path) - 1]
    call = _Call(
        file=file,
        body_line=body_line,
        source_dir=posixpath.dirname(source_path),
        page_url=page_url,
        targets=targets,
        link_style=link_style,
        content_dir=content_dir,
    )
    env: EnvType = {_ENV_CALL: call}
    escaped = getattr(md, "escape_html", True)
    tokens = md.parse(body, env)

    narrative: list[Token] = []
    found: dict[SectionKind, list[Item]] = {
        "learnings": [],
        "do_differently": [],
        "assumptions": [],
        "plan": [],
    }
    kind: SectionKind | None = None
    for start, end in _top_level_blocks(tokens):
        first = tokens[start]
        if first.type == "heading_open" and first.tag in ("h1", "h2"):
            kind = _section_kind(tokens[start + 1]) if sections and first.tag == "h2" else None
            if kind is not None:
                continue  # the section heading itself is the template's business
        elif first.type == "footnote_block_open":
            kind = None  # footnotes collected at the end belong to the narrative
        if kind is None:
            narrative.extend(tokens[start:end])
        else:
            found[kind].extend(_section_items(md, tokens, start, end, env, kind))

    return RenderedBody(
        html=md.renderer.render(narrative, md.options, env),
        text=_plain_text(narrative, escaped_html=escaped),
        learnings=tuple(found["learnings"]),
        do_differently=tuple(found["do_differently"]),
        assumptions=tuple(found["assumptions"]),
        plan=tuple(found["plan"]),
        problems=tuple(call.problems),
    )


# Sections ---------------------------------------------------------------


def _top_level_blocks(tokens: Sequence[Token]) -> Iterator[tuple[int, int]]:
    """(start, end) token index ranges of the document's top-level blocks."""
    i, count = 0, len(tokens)
    while i < count:
        start = i
        depth: int = tokens[i].nesting
        i += 1
        while depth > 0 and i < count:
            depth += tokens[i].nesting
            i += 1
        yield start, i


def _section_kind(inline: Token) -> SectionKind | None:
    title = " ".join(_inline_text(inline.children or (), escaped_html=False).split()).casefold()
    end = len(title)
    while end and (title[end - 1] == " " or unicodedata.category(title[end - 1])[0] == "P"):
        end -= 1
    return _SECTION_TITLES.get(title[:end])


def _section_items(
    md: MarkdownIt, tokens: list[Token], start: int, end: int, env: EnvType, kind: SectionKind
) -> Iterator[Item]:
    """Top-level list items of a section block, or the whole block as one item."""
    first = tokens[start]
    if first.type in ("bullet_list_open", "ordered_list_open"):
        for item_start, item_end in _top_level_blocks(tokens[start + 1 : end - 1]):
            opener = tokens[start + 1 + item_start]
            checked = bool(opener.meta.get("checked")) if opener.meta else False
            inner = tokens[start + 2 + item_start : start + item_end]
            item = _make_item(md, inner, opener, env, clarified=kind == "assumptions" and checked)
            if item is not None:
                yield item
    elif first.type != "hr":
        item = _make_item(md, tokens[start:end], first, env, clarified=False)
        if item is not None:
            yield item


def _make_item(
    md: MarkdownIt, inner: list[Token], opener: Token, env: EnvType, *, clarified: bool
) -> Item | None:
    if len(inner) == 3 and inner[0].type in ("paragraph_open", "heading_open"):
        inner = inner[1:2]  # a one-paragraph item is inline HTML, without <p>
    for token in inner:
        if token.type == "heading_open":
            # Items are shown on many pages at once: ids would clash there.
            token.attrs.pop("id", None)
    call: _Call = env[_ENV_CALL]
    call.in_item = True
    try:
        html = md.renderer.render(inner, md.options, env).strip()
    finally:
        call.in_item = False
    if not html or html in ("[ ]", "[x]", "[X]"):
        return None  # an empty item, or a task box with nothing after it
    line = call.body_line + (opener.map[0] if opener.map else 0)
    text = " ".join(_plain_text(inner, escaped_html=getattr(md, "escape_html", True)).split())
    return Item(html=html, text=text, line=line, clarified=clarified)


# Plain text -------------------------------------------------------------


def _plain_text(tokens: Sequence[Token], *, escaped_html: bool) -> str:
    """Readable text of block tokens: one line per paragraph, heading, cell or code block.

    Escaped raw HTML is visible text on the page, so it is text here too.
    """
    parts: list[str] = []
    for token in tokens:
        if token.type == "inline":
            parts.append(_inline_text(token.children or (), escaped_html=escaped_html))
        elif token.type in ("fence", "code_block"):
            parts.append(token.content)
        elif token.type == "html_block":
            parts.append(token.content if escaped_html else _html_text(token.content))
    return "\n".join(stripped for part in parts if (stripped := part.strip()))


def _inline_text(children: Sequence[Token], *, escaped_html: bool) -> str:
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline") or (escaped_html and child.type == "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif child.type == "image":
            parts.append(_inline_text(child.children or (), escaped_html=escaped_html))
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


# Inline rule: lone brackets ---------------------------------------------


def _lone_bracket(state: StateInline, silent: bool) -> bool:
    """Keep markdown-it from scanning ahead for brackets that cannot close.

    A '[' (or '![') with no ']' after it anywhere in the block cannot open a
    link, image or footnote: take it as text. markdown-it would otherwise scan
    the rest of the paragraph for each one (seconds for 50,000 '[').

    While checking whether a label closes, markdown-it recurses into every '['
    inside it, down to maxNesting. Links nested 8 labels deep do not occur in
    writing, so there the check gives up the way markdown-it itself does at
    maxNesting (skip to the end): this halves the cost of '![![![…]'.
    """
    src, pos, end = state.src, state.pos, state.posMax
    if src[pos] == "!":
        if pos + 1 >= end or src[pos + 1] != "[":
            return False
    elif src[pos] != "[":
        return False
    if silent and state.level >= _BRACKET_DEPTH:
        state.pos = end
        return True
    cached = state.env.get(_ENV_BRACKETS)
    if cached is None or cached[0] is not src:
        # One right-to-left search per inline source, not one per bracket.
        cached = (src, src.rfind("]"))
        state.env[_ENV_BRACKETS] = cached
    if cached[1] > pos:
        return False
    stop = pos + 1
    while stop < end and src[stop] in "[!":
        stop += 1
    if not silent:
        state.pending += src[pos:stop]
    state.pos = stop
    return True


# Core rule: comments, links, nesting ------------------------------------


def _clean_tokens(state: StateCore) -> None:
    """Drop HTML comments, resolve relative links and images, report text cut off.

    Runs before 'text_join', so an escaped '\\<!--' is still a separate token
    and stays literal text.
    """
    call = state.env.get(_ENV_CALL)
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


def _check_cut_off(tokens: list[Token], index: int, call: _Call) -> None:
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

    def __init__(self, call: _Call | None) -> None:
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
                if not _resolve_attr(child, "href", "link to", line, self.call):
                    dropped.append(True)
                    continue
            elif kind == "image":
                # Alt text is rendered as text: no links to check, no comment spans out.
                child.children = _Walk(None).inline(child.children or [], line)
                if self.call is not None and not _resolve_attr(
                    child, "src", "image", line, self.call
                ):
                    kept.extend(child.children)  # keep the alt text visible
                    continue
            if child.nesting == 1:
                dropped.append(False)
            kept.append(child)
        return kept


def _resolve_attr(token: Token, attr: str, what: str, line: int, call: _Call) -> bool:
    """Rewrite a relative href/src for the page; False (and a warning) when it leads nowhere."""
    value = token.attrGet(attr)
    if not isinstance(value, str):
        return True
    href, problem = _resolve_href(value, call)
    if problem is None:
        if href != value:
            token.attrSet(attr, href)
        return True
    shown = unquote(value)
    message = f"{what} '{shown}' {problem} {call.content_dir}/"
    call.problems.append(Diagnostic(call.file, call.body_line + line, 0, "warning", message))
    return False


def _resolve_href(href: str, call: _Call) -> tuple[str, str | None]:
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


# Render rules -----------------------------------------------------------


def _render_html_block_escaped(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # Shown as the writer typed it, in a paragraph like any other text.
    return "<p>" + escapeHtml(tokens[idx].content.strip("\n")) + "</p>\n"


def _render_html_sanitized(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    call: _Call | None = env.get(_ENV_CALL)

    def url(value: str) -> str | None:
        if not is_safe_url(value):
            return None
        if call is None:
            return value
        href, problem = _resolve_href(value, call)
        if problem is None:
            return href
        line = call.body_line + (token.map[0] if token.map else 0)
        message = f"link '{unquote(value)}' {problem} {call.content_dir}/"
        call.problems.append(Diagnostic(call.file, line, 0, "warning", message))
        return None

    return sanitize_html(token.content, url=url)


def _render_html_inline_escaped(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return escapeHtml(tokens[idx].content)


def _render_footnote_ref(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    call = env.get(_ENV_CALL)
    if call is not None and call.in_item:
        # Items are listed on other pages, away from the footnotes: no link, no id.
        return f'<sup class="footnote-ref">[{tokens[idx].meta["id"] + 1}]</sup>'
    return render_footnote_ref(self, tokens, idx, options, env)
