"""The sparkline's layout: a customer's sentiment over the shared range, small."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from momentmap.render.charts.axis import TimeScale
from momentmap.render.charts.curve import trend_line
from momentmap.render.charts.geometry import SPARK_H, SPARK_PAD, SPARK_R, SPARK_R_VERY, SPARK_W
from momentmap.render.charts.marks import Mark, PlacedMark, chronological, glyph_r, score


@dataclass(frozen=True, slots=True)
class SparkLayout:
    width: float
    height: float
    zero_y: float
    marks: tuple[PlacedMark, ...]
    line: tuple[tuple[float, float], ...]
    quarters: tuple[float, ...] = ()  # x of each quarter's first day, when they are apart


def layout_sparkline(marks: Sequence[Mark], *, start: dt.date, end: dt.date) -> SparkLayout:
    """Marks over the shared range [start, end] (marks outside it are left out), the score
    as height. No ring for moments of truth: at this size it would hide its neighbours."""
    lo, hi = min(start, end), max(start, end)
    inside = [m for m in chronological(marks) if lo <= m.day <= hi]
    x_scale = TimeScale(lo.toordinal() - 0.5, hi.toordinal() + 0.5, SPARK_PAD, SPARK_W - SPARK_PAD)
    if hi > lo:
        x_scale = TimeScale(lo.toordinal(), hi.toordinal(), SPARK_PAD, SPARK_W - SPARK_PAD)
    row = (SPARK_H - 2 * SPARK_PAD) / 4

    def y(score: float) -> float:
        return SPARK_PAD + (2 - score) * row

    placed = tuple(
        PlacedMark(m, x, y(score(m)), 0, glyph_r(m, SPARK_R, SPARK_R_VERY))
        for m, x in zip(inside, x_scale.xs(m.day for m in inside), strict=True)
    )
    starts = [
        dt.date(year, month, 1)
        for year in range(lo.year, hi.year + 1)
        for month in (1, 4, 7, 10)
        if lo < dt.date(year, month, 1) <= hi
    ]
    xs = x_scale.xs(starts)
    apart = len(xs) < 2 or xs[1] - xs[0] >= SPARK_QUARTER_GAP
    return SparkLayout(
        SPARK_W, SPARK_H, y(0), placed, trend_line(placed, 3.0), tuple(xs) if apart else ()
    )


SPARK_QUARTER_GAP = 6.0  # quarter boundaries closer than this are left out
