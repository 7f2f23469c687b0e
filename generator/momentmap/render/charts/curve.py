"""The emotion curve's layout: marks at (date, score) and the line through them.

The line goes through every mark while there are fewer than 2 ×
`TREND_EVERY`; with more, through a centred moving average, so a busy
year shows its trend rather than a scribble. Marks at one spot overlap
(each stays a link); with more marks than fit side by side they are drawn
smaller.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from momentmap.render.charts.axis import Axis, shared_axis, time_scale
from momentmap.render.charts.geometry import (
    AXIS_FOOT,
    CURVE_AXIS_L,
    CURVE_AXIS_R,
    CURVE_PLOT_L,
    CURVE_PLOT_R,
    CURVE_ROW,
    CURVE_TOP,
    CURVE_YLABEL_X,
    DENSE_R,
    DENSE_R_VERY,
    DENSE_RING_R,
    EXTENT,
    GLYPH_R,
    GLYPH_R_VERY,
    LINE_BIN,
    REACH,
    RING_R,
    SCORE_NUMBERS,
    SCORE_WORDS,
    TREND_EVERY,
    WIDTH,
)
from momentmap.render.charts.marks import Mark, PlacedMark, chronological, glyph_r, score
from momentmap.render.charts.text import Label, date_label
from momentmap.render.charts.timeline import range


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
    `trend_line`). When there are more marks than fit side by side, they are drawn
    smaller. `marks` must not be empty."""
    ordered = chronological(marks)
    if not ordered:
        raise ValueError("layout_emotion_curve needs at least one mark")
    first, last = range(ordered, start, end)
    scale = time_scale(first, last, CURVE_PLOT_L, CURVE_PLOT_R)
    dense = len(ordered) > (CURVE_PLOT_R - CURVE_PLOT_L) / (2 * EXTENT)
    r, r_very, ring = (
        (DENSE_R, DENSE_R_VERY, DENSE_RING_R) if dense else (GLYPH_R, GLYPH_R_VERY, RING_R)
    )
    placed = tuple(
        PlacedMark(
            m,
            x,
            _ROW_Y[score(m)],
            0,
            glyph_r(m, r, r_very),
            ring if m.moment_of_truth else 0.0,
        )
        for m, x in zip(ordered, scale.xs(m.day for m in ordered), strict=True)
    )
    rows = _CURVE_ROWS
    axis_y = score_y(-2) + REACH + 4
    axis = shared_axis(scale, CURVE_AXIS_L, CURVE_AXIS_R, axis_y, WIDTH - 2)
    labels = [*axis.labels, *_SCORE_LABELS]
    if ordered[0].day == ordered[-1].day:
        labels.append(date_label(placed[0].x, placed[0].y, ordered[0].day, WIDTH - 2))
    return CurveLayout(
        WIDTH,
        axis_y + AXIS_FOOT,
        CURVE_PLOT_L,
        CURVE_PLOT_R,
        rows,
        axis,
        placed,
        trend_line(placed, LINE_BIN),
        tuple(labels),
    )


def trend_line(placed: Sequence[PlacedMark], merge: float) -> tuple[tuple[float, float], ...]:
    """Points of the emotion line through `placed` (in x order).

    Below 2 × TREND_EVERY marks the line goes through every mark, marks of one day
    included (it joins them with a vertical stroke). With more, each point is the
    mean of a centred window of about one mark in TREND_EVERY (an odd count), so a
    busy year shows its trend rather than a scribble, and points closer than
    `merge` are averaged into one.
    """
    count = len(placed)
    half = max(1, (count // TREND_EVERY) | 1) // 2
    if half == 0:
        through = [(p.x, p.y) for p in placed]
        return tuple(pt for i, pt in enumerate(through) if i == 0 or pt != through[i - 1])
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
