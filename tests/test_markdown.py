"""Moment bodies: sections, comments, raw HTML, link safety and resolution, time bounds."""

from __future__ import annotations

import datetime as dt
import pickle
import time
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest

from momentmap.content.markdown import (
    MAX_BODY_CHARS,
    LinkTargets,
    RenderedBody,
    create_markdown,
    render_body,
)
from momentmap.urls import LinkStyle

FILE = "content/moments/acme/2023/renewal.md"
SOURCE = "moments/acme/2023/renewal.md"
PAGE = "moments/acme/2023/renewal/"
TARGETS = LinkTargets(
    pages={
        "moments/acme/2023/renewal.md": "moments/acme/2023/renewal/",
        "moments/acme/kickoff.md": "moments/acme/kickoff/",
    },
    files={
        "moments/acme/2023/whiteboard.png": "moments/acme/2023/whiteboard.png",
        "files/pricing deck.pdf": "files/pricing deck.pdf",
    },
)
MD = create_markdown(allow_html=False)
MD_HTML = create_markdown(allow_html=True)


def render(
    body: str, *, allow_html: bool = False, style: LinkStyle = "portable", body_line: int = 1
) -> RenderedBody:
    return render_body(
        MD_HTML if allow_html else MD,
        body,
        body_line=body_line,
        file=FILE,
        source_path=SOURCE,
        page_url=PAGE,
        targets=TARGETS,
        link_style=style,
    )


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def balanced(html: str) -> bool:
    """Every end tag closes the element opened last (void elements aside)."""
    stack: list[str] = []
    ok = True

    class Check(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag not in ("br", "hr", "img", "input"):
                stack.append(tag)

        def handle_endtag(self, tag: str) -> None:
            nonlocal ok
            ok = ok and bool(stack) and stack.pop() == tag

    Check().feed(html)
    return ok and not stack


def tags(html: str, name: str) -> list[dict[str, str]]:
    return [attrs for tag, attrs in parse(html).elements if tag == name]


def visible(html: str) -> str:
    return "".join(parse(html).texts)


# Sections -----------------------------------------------------------------

SPEC_BODY = """\
The CFO joined unannounced and asked why the price rose 12%...
See also [the kickoff](../kickoff.md).

## Learnings
- Confirm attendees the day before.

## Do differently
- Send the pricing rationale in writing before the call.

## Assumptions
- [ ] They still see us as their preferred vendor.
- [x] Budget is frozen until Q3 — confirmed by their CFO on 2023-04-02.

## Plan
- Quarterly exec-sponsor check-ins in 2024.
"""


def test_spec_example_sections_lines_and_clarified() -> None:
    out = render(SPEC_BODY, body_line=18)
    assert [(i.text, i.line) for i in out.learnings] == [("Confirm attendees the day before.", 22)]
    assert [i.text for i in out.do_differently] == [
        "Send the pricing rationale in writing before the call."
    ]
    assert [(i.html, i.line, i.clarified) for i in out.assumptions] == [
        ("They still see us as their preferred vendor.", 28, False),
        ("Budget is frozen until Q3 — confirmed by their CFO on 2023-04-02.", 29, True),
    ]
    assert [i.text for i in out.plan] == ["Quarterly exec-sponsor check-ins in 2024."]
    assert out.problems == ()


def test_narrative_excludes_sections() -> None:
    out = render(SPEC_BODY)
    assert [t for t, _ in parse(out.html).elements] == ["p", "a"]
    assert "Confirm attendees" not in out.html
    assert "Learnings" not in out.text
    assert out.text == (
        "The CFO joined unannounced and asked why the price rose 12%...\nSee also the kickoff."
    )


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Learnings", "learnings"),
        ("WHAT WE LEARNED:", "learnings"),
        ("What I learned", "learnings"),
        ("Lessons  learned.", "learnings"),
        ("Do differently", "do_differently"),
        ("would do differently", "do_differently"),
        ("What we would do differently?", "do_differently"),
        ("What I would do differently", "do_differently"),
        ("Open assumptions", "assumptions"),
        ("Assumptions to clarify…", "assumptions"),
        ("*Planning*", "plan"),
        ("Next year", "plan"),
        ("Next Steps!", "plan"),
    ],
)
def test_section_aliases_case_and_punctuation(heading: str, kind: str) -> None:
    out = render(f"Intro.\n\n## {heading}\n- one\n- two\n")
    assert [i.text for i in getattr(out, kind)] == ["one", "two"]
    assert out.text == "Intro."


