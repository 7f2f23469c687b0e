"""Diagnostics: problems in a user's files, reported compiler style.

Every stage appends to one `Diagnostics` list so that a run reports all its
problems at once; the CLI decides the exit status from it.
"""

from __future__ import annotations

import difflib
import json
import os
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

import click

from momentmap.record import Record

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic(Record):
    file: str  # site-relative, '/'-separated
    line: int  # 1-based; 0 when the problem is about the file as a whole
    col: int  # 1-based; 0 when unknown
    severity: Severity
    message: str

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.col, self.message)

    def as_text(self) -> str:
        place = self.file
        if self.line:
            place += f":{self.line}"
            if self.col:
                place += f":{self.col}"
        return f"{place}: {self.severity}: {self.message}"

    def as_github(self) -> str:
        # GitHub workflow commands: properties and message use %-escapes.
        def prop(value: str) -> str:
            return (
                value.replace("%", "%25")
                .replace("\r", "%0D")
                .replace("\n", "%0A")
                .replace(":", "%3A")
                .replace(",", "%2C")
            )

        message = self.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        parts = [f"file={prop(self.file)}"]
        if self.line:
            parts.append(f"line={self.line}")
        if self.col:
            parts.append(f"col={self.col}")
        return f"::{self.severity} {','.join(parts)}::{message}"

    def as_json(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "message": self.message,
        }


@dataclass(slots=True)
class Diagnostics:
    """An append-only list of diagnostics collected during one run."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, file: str, line: int, col: int, message: str) -> None:
        self.items.append(Diagnostic(file, line, col, "error", message))

    def warning(self, file: str, line: int, col: int, message: str) -> None:
        self.items.append(Diagnostic(file, line, col, "warning", message))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self.items.extend(other)

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.items)

    def errors(self) -> list[Diagnostic]:
        return [d for d in self.items if d.severity == "error"]

    def sorted(self) -> list[Diagnostic]:
        return sorted(set(self.items), key=Diagnostic.sort_key)

    def strict(self) -> Diagnostics:
        """The same problems with every warning raised to an error (--strict)."""
        return Diagnostics(
            [Diagnostic(d.file, d.line, d.col, "error", d.message) for d in self.items]
        )

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def format_diagnostics(items: Iterable[Diagnostic], fmt: str) -> str:
    """Render diagnostics as 'text', 'json' or 'github' output."""
    items = list(items)
    if fmt == "json":
        return json.dumps([d.as_json() for d in items], indent=2, ensure_ascii=False) + "\n"
    if fmt == "github":
        return "".join(d.as_github() + "\n" for d in items)
    return "".join(d.as_text() + "\n" for d in items)


def did_you_mean(value: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or '' when none is close."""
    lowered = {c.lower(): c for c in choices}
    match = difflib.get_close_matches(value.lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean '{lowered[match[0]]}'?)" if match else ""


def _color(stream: Any) -> bool:
    return "NO_COLOR" not in os.environ and hasattr(stream, "isatty") and stream.isatty()


def print_diagnostics(items: list[Diagnostic]) -> None:
    """Diagnostics as text on stderr, coloured only on a terminal without NO_COLOR."""
    color = _color(sys.stderr)
    for d in items:
        line = d.as_text()
        if color:
            label = f"{d.severity}:"
            paint = "red" if d.severity == "error" else "yellow"
            line = line.replace(label, click.style(label, fg=paint, bold=True), 1)
        click.echo(line, err=True, color=color)
    errors = sum(d.severity == "error" for d in items)
    warnings = len(items) - errors
    if items:
        click.echo(f"{errors} error(s), {warnings} warning(s)", err=True)
