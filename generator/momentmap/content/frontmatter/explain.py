"""libyaml's errors, explained for writers: what went wrong, where, and what to type
instead.
"""

from __future__ import annotations

import re

import yaml

from momentmap.content.frontmatter.text import CONTROLS

# Double-quoted escapes ("\0", "\e", "\ud800") can produce what the file may not hold.
BAD_IN_QUOTED = re.compile(f"[{CONTROLS}\ud800-\udfff]")
TAB = "tabs are not allowed for indentation in YAML; use spaces"


def bad_escape_message(text: str) -> str:
    found = BAD_IN_QUOTED.search(text)
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


def explain(exc: yaml.YAMLError, yaml_text: str, line0: int) -> tuple[int, int, str]:
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
        return *here, TAB
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