@pytest.mark.parametrize(
    "body",
    [
        "### Learnings\n- not a section\n",  # level 3
        "# Learnings\n- not a section\n",  # level 1
        "> ## Learnings\n> - not a section\n",  # not top level
        "## Learnings and more\n- not a section\n",
    ],
)
def test_other_headings_stay_narrative(body: str) -> None:
    out = render(body)
    assert out.learnings == ()
    assert "not a section" in out.text


def test_section_runs_to_next_heading_of_level_two_or_less_and_repeats_append() -> None:
    body = """\
## Learnings
- first

### Detail
- second

## Story
back in the narrative

## What we learned
- third

# Top
narrative again
"""
    out = render(body)
    assert [i.text for i in out.learnings] == ["first", "Detail", "second", "third"]
    assert out.text == "Story\nback in the narrative\nTop\nnarrative again"


def test_blocks_directly_in_a_section_become_items() -> None:
    body = """\
## Plan

A paragraph, not a list.

> A quote.

1. loose item

   with a second paragraph

---
"""
    out = render(body, body_line=10)
    assert [(i.text, i.line) for i in out.plan] == [
        ("A paragraph, not a list.", 12),
        ("A quote.", 14),
        ("loose item with a second paragraph", 16),
    ]
    assert out.plan[0].html == "A paragraph, not a list."
    assert [t for t, _ in parse(out.plan[1].html).elements] == ["blockquote", "p"]
    assert [t for t, _ in parse(out.plan[2].html).elements] == ["p", "p"]


def test_checkbox_markup_removed_from_items_but_rendered_in_narrative() -> None:
    body = "- [x] done in the story\n\n## Assumptions\n- [X] upper\n- plain\n* [ ] other list\n"
    out = render(body)
    assert [(i.html, i.clarified) for i in out.assumptions] == [
        ("upper", True),
        ("plain", False),
        ("other list", False),
    ]
    assert all("input" not in i.html and "[" not in i.text for i in out.assumptions)
    (checkbox,) = tags(out.html, "input")
    assert checkbox["type"] == "checkbox" and "checked" in checkbox and "disabled" in checkbox


def test_clarified_only_for_assumptions() -> None:
    out = render("## Learnings\n- [x] ticked learning\n")
    assert [(i.text, i.clarified) for i in out.learnings] == [("ticked learning", False)]


def test_items_carry_no_ids_or_footnote_links() -> None:
    body = "## Learnings\n- Pricing[^1]\n-\n  ### Heading in item\n\n[^1]: Source.\n"
    out = render(body)
    item_html = "".join(i.html for i in out.learnings)
    assert all("id" not in attrs for _, attrs in parse(item_html).elements)
    assert tags(item_html, "a") == []
    assert out.learnings[0].text == "Pricing"
    assert "Source." in out.text  # the footnote stays with the narrative


# HTML comments and raw HTML -------------------------------------------------

COMMENTS = """\
<!-- template prompt: what happened? -->
Before <!-- secret inline --> after <!-- secret
over two lines --> end.

<div>
<!-- secret in a block -->
</div>

`<!-- kept in a span -->`

```
<!-- kept in a fence -->
```

    <!-- kept indented -->

## Learnings
- one <!-- secret in an item -->

<!-- secret unclosed
"""


@pytest.mark.parametrize("allow_html", [False, True])
def test_comments_removed_except_in_code(allow_html: bool) -> None:
    out = render(COMMENTS, allow_html=allow_html)
    everything = out.html + out.text + "".join(i.html + i.text for i in out.learnings)
    assert "secret" not in everything
    assert "template prompt" not in everything
    codes = [text for text in parse(out.html).texts if "kept" in text]
    assert [c.strip() for c in codes] == [
        "<!-- kept in a span -->",
        "<!-- kept in a fence -->",
        "<!-- kept indented -->",
    ]
    assert "Before  after  end." in visible(out.html)
    assert [i.text for i in out.learnings] == ["one"]
    unclosed = COMMENTS.splitlines().index("<!-- secret unclosed") + 1
    assert [(p.line, p.message) for p in out.problems] == [
        (unclosed, "this '<!--' opens a comment that is never closed: the rest is not shown")
    ]


