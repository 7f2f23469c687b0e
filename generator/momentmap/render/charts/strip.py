"""The quarter strip's layout: one stacked column per quarter (negative at the
bottom, then neutral or mixed, then positive), all strips on one scale so that
they compare down a table. Colour repeats what the numbers beside it say."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

STRIP_COLUMN, STRIP_GAP, STRIP_BARS, STRIP_LABELS = 22.0, 8.0, 28.0, 13.0
STRIP_FONT = 10.0


@dataclass(frozen=True, slots=True)
class Column:
    """One quarter: how many moments felt negative, neutral or positive."""

    label: str  # e.g. 'Q3'
    negative: int
    neutral: int
    positive: int


@dataclass(frozen=True, slots=True)
class Segment:
    x: float
    y: float
    height: float
    cls: str  # 'mm-s0' negative, 'mm-s2' neutral, 'mm-s4' positive


@dataclass(frozen=True, slots=True)
class StripLayout:
    width: float
    height: float
    baseline: float
    segments: tuple[Segment, ...]
    labels: tuple[tuple[float, str], ...]  # (centre x, text) under each column


def layout_strip(columns: Sequence[Column], largest: int) -> StripLayout:
    """Columns scaled so that `largest` moments fill the strip's height."""
    unit = STRIP_BARS / max(largest, 1)
    segments = []
    labels = []
    for i, column in enumerate(columns):
        x = i * (STRIP_COLUMN + STRIP_GAP)
        top = STRIP_BARS
        for count, cls in (
            (column.negative, "mm-s0"),
            (column.neutral, "mm-s2"),
            (column.positive, "mm-s4"),
        ):
            if count:
                top -= count * unit
                segments.append(Segment(x, top, count * unit, cls))
        labels.append((x + STRIP_COLUMN / 2, column.label))
    width = len(columns) * STRIP_COLUMN + max(len(columns) - 1, 0) * STRIP_GAP
    return StripLayout(width, STRIP_BARS + STRIP_LABELS, STRIP_BARS, tuple(segments), tuple(labels))
