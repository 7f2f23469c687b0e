from __future__ import annotations

import time

import pytest
import yaml

from momentmap.content.frontmatter import (
    MAX_DEPTH,
    MAX_FILE_BYTES,
    Document,
    Field,
    Node,
    parse_document,
    parse_mapping,
    to_plain,
    tree,
)
from momentmap.diagnostics import Diagnostic

MOMENT = b"""\
---
title: Renewal call went sideways
date: 2023-03-14
customer: Acme Corp
moment_of_truth: true
people: [Dana, Lee]
promises:
  - promise: Send the revised pricing rationale
    due: 2023-03-16
extra:
  owner: 'Dana'
---
The CFO joined unannounced.
"""


def parse(raw: bytes) -> tuple[Document | None, list[Diagnostic]]:
    return parse_document(raw, file="content/moments/a.md")


def ok(raw: bytes) -> Document:
    """The document of a file that must parse without any diagnostic."""
    doc, diags = parse(raw)
    assert diags == []
    assert doc is not None
    return doc


def front(raw: bytes) -> dict[str, object]:
    doc = ok(raw)
    assert doc.front is not None
    plain = to_plain(doc.front)
    assert isinstance(plain, dict)
    return plain


def problems(raw: bytes) -> list[tuple[int, int, str]]:
    _, diags = parse(raw)
    assert all(d.file == "content/moments/a.md" and d.severity == "error" for d in diags)
    return [(d.line, d.col, d.message) for d in diags]


def only_problem(raw: bytes) -> tuple[int, int, str]:
    found = problems(raw)
    assert len(found) == 1, found
    return found[0]


# -- the tree --------------------------------------------------------------


def test_moment_tree_has_places_in_the_whole_file() -> None:
    doc = ok(MOMENT)
    root = doc.front
    assert root is not None
    assert (root.kind, root.line, root.col) == ("map", 1, 1)  # the opening '---'
    assert list(root.fields) == [
        "title",
        "date",
        "customer",
        "moment_of_truth",
        "people",
        "promises",
        "extra",
    ]
    title = root.fields["title"]
    assert (title.key, title.key_line, title.key_col) == ("title", 2, 1)
    assert title.value == Node("scalar", 2, 8, "Renewal call went sideways")

    people = root.fields["people"].value
    assert (people.kind, people.line, people.col) == ("seq", 6, 9)
    assert [(n.text, n.line, n.col) for n in people.items] == [("Dana", 6, 10), ("Lee", 6, 16)]

    promise = root.fields["promises"].value.items[0]
    assert (promise.kind, promise.line, promise.col) == ("map", 8, 5)
    due = promise.fields["due"]
    assert (due.key_line, due.key_col, due.value.line, due.value.col) == (9, 5, 9, 10)

    owner = root.fields["extra"].value.fields["owner"].value
    assert (owner.text, owner.quoted, owner.line, owner.col) == ("Dana", True, 11, 10)

    assert doc.body == "The CFO joined unannounced.\n"
    assert doc.body_line == 13


def test_to_plain_gives_nested_text() -> None:
    assert front(MOMENT) == {
        "title": "Renewal call went sideways",
        "date": "2023-03-14",
        "customer": "Acme Corp",
        "moment_of_truth": "true",
        "people": ["Dana", "Lee"],
        "promises": [{"promise": "Send the revised pricing rationale", "due": "2023-03-16"}],
        "extra": {"owner": "Dana"},
    }


def test_scalars_keep_the_text_as_written() -> None:
    raw = b"---\ntitle: No\nzip: 0123\non: yes\nn: 1e3\nhex: 0x1F\ninf: .inf\nt: 12:30\n---\n"
    assert front(raw) == {
        "title": "No",
        "zip": "0123",
        "on": "yes",
        "n": "1e3",
        "hex": "0x1F",
        "inf": ".inf",
        "t": "12:30",
    }


def test_empty_and_null_looking_values_are_plain_text() -> None:
    root = ok(b"---\na:\nb: ~\nc: null\nd: ''\n---\n").front
    assert root is not None
    values = {key: (f.value.text, f.value.quoted) for key, f in root.fields.items()}
    assert values == {"a": ("", False), "b": ("~", False), "c": ("null", False), "d": ("", True)}