def test_comment_opened_mid_line_spans_blocks() -> None:
    body = (
        "Visible <!-- private\n\n## Private heading\n\n- private item\n\n"
        "still private --> shown *again*.\n\n## Plan\n- step <!-- a\n\n  b --> two\n"
    )
    out = render(body)
    assert "private" not in out.html + out.text
    assert visible(out.html) == "Visible \n shown again.\n"
    assert tags(out.html, "h2") == [] and tags(out.html, "em") == [{}]
    assert [i.text for i in out.plan] == ["step two"]
    assert out.problems == ()
    assert balanced(out.html) and balanced(out.plan[0].html)


@pytest.mark.parametrize(
    "body",
    [
        "*a <!-- b* c\n\nd --> e",
        "<!-- *b --> _c_ d*",
        "[a <!-- b](x.md) c\n\n--> after",
        "> quote <!-- a\n\n- item\n\n  --> b",
        "Claim[^1]\n\n[^1]: note <!-- x\n\n--> y",
    ],
)
def test_comments_never_unbalance_the_html(body: str) -> None:
    out = render(body)
    assert balanced(out.html)
    assert "<!--" not in out.html


def test_escaped_comment_markers_stay_text() -> None:
    out = render("Type \\<!-- or &lt;!-- to start a comment.\n")
    assert visible(out.html) == "Type <!-- or <!-- to start a comment.\n"
    assert out.problems == ()


def test_raw_html_escaped_and_visible() -> None:
    out = render('A <b>bold</b> claim.\n\n<div class="box">boxed</div>\n')
    page = parse(out.html)
    assert [t for t, _ in page.elements] == ["p", "p"]
    assert visible(out.html) == 'A <b>bold</b> claim.\n<div class="box">boxed</div>\n'


def test_raw_html_allowed() -> None:
    out = render('A <b>bold</b> claim.\n\n<div class="box">boxed</div>\n', allow_html=True)
    assert [t for t, _ in parse(out.html).elements] == ["p", "b", "div"]
    assert tags(out.html, "div") == [{"class": "box"}]
    assert out.text == "A bold claim.\nboxed"


# Link safety ------------------------------------------------------------------

UNSAFE = [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](<java\tscript:alert(1)>)",
    "[x](java&#x09;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&colon;alert(1))",
    "[x](%6Aavascript:alert(1))",
    "[x](java%0ascript:alert(1))",
    "[x](<\x01javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](livescript:alert(1))",
    "[x](file:///etc/passwd)",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "![x](data:image/svg+xml;base64,PHN2Zz4=)",
    "![x](javascript:alert(1))",
    "<javascript:alert(1)>",
    "<JAVASCRIPT:alert(1)>",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "[ref]\n\n[ref]: <vbscript:x>",
    "[x](view-source:javascript:alert(1))",
]
BAD_SCHEMES = ("javascript:", "vbscript:", "livescript:", "file:", "data:", "view-source:")


def _compact(url: str) -> str:
    return "".join(c for c in unquote(url) if c > " " and c != "\x7f").lower()


@pytest.mark.parametrize("allow_html", [False, True])
@pytest.mark.parametrize("source", UNSAFE)
def test_unsafe_schemes_are_not_links(source: str, allow_html: bool) -> None:
    out = render(source, allow_html=allow_html)
    urls = [
        value
        for _, attrs in parse(out.html).elements
        for name, value in attrs.items()
        if name in ("href", "src")
    ]
    assert not [u for u in urls if _compact(u).startswith(BAD_SCHEMES)]
    assert visible(out.html).strip()  # the writer's text stays visible


@pytest.mark.parametrize(
    ("source", "attr", "url"),
    [
        ("[x](https://example.com/a?b=1#c)", "href", "https://example.com/a?b=1#c"),
        ("[x](mailto:dana@example.com)", "href", "mailto:dana@example.com"),
        ("<https://example.com>", "href", "https://example.com"),
        ("[x](#agenda)", "href", "#agenda"),
        ("![x](data:image/png;base64,iVBORw0=)", "src", "data:image/png;base64,iVBORw0="),
    ],
)
def test_safe_links_stay_as_written(source: str, attr: str, url: str) -> None:
    out = render(source)
    assert [a[attr] for _, a in parse(out.html).elements if attr in a] == [url]
    assert out.problems == ()


