"""The four reflection sections (learnings, do differently, assumptions, plan):
found by their `##` titles and taken out of the narrative as items.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from typing import Literal

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType

from momentmap.content.markdown.call import ENV_CALL, Call
from momentmap.content.markdown.plaintext import inline_text, plain_text
from momentmap.content.markdown.planitems import take_due
from momentmap.model import Item

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


def top_level_blocks(tokens: Sequence[Token]) -> Iterator[tuple[int, int]]:
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


def section_kind(inline: Token) -> SectionKind | None:
    title = " ".join(inline_text(inline.children or (), escaped_html=False).split()).casefold()
    end = len(title)
    while end and (title[end - 1] == " " or unicodedata.category(title[end - 1])[0] == "P"):
        end -= 1
    return _SECTION_TITLES.get(title[:end])


def section_items(
    md: MarkdownIt, tokens: list[Token], start: int, end: int, env: EnvType, kind: SectionKind
) -> Iterator[Item]:
    """Top-level list items of a section block, or the whole block as one item."""
    first = tokens[start]
    if first.type in ("bullet_list_open", "ordered_list_open"):
        for item_start, item_end in top_level_blocks(tokens[start + 1 : end - 1]):
            opener = tokens[start + 1 + item_start]
            checked = bool(opener.meta.get("checked")) if opener.meta else False
            inner = tokens[start + 2 + item_start : start + item_end]
            item = _make_item(md, inner, opener, env, kind, checked=checked)
            if item is not None:
                yield item
    elif first.type != "hr":
        item = _make_item(md, tokens[start:end], first, env, kind, checked=False)
        if item is not None:
            yield item


def _make_item(
    md: MarkdownIt,
    inner: list[Token],
    opener: Token,
    env: EnvType,
    kind: SectionKind,
    *,
    checked: bool,
) -> Item | None:
    if len(inner) == 3 and inner[0].type in ("paragraph_open", "heading_open"):
        inner = inner[1:2]  # a one-paragraph item is inline HTML, without <p>
    for token in inner:
        if token.type == "heading_open":
            # Items are shown on many pages at once: ids would clash there.
            token.attrs.pop("id", None)
    call: Call = env[ENV_CALL]
    body_line = opener.map[0] if opener.map else 0
    quarter, due = take_due(inner, body_line, call) if kind == "plan" else (0, None)
    call.in_item = True
    try:
        html = md.renderer.render(inner, md.options, env).strip()
    finally:
        call.in_item = False
    if not html or html in ("[ ]", "[x]", "[X]"):
        return None  # an empty item, or a task box with nothing after it
    text = " ".join(plain_text(inner, escaped_html=getattr(md, "escape_html", True)).split())
    if text == html:  # a plain item: one string for both (pickling keeps them one)
        text = html
    return Item(
        html=html,
        text=text,
        line=call.body_line + body_line,
        clarified=kind == "assumptions" and checked,
        done=kind == "plan" and checked,
        quarter=quarter,
        due=due,
    )