def test_quoted_and_block_scalars_are_unquoted_and_marked() -> None:
    raw = b"""---
s: 'it''s'
d: "tab\\there"
lit: |
  one
  two
fold: >
  one
  two
plain: multi
  line
---
"""
    root = ok(raw).front
    assert root is not None
    got = {key: (f.value.text, f.value.quoted) for key, f in root.fields.items()}
    assert got == {
        "s": ("it's", True),
        "d": ("tab\there", True),
        "lit": ("one\ntwo\n", True),
        "fold": ("one two\n", True),
        "plain": ("multi line", False),
    }
    assert (root.fields["lit"].value.line, root.fields["lit"].value.col) == (4, 6)


def test_quoted_null_key_is_a_key() -> None:
    assert front(b'---\n"null": x\n---\n') == {"null": "x"}


# -- splitting front matter and body ----------------------------------------


def test_no_front_matter_is_all_body() -> None:
    doc = ok(b"# Just Markdown\n\ntext\n")
    assert doc == Document(None, "# Just Markdown\n\ntext\n", 1)


def test_a_first_line_that_is_not_exactly_dashes_opens_nothing() -> None:
    assert ok(b"--- title: x\n---\n").front is None
    assert ok(b"----\ntitle: x\n----\n").front is None


@pytest.mark.parametrize("raw", [b"---\n---\n", b"---\n# only a comment\n\n---\nbody"])
def test_empty_front_matter_is_a_map_without_fields(raw: bytes) -> None:
    doc = ok(raw)
    assert doc.front == Node("map", 1, 1)


def test_fences_allow_trailing_spaces_and_dots_close() -> None:
    doc = ok(b"---  \ntitle: x\n... \t\nbody\n")
    assert doc.front is not None and list(doc.front.fields) == ["title"]
    assert (doc.body, doc.body_line) == ("body\n", 4)


def test_closing_fence_at_end_of_file_gives_empty_body() -> None:
    doc = ok(b"---\ntitle: x\n---")
    assert (doc.body, doc.body_line) == ("", 4)


def test_indented_dashes_do_not_close_front_matter() -> None:
    assert front(b"---\nnotes: |\n  ---\n  x\n---\n") == {"notes": "---\nx\n"}


def test_unclosed_front_matter_is_an_error_at_line_1() -> None:
    doc, diags = parse(b"---\ntitle: x\n\nSome body text\n")
    assert doc is None
    assert [(d.line, d.col, d.message) for d in diags] == [
        (
            1,
            1,
            "front matter opened at line 1 is never closed; add a line '---' after the last key",
        )
    ]


@pytest.mark.parametrize(
    ("raw", "line", "words"),
    [
        (b"---\n- a\n- b\n---\n", 2, "this is a list"),
        (b"---\n# note\nhello\n---\n", 3, "this is a single value"),
        (b"---\n[a, b]\n---\n", 2, "this is a list"),
    ],
)
def test_front_matter_that_is_not_a_mapping(raw: bytes, line: int, words: str) -> None:
    doc, diags = parse(raw)
    assert doc is None
    [d] = diags
    assert (d.line, d.col) == (line, 1)
    assert "expected 'key: value' lines" in d.message and words in d.message


# -- encodings and line endings ---------------------------------------------


def test_bom_is_stripped_silently() -> None:
    doc = ok(b"\xef\xbb\xbf---\ntitle: x\n---\nbody\n")
    assert doc.front is not None
    assert doc.front.fields["title"].value == Node("scalar", 2, 8, "x")


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"])
def test_crlf_and_cr_are_normalised_and_keep_line_numbers(newline: bytes) -> None:
    raw = MOMENT.replace(b"\n", newline)
    doc = ok(raw)
    assert doc.front is not None
    assert doc.front.fields["extra"].value.fields["owner"].value.line == 11
    assert (doc.body, doc.body_line) == ("The CFO joined unannounced.\n", 13)
    assert to_plain(doc.front) == to_plain(ok(MOMENT).front)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "line", "col", "byte"),
    [
        (b"---\ntitle: caf\xe9\n---\n", 2, 11, "0xE9"),
        (b"---\r\ntitle: ok\r\n---\r\nbody \xff\r\n", 4, 6, "0xFF"),
        (b"\xef\xbb\xbf\xc3(", 1, 1, "0xC3"),
    ],
)
def test_invalid_utf8_points_at_the_first_bad_byte(
    raw: bytes, line: int, col: int, byte: str
) -> None:
    doc, diags = parse(raw)
    assert doc is None
    [d] = diags
    assert (d.line, d.col) == (line, col)
    assert "not UTF-8" in d.message and byte in d.message


