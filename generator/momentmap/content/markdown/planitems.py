"""When a plan item is due (SPEC 8.2): a prefix `Q1:` … `Q4:` (a quarter of the year
after the moment's) or `by YYYY-MM-DD:` before its text. The prefix is taken out of
the item's text; one that looks meant but cannot be read is an error at its place."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from markdown_it.token import Token

from momentmap.content.dates import parse_day
from momentmap.content.markdown.call import Call
from momentmap.diagnostics import Diagnostic

# 'Q' or 'by' followed by something number-like and a colon: prose such as
# "By March: hire" or "Quick win: …" is not a prefix and stays text.
_PREFIX = re.compile(r"(?:[Qq](\d+)|[Bb]y[ \t]+(\d[^:\s]*)):[ \t]*")


def take_due(inner: Sequence[Token], line: int, call: Call) -> tuple[int, dt.date | None]:
    """(quarter, due date) of the plan item made of `inner`, which starts at body line
    `line`; (0, None) when it has no prefix. A readable prefix is removed from its
    first text token, so neither the HTML nor the text shows it."""
    first = next((t for t in inner if t.type == "inline"), None)
    children = first.children if first is not None else None
    if not children or children[0].type != "text":
        return 0, None
    text = children[0]
    found = _PREFIX.match(text.content)
    if found is None:
        return 0, None
    quarter, day = found[1], found[2]
    if quarter is not None:
        if not 1 <= int(quarter) <= 4:
            _error(call, line, found[0], f"a plan item's quarter is Q1 to Q4, not 'Q{quarter}'")
            return 0, None
        text.content = text.content[found.end() :]
        return int(quarter), None
    due = parse_day(day)
    if due is None:
        message = f"a plan item's due date is 'by YYYY-MM-DD:', and '{day}' is not a date"
        _error(call, line, found[0], message)
        return 0, None
    text.content = text.content[found.end() :]
    return 0, due


def _error(call: Call, line: int, prefix: str, message: str) -> None:
    # The column of the prefix in its line of the file, for an editor to jump to.
    lines = call.body.split("\n")
    source = lines[line] if line < len(lines) else ""
    col = source.find(prefix.rstrip()) + 1
    place = call.body_line + line
    call.problems.append(Diagnostic(call.file, place, max(col, 0), "error", message))
