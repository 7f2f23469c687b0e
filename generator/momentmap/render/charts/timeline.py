"""The timeline's layout: marks on a time axis, stacked where they would overlap.

Marks closer than `PITCH` (their largest size plus a gap) are stacked
upwards from the axis, each mark on the lowest level where it overlaps
nothing, so marks never overlap and keep their exact x. At most `MAX_LEVELS` levels
are stacked; marks that do not fit are gathered into count badges ("+12")
on a row above the stacks. A badge collects the overflowing marks from
its x to the next badge; it links to the first of them and its tooltip
names them all (the moments are also listed on the page in text).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from momentmap.render.charts.axis import Axis, shared_axis, time_scale
from momentmap.render.charts.geometry import (
    AXIS_FOOT,
    BADGE_FONT,
    BADGE_GAP,
    BADGE_H,
    BADGE_PAD,
    GLYPH_R,
    GLYPH_R_VERY,
    MAX_LEVELS,
    NARROW_MARK_SCALE,
    PITCH,
    RING_R,
    TL_AXIS_L,
    TL_AXIS_R,
    TL_PLOT_L,
    TL_PLOT_R,
    WIDTH,
)
from momentmap.render.charts.marks import Mark, PlacedMark, chronological, glyph_r
from momentmap.render.charts.text import Box, Label, date_label, text_width


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
    ordered = chronological(marks)
    if not ordered:
        raise ValueError("layout_timeline needs at least one mark")
    first, last = range(ordered, start, end)
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
            glyph_r(mark, GLYPH_R, GLYPH_R_VERY),
            RING_R if mark.moment_of_truth else 0.0,
        )
        for mark, x, level in stacked
    )
    clusters = _clusters(overflow, base - MAX_LEVELS * PITCH)
    axis = shared_axis(scale, TL_AXIS_L, TL_AXIS_R, axis_y, WIDTH - 2)
    labels = list(axis.labels)
    if ordered[0].day == ordered[-1].day:
        labels.append(date_label(placed[0].x, base, ordered[0].day, WIDTH - 2))
    return TimelineLayout(WIDTH, axis_y + AXIS_FOOT, top, axis, placed, clusters, tuple(labels))


def _free_level(level_ends: Sequence[float], x: float) -> int:
    """The lowest level whose last mark is at least PITCH left of `x`; a new one if none."""
    for level, end_x in enumerate(level_ends):
        if x - end_x >= PITCH:
            return level
    return len(level_ends)


def range(
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