# -- characters --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "line", "col", "words"),
    [
        (b"---\ntitle: a\x00b\n---\n", 2, 9, "U+0000 (NUL) is not allowed in front matter"),
        (b"---\ntitle: a\x1bb\n---\n", 2, 9, "control character U+001B"),
        (b"---\ntitle: a\xc2\x85b\n---\n", 2, 9, "U+0085 (next line)"),
        (b"---\ntitle: a\xe2\x80\xa8b\n---\n", 2, 9, "U+2028 (line separator)"),
        (b"---\ntitle: a\x7f\x00\x00\n---\n", 2, 9, "U+007F is not allowed in front matter"),
    ],
)
def test_control_characters_in_front_matter(raw: bytes, line: int, col: int, words: str) -> None:
    doc, diags = parse(raw)
    assert doc is None
    [d] = diags
    assert (d.line, d.col) == (line, col)
    assert words in d.message


def test_control_characters_are_counted_after_the_first() -> None:
    line, col, message = only_problem(b"---\ntitle: a\x00\x00\x00\n---\n")
    assert (line, col) == (2, 9)
    assert "(2 more after it)" in message


def test_control_character_in_body_is_an_error_but_the_document_is_kept() -> None:
    doc, diags = parse(b"---\ntitle: x\n---\nline one\n\tok \x0c\n")
    assert doc is not None and doc.front is not None
    assert [(d.line, d.col) for d in diags] == [(5, 5)]
    assert "U+000C" in diags[0].message


def test_tab_in_body_and_inside_a_value_is_fine() -> None:
    assert front(b"---\ntitle: a\tb\n---\n\tcode\n") == {"title": "a\tb"}


def test_nul_from_an_escape_is_an_error_at_the_value() -> None:
    doc, diags = parse(b'---\ntitle: "a\\0b"\n---\n')
    assert doc is not None and doc.front is not None
    assert [(d.line, d.col) for d in diags] == [(2, 8)]
    assert "control character U+0000" in diags[0].message
    assert "\x00" not in doc.front.fields["title"].value.text


@pytest.mark.parametrize("escape", [b"\\ud800", b"\\udfff", b"\\ud83d\\ude00"])
def test_lone_surrogate_escape_is_an_error_at_the_value(escape: bytes) -> None:
    line, col, message = only_problem(b'---\ndate: 2023-01-01\ntitle: "a' + escape + b'"\n---\n')
    assert (line, col) == (3, 8)
    assert "surrogate" in message


def test_real_astral_characters_are_fine() -> None:
    raw = '---\ntitle: "\\U0001F600 ok 😀"\n---\n'.encode()
    assert front(raw) == {"title": "😀 ok 😀"}


# -- traps -------------------------------------------------------------------


def test_duplicate_key_is_an_error_at_the_second_naming_the_first() -> None:
    raw = b"---\ntitle: first\ndate: 2023-01-01\ntitle: second\n---\n"
    doc, diags = parse(raw)
    assert [(d.line, d.col, d.message) for d in diags] == [
        (4, 1, "duplicate key 'title': it is already set at line 2; keep only one")
    ]
    assert doc is not None and doc.front is not None
    assert doc.front.fields["title"].value.text == "first"


def test_duplicate_key_counts_quoted_and_plain_as_the_same() -> None:
    line, col, message = only_problem(
        b"---\npromises:\n  - due: 2023-01-01\n    'due': 2023-01-02\n---\n"
    )
    assert (line, col) == (4, 5)
    assert "duplicate key 'due'" in message and "line 3" in message


