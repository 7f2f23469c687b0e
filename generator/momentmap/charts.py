"""Build-time SVG charts: a customer's timeline and emotion curve, sparklines, bars.

Charts are inline SVG written at build time: no script, no network, no fonts
(text takes the page's font). Colours come from CSS classes (`mm-…`, styled in
`static/charts.css` with the theme's variables), so they follow light, dark and
print. Layout and drawing are separate: the pure `layout_*` functions return
positions in viewBox units, which tests assert on; the `*_svg` functions only
serialise a layout. Numbers are written with at most one decimal, so the same
input gives the same bytes.

Reading a chart without colour
    Sentiment is carried by shape as well as colour: ▼ negative, ● neutral,
    ▲ positive, ◆ mixed; "very" marks are larger. A moment of truth has a ring
    around its mark. Where there is a y-axis (emotion curve, sparkline), the
    score is also the height. Every chart has an accessible name (`title`),
    and every mark of the timeline and emotion curve is a link to its moment
    named by `Mark.label` (also its tooltip). Charts with links are
    `role="group"` (an image's children are hidden from assistive technology,
    links included); the sparkline, which has none, is `role="img"`.

Time axis
    The marks' first and last day sit at the plot's padded edges and every
    day in between is placed linearly; a range shorter than `MIN_SPAN_DAYS` is
    widened around its middle, so a single day is centred (and labelled with
    its date). Years are ticked at 1 January and labelled; when 1 January of
    the first year is not on the axis, that year is also labelled at the
    axis' start if it fits. Where years are too close for their labels, only
    every 2nd, 5th, 10th… year is labelled (and ticked, if ticks would be
    closer than `MIN_TICK_GAP`). Quarters and months are ticked when their
    ticks are at least `MIN_TICK_GAP` apart. Below the year labels, month
    names are written when a month has room for its label, else quarter names
    (Q1…Q4) when a quarter has room, else nothing.

Text and marks on small screens
    Charts scale with their container (viewBox), so on a phone one unit is
    about half a pixel. charts.css therefore enlarges `mm-label` text on
    narrow screens (up to `FONT_LARGE`), hides `mm-show-wide` labels (month
    and quarter names, the emotion words), shows `mm-show-narrow` ones (the
    emotion scale as −2…+2) and draws marks and badges `NARROW_MARK_SCALE`
    times larger. Layout keeps things apart at both sizes: labels are
    anchored at their start, so a larger size only grows rightwards, gaps are
    computed at the largest size, and marks are spaced for their larger
    size. The bar chart has a narrower viewBox instead, so its text stays
    legible when scaled.

Timeline density
    Marks closer than `PITCH` (their largest size plus a gap) are stacked
    upwards from the axis, each mark on the lowest level where it overlaps
    nothing, so marks never overlap and keep their exact x. At most `MAX_LEVELS` levels
    are stacked; marks that do not fit are gathered into count badges ("+12")
    on a row above the stacks. A badge collects the overflowing marks from
    its x to the next badge; it links to the first of them and its tooltip
    names them all (the moments are also listed on the page in text).

Emotion curve
    The line goes through every mark while there are fewer than 2 ×
    `TREND_EVERY`; with more, through a centred moving average, so a busy
    year shows its trend rather than a scribble. Marks at one spot overlap
    (each stays a link); with more marks than fit side by side they are drawn
    smaller.

Empty input
    The timeline and emotion curve draw a short box saying "No moments yet"
    (an image with that as part of its name); the sparkline draws its zero
    line only.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import operator
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from markupsafe import Markup

from .urlsafety import safe_href

# --- the interface ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Mark:
    """One moment as drawn on a chart."""

    day: dt.date
    score: int  # -2 … 2
    sentiment: str  # 'very negative' … 'very positive' or 'mixed'
    label: str  # accessible name, e.g. "2024-03-14: Renewal call went sideways (negative)"
    href: str  # already relative to the page it is drawn on
    moment_of_truth: bool = False


@dataclass(frozen=True, slots=True)
class Bar:
    """One row of a bar chart."""

    label: str  # e.g. a customer or person
    value: float | None  # 0.0 … 1.0 (a rate), None when nothing is due
    text: str  # shown next to the bar, e.g. "75% of 8"
    href: str = ""  # optional link for the label


# --- geometry, in viewBox units -----------------------------------------------------------

WIDTH = 720.0  # timeline and emotion curve; CSS scales them to their container
FONT = 12.0  # text on wide screens
FONT_LARGE = 22.0  # the largest `mm-label` text on narrow screens (charts.css)
BADGE_FONT = 11.0
CHAR_EM = 0.62  # estimated advance of a character, in em; wide (CJK) characters count 1 em
LABEL_GAP = 6.0  # least space between two labels on one row
TICK_LABEL_DX = 3.0  # a tick's label starts this far right of the tick
MIN_TICK_GAP = 5.0  # ticks closer than this are left out
MIN_SPAN_DAYS = 60  # shorter ranges are widened around their middle

GLYPH_R = 4.6  # half-height of a mark's shape
GLYPH_R_VERY = 6.0  # … for "very negative" and "very positive"
RING_R = 8.0  # the ring around a moment of truth
# A dense emotion curve (more marks than fit side by side) draws smaller marks.
DENSE_R, DENSE_R_VERY, DENSE_RING_R = 3.4, 4.4, 6.0
RING_STROKE = 1.5
EXTENT = RING_R + RING_STROKE / 2  # no part of a mark is farther than this from its centre
NARROW_MARK_SCALE = 1.5  # charts.css enlarges marks and badges by this on narrow screens
REACH = EXTENT * NARROW_MARK_SCALE  # … so that a mark may reach this far
PITCH = 27.0  # centre-to-centre distance of stacked marks: 2 × REACH and a little
MAX_LEVELS = 6  # stack height before marks go into a count badge
BADGE_PAD = 4.0
BADGE_H = 14.0
BADGE_GAP = 4.0
LINE_BIN = 6.0  # points of the emotion line closer than this are merged
TREND_EVERY = 16  # the emotion line averages over one mark in this many (see _trend_line)

# Timeline: the axis spans [AXIS_L, AXIS_R]; the first and last day sit at PLOT_L and PLOT_R.
TL_AXIS_L, TL_PLOT_L, TL_PLOT_R, TL_AXIS_R = 12.0, 36.0, 684.0, 708.0
# Emotion curve: the score labels end at CURVE_YLABEL_X, then the same scheme.
CURVE_YLABEL_X = 108.0
CURVE_AXIS_L, CURVE_PLOT_L, CURVE_PLOT_R, CURVE_AXIS_R = 118.0, 140.0, 684.0, 708.0
CURVE_TOP = 16.0  # y of +2
CURVE_ROW = 34.0  # distance between two scores
# Below an axis: month/quarter names, then years.
MINOR_BASELINE, YEAR_BASELINE, AXIS_FOOT = 17.0, 33.0, 40.0

SPARK_W, SPARK_H, SPARK_PAD = 160.0, 32.0, 4.0
SPARK_R, SPARK_R_VERY = 2.2, 2.9

BARS_W = 420.0  # narrower than the time charts, so that its text stays legible on phones
BAR_FONT = 14.0
BAR_ROW, BAR_H = 28.0, 12.0
BAR_LABEL_MAX, BAR_TEXT_MAX, BAR_GAP = 150.0, 110.0, 10.0

EMPTY_TEXT = "No moments yet"
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
QUARTERS = tuple(f"Q{quarter}" for quarter in (1, 2, 3, 4) for _ in range(3))  # by month
YEAR_STEPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000)
SCORE_WORDS = {2: "very positive", 1: "positive", 0: "neutral", -1: "negative", -2: "very negative"}
SCORE_NUMBERS = {2: "+2", 1: "+1", 0: "0", -1: "\u22121", -2: "\u22122"}
SENTIMENT_CLASSES = {
    "very negative": "mm-s0",
    "negative": "mm-s1",
    "neutral": "mm-s2",
    "positive": "mm-s3",
    "very positive": "mm-s4",
    "mixed": "mm-mixed",
}

Shape = Literal["down", "circle", "up", "diamond"]
Anchor = Literal["start", "middle", "end"]
Visibility = Literal["both", "wide", "narrow"]
TickKind = Literal["year", "quarter", "month"]


# --- text ---------------------------------------------------------------------------------


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


# --- time ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimeScale:
    """Maps day numbers (proleptic ordinals, maybe fractional) linearly: `lo` to `x0`,
    `hi` to `x1`."""

    lo: float
    hi: float
    x0: float
    x1: float

    def x(self, day: dt.date) -> float:
        return self.x_of(day.toordinal())

    def x_of(self, ordinal: float) -> float:
        return self.x0 + (ordinal - self.lo) * self.px_per_day

    def xs(self, days: Iterable[dt.date]) -> list[float]:
        """`x` of each day: `x_of`'s arithmetic, with the scale read once for them all."""
        lo, x0, per_day = self.lo, self.x0, self.px_per_day
        return [x0 + (day.toordinal() - lo) * per_day for day in days]

    def ordinal_at(self, x: float) -> float:
        return self.lo + (x - self.x0) / self.px_per_day

    @property
    def px_per_day(self) -> float:
        return (self.x1 - self.x0) / (self.hi - self.lo)


