"""Splitting a content file into front matter and body (`parse_document`), and a
whole YAML file read by the same rules (`parse_mapping`, for momentmap.yaml).

Problems become diagnostics; neither function raises. When the front matter
cannot be read at all (size, encoding, refused characters, YAML syntax,
nesting, not one mapping) there is no document.
"""

from __future__ import annotations

import re

from momentmap.content.frontmatter.nodes import Document, Node
from momentmap.content.frontmatter.text import (
    BODY_BAD,
    BODY_OK,
    CONTROL_BYTES,
    FRONT_BAD,
    FRONT_OK,
    check_chars,
    read_text,
)
from momentmap.content.frontmatter.tree import read_mapping
from momentmap.diagnostics import Diagnostic

_OPEN = re.compile(r"---[ \t]*(?:\n|\Z)")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def parse_document(raw: bytes, *, file: str) -> tuple[Document | None, list[Diagnostic]]:
    """Split `raw` into front matter and body. `file` is the site-relative path
    used in diagnostics. Returns None when the file cannot be used at all."""
    diags: list[Diagnostic] = []
    text = read_text(raw, file, diags)
    if text is None:
        return None, diags

    # Refused characters are rare: look for their places only when a cheap test
    # over the whole file says there may be one.
    controls = len(raw.translate(None, CONTROL_BYTES)) != len(raw)
    opened = _OPEN.match(text)
    if opened is None:
        if controls:
            check_chars(text, 0, len(text), BODY_OK, BODY_BAD, "", file, diags)
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
    front_ok = (text.isascii() and not controls) or check_chars(
        text, yaml_start, yaml_end, FRONT_OK, FRONT_BAD, " in front matter", file, diags
    )
    if controls:
        check_chars(text, body_start, len(text), BODY_OK, BODY_BAD, "", file, diags)
    if not front_ok:
        return None, diags

    front = read_mapping(text[yaml_start:yaml_end], 2, file, diags)
    if front is None:
        return None, diags
    return Document(front, text[body_start:], close_line + 1), diags


def parse_mapping(raw: bytes, *, file: str) -> tuple[Node | None, list[Diagnostic]]:
    """A whole YAML file (momentmap.yaml) read by the rules of front matter: one
    mapping, placed at 1:1. Returns None when the file cannot be used at all."""
    diags: list[Diagnostic] = []
    text = read_text(raw, file, diags)
    if text is None:
        return None, diags
    controls = len(raw.translate(None, CONTROL_BYTES)) != len(raw)
    if (controls or not text.isascii()) and not check_chars(
        text, 0, len(text), FRONT_OK, FRONT_BAD, "", file, diags
    ):
        return None, diags
    return read_mapping(text, 1, file, diags), diags