def test_anchor_and_alias_are_errors() -> None:
    doc, diags = parse(b"---\ncustomer: &c Acme\nowner: *c\ntitle: x\n---\n")
    assert [(d.line, d.col) for d in diags] == [(2, 11), (3, 8)]
    assert "'&c' is a YAML anchor" in diags[0].message
    assert "'*c' is a YAML alias" in diags[1].message
    assert "not support" in diags[1].message
    # The alias's key is dropped (and named by the error); the rest is kept.
    assert doc is not None and doc.front is not None
    assert to_plain(doc.front) == {"customer": "Acme", "title": "x"}


def test_value_starting_with_star_explains_quoting() -> None:
    line, col, message = only_problem(b"---\ntitle: *Big* renewal\n---\n")
    assert (line, col) == (2, 8)
    assert "put the value in quotes" in message


BILLION_LAUGHS = b"""---
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
---
"""


def test_alias_bomb_is_refused_without_expanding() -> None:
    start = time.perf_counter()
    doc, diags = parse(BILLION_LAUGHS)
    assert time.perf_counter() - start < 1
    assert diags[0].line == 2 and "anchor" in diags[0].message
    assert (diags[1].line, diags[1].col) == (3, 4) and "'&b' is a YAML anchor" in diags[1].message
    assert (diags[2].line, diags[2].col) == (3, 8) and "'*a' is a YAML alias" in diags[2].message
    # A flood of the same mistake stops after a bounded number of reports.
    assert len(diags) == tree.MAX_ERRORS + 1
    assert diags[-1].message == "more than 20 problems in this file; stopping here"
    assert doc is None


def test_recursive_alias_is_refused() -> None:
    doc, diags = parse(b"---\na: &a [*a]\n---\n")
    assert [(d.line, d.col) for d in diags] == [(2, 4), (2, 8)]
    assert doc is not None and doc.front is not None
    assert to_plain(doc.front) == {"a": []}


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (b"!!python/object/apply:os.system ['ls']", "'!!python/object/apply:os.system'"),
        (b"!foo bar", "'!foo'"),
        (b"!!str No", "'!!str'"),
        (b"! x", "'!'"),
        (b"!!map {a: 1}", "'!!map'"),
    ],
)
def test_explicit_tags_are_errors(value: bytes, shown: str) -> None:
    line, col, message = only_problem(b"---\ntitle: x\nextra: " + value + b"\n---\n")
    assert (line, col) == (3, 8)
    assert f"{shown} is a YAML tag" in message and "not support" in message


def test_tag_with_undefined_handle_is_an_error() -> None:
    line, col, message = only_problem(b"---\nextra: !x!foo b\n---\n")
    assert (line, col) == (2, 8)
    assert "tags" in message


@pytest.mark.parametrize(
    ("raw", "line", "col", "words"),
    [
        (b"---\n[a]: b\n---\n", 2, 1, "a key must be a name, not a list or mapping"),
        (b"---\n{a: 1}: b\n---\n", 2, 1, "a key must be a name"),
        (b"---\n? - a\n: b\n---\n", 2, 3, "a key must be a name"),
        (b"---\n? *x\n: b\n---\n", 2, 3, "'*x' is a YAML alias"),
        (b"---\n~: b\n---\n", 2, 1, "'~' means 'no value' in YAML and cannot be a key"),
        (b"---\nnull: b\n---\n", 2, 1, "'null' means 'no value'"),
        (b'---\n"": b\n---\n', 2, 1, "a key is missing before ':'"),
        (b"---\n? \n: b\n---\n", 2, 2, "a key is missing before ':'"),
        (b"---\ntitle: x\n: b\n---\n", 3, 1, "a key is missing before ':'"),
    ],
)
def test_bad_keys(raw: bytes, line: int, col: int, words: str) -> None:
    found = problems(raw)
    assert len(found) == 1, found
    assert found[0][:2] == (line, col)
    assert words in found[0][2]


def test_refused_key_drops_its_pair_and_keeps_the_rest() -> None:
    doc, diags = parse(b"---\ntitle: x\n[a]: {b: c}\ndate: y\n---\n")
    assert len(diags) == 1
    assert doc is not None and doc.front is not None
    assert to_plain(doc.front) == {"title": "x", "date": "y"}