def time_scale(first: dt.date, last: dt.date, x0: float, x1: float) -> TimeScale:
    """`first` at `x0` and `last` at `x1`; a short range is widened around its middle."""
    lo, hi = float(first.toordinal()), float(last.toordinal())
    if hi - lo < MIN_SPAN_DAYS:
        middle = (lo + hi) / 2
        lo, hi = middle - MIN_SPAN_DAYS / 2, middle + MIN_SPAN_DAYS / 2
    return TimeScale(lo, hi, x0, x1)


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    day: dt.date
    kind: TickKind


@dataclass(frozen=True, slots=True)
class Axis:
    y: float
    x0: float
    x1: float
    ticks: tuple[Tick, ...]
    labels: tuple[Label, ...]


def layout_axis(scale: TimeScale, *, x0: float, x1: float, y: float, limit: float) -> Axis:
    """Ticks and labels of a time axis drawn from `x0` to `x1` at height `y`; no label
    reaches past `limit` (the chart's right edge)."""
    first_day = max(1, math.ceil(scale.ordinal_at(x0)))
    last_day = min(dt.date.max.toordinal(), math.floor(scale.ordinal_at(x1)))
    start, end = dt.date.fromordinal(first_day), dt.date.fromordinal(last_day)
    # The shortest year, quarter and month, so that nothing meant to fit a period
    # is too wide for any of them.
    per_day = scale.px_per_day
    px_year, px_quarter, px_month = per_day * 365, per_day * 90, per_day * 28

    year_width = text_width("8" * len(str(end.year)), FONT_LARGE) + LABEL_GAP
    step = next((s for s in YEAR_STEPS if px_year * s >= year_width), YEAR_STEPS[-1])
    first_year = start.year if (start.month, start.day) == (1, 1) else start.year + 1
    every = 1 if px_year >= MIN_TICK_GAP else step

    if px_quarter >= MIN_TICK_GAP:  # then px_year is too, so every year is ticked
        ticks = _month_ticks(scale, start, end, months=px_month >= MIN_TICK_GAP)
    else:
        years_ticked = range(-(-first_year // every) * every, end.year + 1, every)
        ticks = [_tick(scale, dt.date(year, 1, 1), "year") for year in years_ticked]

    minor_y, year_y = y + MINOR_BASELINE, y + YEAR_BASELINE
    labels: list[Label] = []

    # The year row: labelled 1 January ticks, and the first year at the axis' start.
    years = [
        Label(t.x + TICK_LABEL_DX, year_y, str(t.day.year), "mm-year")
        for t in ticks
        if t.kind == "year" and t.day.year % step == 0
    ]
    years = [label for label in years if _fits(label, limit)]
    if (start.month, start.day) != (1, 1):
        lead = Label(x0, year_y, str(start.year), "mm-year")
        if _fits(lead, limit) and (not years or _before(lead, years[0])):
            years.insert(0, lead)
    labels += years

    # The row above (wide screens only): month names, else quarter names, where they fit.
    month_room = px_month >= MONTH_NAME_ROOM
    quarter_room = px_quarter >= QUARTER_NAME_ROOM
    if month_room or quarter_room:
        names = MONTHS if month_room else QUARTERS  # by month
        periods = [t for t in ticks if month_room or t.kind != "month"]
        minors = [
            Label(t.x + TICK_LABEL_DX, minor_y, names[t.day.month - 1], "mm-minor", show="wide")
            for t in periods
        ]
        if not periods or periods[0].day != start:
            # The period the axis starts in, labelled at the axis' start if it fits.
            lead = Label(x0, minor_y, names[start.month - 1], "mm-minor", show="wide")
            if not minors or _before(lead, minors[0], narrow=False):
                minors.insert(0, lead)
        labels += [label for label in minors if _fits(label, limit, narrow=False)]
    return Axis(y, x0, x1, tuple(ticks), tuple(labels))


def _month_ticks(scale: TimeScale, start: dt.date, end: dt.date, *, months: bool) -> list[Tick]:
    """Every 1 January as a year tick, the other quarters' first days as quarter ticks and,
    if `months`, the other months' first days as month ticks: in date order, as walked."""
    kind_of_month = _MONTH_TICKS if months else _QUARTER_TICKS
    # TimeScale.x_of's arithmetic with the scale read once: this runs for every month.
    lo, x0, per_day = scale.lo, scale.x0, scale.px_per_day
    ticks = []
    for month in _months(start, end):
        kind = kind_of_month[month % 12]
        if kind is not None:
            day = dt.date(month // 12, month % 12 + 1, 1)
            ticks.append(Tick(x0 + (day.toordinal() - lo) * per_day, day, kind))
    return ticks


# The tick on the first day of each month, January first; None: not ticked.
_MONTH_TICKS: tuple[TickKind, ...] = (
    *("year", "month", "month"),
    *("quarter", "month", "month") * 3,
)
_QUARTER_TICKS = tuple(None if kind == "month" else kind for kind in _MONTH_TICKS)


def _tick(scale: TimeScale, day: dt.date, kind: TickKind) -> Tick:
    return Tick(scale.x(day), day, kind)


def _months(start: dt.date, end: dt.date) -> range:
    """The months whose first day is in [start, end], counted from January of year 0."""
    first = start.year * 12 + start.month - 1 + (start.day != 1)
    return range(first, end.year * 12 + end.month)


def _widest(texts: Iterable[str]) -> float:
    return max(text_width(text, FONT) for text in texts)


# The least room a month or a quarter needs between its ticks for its name.
MONTH_NAME_ROOM = _widest(MONTHS) + LABEL_GAP + TICK_LABEL_DX
QUARTER_NAME_ROOM = _widest(("Q4",)) + LABEL_GAP + TICK_LABEL_DX


def _fits(label: Label, limit: float, *, narrow: bool = True) -> bool:
    extent = label.x_extent(narrow=narrow)
    return extent is None or extent[1] <= limit


def _before(a: Label, b: Label, *, narrow: bool = True) -> bool:
    """`a` ends at least LABEL_GAP before `b` starts."""
    extent_a, extent_b = a.x_extent(narrow=narrow), b.x_extent(narrow=narrow)
    return extent_a is None or extent_b is None or extent_a[1] + LABEL_GAP <= extent_b[0]


# Pages of one year (or of one range) draw the same axis again and again; an axis is
# immutable and depends on nothing but these arguments. (The cache takes equal numbers for
# the same, so only for the charts' own arguments: their fixed edges and ordinal scales.)
@functools.lru_cache(maxsize=256)
def _shared_axis(scale: TimeScale, x0: float, x1: float, y: float, limit: float) -> Axis:
    return layout_axis(scale, x0=x0, x1=x1, y=y, limit=limit)


# --- marks --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlacedMark:
    mark: Mark
    x: float
    y: float
    level: int = 0  # timeline: stack level, 0 next to the axis
    r: float = GLYPH_R  # half-height of the shape
    ring: float = 0.0  # radius of the ring of a moment of truth; 0 for none

    @property
    def shape(self) -> Shape:
        return shape_of(self.mark)


def shape_of(mark: Mark) -> Shape:
    if mark.sentiment == "mixed":
        return "diamond"
    score = int(mark.score)  # (its sign is that of `_score`)
    return "down" if score < 0 else "up" if score > 0 else "circle"


def sentiment_class(mark: Mark) -> str:
    known = SENTIMENT_CLASSES.get(mark.sentiment)
    return known or f"mm-s{_score(mark) + 2}"


def _score(mark: Mark) -> int:
    score = int(mark.score)
    return -2 if score < -2 else 2 if score > 2 else score  # (min and max cost more)


def _glyph_r(mark: Mark, normal: float, very: float) -> float:
    very_score = abs(int(mark.score)) >= 2  # (that is, abs(_score(mark)) == 2)
    return very if very_score and mark.sentiment != "mixed" else normal


def _chronological(marks: Iterable[Mark]) -> list[Mark]:
    return sorted(marks, key=_DAY)  # stable: same-day marks keep the caller's order


_DAY = operator.attrgetter("day")


def _date_label(x: float, y: float, day: dt.date, limit: float) -> Label:
    """The date written beside the marks of a chart that covers one day: to their right,
    or to their left when it would reach past `limit`."""
    label = Label(x + REACH + 4, y, day.isoformat(), "mm-date", middle=True)
    if _fits(label, limit):
        return label
    return Label(x - REACH - 4, y, day.isoformat(), "mm-date", "end", middle=True)


# --- timeline -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cluster:
    """Marks that did not fit in their stack, drawn as one count badge."""

    x: float  # centre
    y: float  # centre
    width: float
    marks: tuple[Mark, ...]

    @property
    def text(self) -> str:
        return f"+{len(self.marks)}"

    @property
    def box(self) -> Box:
        return Box(
            self.x - self.width / 2,
            self.y - BADGE_H / 2,
            self.x + self.width / 2,
            self.y + BADGE_H / 2,
        )


@dataclass(frozen=True, slots=True)
class TimelineLayout:
    width: float
    height: float
    top: float  # top of the plot, where year lines start
    axis: Axis
    marks: tuple[PlacedMark, ...]
    clusters: tuple[Cluster, ...]
    labels: tuple[Label, ...]  # the axis' labels, and the date when every mark is on one day


def layout_timeline(
    marks: Sequence[Mark],
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> TimelineLayout:
    """Place marks on a time axis, stacking those that would overlap (see module doc).

    `start` and `end` widen the range (a year in review spans its year); they never
    hide a mark. `marks` must not be empty.
    """
    ordered = _chronological(marks)
    if not ordered:
        raise ValueError("layout_timeline needs at least one mark")
    first, last = _range(ordered, start, end)
    scale = time_scale(first, last, TL_PLOT_L, TL_PLOT_R)

    stacked: list[tuple[Mark, float, int]] = []
    overflow: list[tuple[Mark, float]] = []
    level_ends: list[float] = []  # x of the last mark on each level
    for mark, x in zip(ordered, scale.xs(m.day for m in ordered), strict=True):
        level = _free_level(level_ends, x)
        if level == MAX_LEVELS:
            overflow.append((mark, x))
            continue
        if level == len(level_ends):
            level_ends.append(x)
        level_ends[level] = x
        stacked.append((mark, x, level))

    rows = MAX_LEVELS + 1 if overflow else len(level_ends)
    top = 8.0
    axis_y = top + rows * PITCH + 4
    base = axis_y - 4 - PITCH / 2  # centre of level 0

    placed = tuple(
        PlacedMark(
            mark,
            x,
            base - level * PITCH,
            level,
            _glyph_r(mark, GLYPH_R, GLYPH_R_VERY),
            RING_R if mark.moment_of_truth else 0.0,
        )
        for mark, x, level in stacked
    )
    clusters = _clusters(overflow, base - MAX_LEVELS * PITCH)
    axis = _shared_axis(scale, TL_AXIS_L, TL_AXIS_R, axis_y, WIDTH - 2)
    labels = list(axis.labels)
    if ordered[0].day == ordered[-1].day:
        labels.append(_date_label(placed[0].x, base, ordered[0].day, WIDTH - 2))
    return TimelineLayout(WIDTH, axis_y + AXIS_FOOT, top, axis, placed, clusters, tuple(labels))


def _free_level(level_ends: Sequence[float], x: float) -> int:
    """The lowest level whose last mark is at least PITCH left of `x`; a new one if none."""
    for level, end_x in enumerate(level_ends):
        if x - end_x >= PITCH:
            return level
    return len(level_ends)


def _range(
    ordered: Sequence[Mark], start: dt.date | None, end: dt.date | None
) -> tuple[dt.date, dt.date]:
    first, last = ordered[0].day, ordered[-1].day
    return (first if start is None else min(first, start)), (
        last if end is None else max(last, end)
    )


def _clusters(overflow: Sequence[tuple[Mark, float]], y: float) -> tuple[Cluster, ...]:
    """Gather overflowing marks (in x order) into badges that never overlap."""
    if not overflow:
        return ()
    # Every badge is as wide as the widest count could be, so that badges started at
    # least a width apart cannot overlap.
    width = text_width(f"+{len(overflow)}", BADGE_FONT) + 2 * BADGE_PAD
    apart = width * NARROW_MARK_SCALE + BADGE_GAP
    groups: list[tuple[float, list[Mark]]] = []
    for mark, x in overflow:
        if groups and x < groups[-1][0] + apart:
            groups[-1][1].append(mark)
        else:
            groups.append((x, [mark]))
    return tuple(Cluster(x, y, width, tuple(group)) for x, group in groups)


# --- emotion curve ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CurveLayout:
    width: float
    height: float
    plot_x0: float
    plot_x1: float
    rows: tuple[tuple[int, float], ...]  # (score, y) from +2 down to -2
    axis: Axis
    marks: tuple[PlacedMark, ...]
    line: tuple[tuple[float, float], ...]  # the emotion line, in date order
    labels: tuple[Label, ...]


def score_y(score: float) -> float:
    """The emotion curve's y for a score: +2 at the top, -2 at the bottom."""
    return CURVE_TOP + (2 - score) * CURVE_ROW


# The rows of every emotion curve, (score, y) from +2 down, and their labels: words on wide
# screens, numbers on narrow ones. The same on every curve, so made once.
_CURVE_ROWS = tuple((score, score_y(score)) for score in (2, 1, 0, -1, -2))
_ROW_Y = dict(_CURVE_ROWS)
_SCORE_LABELS = tuple(
    label
    for score, y in _CURVE_ROWS
    for label in (
        Label(CURVE_YLABEL_X, y, SCORE_WORDS[score], "mm-score", "end", "wide", True),
        Label(CURVE_YLABEL_X, y, SCORE_NUMBERS[score], "mm-score", "end", "narrow", True),
    )
)


def layout_emotion_curve(
    marks: Sequence[Mark],
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> CurveLayout:
    """Marks at (date, score) and the emotion line through them in date order (see
    `_trend_line`). When there are more marks than fit side by side, they are drawn
    smaller. `marks` must not be empty."""
    ordered = _chronological(marks)
    if not ordered:
        raise ValueError("layout_emotion_curve needs at least one mark")
    first, last = _range(ordered, start, end)
    scale = time_scale(first, last, CURVE_PLOT_L, CURVE_PLOT_R)
    dense = len(ordered) > (CURVE_PLOT_R - CURVE_PLOT_L) / (2 * EXTENT)
    r, r_very, ring = (
        (DENSE_R, DENSE_R_VERY, DENSE_RING_R) if dense else (GLYPH_R, GLYPH_R_VERY, RING_R)
    )
    placed = tuple(
        PlacedMark(
            m,
            x,
            _ROW_Y[_score(m)],
            0,
            _glyph_r(m, r, r_very),
            ring if m.moment_of_truth else 0.0,
        )
        for m, x in zip(ordered, scale.xs(m.day for m in ordered), strict=True)
    )
    rows = _CURVE_ROWS
    axis_y = score_y(-2) + REACH + 4
    axis = _shared_axis(scale, CURVE_AXIS_L, CURVE_AXIS_R, axis_y, WIDTH - 2)
    labels = [*axis.labels, *_SCORE_LABELS]
    if ordered[0].day == ordered[-1].day:
        labels.append(_date_label(placed[0].x, placed[0].y, ordered[0].day, WIDTH - 2))
    return CurveLayout(
        WIDTH,
        axis_y + AXIS_FOOT,
        CURVE_PLOT_L,
        CURVE_PLOT_R,
        rows,
        axis,
        placed,
        _trend_line(placed, LINE_BIN),
        tuple(labels),
    )


def _trend_line(placed: Sequence[PlacedMark], merge: float) -> tuple[tuple[float, float], ...]:
    """Points of the emotion line through `placed` (in x order).

    Below 2 × TREND_EVERY marks the line goes through every mark; with more, each
    point is the mean of a centred window of about one mark in TREND_EVERY (an odd
    count), so a busy year shows its trend rather than a scribble. Points closer
    than `merge` are then averaged into one, so marks on one day give one point.
    """
    count = len(placed)
    half = max(1, (count // TREND_EVERY) | 1) // 2
    sums = list(itertools.accumulate((p.y for p in placed), initial=0.0))
    smooth = []
    for i, p in enumerate(placed):
        lo = i - half if i > half else 0
        hi = i + half + 1 if i + half + 1 < count else count
        smooth.append((p.x, (sums[hi] - sums[lo]) / (hi - lo)))
    groups: list[list[tuple[float, float]]] = []
    for point in smooth:
        if groups and point[0] - groups[-1][0][0] < merge:
            groups[-1].append(point)
        else:
            groups.append([point])
    return tuple(_mean_point(group) for group in groups)


def _mean_point(points: Sequence[tuple[float, float]]) -> tuple[float, float]:
    if len(points) == 1:  # the usual case, without zip and sum: sum((v,)) / 1 is 0 + v
        x, y = points[0]
        return 0 + x, 0 + y
    xs, ys = zip(*points, strict=True)
    return sum(xs) / len(points), sum(ys) / len(points)


# --- sparkline ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SparkLayout:
    width: float
    height: float
    zero_y: float
    marks: tuple[PlacedMark, ...]
    line: tuple[tuple[float, float], ...]


def layout_sparkline(marks: Sequence[Mark], *, start: dt.date, end: dt.date) -> SparkLayout:
    """Marks over the shared range [start, end] (marks outside it are left out), the score
    as height. No ring for moments of truth: at this size it would hide its neighbours."""
    lo, hi = min(start, end), max(start, end)
    inside = [m for m in _chronological(marks) if lo <= m.day <= hi]
    x_scale = TimeScale(lo.toordinal() - 0.5, hi.toordinal() + 0.5, SPARK_PAD, SPARK_W - SPARK_PAD)
    if hi > lo:
        x_scale = TimeScale(lo.toordinal(), hi.toordinal(), SPARK_PAD, SPARK_W - SPARK_PAD)
    row = (SPARK_H - 2 * SPARK_PAD) / 4

    def y(score: float) -> float:
        return SPARK_PAD + (2 - score) * row

    placed = tuple(
        PlacedMark(m, x, y(_score(m)), 0, _glyph_r(m, SPARK_R, SPARK_R_VERY))
        for m, x in zip(inside, x_scale.xs(m.day for m in inside), strict=True)
    )
    return SparkLayout(SPARK_W, SPARK_H, y(0), placed, _trend_line(placed, 3.0))


# --- bars ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PlacedBar:
    bar: Bar
    y: float  # centre of the row
    label: str  # the label as shown: shortened with '…' when too long
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
    texts = [_bar_text(bar) for bar in bars]
    label_width = min(
        BAR_LABEL_MAX, max((text_width(b.label, BAR_FONT) for b in bars), default=0.0)
    )
    text_col = min(BAR_TEXT_MAX, max((text_width(t, BAR_FONT) for t in texts), default=0.0))
    track_x = label_width + BAR_GAP
    text_x = BARS_W - text_col
    track_width = text_x - BAR_GAP - track_x
    rows = []
    for i, (bar, text) in enumerate(zip(bars, texts, strict=True)):
        length = None if bar.value is None else track_width * max(0.0, min(1.0, bar.value))
        rows.append(
            PlacedBar(
                bar,
                (i + 0.5) * BAR_ROW,
                shorten(bar.label, label_width, BAR_FONT),
                length,
                shorten(text, text_col, BAR_FONT),
            )
        )
    return BarsLayout(
        BARS_W, max(1, len(bars)) * BAR_ROW, track_x, track_width, text_x, tuple(rows)
    )


def _bar_text(bar: Bar) -> str:
    if bar.text:
        return bar.text
    return "nothing due" if bar.value is None else f"{round(100 * bar.value)}%"


# --- SVG ----------------------------------------------------------------------------------


def timeline_svg(
    marks: Sequence[Mark],
    *,
    title: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Markup:
    """A customer's (or a year's) moments on a time axis; each mark links to its moment."""
    if not marks:
        return _empty_svg("mm-timeline", title)
    layout = layout_timeline(marks, start=start, end=end)
    parts = [_open("mm-timeline", layout.width, layout.height, title)]
    years = [t.x for t in layout.axis.ticks if t.kind == "year"]
    if years:
        parts.append(_vlines("mm-grid", years, layout.top, layout.axis.y))
    parts += _axis(layout.axis)
    parts += [_label(label) for label in layout.labels]
    parts += [_mark(p) for p in layout.marks]
    parts += [_cluster(c) for c in layout.clusters]
    parts.append("</svg>")
    return Markup("\n".join(parts))


def emotion_curve_svg(
    marks: Sequence[Mark],
    *,
    title: str,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> Markup:
    """How the customer felt over time, -2 (bottom) to +2 (top); marks link to moments."""
    if not marks:
        return _empty_svg("mm-curve", title)
    layout = layout_emotion_curve(marks, start=start, end=end)
    parts = [_open("mm-curve", layout.width, layout.height, title)]
    for score, y in layout.rows:
        cls = "mm-zero" if score == 0 else "mm-grid"
        parts.append(
            f'<path class="{cls}" d="M{_n(layout.axis.x0)} {_n(y)}H{_n(layout.axis.x1)}"/>'
        )
    years = [t.x for t in layout.axis.ticks if t.kind == "year"]
    if years:
        parts.append(_vlines("mm-grid", years, score_y(2) - EXTENT, layout.axis.y))
    parts += _axis(layout.axis)
    parts += [_label(label) for label in layout.labels]
    if len(layout.line) > 1:
        parts.append(f'<polyline class="mm-line" points="{_points(layout.line)}"/>')
    parts += [_mark(p) for p in layout.marks]
    parts.append("</svg>")
    return Markup("\n".join(parts))


def sparkline_svg(marks: Sequence[Mark], *, start: dt.date, end: dt.date, title: str) -> Markup:
    """A small picture of one customer's sentiment over the shared range [start, end]:
    an image with an accessible name, no links (the row around it links)."""
    layout = layout_sparkline(marks, start=start, end=end)
    w, h = _n(layout.width), _n(layout.height)
    parts = [
        f'<svg class="mm-chart mm-sparkline" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'role="img" aria-label="{_e(title)}">',
        f"<title>{_e(title)}</title>",
        f'<path class="mm-zero" d="M{_n(SPARK_PAD)} {_n(layout.zero_y)}H{_n(layout.width - SPARK_PAD)}"/>',
    ]
    if len(layout.line) > 1:
        parts.append(f'<polyline class="mm-line" points="{_points(layout.line)}"/>')
    parts += [_glyph(p) for p in layout.marks]
    parts.append("</svg>")
    return Markup("\n".join(parts))


def bars_svg(bars: Sequence[Bar], *, title: str) -> Markup:
    """Horizontal bars, one per row: the label (a link when it has an href), the bar on a
    track that stands for 100%, and the text with the numbers."""
    if not bars:
        return _empty_svg("mm-bars", title, "Nothing to show yet", BARS_W)
    layout = layout_bars(bars)
    parts = [_open("mm-bars", layout.width, layout.height, title, BAR_FONT)]
    for row in layout.rows:
        full = _e(row.bar.label)
        label = (
            f'<text class="mm-bar-label" x="0" y="{_n(row.y)}" dominant-baseline="central">'
            f"{_e(row.label)}</text>"
        )
        href = safe_href(row.bar.href)
        if href:
            label = f'<a href="{_e(href)}" aria-label="{full}"><title>{full}</title>{label}</a>'
        elif row.label != row.bar.label:  # shortened: the full label is its tooltip
            label = f"<g><title>{full}</title>{label}</g>"
        parts.append(label)
        bar_y = _n(row.y - BAR_H / 2)
        if row.length is not None:
            parts.append(
                f'<rect class="mm-track" x="{_n(layout.track_x)}" y="{bar_y}" '
                f'width="{_n(layout.track_width)}" height="{_n(BAR_H)}"/>'
            )
            if row.length > 0:
                parts.append(
                    f'<rect class="mm-bar" x="{_n(layout.track_x)}" y="{bar_y}" '
                    f'width="{_n(row.length)}" height="{_n(BAR_H)}"/>'
                )
        text = (
            f'<text class="mm-bar-text" x="{_n(layout.text_x)}" y="{_n(row.y)}" '
            f'dominant-baseline="central">{_e(row.text)}</text>'
        )
        full_text = _bar_text(row.bar)
        if row.text != full_text:
            text = f"<g><title>{_e(full_text)}</title>{text}</g>"
        parts.append(text)
    parts.append("</svg>")
    return Markup("\n".join(parts))


def legend_html() -> Markup:
    """An HTML list that explains the marks, for a page to show beside its charts."""
    samples = [
        ("very negative", -2, "very negative", False),
        ("negative", -1, "negative", False),
        ("neutral", 0, "neutral", False),
        ("mixed", 0, "mixed", False),
        ("positive", 1, "positive", False),
        ("very positive", 2, "very positive", False),
        ("neutral", 0, "moment of truth", True),
    ]
    items = []
    for sentiment, score, text, truth in samples:
        mark = Mark(dt.date(2000, 1, 1), score, sentiment, text, "", truth)
        placed = PlacedMark(
            mark, 10, 10, 0, _glyph_r(mark, GLYPH_R, GLYPH_R_VERY), RING_R if truth else 0.0
        )
        glyph = _glyph(placed) + _ring(placed)
        items.append(
            '<li><svg class="mm-glyph" viewBox="0 0 20 20" width="20" height="20" aria-hidden="true">'
            f"{glyph}</svg>{_e(text)}</li>"
        )
    return Markup('<ul class="mm-legend">' + "".join(items) + "</ul>")


def _open(kind: str, width: float, height: float, title: str, font: float = FONT) -> str:
    w, h = _n(width), _n(height)
    return (
        f'<svg class="mm-chart {kind}" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'font-size="{_n(font)}" role="group" aria-label="{_e(title)}">'
    )


def _empty_svg(kind: str, title: str, text: str = EMPTY_TEXT, width: float = WIDTH) -> Markup:
    """A chart with nothing to draw: a short box that says so."""
    height = 40.0
    w, h = _n(width), _n(height)
    name = f"{title}: {text.lower()}" if title else text
    label = Label(width / 2, height / 2, text, "mm-empty-text", "middle", middle=True)
    return Markup(
        f'<svg class="mm-chart {kind} mm-empty" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'font-size="{_n(FONT)}" role="img" aria-label="{_e(name)}">\n{_label(label)}\n</svg>'
    )


TICK_LENGTHS: dict[TickKind, float] = {"year": 8.0, "quarter": 5.0, "month": 3.0}


def _axis(axis: Axis) -> list[str]:
    parts = [f'<path class="mm-axis" d="M{_n(axis.x0)} {_n(axis.y)}H{_n(axis.x1)}"/>']
    xs_by_kind: dict[TickKind, list[float]] = {"year": [], "quarter": [], "month": []}
    for tick in axis.ticks:  # one pass rather than one per kind
        xs_by_kind[tick.kind].append(tick.x)
    for kind, xs in xs_by_kind.items():
        if xs:
            y1 = axis.y + TICK_LENGTHS[kind]
            parts.append(_vlines(f"mm-tick mm-tick-{kind}", xs, axis.y, y1))
    return parts


def _vlines(cls: str, xs: Sequence[float], y0: float, y1: float) -> str:
    tail = f" {_n(y0)}V{_n(y1)}"  # the same for every line: written once
    d = "".join(f"M{_n(x)}{tail}" for x in xs)
    return f'<path class="{cls}" d="{d}"/>'


# Many labels recur from chart to chart (the emotion curve's scores, a year page's months
# and year); a label is immutable and its text depends on nothing else.
@functools.lru_cache(maxsize=512)
def _label(label: Label) -> str:
    anchor = "" if label.anchor == "start" else f' text-anchor="{label.anchor}"'
    baseline = ' dominant-baseline="central"' if label.middle else ""
    return (
        f'<text class="mm-label mm-show-{label.show} {label.cls}" x="{_n(label.x)}" y="{_n(label.y)}"'
        f"{anchor}{baseline}>{_e(label.text)}</text>"
    )


def _mark(placed: PlacedMark) -> str:
    """A mark: its shape, a ring for a moment of truth, as a link named by its label."""
    mark = placed.mark
    inner = _glyph(placed) + _ring(placed) if placed.ring else _glyph(placed)
    name = _e(mark.label)
    href = safe_href(mark.href)
    if href:
        return f'<a class="mm-m" href="{_e(href)}" aria-label="{name}"><title>{name}</title>{inner}</a>'
    return f'<g class="mm-m" role="img" aria-label="{name}"><title>{name}</title>{inner}</g>'


def _glyph(placed: PlacedMark) -> str:
    x, y, r = placed.x, placed.y, placed.r
    cls = sentiment_class(placed.mark)
    shape = shape_of(placed.mark)
    # Coordinates that occur twice are written once.
    if shape == "circle":
        return f'<circle class="mm-mark {cls}" cx="{_n(x)}" cy="{_n(y)}" r="{_n(r * 0.9)}"/>'
    if shape == "diamond":
        w, h = r * 0.95, r * 1.1
        nx, ny = _n(x), _n(y)
        d = f"M{nx} {_n(y - h)}L{_n(x + w)} {ny}L{nx} {_n(y + h)}L{_n(x - w)} {ny}Z"
    else:
        w = r * 1.155  # an equilateral triangle as tall as the circle is wide
        tip, base = (y - r, y + r) if shape == "up" else (y + r, y - r)
        nbase = _n(base)
        d = f"M{_n(x)} {_n(tip)}L{_n(x + w)} {nbase}L{_n(x - w)} {nbase}Z"
    return f'<path class="mm-mark {cls}" d="{d}"/>'


def _ring(placed: PlacedMark) -> str:
    if not placed.ring:
        return ""
    return (
        f'<circle class="mm-ring" cx="{_n(placed.x)}" cy="{_n(placed.y)}" r="{_n(placed.ring)}"/>'
    )


def _cluster(cluster: Cluster) -> str:
    box = cluster.box
    names = [m.label for m in cluster.marks]
    shown = names if len(names) <= 12 else [*names[:12], f"… and {len(names) - 12} more"]
    first, last = cluster.marks[0].day.isoformat(), cluster.marks[-1].day.isoformat()
    span = first if first == last else f"{first} to {last}"
    name = _e(f"{cluster.text} more moments, {span}")  # starts with the badge's text
    tooltip = _e(f"{cluster.text} more moments:\n" + "\n".join(shown))
    inner = (
        f'<rect class="mm-badge" x="{_n(box.x0)}" y="{_n(box.y0)}" width="{_n(cluster.width)}" '
        f'height="{_n(BADGE_H)}" rx="{_n(BADGE_H / 2)}"/>'
        f'<text class="mm-badge-text" x="{_n(cluster.x)}" y="{_n(cluster.y)}" font-size="{_n(BADGE_FONT)}" '
        f'text-anchor="middle" dominant-baseline="central">{_e(cluster.text)}</text>'
    )
    href = safe_href(cluster.marks[0].href)
    if href:
        return f'<a class="mm-m" href="{_e(href)}" aria-label="{name}"><title>{tooltip}</title>{inner}</a>'
    return f'<g class="mm-m" role="img" aria-label="{name}"><title>{tooltip}</title>{inner}</g>'


def _points(points: Iterable[tuple[float, float]]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


def _n(value: float) -> str:
    """A coordinate with at most one decimal: '12', '12.5', never '-0'."""
    # '.1f' rounds correctly (half to even on the exact value), as round(value, 1) does,
    # so formatting directly gives the same text without building a rounded float.
    text = f"{value:.1f}".removesuffix(".0")
    return "0" if text == "-0" else text


def _e(text: str) -> str:
    """Text or an attribute value, escaped, without the control characters HTML forbids."""
    text = str(text)  # Markup too is escaped, as markupsafe.escape escapes any str
    special = "&" in text or "<" in text or ">" in text or "'" in text or '"' in text
    if text.isprintable() and not special:
        return text  # most text: no controls (they are unprintable), nothing to escape
    cleaned = _FORBIDDEN_CONTROLS.sub("", text)
    # markupsafe.escape's replacements, in its order, without building a Markup for each
    # string (which costs more than the escaping).
    return (
        cleaned.replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


# C0 controls but tab and newline, DEL and C1 controls: not allowed as text in HTML.
_FORBIDDEN_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