# Link resolution --------------------------------------------------------------

LINKS = """\
[kickoff](../kickoff.md#agenda) [root](/moments/acme/kickoff.md) [self](renewal.md)
![board](whiteboard.png "The board") [deck](../../../files/pricing%20deck.pdf?v=2)
[deck too](</files/pricing deck.pdf>)
"""


@pytest.mark.parametrize(
    ("style", "hrefs", "src"),
    [
        (
            "portable",
            [
                "../../kickoff/index.html#agenda",
                "../../kickoff/index.html",
                "index.html",
                "../../../../files/pricing%20deck.pdf?v=2",
                "../../../../files/pricing%20deck.pdf",
            ],
            "../whiteboard.png",
        ),
        (
            "pretty",
            [
                "../../kickoff/#agenda",
                "../../kickoff/",
                "./",
                "../../../../files/pricing%20deck.pdf?v=2",
                "../../../../files/pricing%20deck.pdf",
            ],
            "../whiteboard.png",
        ),
    ],
)
def test_relative_links_rewritten_for_the_page(
    style: LinkStyle, hrefs: list[str], src: str
) -> None:
    out = render(LINKS, style=style)
    assert [a["href"] for a in tags(out.html, "a")] == hrefs
    assert tags(out.html, "img") == [{"src": src, "alt": "board", "title": "The board"}]
    assert out.problems == ()


def test_links_in_sections_are_rewritten_too() -> None:
    out = render("## Learnings\n- see [kickoff](../kickoff.md)\n")
    assert tags(out.learnings[0].html, "a") == [{"href": "../../kickoff/index.html"}]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("[gone](missing.md)", "link to 'missing.md' does not match any file in content/"),
        ("[gone](/nowhere/x.pdf)", "link to '/nowhere/x.pdf' does not match any file in content/"),
        ("[up](../../../../x.md)", "link to '../../../../x.md' points outside content/"),
        ("[up](/../secret.md)", "link to '/../secret.md' points outside content/"),
        ("![pic](no%20such.png)", "image 'no such.png' does not match any file in content/"),
    ],
)
def test_missing_targets_warn_and_keep_the_text(source: str, message: str) -> None:
    out = render(f"First line.\nSecond line with {source} inside.\n", body_line=7)
    assert [(p.file, p.line, p.severity, p.message) for p in out.problems] == [
        (FILE, 8, "warning", message)
    ]
    assert tags(out.html, "a") == [] and tags(out.html, "img") == []
    label = source[source.index("[") + 1 : source.index("]")]
    assert f"with {label} inside" in visible(out.html)


def test_missing_target_line_counts_inline_comments_and_tables() -> None:
    body = "Text <!-- one\ntwo --> more\n[x](a.md)\n\n| h |\n|---|\n| [y](b.md) |\n"
    out = render(body, body_line=3)
    assert [p.line for p in out.problems] == [5, 9]


# Other Markdown ---------------------------------------------------------------


def test_footnotes_tables_and_task_lists_render() -> None:
    body = """\
Claim.[^src]

| Who | Said |
|-----|------|
| CFO | *no* |

- [ ] open task
- [x] done task

[^src]: Call notes.
"""
    out = render(body)
    page = [t for t, _ in parse(out.html).elements]
    for tag in ("sup", "table", "thead", "tbody", "td", "em", "input", "section"):
        assert tag in page
    assert len(tags(out.html, "input")) == 2
    refs = [a["href"] for a in tags(out.html, "a")]
    assert "#fn1" in refs and "#fnref1" in refs
    assert out.text == "Claim.\nWho\nSaid\nCFO\nno\nopen task\ndone task\nCall notes."


def test_footnote_defined_inside_a_footnote_list_leaves_no_stray_tags() -> None:
    # The footnote plugin emits closing tokens without their opening ones here.
    out = render("Text.[^1]\n\n[^1]: a\n    - [^2]: b\n")
    assert balanced(out.html)
    assert "Text." in out.text


