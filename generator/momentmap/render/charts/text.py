"""Text on a chart: estimated widths, shortening, labels and their boxes."""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from dataclasses import dataclass

from momentmap.render.charts.geometry import (
    CHAR_EM,
    FONT,
    FONT_LARGE,
    LABEL_GAP,
    REACH,
    Anchor,
    Visibility,
)


# Layout measures the same few strings (years, month and quarter names, dates) for every
# chart, and the per-character Unicode lookups are the costly part: remember recent ones.
@functools.lru_cache(maxsize=1024)
def text_width(text: str, size: float) -> float:
    """Estimated advance of `text` at `size`: generous for system sans-serif fonts."""
    ems = 0.0
    for char in text:
        if unicodedata.combining(char):
            continue
        ems += 1.0 if unicodedata.east_asian_width(char) in "WF" else CHAR_EM
    return ems * size


def shorten(text: str, max_width: float, size: float) -> str:
    """`text`, cut with '…' so that it is at most `max_width` wide: after its last whole
    word that fits (a link's visible words must be words of its name), else mid-word."""
    if text_width(text, size) <= max_width:
        return text
    cut = text
    while cut and text_width(cut.rstrip() + "…", size) > max_width:
        cut = cut[:-1]
    ends_a_word = text[len(cut) : len(cut) + 1].isspace()
    if " " in cut.strip() and not ends_a_word:
        cut = cut.rstrip().rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def wrap(text: str, max_width: float, size: float, *, lines: int) -> tuple[str, ...]:
    """`text` in at most `lines` lines of at most `max_width`, broken between words; the
    last line is shortened with '…' when the rest does not fit."""
    words, out = text.split(), list[str]()
    while words and len(out) < lines - 1:
        line = words.pop(0)
        while words and text_width(f"{line} {words[0]}", size) <= max_width:
            line += " " + words.pop(0)
        out.append(line)
    if words:
        out.append(shorten(" ".join(words), max_width, size))
    return tuple(out) or ("",)


@dataclass(frozen=True, slots=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )


@dataclass(frozen=True, slots=True)
class Label:
    """A line of text. `x` is where it is anchored; `middle` centres it on `y`, else `y` is
    the baseline. 'wide' labels are hidden on narrow screens, 'narrow' ones elsewhere."""

    x: float
    y: float
    text: str
    cls: str
    anchor: Anchor = "start"
    show: Visibility = "both"
    middle: bool = False

    def size(self, *, narrow: bool) -> float | None:
        """The font size this label is shown at, None where it is hidden."""
        if narrow:
            return None if self.show == "wide" else FONT_LARGE
        return None if self.show == "narrow" else FONT

    def box(self, *, narrow: bool) -> Box | None:
        size = self.size(narrow=narrow)
        extent = self.x_extent(narrow=narrow)
        if size is None or extent is None:
            return None
        x0, x1 = extent
        if self.middle:
            return Box(x0, self.y - 0.6 * size, x1, self.y + 0.6 * size)
        return Box(x0, self.y - 0.8 * size, x1, self.y + 0.25 * size)

    def x_extent(self, *, narrow: bool) -> tuple[float, float] | None:
        """Where the label starts and ends, None where it is hidden: all that the checks
        along one row need, without building a `Box`."""
        size = self.size(narrow=narrow)
        if size is None:
            return None
        width = text_width(self.text, size)
        if self.anchor == "start":
            x0 = self.x
        elif self.anchor == "middle":
            x0 = self.x - width / 2
        else:
            x0 = self.x - width
        return x0, x0 + width


def fits(label: Label, limit: float, *, narrow: bool = True) -> bool:
    extent = label.x_extent(narrow=narrow)
    return extent is None or extent[1] <= limit


def before(a: Label, b: Label, *, narrow: bool = True) -> bool:
    """`a` ends at least LABEL_GAP before `b` starts."""
    extent_a, extent_b = a.x_extent(narrow=narrow), b.x_extent(narrow=narrow)
    return extent_a is None or extent_b is None or extent_a[1] + LABEL_GAP <= extent_b[0]


def date_label(x: float, y: float, day: dt.date, limit: float) -> Label:
    """The date written beside the marks of a chart that covers one day: to their right,
    or to their left when it would reach past `limit`."""
    label = Label(x + REACH + 4, y, day.isoformat(), "mm-date", middle=True)
    if fits(label, limit):
        return label
    return Label(x - REACH - 4, y, day.isoformat(), "mm-date", "end", middle=True)
