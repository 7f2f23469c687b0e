"""The parser: CommonMark, tables, task lists, footnotes and heading anchors, with
momentmap's rules installed. `validateLink` refuses unsafe schemes, an inline
rule takes a lone '[' as text, and the render rules escape raw HTML (or
sanitize it, when the site allows HTML).
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererProtocol
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.footnote.index import render_footnote_ref

from momentmap.content.markdown.call import ENV_CALL, Call
from momentmap.content.markdown.cleanup import clean_tokens
from momentmap.content.markdown.links import resolve_href
from momentmap.content.markdown.sanitize import sanitize_html
from momentmap.diagnostics import Diagnostic
from momentmap.urls import slugify
from momentmap.urlsafety import is_safe_url

_BRACKET_DEPTH = 8  # label-check depth at which _lone_bracket gives up
_ENV_BRACKETS = "momentmap_brackets"


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
    md.core.ruler.before("text_join", "momentmap_clean", clean_tokens)
    md.add_render_rule("footnote_ref", _render_footnote_ref)
    md.escape_html = not allow_html
    if allow_html:
        md.add_render_rule("html_block", _render_html_sanitized)
        md.add_render_rule("html_inline", _render_html_sanitized)
    else:
        md.add_render_rule("html_block", _render_html_block_escaped)
        md.add_render_rule("html_inline", _render_html_inline_escaped)
    return md


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


def _render_html_block_escaped(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    # Shown as the writer typed it, in a paragraph like any other text.
    return "<p>" + escapeHtml(tokens[idx].content.strip("\n")) + "</p>\n"


def _render_html_sanitized(
    self: RendererProtocol, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    call: Call | None = env.get(ENV_CALL)

    def url(value: str) -> str | None:
        if not is_safe_url(value):
            return None
        if call is None:
            return value
        href, problem = resolve_href(value, call)
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
    call = env.get(ENV_CALL)
    if call is not None and call.in_item:
        # Items are listed on other pages, away from the footnotes: no link, no id.
        return f'<sup class="footnote-ref">[{tokens[idx].meta["id"] + 1}]</sup>'
    return render_footnote_ref(self, tokens, idx, options, env)
