"""The bar chart's layout: one row per bar, label, track and numbers.

A label wider than its column wraps onto a second line (the row grows to hold
it); only what does not fit in two lines is cut, and the full label is then
the row's tooltip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from momentmap.render.charts.geometry import (
    BAR_FONT,
    BAR_GAP,
    BAR_LABEL_LINES,
    BAR_LABEL_MAX,
    BAR_LINE,
    BAR_ROW,
    BAR_TEXT_MAX,
    BARS_W,
)
from momentmap.render.charts.marks import Bar
from momentmap.render.charts.text import shorten, text_width, wrap


@dataclass(frozen=True, slots=True)
class PlacedBar:
    bar: Bar
    y: float  # centre of the row
    lines: tuple[str, ...]  # the label as shown: wrapped, and cut with '…' when too long
    length: float | None  # length of the bar; None when nothing is due
    text: str  # the text after the bar


@dataclass(frozen=True, slots=True)
class BarsLayout:
    width: float
    height: float
    track_x: float  # where bars start
    track_width: float  # the length of a bar at 100%
    text_x: float
    rows: tuple[PlacedBar, ...]


def layout_bars(bars: Sequence[Bar]) -> BarsLayout:
    """One row per bar: label, a track with the bar, then the text (the numbers)."""
    texts = [bar_text(bar) for bar in bars]
    label_width = min(
        BAR_LABEL_MAX, max((text_width(b.label, BAR_FONT) for b in bars), default=0.0)
    )
    text_col = min(BAR_TEXT_MAX, max((text_width(t, BAR_FONT) for t in texts), default=0.0))
    track_x = label_width + BAR_GAP
    text_x = BARS_W - text_col
    track_width = text_x - BAR_GAP - track_x
    rows = []
    top = 0.0
    for bar, text in zip(bars, texts, strict=True):
        length = None if bar.value is None else track_width * max(0.0, min(1.0, bar.value))
        lines = wrap(bar.label, label_width, BAR_FONT, lines=BAR_LABEL_LINES)
        height = BAR_ROW + (len(lines) - 1) * BAR_LINE
        rows.append(
            PlacedBar(bar, top + height / 2, lines, length, shorten(text, text_col, BAR_FONT))
        )
        top += height
    return BarsLayout(BARS_W, max(BAR_ROW, top), track_x, track_width, text_x, tuple(rows))


def bar_text(bar: Bar) -> str:
    if bar.text:
        return bar.text
    return "nothing due" if bar.value is None else f"{round(100 * bar.value)}%"