def nested(depth: int) -> bytes:
    return b"---\nx: " + b"[" * (depth - 1) + b"]" * (depth - 1) + b"\n---\n"


def test_nesting_up_to_the_limit_is_fine() -> None:
    plain: object = front(nested(MAX_DEPTH))["x"]
    for _ in range(MAX_DEPTH - 2):
        assert isinstance(plain, list) and len(plain) == 1
        plain = plain[0]
    assert plain == []


def test_nesting_beyond_the_limit_is_an_error_where_it_gets_too_deep() -> None:
    line, col, message = only_problem(nested(MAX_DEPTH + 1))
    assert (line, col) == (2, 3 + MAX_DEPTH)
    assert f"nested more than {MAX_DEPTH} levels deep" in message


def test_deep_block_nesting_is_an_error_too() -> None:
    lines = [" " * (2 * i) + f"k{i}:" for i in range(30)]
    raw = ("---\n" + "\n".join(lines) + " x\n---\n").encode()
    line, col, message = only_problem(raw)
    assert (line, col) == (2 + MAX_DEPTH, 2 * MAX_DEPTH + 1)
    assert "nested" in message


def test_a_hundred_thousand_brackets_are_refused_fast() -> None:
    start = time.perf_counter()
    line, col, message = only_problem(b"---\n" + b"[" * 100_000 + b"\n---\n")
    assert time.perf_counter() - start < 1
    assert (line, col) == (2, MAX_DEPTH + 1)
    assert "nested" in message


@pytest.mark.parametrize("brackets", [25, 1_500, 100_000])
def test_deep_flow_nesting_is_reported_where_it_passes_the_limit(brackets: int) -> None:
    # Under libyaml's own limit (1,000) the events show the depth; past it libyaml
    # stops first, and the place is found in the text: the same diagnostic either way.
    # The two mappings around count, the quoted brackets and the comment do not.
    raw = b'---\ntitle: "[[[[ not a list"  # [[[[\nextra:\n  deep: ' + b"[" * brackets + b"\n---\n"
    line, col, message = only_problem(raw)
    assert (line, col) == (4, len("  deep: ") + (MAX_DEPTH - 2) + 1)
    assert message == (
        f"lists and mappings are nested more than {MAX_DEPTH} levels deep here; "
        "that is not supported"
    )


TAB_MESSAGE = "tabs are not allowed for indentation in YAML; use spaces"


@pytest.mark.parametrize(
    ("raw", "line"),
    [
        (b"---\nextra:\n\towner: Dana\n---\n", 3),
        (b"---\ntitle: x\n\tdate: y\n---\n", 3),
        (b"---\npeople:\n  - Dana\n\t- Lee\n---\n", 4),
        (b"---\nnotes: |\n  one\n\ttwo\n---\n", 4),
    ],
)
def test_tab_indentation_is_named(raw: bytes, line: int) -> None:
    assert only_problem(raw) == (line, 1, TAB_MESSAGE)


def test_file_over_the_limit_is_refused_unread() -> None:
    doc, diags = parse(b"---\ntitle: x\n---\n" + b"x" * MAX_FILE_BYTES)
    assert doc is None
    [d] = diags
    assert (d.line, d.col) == (0, 0)
    assert "more than the 1,000,000 allowed" in d.message


def test_second_document_inside_front_matter_is_an_error() -> None:
    doc, diags = parse(b"---\ntitle: x\n--- date: y\n---\n")
    assert doc is None
    assert [(d.line, d.col) for d in diags] == [(3, 1)]
    assert "a second YAML document" in diags[0].message


# -- YAML syntax errors in plain words ---------------------------------------