@pytest.mark.parametrize("depth", range(1, 9))
def test_brackets_nested_in_link_text_still_make_links(depth: int) -> None:
    out = render(
        "[" * depth + "x" + "]" * depth + "(https://x.y) and [![board](whiteboard.png)](#a)"
    )
    assert [t for t, _ in parse(out.html).elements] == ["p", "a", "a", "img"]
    assert visible(out.html).startswith("[" * (depth - 1) + "x" + "]" * (depth - 1) + " and")


def test_heading_anchors_use_site_slugs_on_levels_two_to_four() -> None:
    out = render(
        "# Top\n## Société Générale\n### Étape 2\n#### Deep\n##### Deeper\n## Société Générale\n"
    )
    ids = [a.get("id") for t, a in parse(out.html).elements if t.startswith("h")]
    assert ids == [None, "societe-generale", "etape-2", "deep", None, "societe-generale-1"]


def test_plain_text_has_no_markup() -> None:
    out = render("# Title\n\nSome **bold** and `code` and [a link](https://x.y).\nNext line.\n")
    assert out.text == "Title\nSome bold and code and a link.\nNext line."


# Limits and purity ------------------------------------------------------------


def test_body_over_the_limit_is_one_error_and_no_output() -> None:
    out = render("a" * (MAX_BODY_CHARS + 1), body_line=9)
    assert (out.html, out.text, out.learnings, out.plan) == ("", "", (), ())
    assert [(p.file, p.line, p.severity) for p in out.problems] == [(FILE, 9, "error")]
    assert f"{MAX_BODY_CHARS:,}" in out.problems[0].message


def _nest(make_line: object, size: int) -> str:
    assert callable(make_line)
    lines: list[str] = []
    total = 0
    while total < size:
        lines.append(make_line(len(lines) % 400))
        total += len(lines[-1]) + 1
    return "\n".join(lines)[:size]


