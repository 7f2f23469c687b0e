"""The time scale and axis shared by the timeline and the emotion curve.

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
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass

from momentmap.render.charts.geometry import (
    FONT,
    FONT_LARGE,
    LABEL_GAP,
    MIN_SPAN_DAYS,
    MIN_TICK_GAP,
    MINOR_BASELINE,
    MONTHS,
    QUARTERS,
    TICK_LABEL_DX,
    YEAR_BASELINE,
    YEAR_STEPS,
    TickKind,
    Visibility,
)
from momentmap.render.charts.text import Label, before, fits, text_width


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
    years = [label for label in years if fits(label, limit)]
    if (start.month, start.day) != (1, 1):
        lead = Label(x0, year_y, str(start.year), "mm-year")
        if fits(lead, limit) and (not years or before(lead, years[0])):
            years.insert(0, lead)
    labels += years

    # The row above: on wide screens month names, else quarter names, where they fit; on
    # narrow ones, in larger text, month initials where they fit, except where they would
    # run into a year label (which stands for its January). A few quarter names between
    # year labels on a phone would read as a broken sequence, so they are left out.
    for narrow, months in ((False, MONTHS), (True, INITIALS)):
        minors = _minor_row(
            ticks, start, x0, minor_y, limit, px_month, px_quarter, months=months, narrow=narrow
        )
        if narrow:  # the larger text reaches down into the year row
            minors = [m for m in minors if all(before(a, m) or before(m, a) for a in years)]
        labels += minors
    return Axis(y, x0, x1, tuple(ticks), tuple(labels))


def _minor_row(
    ticks: list[Tick],
    start: dt.date,
    x0: float,
    y: float,
    limit: float,
    px_month: float,
    px_quarter: float,
    *,
    months: tuple[str, ...],
    narrow: bool,
) -> list[Label]:
    """Labels of the months, else of the quarters, when their periods have room for them."""
    size = FONT_LARGE if narrow else FONT
    room = LABEL_GAP + TICK_LABEL_DX
    month_room = px_month >= _widest(months, size) + room
    if not month_room and (narrow or px_quarter < _widest(("Q4",), size) + room):
        return []
    names = months if month_room else QUARTERS  # by month
    show: Visibility = "narrow" if narrow else "wide"
    periods = [t for t in ticks if month_room or t.kind != "month"]
    minors = [
        Label(t.x + TICK_LABEL_DX, y, names[t.day.month - 1], "mm-minor", show=show)
        for t in periods
    ]
    if not narrow and (not periods or periods[0].day != start):
        # The period the axis starts in, labelled at the axis' start if it fits.
        lead = Label(x0, y, names[start.month - 1], "mm-minor", show=show)
        if not minors or before(lead, minors[0], narrow=narrow):
            minors.insert(0, lead)
    return [label for label in minors if fits(label, limit, narrow=narrow)]


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


@functools.cache
def _widest(texts: tuple[str, ...], size: float) -> float:
    return max(text_width(text, size) for text in texts)


INITIALS = tuple(month[0] for month in MONTHS)


# Pages of one year (or of one range) draw the same axis again and again; an axis is
# immutable and depends on nothing but these arguments. (The cache takes equal numbers for
# the same, so only for the charts' own arguments: their fixed edges and ordinal scales.)
@functools.lru_cache(maxsize=256)
def shared_axis(scale: TimeScale, x0: float, x1: float, y: float, limit: float) -> Axis:
    return layout_axis(scale, x0=x0, x1=x1, y=y, limit=limit)