@pytest.mark.parametrize(
    ("raw", "line", "col", "words"),
    [
        (b'---\ntitle: "Renewal\ndate: x\n---\n', 2, 8, 'never closed; add the closing "'),
        (b"---\ntitle: 'Renewal\n---\n", 2, 8, "never closed; add the closing '"),
        (b"---\ntags: [a, b\ndate: x\n---\n", 3, 5, "opened with '[' at line 2 is not closed"),
        (b"---\nextra: {a: b\n---\n", 3, 1, "opened with '{' at line 2 is not closed with '}'"),
        (b"---\ntitle: Renewal: take two\n---\n", 2, 15, "contains ': ' in quotes"),
        (
            "---\ntitle: Société: x\n---\n".encode(),
            2,
            15,
            "contains ': '",
        ),  # columns count characters
        (b"---\ntitle: x\njust a line\ndate: y\n---\n", 3, 1, "this line is not 'key: value'"),
        (b"---\nextra:\n  a: 1\n b: 2\n---\n", 4, 2, "check the indentation"),
        (b"---\npeople:\n  - a\n  b: c\n---\n", 4, 3, "expected a list item"),
        (b'---\ntitle: "a\\qb"\n---\n', 2, 10, "'\\q' is not an escape"),
        (b"---\ntitle: @home\n---\n", 2, 8, "cannot start with '@'"),
        (b"---\ntitle: `x`\n---\n", 2, 8, "cannot start with '`'"),
        (b"---\npeople: - Dana\n---\n", 2, 9, "on the same line as its key"),
        (b'---\ntitle: "Big" deal\n---\n', 2, 14, "in quotes as a whole"),
        (b"---\ntags: [a, , b]\n---\n", 2, 11, "a value is missing before ','"),
        (b"---\ntitle: &\n---\n", 2, 8, "special meaning"),
        (b"---\n%YAML 1.1\ntitle: x\n---\n", 3, 1, "directives"),
    ],
)
def test_syntax_errors_in_plain_words(raw: bytes, line: int, col: int, words: str) -> None:
    doc, diags = parse(raw)
    assert doc is None
    [d] = diags
    assert (d.line, d.col) == (line, col), d.message
    assert words in d.message


def test_syntax_error_line_counts_from_the_file_not_the_front_matter() -> None:
    raw = b"\xef\xbb\xbf---\r\n# a comment\r\n\r\ntitle: x\r\ndate: [\r\n---\r\n"
    line, _, _ = only_problem(raw)
    assert line == 6  # the closing '---', where the '[' was still open


# -- a whole YAML file (momentmap.yaml) ------------------------------------


def test_parse_mapping_reads_a_whole_file_from_line_1() -> None:
    mapping, diags = parse_mapping(b"---\ntitle: No\ntypes: [a, b]\n", file="momentmap.yaml")
    assert diags == []
    assert mapping is not None and (mapping.kind, mapping.line, mapping.col) == ("map", 1, 1)
    assert to_plain(mapping) == {"title": "No", "types": ["a", "b"]}
    assert mapping.fields["types"].value.items[1] == Node("scalar", 3, 12, "b")


@pytest.mark.parametrize("raw", [b"", b"# nothing set yet\n", b"\xef\xbb\xbf"])
def test_parse_mapping_of_an_empty_file_is_an_empty_mapping(raw: bytes) -> None:
    assert parse_mapping(raw, file="momentmap.yaml") == (Node("map", 1, 1), [])


@pytest.mark.parametrize(
    ("raw", "line", "col", "words"),
    [
        (b"title: a\ntitle: b\n", 2, 1, "duplicate key 'title': it is already set at line 1"),
        (b"- a\n", 1, 1, "expected 'key: value' lines, but this is a list"),
        (b"title: a\n---\ntitle: b\n", 2, 1, "a second YAML document"),
        (b"title: a\x00\n", 1, 9, "U+0000 (NUL) is not allowed; delete it"),
        (b"title: a\n\ttheme: b\n", 2, 1, TAB_MESSAGE),
        (b"title: caf\xe9\n", 1, 11, "not UTF-8"),
    ],
)
def test_parse_mapping_problems(raw: bytes, line: int, col: int, words: str) -> None:
    _, diags = parse_mapping(raw, file="momentmap.yaml")
    [d] = diags
    assert (d.file, d.line, d.col) == ("momentmap.yaml", line, col)
    assert words in d.message


# -- never raises ------------------------------------------------------------


