"""Front matter: split a content file into YAML front matter and a Markdown body.

parse_mapping reads a whole YAML file (momentmap.yaml) by the same rules.

The YAML is read without implicit typing: every scalar keeps the text the writer
typed ('No', '0123', '2023-03-14') with its place in the file, and the stage
that knows each key's schema converts it. That is how `title: No` stays a title.

The tree is built from libyaml's event stream with an explicit stack rather than
yaml.compose/load: nesting depth is checked as events arrive, anchors and
aliases are refused before anything could expand them, and nothing recurses.

Problems become diagnostics; parse_document never raises. When the front matter
cannot be read at all (size, encoding, refused characters, YAML syntax, nesting,
not one mapping) there is no document. A problem with one value (duplicate key,
alias, anchor, tag, bad key, bad escape) is reported and the rest of the tree is
kept, so later stages can report their own problems; a value dropped here is
always named by an error here.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import yaml
from yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    CollectionStartEvent,
    DocumentStartEvent,
    Event,
    MappingStartEvent,
    ScalarEvent,
)

from momentmap.diagnostics import Diagnostic

try:
    from yaml import CSafeLoader as _LOADER
except ImportError:  # PyYAML built without libyaml: same events, slower
    from yaml import SafeLoader as _LOADER  # type: ignore[assignment]

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 20  # lists/mappings inside each other, counting the front matter itself
MAX_ERRORS = 20  # per file: a hostile file cannot flood memory with diagnostics

NodeKind = Literal["scalar", "seq", "map"]


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    key_line: int
    key_col: int
    value: Node


_NO_FIELDS: Mapping[str, Field] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Node:
    """One YAML value. `line`/`col` are 1-based places in the whole file.

    The front matter mapping itself is placed at its opening '---' (1:1), so a
    missing key can be reported at the front matter's first line.
    """

    kind: NodeKind
    line: int
    col: int
    text: str = ""  # scalars: as written, after YAML unquoting/folding
    quoted: bool = False  # scalars: quoted or a block scalar (| or >)
    items: tuple[Node, ...] = ()  # seq
    # map, in source order; read-only. Left out of the hash, as a mapping has none.
    fields: Mapping[str, Field] = field(default_factory=lambda: _NO_FIELDS, hash=False)


@dataclass(frozen=True, slots=True)
class Document:
    front: Node | None  # None when the file has no front matter
    body: str  # Markdown after the closing '---', newlines normalised to \n
    body_line: int  # 1-based line in the file where `body` starts


_OPEN = re.compile(r"---[ \t]*(?:\n|\Z)")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
# Characters allowed in front matter: what libyaml reads, less U+0085/U+2028/
# U+2029, which YAML takes for line breaks; they would fold values and shift
# every line number after them.
_FRONT_CHARS = "\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff"
_FRONT_OK, _FRONT_BAD = re.compile(f"[{_FRONT_CHARS}]*"), re.compile(f"[^{_FRONT_CHARS}]")
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f"  # refused in the body; '\r' is gone by then
_BODY_OK, _BODY_BAD = re.compile(f"[^{_CONTROLS}]*"), re.compile(f"[{_CONTROLS}]")
# The same as bytes: in UTF-8 they never occur inside a multi-byte character.
_CONTROL_BYTES = b"".join(bytes([b]) for b in [*range(0x20), 0x7F] if b not in b"\t\n\r")
# Double-quoted escapes ("\0", "\e", "\ud800") can produce what the file may not hold.
_BAD_IN_QUOTED = re.compile(f"[{_CONTROLS}\ud800-\udfff]")
_NULL_KEYS = frozenset({"", "~", "null", "Null", "NULL"})
_CHAR_NAMES = {
    0: " (NUL)",
    0x85: " (next line)",
    0x2028: " (line separator)",
    0x2029: " (paragraph separator)",
}
_TAB = "tabs are not allowed for indentation in YAML; use spaces"

_Report = Callable[[int, int, str], None]  # error(line, col, message)


class _TooManyErrors(Exception):
    pass


def parse_document(raw: bytes, *, file: str) -> tuple[Document | None, list[Diagnostic]]:
    """Split `raw` into front matter and body. `file` is the site-relative path
    used in diagnostics. Returns None when the file cannot be used at all."""
    diags: list[Diagnostic] = []
    text = _read_text(raw, file, diags)
    if text is None:
        return None, diags

    # Refused characters are rare: look for their places only when a cheap test
    # over the whole file says there may be one.
    controls = len(raw.translate(None, _CONTROL_BYTES)) != len(raw)
    opened = _OPEN.match(text)
    if opened is None:
        if controls:
            _check_chars(text, 0, len(text), _BODY_OK, _BODY_BAD, "", file, diags)
        return Document(None, text, 1), diags
    closed = _CLOSE.search(text, opened.end())
    if closed is None:
        diags.append(
            Diagnostic(
                file,
                1,
                1,
                "error",
                "front matter opened at line 1 is never closed; "
                "add a line '---' after the last key",
            )
        )
        return None, diags

    yaml_start, yaml_end = opened.end(), closed.start()
    close_line = text.count("\n", 0, yaml_end) + 1
    body_start = min(closed.end() + 1, len(text))
    front_ok = (text.isascii() and not controls) or _check_chars(
        text, yaml_start, yaml_end, _FRONT_OK, _FRONT_BAD, " in front matter", file, diags
    )
    if controls:
        _check_chars(text, body_start, len(text), _BODY_OK, _BODY_BAD, "", file, diags)
    if not front_ok:
        return None, diags

    front = _read_mapping(text[yaml_start:yaml_end], 2, file, diags)
    if front is None:
        return None, diags
    return Document(front, text[body_start:], close_line + 1), diags


def parse_mapping(raw: bytes, *, file: str) -> tuple[Node | None, list[Diagnostic]]:
    """A whole YAML file (momentmap.yaml) read by the rules of front matter: one
    mapping, placed at 1:1. Returns None when the file cannot be used at all."""
    diags: list[Diagnostic] = []
    text = _read_text(raw, file, diags)
    if text is None:
        return None, diags
    controls = len(raw.translate(None, _CONTROL_BYTES)) != len(raw)
    if (controls or not text.isascii()) and not _check_chars(
        text, 0, len(text), _FRONT_OK, _FRONT_BAD, "", file, diags
    ):
        return None, diags
    return _read_mapping(text, 1, file, diags), diags


def to_plain(node: Node) -> object:
    """str / list / dict (nested) for passing untyped data on, e.g. `extra:`."""
    if node.kind == "scalar":
        return node.text
    if node.kind == "seq":
        return [to_plain(item) for item in node.items]
    # The builder caps nesting at MAX_DEPTH, so this recursion stays shallow.
    return {key: to_plain(f.value) for key, f in node.fields.items()}


def _read_text(raw: bytes, file: str, diags: list[Diagnostic]) -> str | None:
    """The file's text, without a BOM and with '\n' newlines; None if unreadable."""
    if len(raw) > MAX_FILE_BYTES:
        diags.append(
            Diagnostic(
                file,
                0,
                0,
                "error",
                f"file is {len(raw):,} bytes, more than the {MAX_FILE_BYTES:,} allowed; "
                "split it, or link large material instead of pasting it in",
            )
        )
        return None
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = _normalise_newlines(raw[: exc.start].decode("utf-8"))
        line, col = _place(before, len(before))
        diags.append(
            Diagnostic(
                file,
                line,
                col,
                "error",
                f"the file is not UTF-8 text: byte 0x{raw[exc.start]:02X} here cannot be read; "
                "save the file with UTF-8 encoding",
            )
        )
        return None
    return _normalise_newlines(text)