PATHOLOGICAL = {
    "open brackets": "[" * MAX_BODY_CHARS,
    "open brackets then one close": "[" * (MAX_BODY_CHARS - 1) + "]",
    "image openers then one close": "![" * (MAX_BODY_CHARS // 2 - 1) + "]",
    "footnote openers then one close": "[^" * (MAX_BODY_CHARS // 2 - 1) + "]",
    "link openers": "[a](" * (MAX_BODY_CHARS // 4),
    "reference pairs": "[a][" * (MAX_BODY_CHARS // 4),
    "quote markers": ">" * MAX_BODY_CHARS,
    "nested quotes": _nest(lambda i: ">" * i + " a", MAX_BODY_CHARS),
    "emphasis": "*a" * (MAX_BODY_CHARS // 2),
    "mixed emphasis": "*_" * (MAX_BODY_CHARS // 2),
    "backticks": "`" * MAX_BODY_CHARS,
    "backtick ladder": _nest(lambda i: "`" * i + "a", MAX_BODY_CHARS),
    "nested lists": _nest(lambda i: "  " * i + "- a", MAX_BODY_CHARS),
    "list items": "- a\n" * (MAX_BODY_CHARS // 4),
    "table rows": "a|b\n-|-\n" + "c|d\n" * (MAX_BODY_CHARS // 4 - 2),
    "comment openers": "a <!-- " * (MAX_BODY_CHARS // 7),
    "short lines": "a\n" * (MAX_BODY_CHARS // 2),
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_bodies_render_in_bounded_time(name: str) -> None:
    body = PATHOLOGICAL[name]
    assert len(body) <= MAX_BODY_CHARS
    start = time.process_time()
    out = render(body)
    assert time.process_time() - start < 3.0
    assert not [p for p in out.problems if p.severity == "error"]


@pytest.mark.parametrize(
    "body",
    [
        "\n".join(">" * depth + f" quote {depth}" for depth in range(1, 30)),
        "\n".join("  " * depth + f"- item {depth}" for depth in range(30)),
    ],
)
def test_text_cut_off_by_the_nesting_limit_is_reported(body: str) -> None:
    out = render(body, body_line=4)
    assert "29" not in out.text
    assert [(p.severity, p.message) for p in out.problems] == [
        ("warning", "lists or quotes nested this deep are not shown; nest them less")
    ]
    assert 4 < out.problems[0].line < 4 + 30


def test_moderate_nesting_is_kept_without_problems() -> None:
    body = "\n".join("  " * depth + f"- item {depth}" for depth in range(8))
    body += "\n\n" + "\n".join(">" * depth + f" quote {depth}" for depth in range(1, 16))
    out = render(body)
    assert "item 7" in out.text and "quote 15" in out.text
    assert out.problems == ()


def test_results_pickle_and_repeat_identically() -> None:
    first = render(SPEC_BODY + "\n[gone](missing.md)\n")
    assert pickle.loads(pickle.dumps(first)) == first
    assert pickle.loads(pickle.dumps(TARGETS)) == TARGETS
    assert render(SPEC_BODY + "\n[gone](missing.md)\n") == first


def test_one_parser_serves_threads() -> None:
    bodies = [
        f"Moment {n}: [k](../kickoff.md) [gone{n}](x{n}.md)\n\n## Plan\n- step {n}\n"
        for n in range(40)
    ]
    expected = [render(b) for b in bodies]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(render, bodies)) == expected


def test_profile_notes_keep_every_section_as_narrative() -> None:
    body = "Notes.\n\n## Plan\n- Grow the account.\n"
    result = render_body(
        MD, body, body_line=1, file=FILE, source_path=SOURCE, page_url=PAGE, targets=TARGETS,
        link_style="portable", sections=False,
    )  # fmt: skip
    assert result.plan == ()
    headings = [attrs.get("id") for tag, attrs in parse(result.html).elements if tag == "h2"]
    assert headings == ["plan"]
    assert "Grow the account." in result.text


def test_plain_text_keeps_escaped_html_as_the_page_shows_it() -> None:
    result = render("Use <b>bold</b> here.\n\n## Learnings\n- <i>x</i> y\n")
    assert result.text == "Use <b>bold</b> here."
    assert result.learnings[0].text == "<i>x</i> y"
    allowed = render("Use <b>bold</b> here.\n", allow_html=True)
    assert allowed.text == "Use bold here."


# -- plan items (SPEC 8.2) -------------------------------------------------------


def test_plan_items_have_a_done_state_and_a_quarter_or_date_taken_out_of_their_text() -> None:
    out = render(
        "Intro.\n\n## Plan\n\n"
        "- [x] Q1: Kick off the **pilot**\n"
        "- [ ] q4: Renewal review\n"
        "- by 2025-03-01: Budget signed\n"
        "- Plain item\n"
        "- By March: hire a CSM\n"
        "- Quick win: a prefix needs a number\n",
        body_line=5,
    )
    assert out.problems == ()
    got = [(i.text, i.done, i.quarter, i.due, i.line) for i in out.plan]
    assert got == [
        ("Kick off the pilot", True, 1, None, 9),
        ("Renewal review", False, 4, None, 10),
        ("Budget signed", False, 0, dt.date(2025, 3, 1), 11),
        ("Plain item", False, 0, None, 12),
        ("By March: hire a CSM", False, 0, None, 13),
        ("Quick win: a prefix needs a number", False, 0, None, 14),
    ]
    assert out.plan[0].html == "Kick off the <strong>pilot</strong>"
    # The done state is the plan's own: other sections keep theirs.
    other = render("## Learnings\n\n- [x] Q1: not a plan item\n")
    assert other.learnings[0].text == "Q1: not a plan item" and not other.learnings[0].done


@pytest.mark.parametrize(
    ("line", "col", "message"),
    [
        ("- [ ] Q5: Too late", 7, "a plan item's quarter is Q1 to Q4, not 'Q5'"),
        ("- Q0: Too early", 3, "a plan item's quarter is Q1 to Q4, not 'Q0'"),
        (
            "- by 2025-13-01: No such month",
            3,
            "a plan item's due date is 'by YYYY-MM-DD:', and '2025-13-01' is not a date",
        ),
        (
            "  * by 2025-3-1: Short form",
            5,
            "a plan item's due date is 'by YYYY-MM-DD:', and '2025-3-1' is not a date",
        ),
    ],
)
def test_a_plan_prefix_that_cannot_be_read_is_an_error_at_its_place(
    line: str, col: int, message: str
) -> None:
    out = render(f"## Plan\n\n{line}\n", body_line=6)
    assert [(p.line, p.col, p.severity, p.message) for p in out.problems] == [
        (8, col, "error", message)
    ]
    assert out.plan[0].text == line.split("] ")[-1].lstrip(" -*")  # kept as written
