"""`render_body`: one body to narrative HTML and text, the sections' items and the
problems found. A pure function of its arguments: what one call needs travels in
markdown-it's per-call `env`, so one parser serves any number of threads.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType

from momentmap.content.markdown.call import ENV_CALL, Call, LinkTargets
from momentmap.content.markdown.plaintext import plain_text
from momentmap.content.markdown.sections import (
    SectionKind,
    section_items,
    section_kind,
    top_level_blocks,
)
from momentmap.diagnostics import Diagnostic
from momentmap.model import NO_NARRATIVE, Item, Narrative
from momentmap.record import Record
from momentmap.urls import LinkStyle

# markdown-it-py parses the densest input (a token every 2-4 characters) at
# 10-30 µs per character; this bound keeps the slowest body near a second
# while leaving room for ~8,000 words. A typical moment body is 2-3,000 characters.
MAX_BODY_CHARS = 50_000


@dataclass(frozen=True, slots=True)
class RenderedBody(Record):
    # Everything except the four sections, as HTML and as plain text (one line per block).
    narrative: Narrative
    learnings: tuple[Item, ...]
    do_differently: tuple[Item, ...]
    assumptions: tuple[Item, ...]
    plan: tuple[Item, ...]
    problems: tuple[Diagnostic, ...]  # missing link targets, text cut off, body too long

    @property
    def html(self) -> str:
        return self.narrative.html

    @property
    def text(self) -> str:
        return self.narrative.text


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
        return RenderedBody(NO_NARRATIVE, (), (), (), (), (problem,))

    content_dir = "content"
    if file.endswith("/" + source_path):
        content_dir = file[: -len(source_path) - 1]
    call = Call(
        file=file,
        body_line=body_line,
        source_dir=posixpath.dirname(source_path),
        page_url=page_url,
        targets=targets,
        link_style=link_style,
        content_dir=content_dir,
        body=body,
    )
    env: EnvType = {ENV_CALL: call}
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
    for start, end in top_level_blocks(tokens):
        first = tokens[start]
        if first.type == "heading_open" and first.tag in ("h1", "h2"):
            kind = section_kind(tokens[start + 1]) if sections and first.tag == "h2" else None
            if kind is not None:
                continue  # the section heading itself is the template's business
        elif first.type == "footnote_block_open":
            kind = None  # footnotes collected at the end belong to the narrative
        if kind is None:
            narrative.extend(tokens[start:end])
        else:
            found[kind].extend(section_items(md, tokens, start, end, env, kind))

    return RenderedBody(
        narrative=Narrative.of(
            md.renderer.render(narrative, md.options, env),
            plain_text(narrative, escaped_html=escaped),
        ),
        learnings=tuple(found["learnings"]),
        do_differently=tuple(found["do_differently"]),
        assumptions=tuple(found["assumptions"]),
        plan=tuple(found["plan"]),
        problems=tuple(call.problems),
    )