HOSTILE = [
    b"",
    b"---",
    b"---\n",
    b"---\n...",
    b"---\n---\n---\n---\n",
    b"---\n" + b"[" * 100_000 + b"\n---\n",
    b"---\n" + b"{a: " * 100_000 + b"\n---\n",
    b"---\n" + b"- " * 100_000 + b"x\n---\n",
    b"---\nx:\n" + b"".join(b" " * i + b"- a:\n" for i in range(0, 4000, 2)) + b"---\n",
    BILLION_LAUGHS,
    b"---\na: &a [*a]\n---\n",
    b"---\n*a\n---\n",
    b"---\n&a [*a]\n---\n",
    b"---\n" + b"a: *x\n" * 50_000 + b"---\n",
    b"---\n" + b"".join(b"k%d: v\n" % i for i in range(10_000)) + b"---\n",
    b"---\ntitle: caf\xe9\n---\n",
    b"\xff\xfe-\x00-\x00-\x00",
    b"\xef\xbb\xbf",
    b"\xef\xbb\xbf---\n\xef\xbb\xbf---\n",
    b"---\n\xef\xbb\xbftitle: x\n---\n",
    b'---\na: "\\ud800"\n---\n',
    b'---\na: "\\U00110000"\n---\n',
    b"---\na: \x00\n---\n",
    b"\x00" * 1000,
    b"---\n!!python/object/apply:os.system ['echo hi']\n---\n",
    b"---\n!<tag:yaml.org,2002:python/object:object> {}\n---\n",
    b"---\n%TAG ! tag:example.com,2000:\n--- !foo x\n---\n",
    b"---\n? " + b"a" * 5000 + b"\n: b\n---\n",
    b"---\n" + b"k" * 5000 + b": v\n---\n",
    b"---\na: |\n" + b"  x\n" * 1000 + b"\t\n---\n",
    b"---\n\t\n---\n",
    b"---\n\r\r\r\n---",
    b"---\n'\n---\n",
    b"---\n" + b"x" * (MAX_FILE_BYTES - 4),
    b"---\ntitle: x\n---\n" + b"\x1b" * 100_000,
    b"x" * 2_000_000,
]


@pytest.mark.parametrize("raw", HOSTILE, ids=lambda raw: repr(raw[:24]))
@pytest.mark.parametrize("loader", ["libyaml", "python"])
def test_never_raises(raw: bytes, loader: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if loader == "python":  # the fallback when PyYAML is built without libyaml
        monkeypatch.setattr(tree, "_LOADER", yaml.SafeLoader)
    doc, diags = parse(raw)
    assert doc is not None or any(d.severity == "error" for d in diags)
    if doc is not None and doc.front is not None:
        to_plain(doc.front)
    mapping, more = parse_mapping(raw, file="content/moments/a.md")
    assert mapping is not None or more
    for d in diags + more:
        assert d.file == "content/moments/a.md"
        assert d.line >= 0 and d.col >= 0
        assert d.message and "\n" not in d.message


def test_mutations_of_a_moment_never_raise() -> None:
    # Deterministic fuzzing: every single-character change to a real moment.
    specials = b"\t\n\r :,[]{}!&*?|>'\"#%@`\\-\x00\xff"
    for pos in range(len(MOMENT)):
        for char in specials:
            raw = MOMENT[:pos] + bytes([char]) + MOMENT[pos + 1 :]
            doc, diags = parse(raw)
            assert doc is not None or diags


def test_python_loader_builds_the_same_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = MOMENT.replace(b"---\nThe", b"block: |\n  x\nempty:\nq: 'a'\n---\nThe")
    with_libyaml = parse(raw)
    assert with_libyaml[0] is not None and with_libyaml[0].front is not None
    assert len(with_libyaml[0].front.fields) == 10
    monkeypatch.setattr(tree, "_LOADER", yaml.SafeLoader)
    assert parse(raw) == with_libyaml


def test_python_loader_reports_surrogates_at_the_same_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(tree, "_LOADER", yaml.SafeLoader)
    line, col, message = only_problem(b'---\ntitle: "a\\ud800"\n---\n')
    assert (line, col) == (2, 8)
    assert "surrogate" in message


def test_nodes_are_read_only_and_hashable() -> None:
    root = ok(MOMENT).front
    assert root is not None
    assert len({root, *root.fields["people"].value.items}) == 3
    with pytest.raises(AttributeError):
        root.line = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        root.fields["x"] = Field("x", 1, 1, root)  # type: ignore[index]
