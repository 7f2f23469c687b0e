"""Typed reading of YAML nodes: each converter checks one kind of value.

The YAML stage keeps every scalar as the text the writer typed; here it gets
its type from the key it belongs to, so `title: No` stays the text "No" and a
`moment_of_truth: yes` is an error instead of a silent True.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from momentmap.content.dates import DATE_FORM, parse_day, parse_when
from momentmap.content.frontmatter import Field, Node
from momentmap.diagnostics import Diagnostics, did_you_mean
from momentmap.model import When

T = TypeVar("T")

SENTIMENTS: dict[str, int] = {
    "very negative": -2,
    "negative": -1,
    "neutral": 0,
    "mixed": 0,
    "positive": 1,
    "very positive": 2,
}
SENTIMENT_BY_SCORE = {
    -2: "very negative",
    -1: "negative",
    0: "neutral",
    1: "positive",
    2: "very positive",
}
_TRUE, _FALSE = {"true"}, {"false"}
_YAML11_BOOLS = {"yes", "no", "on", "off", "y", "n"}


SENTIMENT_FORMS = f"{', '.join(SENTIMENTS)} or -2…2"


def parse_sentiment(value: str) -> tuple[str, int] | None:
    """('positive', 1) for 'Positive', 'positive', '+1' or '1'; None for anything else."""
    words = " ".join(value.lower().replace("_", " ").replace("-", " ").split())
    if words in SENTIMENTS:
        return sys.intern(words), SENTIMENTS[words]  # one string per name, as in text_list
    number = value.strip().lstrip("+")
    if number.lstrip("-").isdigit() and -2 <= int(number) <= 2:
        return sys.intern(SENTIMENT_BY_SCORE[int(number)]), int(number)
    return None


def sentiment_problem(value: str) -> str:
    return f"sentiment must be one of {SENTIMENT_FORMS}, not '{value}'{did_you_mean(value, SENTIMENTS)}"


@dataclass(slots=True)
class Reader:
    """Reads the fields of one mapping node, reporting problems against one file."""

    file: str
    diagnostics: Diagnostics

    def error(self, node: Node | Field, message: str) -> None:
        line, col = (
            (node.key_line, node.key_col) if isinstance(node, Field) else (node.line, node.col)
        )
        self.diagnostics.error(self.file, line, col, message)

    def warning(self, node: Node | Field, message: str) -> None:
        line, col = (
            (node.key_line, node.key_col) if isinstance(node, Field) else (node.line, node.col)
        )
        self.diagnostics.warning(self.file, line, col, message)

    def check_keys(self, mapping: Node, known: Iterable[str], what: str) -> None:
        """Warn about every key that is not one of `known`, with a suggestion."""
        known = list(known)
        for key, field in mapping.fields.items():
            if key not in known:
                self.warning(field, f"unknown key '{key}' in {what}{did_you_mean(key, known)}")

    def require(self, mapping: Node, key: str, what: str) -> Field | None:
        field = mapping.fields.get(key)
        if field is None:
            self.diagnostics.error(self.file, mapping.line, mapping.col, f"{what} needs '{key}:'")
        return field

    def scalar(self, node: Node, key: str) -> str | None:
        if node.kind != "scalar":
            kind = "a list" if node.kind == "seq" else "a mapping"
            self.error(node, f"{key} must be a single value, not {kind}")
            return None
        return node.text

    def text(self, node: Node, key: str, *, required: bool = False) -> str | None:
        value = self.scalar(node, key)
        if value is None:
            return None
        value = value.strip()
        if required and not value:
            self.error(node, f"{key} must not be empty")
            return None
        return value

    def boolean(self, node: Node, key: str) -> bool | None:
        value = self.scalar(node, key)
        if value is None:
            return None
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE or lowered == "":
            return False
        hint = (
            " (YAML 1.1 would read it as a yes/no; write true or false)"
            if lowered in _YAML11_BOOLS
            else ""
        )
        self.error(node, f"{key} must be true or false, not '{value}'{hint}")
        return None

    def when(self, node: Node, key: str) -> When | None:
        value = self.scalar(node, key)
        if value is None:
            return None
        parsed = parse_when(value)
        if parsed is None:
            self.error(node, f"{key} must be a date {DATE_FORM}, not '{value}'")
        return parsed

    def day(self, node: Node, key: str) -> dt.date | None:
        value = self.scalar(node, key)
        if value is None:
            return None
        parsed = parse_day(value)
        if parsed is None:
            self.error(node, f"{key} must be a date YYYY-MM-DD (e.g. 2023-03-14), not '{value}'")
        return parsed

    def integer(self, node: Node, key: str, *, minimum: int = 0) -> int | None:
        value = self.scalar(node, key)
        if value is None:
            return None
        text = value.strip()
        if not text.isdigit() or int(text) < minimum:
            self.error(node, f"{key} must be a whole number of at least {minimum}, not '{value}'")
            return None
        return int(text)

    def choice(self, node: Node, key: str, choices: Iterable[str]) -> str | None:
        value = self.text(node, key)
        if value is None:
            return None
        choices = list(choices)
        for choice in choices:
            if value.lower() == choice.lower():
                return choice
        self.error(
            node,
            f"{key} must be one of {join_or(choices)}, not '{value}'{did_you_mean(value, choices)}",
        )
        return None

    def sentiment(self, node: Node) -> tuple[str, int] | None:
        value = self.text(node, "sentiment")
        if value is None:
            return None
        found = parse_sentiment(value)
        if found is None:
            self.error(node, sentiment_problem(value))
        return found

    def items(self, node: Node, key: str, read: Callable[[Node], T | None]) -> list[T]:
        """A list of values; a single value counts as a one-item list."""
        if node.kind == "map":
            self.error(node, f"{key} must be a list (e.g. {key}: [a, b]), not a mapping")
            return []
        if node.kind == "scalar":
            if not node.text.strip() and not node.quoted:
                return []
            nodes: Iterable[Node] = (node,)
        else:
            nodes = node.items
        result = []
        for item in nodes:
            value = read(item)
            if value is not None:
                result.append(value)
        return result

    def text_list(self, node: Node, key: str) -> list[str]:
        values = self.items(
            node, key, lambda item: self.text(item, f"each item of {key}", required=True)
        )
        # Repeats dropped, order kept. Names and tags recur across moments: one string
        # for each in a process, so a pickle of many moments holds each once.
        return list(dict.fromkeys(map(sys.intern, values)))

    def mapping(self, node: Node, key: str) -> Mapping[str, Field] | None:
        if node.kind != "map":
            if node.kind == "scalar" and not node.text.strip():
                return {}
            self.error(node, f"{key} must be a mapping of keys to values")
            return None
        return node.fields


def join_or(values: Iterable[str]) -> str:
    values = list(values)
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " or " + values[-1]
