"""The tree built from libyaml's event stream with an explicit stack rather than
yaml.compose/load: nesting depth is checked as events arrive, anchors and
aliases are refused before anything could expand them, and nothing recurses.

A problem with one value (duplicate key, alias, anchor, tag, bad key, bad
escape) is reported and the rest of the tree is kept, so later stages can
report their own problems; a value dropped here is always named by an error
here.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

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

from momentmap.content.frontmatter.explain import BAD_IN_QUOTED, bad_escape_message, explain
from momentmap.content.frontmatter.nodes import NO_FIELDS, Field, Node
from momentmap.content.frontmatter.text import place
from momentmap.diagnostics import Diagnostic

try:
    from yaml import CSafeLoader as _LOADER
except ImportError:  # PyYAML built without libyaml: same events, slower
    from yaml import SafeLoader as _LOADER  # type: ignore[assignment]


MAX_DEPTH = 20  # lists/mappings inside each other, counting the front matter itself
TOO_DEEP = (
    f"lists and mappings are nested more than {MAX_DEPTH} levels deep here; that is not supported"
)
MAX_ERRORS = 20  # per file: a hostile file cannot flood memory with diagnostics
_NULL_KEYS = frozenset({"", "~", "null", "Null", "NULL"})
_Report = Callable[[int, int, str], None]  # error(line, col, message)


class _TooManyErrors(Exception):
    pass


def read_mapping(yaml_text: str, line0: int, file: str, diags: list[Diagnostic]) -> Node | None:
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

    __slots__ = ("col", "fields", "flow", "has_key", "items", "key", "key_col", "key_line", "line")

    def __init__(self, line: int, col: int, is_map: bool, flow: bool) -> None:
        self.line = line
        self.col = col
        self.flow = flow  # '[…]' or '{…}', not indented lines
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
                if style == '"' and BAD_IN_QUOTED.search(text):
                    error(line, col, bad_escape_message(text))
                    text = BAD_IN_QUOTED.sub("\ufffd", text)
                if parent is not None and parent.fields is not None and not parent.has_key:
                    parent.has_key = True
                    if text in _NULL_KEYS or text in parent.fields:
                        parent.key = _check_key(parent.fields, text, bool(style), line, col, error)
                    else:
                        parent.key = text
                    parent.key_line = line
                    parent.key_col = col
                    continue
                node = Node("scalar", line, col, text, bool(style), (), NO_FIELDS)
            elif isinstance(event, CollectionEndEvent):
                done = stack.pop()
                parent = stack[-1] if stack else None
                if done.fields is None:
                    node = Node("seq", done.line, done.col, "", False, tuple(done.items), NO_FIELDS)
                else:
                    fields = MappingProxyType(done.fields)
                    node = Node("map", done.line, done.col, "", False, (), fields)
            elif isinstance(event, CollectionStartEvent):
                mark = event.start_mark
                line = mark.line + line0 if mark else line0
                col = mark.column + 1 if mark else 0
                if len(stack) >= MAX_DEPTH:
                    # Stop here: the rest of a hostile '[[[[…' is never even scanned.
                    error(line, col, TOO_DEEP)
                    return False, None
                if event.anchor is not None or event.tag is not None:
                    _refuse_anchor_and_tag(event.anchor, event.tag, line, col, error)
                stack.append(
                    _Open(line, col, isinstance(event, MappingStartEvent), bool(event.flow_style))
                )
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
        deep = _too_deep(exc, yaml_text, sum(not o.flow for o in stack))
        if deep is not None:
            line, col = place(yaml_text, deep)
            diags.append(Diagnostic(file, line + line0 - 1, col, "error", TOO_DEEP))
            return False, None
        line, col, message = explain(exc, yaml_text, line0)
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


def _too_deep(exc: yaml.YAMLError, yaml_text: str, block_depth: int) -> int | None:
    """Where flow collections ('[[[…') first nest deeper than MAX_DEPTH, when libyaml
    stopped at its own, deeper, limit before the events could show it (libyaml
    scans a flow collection ahead of its events); None for other errors.

    `block_depth` is the number of indented collections open around them."""
    if "maximum nesting depth" not in str(getattr(exc, "problem", "")):
        return None
    depth, quote, i, end = block_depth, "", 0, len(yaml_text)
    while i < end:
        char = yaml_text[i]
        if quote:
            if char == "\\" and quote == '"':
                i += 1  # an escaped character, maybe a quote
            elif char == quote:
                quote = ""
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return i
        elif char in "]}":
            depth -= 1
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or yaml_text[i - 1] in " \t\n"):
            newline = yaml_text.find("\n", i)
            i = end if newline == -1 else newline
        i += 1
    return None