def _normalise_newlines(text: str) -> str:
    if "\r" in text:
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _place(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of text[index]."""
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def _check_chars(
    text: str,
    start: int,
    end: int,
    ok: re.Pattern[str],
    bad: re.Pattern[str],
    where: str,
    file: str,
    diags: list[Diagnostic],
) -> bool:
    """Report the first character in text[start:end] outside the `ok` run
    pattern, counting the `bad` ones after it. False when there is one."""
    run = ok.match(text, start, end)
    index = run.end() if run else start
    if index == end:
        return True
    line, col = _place(text, index)
    message = f"{_describe_char(text[index])} is not allowed{where}; delete it"
    more = len(bad.findall(text, index + 1, end))
    if more:
        message += f" ({more} more after it)"
    diags.append(Diagnostic(file, line, col, "error", message))
    return False


def _describe_char(char: str) -> str:
    code = ord(char)
    kind = "control character" if code < 0x20 or 0x7F <= code <= 0x9F else "character"
    return f"invisible {kind} U+{code:04X}{_CHAR_NAMES.get(code, '')}"


def _read_mapping(yaml_text: str, line0: int, file: str, diags: list[Diagnostic]) -> Node | None:
    """The mapping in `yaml_text` (which starts at line `line0` of the file),
    placed at the file's first line; None when it cannot be used."""
    ok, root = _read_tree(yaml_text, line0, file, diags)
    if not ok:
        return None
    if root is None:  # empty, or only comments
        return Node("map", 1, 1)
    if root.kind != "map":
        what = "a list" if root.kind == "seq" else "a single value"
        message = f"expected 'key: value' lines, but this is {what}"
        diags.append(Diagnostic(file, root.line, root.col, "error", message))
        return None
    return Node("map", 1, 1, fields=root.fields)


class _Open:
    """A mapping or list whose end event has not arrived yet."""

    __slots__ = ("col", "fields", "has_key", "items", "key", "key_col", "key_line", "line")

    def __init__(self, line: int, col: int, is_map: bool) -> None:
        self.line = line
        self.col = col
        self.fields: dict[str, Field] | None = {} if is_map else None  # None: a list
        self.items: list[Node] = []
        # A mapping's key waiting for its value; None when the key was refused.
        self.has_key = False
        self.key: str | None = None
        self.key_line = 0
        self.key_col = 0


def _read_tree(
    yaml_text: str, line0: int, file: str, diags: list[Diagnostic]
) -> tuple[bool, Node | None]:
    """Build the tree of the YAML document in `yaml_text`, whose first line is
    line `line0` of the file. (False, None): unreadable; (True, None): empty."""
    stack: list[_Open] = []
    root: Node | None = None
    documents = 0

    budget = len(diags) + MAX_ERRORS

    def error(line: int, col: int, message: str) -> None:
        if len(diags) >= budget:
            message = f"more than {MAX_ERRORS} problems in this file; stopping here"
            diags.append(Diagnostic(file, line, col, "error", message))
            raise _TooManyErrors
        diags.append(Diagnostic(file, line, col, "error", message))

    try:
        for event in yaml.parse(yaml_text, Loader=_LOADER):
            # This loop is most of the time spent per file: most frequent events
            # first, and keys become Fields without a Node of their own.
            node: Node | None
            parent = stack[-1] if stack else None
            if isinstance(event, ScalarEvent):
                mark = event.start_mark
                line = mark.line + line0 if mark else line0
                col = mark.column + 1 if mark else 0
                if event.anchor is not None or event.tag is not None:
                    _refuse_anchor_and_tag(event.anchor, event.tag, line, col, error)
                text = event.value
                style = event.style  # plain is None or '', depending on the parser
                if style == '"' and _BAD_IN_QUOTED.search(text):
                    error(line, col, _bad_escape_message(text))
                    text = _BAD_IN_QUOTED.sub("\ufffd", text)
                if parent is not None and parent.fields is not None and not parent.has_key:
                    parent.has_key = True
                    if text in _NULL_KEYS or text in parent.fields:
                        parent.key = _check_key(parent.fields, text, bool(style), line, col, error)
                    else:
                        parent.key = text
                    parent.key_line = line
                    parent.key_col = col
                    continue
                node = Node("scalar", line, col, text, bool(style), (), _NO_FIELDS)
            elif isinstance(event, CollectionEndEvent):
                done = stack.pop()
                parent = stack[-1] if stack else None
                if done.fields is None:
                    node = Node(
                        "seq", done.line, done.col, "", False, tuple(done.items), _NO_FIELDS
                    )
                else:
                    fields = MappingProxyType(done.fields)
                    node = Node("map", done.line, done.col, "", False, (), fields)
            elif isinstance(event, CollectionStartEvent):
                mark = event.start_mark
                line = mark.line + line0 if mark else line0
                col = mark.column + 1 if mark else 0
                if len(stack) >= MAX_DEPTH:
                    # Stop here: the rest of a hostile '[[[[…' is never even scanned.
                    error(
                        line,
                        col,
                        f"lists and mappings are nested more than {MAX_DEPTH} levels deep "
                        "here; that is not supported",
                    )
                    return False, None
                if event.anchor is not None or event.tag is not None:
                    _refuse_anchor_and_tag(event.anchor, event.tag, line, col, error)
                stack.append(_Open(line, col, isinstance(event, MappingStartEvent)))
                continue
            elif isinstance(event, AliasEvent):
                # Never resolved, so alias bombs cost nothing.
                line, col = _event_place(event, line0)
                error(
                    line,
                    col,
                    f"'*{event.anchor}' is a YAML alias, which momentmap does not "
                    "support; write the value out in full (in quotes if it starts with '*')",
                )
                node = None
            elif isinstance(event, DocumentStartEvent):
                documents += 1
                if documents > 1:
                    line, col = _event_place(event, line0)
                    error(
                        line,
                        col,
                        "a second YAML document starts here; only one is allowed",
                    )
                    return False, None
                continue
            else:  # stream start/end, document end
                continue

            if parent is None:
                if node is None:  # the whole document was an alias
                    return False, None
                root = node
            elif parent.fields is None:
                if node is not None:
                    parent.items.append(node)
            elif not parent.has_key:  # a list, mapping or alias used as a key
                parent.has_key = True
                parent.key = None
                if node is not None:
                    error(node.line, node.col, "a key must be a name, not a list or mapping")
            else:
                parent.has_key = False
                if parent.key is not None and node is not None:
                    parent.fields[parent.key] = Field(
                        parent.key, parent.key_line, parent.key_col, node
                    )
    except yaml.YAMLError as exc:
        line, col, message = _explain(exc, yaml_text, line0)
        diags.append(Diagnostic(file, line, col, "error", message))
        return False, None
    except ValueError:
        # Only PyYAML's pure Python scanner, on a '\U' escape past U+10FFFF.
        message = "a '\\U' escape here is beyond the last Unicode character, U+10FFFF"
        diags.append(Diagnostic(file, line0 - 1, 1, "error", message))
        return False, None
    except _TooManyErrors:
        return False, None
    return True, root


def _event_place(event: Event, line0: int) -> tuple[int, int]:
    mark = event.start_mark
    return (mark.line + line0, mark.column + 1) if mark else (line0, 0)


def _check_key(
    fields: dict[str, Field], text: str, quoted: bool, line: int, col: int, error: _Report
) -> str | None:
    """`text` if it can be a key of `fields`, else None after reporting why."""
    if not text:
        error(line, col, "a key is missing before ':'")
    elif text in _NULL_KEYS and not quoted:
        error(line, col, f"'{text}' means 'no value' in YAML and cannot be a key")
    elif text in fields:
        error(
            line,
            col,
            f"duplicate key '{text}': it is already set at line {fields[text].key_line}; "
            "keep only one",
        )
    else:
        return text
    return None


def _refuse_anchor_and_tag(
    anchor: str | None, tag: str | None, line: int, col: int, error: _Report
) -> None:
    if anchor is not None:
        error(
            line,
            col,
            f"'&{anchor}' is a YAML anchor, which momentmap does not support; "
            "remove it (or put the value in quotes if it starts with '&')",
        )
    if tag is not None:
        standard = "tag:yaml.org,2002:"  # what '!!' stands for
        shown = "!!" + tag[len(standard) :] if tag.startswith(standard) else tag
        error(
            line,
            col,
            f"'{shown}' is a YAML tag, which momentmap does not support; remove it "
            "(to keep a value as text, put it in quotes)",
        )


def _bad_escape_message(text: str) -> str:
    found = _BAD_IN_QUOTED.search(text)
    code = ord(found.group()) if found else 0
    if 0xD800 <= code <= 0xDFFF:
        return (
            f"'\\u{code:04x}' is half of a UTF-16 surrogate pair, not a character; "
            "type the character itself, or write it as '\\U' and 8 hex digits"
        )
    return (
        f"an escape in this quoted value makes the control character U+{code:04X}, "
        "which is not allowed; remove it"
    )


def _explain(exc: yaml.YAMLError, yaml_text: str, line0: int) -> tuple[int, int, str]:
    """Place and plain-words message for a YAML syntax error from the parser."""
    if not isinstance(exc, yaml.MarkedYAMLError) or exc.problem_mark is None:
        return line0 - 1, 1, "this is not valid YAML: " + " ".join(str(exc).split())
    mark = exc.problem_mark
    problem = exc.problem or ""
    context = exc.context or ""
    start = exc.context_mark or mark
    rows = yaml_text.split("\n")
    row = rows[mark.line] if mark.line < len(rows) else ""
    char = row[mark.column : mark.column + 1]
    opener = rows[start.line][start.column : start.column + 1] if start.line < len(rows) else ""
    here = (mark.line + line0, mark.column + 1)
    there = (start.line + line0, start.column + 1)

    if "tab" in problem or char == "\t":
        return *here, _TAB
    if "unknown escape" in problem:
        escape = row[mark.column : mark.column + 2]
        return *here, (
            f"'{escape}' is not an escape YAML knows in double quotes; write '\\\\' for "
            "a backslash, or use single quotes, where '\\' is plain text"
        )
    if "Unicode character escape" in problem:
        return *there, (
            "an escape in this value is not a character (\\uD800-\\uDFFF are halves of "
            "UTF-16 surrogate pairs; nothing is above \\U0010FFFF); type the character "
            "itself, or write it as '\\U' and 8 hex digits"
        )
    if "end of stream" in problem and "quoted" in context:
        return *there, f"this quoted value is never closed; add the closing {opener}"
    if "mapping values are not allowed" in problem:
        return *here, (
            "unexpected ':' here; put a value that contains ': ' in quotes, "
            "or check the indentation of this line"
        )
    if "block sequence entries are not allowed" in problem:
        return *here, (
            "a list cannot start on the same line as its key; put each '- item' on "
            "its own line below, indented (or put the value in quotes)"
        )
    if "could not find expected ':'" in problem:
        return *there, (
            "this line is not 'key: value'; add ': ' after the key, or indent the "
            "line if it continues the value above"
        )
    if "expected ',' or" in problem:
        what, closer = ("list", "]") if opener == "[" else ("mapping", "}")
        return *here, (
            f"the {what} opened with '{opener}' at line {there[0]} is not closed with "
            f"'{closer}' (put a value that contains ',' or brackets in quotes)"
        )
    if char == ":" and ("expected key" in problem or "node content" in problem):
        return *here, "a key is missing before ':'"
    if "node content" in problem and char in (",", "]", "}"):
        return *here, f"a value is missing before '{char}'"
    if "did not find expected key" in problem or "expected '-' indicator" in problem:
        if mark.column <= len(row) - len(row.lstrip(" ")):
            what = "a list item '- …'" if "'-'" in problem else "'key: value'"
            return *here, (
                f"expected {what} here, lined up with the lines above it; "
                "check the indentation of this line"
            )
        return *here, (
            "unexpected text after a value; a value that starts with a quote or a "
            "bracket must be put in quotes as a whole"
        )
    if "cannot start any token" in problem:
        return *here, f"a value cannot start with '{char}'; put the value in quotes"
    if "alias" in context or "anchor" in context:
        return *there, (
            f"'{opener}' at the start of a value has a special meaning in YAML; "
            "put the value in quotes"
        )
    if "tag" in context or "tag" in problem:
        return *there, ("YAML tags ('!…') are not supported; remove it, or put the value in quotes")
    if "document start" in problem:
        return *here, (
            "expected 'key: value' lines; YAML directives ('%…') and "
            "further documents are not supported"
        )
    message = f"this is not valid YAML: {problem}"
    if exc.context_mark is not None and context:
        message += f" ({context} at line {there[0]})"
    return *here, message
