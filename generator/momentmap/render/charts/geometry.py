"""Sizes and names shared by every chart, in viewBox units.

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
"""

from __future__ import annotations

from typing import Literal

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
TREND_EVERY = 16  # the emotion line averages over one mark in this many (see trend_line)

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
BAR_LABEL_MAX, BAR_TEXT_MAX, BAR_GAP = 190.0, 110.0, 10.0
BAR_LABEL_LINES, BAR_LINE = 2, 17.0  # a long label wraps onto a second line, this far below

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
