"""Build-time SVG charts: layout by coordinates, drawing by parsed structure.

Layouts are asserted in viewBox units; the SVG is parsed (xml.etree) and checked
as elements and attributes, never by regex over markup.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Sequence

import pytest
from conftest import REPO
from markupsafe import Markup

from momentmap.render.charts.axis import time_scale
from momentmap.render.charts.bars import layout_bars
from momentmap.render.charts.curve import layout_emotion_curve, score_y
from momentmap.render.charts.geometry import (
    BADGE_FONT,
    BAR_FONT,
    BAR_LABEL_MAX,
    BAR_LINE,
    BAR_ROW,
    CURVE_PLOT_L,
    CURVE_PLOT_R,
    CURVE_ROW,
    CURVE_TOP,
    DENSE_R_VERY,
    EXTENT,
    FONT,
    FONT_LARGE,
    GLYPH_R,
    GLYPH_R_VERY,
    LINE_BIN,
    MAX_LEVELS,
    NARROW_MARK_SCALE,
    PITCH,
    RING_STROKE,
    SPARK_H,
    SPARK_PAD,
    SPARK_W,
    TICK_LABEL_DX,
    TL_AXIS_L,
    TL_AXIS_R,
    TL_PLOT_L,
    TL_PLOT_R,
    YEAR_STEPS,
)
from momentmap.render.charts.marks import Bar, Mark
from momentmap.render.charts.sparkline import layout_sparkline
from momentmap.render.charts.svg import (
    bars_svg,
    emotion_curve_svg,
    legend_html,
    sparkline_svg,
    timeline_svg,
)
from momentmap.render.charts.text import Box, Label, text_width
from momentmap.render.charts.timeline import TimelineLayout, layout_timeline

CHARTS_CSS = REPO / "themes" / "default" / "static" / "charts.css"
STYLE_CSS = REPO / "themes" / "default" / "static" / "style.css"
SENTIMENTS = {-2: "very negative", -1: "negative", 0: "neutral", 1: "positive", 2: "very positive"}
HOSTILE = "</title><script>alert(1)</script> \"quoted\" & 'single' <b>bold</b> ]]> &amp;"
D = dt.date


def mark(
    day: dt.date,
    score: int = 0,
    *,
    sentiment: str | None = None,
    truth: bool = False,
    label: str | None = None,
    href: str | None = None,
) -> Mark:
    return Mark(
        day=day,
        score=score,
        sentiment=sentiment or SENTIMENTS[score],
        label=label if label is not None else f"{day}: a moment ({SENTIMENTS[score]})",
        href=href if href is not None else f"../../moments/{day}/index.html",
        moment_of_truth=truth,
    )


def spread(count: int, start: dt.date, span_days: int, *, seed: int = 7) -> list[Mark]:
    """`count` marks from `start` to `start + span_days` (both ends used when count > 1)."""
    rnd = random.Random(seed)
    days = [0, span_days][:count] + [rnd.randint(0, span_days) for _ in range(count - 2)]
    out = []
    for i, offset in enumerate(days):
        score = rnd.choice([-2, -1, 0, 1, 2])
        sentiment = "mixed" if score == 0 and i % 3 == 0 else SENTIMENTS[score]
        out.append(
            mark(start + dt.timedelta(days=offset), score, sentiment=sentiment, truth=i % 4 == 0)
        )
    return out


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter("text")]


# --- independent checks of layouts ----------------------------------------------------------

TEST_CHAR_EM = 0.6  # this test's own estimate of a character's width in system sans-serif


def text_box(label: Label, *, narrow: bool) -> Box | None:
    """A label's box by this test's own estimate of text width."""
    size = label.size(narrow=narrow)
    if size is None:
        return None
    width = len(label.text) * TEST_CHAR_EM * size
    x0 = {"start": label.x, "middle": label.x - width / 2, "end": label.x - width}[label.anchor]
    if label.middle:
        return Box(x0, label.y - 0.5 * size, x0 + width, label.y + 0.5 * size)
    return Box(x0, label.y - 0.75 * size, x0 + width, label.y + 0.2 * size)


def assert_labels_apart(labels: Sequence[Label], width: float, height: float) -> None:
    for narrow in (False, True):
        boxes = [(label, text_box(label, narrow=narrow)) for label in labels]
        shown = [(label, box) for label, box in boxes if box is not None]
        for label, box in shown:
            assert box.x0 >= 0 and box.x1 <= width, (narrow, label)
            assert box.y0 >= 0 and box.y1 <= height, (narrow, label)
        for (a, box_a), (b, box_b) in itertools.combinations(shown, 2):
            assert not box_a.overlaps(box_b), (narrow, a, b)


def scaled(box: Box, k: float) -> Box:
    """`box` grown `k` times around its centre, as charts.css draws marks on narrow screens."""
    cx, cy = (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2
    w, h = (box.x1 - box.x0) * k / 2, (box.y1 - box.y0) * k / 2
    return Box(cx - w, cy - h, cx + w, cy + h)


def assert_marks_apart(layout: TimelineLayout) -> None:
    """Marks and badges overlap nothing, at their normal size and as enlarged on phones."""
    e = EXTENT
    normal = [Box(p.x - e, p.y - e, p.x + e, p.y + e) for p in layout.marks]
    normal += [c.box for c in layout.clusters]
    for k in (1.0, NARROW_MARK_SCALE):
        assert_boxes_apart([scaled(box, k) for box in normal], layout)


def assert_boxes_apart(boxes: list[Box], layout: TimelineLayout) -> None:
    for box in boxes:
        assert box.x0 >= 0 and box.x1 <= layout.width
        assert box.y0 >= 0 and box.y1 <= layout.axis.y
    boxes.sort(key=lambda b: b.x0)
    widest = max(b.x1 - b.x0 for b in boxes)
    for i, a in enumerate(boxes):  # only neighbours that can reach each other
        for b in boxes[i + 1 :]:
            if b.x0 > a.x0 + widest:
                break
            assert not a.overlaps(b), (a, b)


# --- time axis and marks' positions -------------------------------------------------------


def test_first_and_last_day_sit_at_the_padded_edges_and_halfway_is_halfway() -> None:
    layout = layout_timeline([mark(D(2024, 1, 1)), mark(D(2024, 1, 31)), mark(D(2024, 3, 1))])
    xs = [p.x for p in layout.marks]
    assert xs == pytest.approx([TL_PLOT_L, (TL_PLOT_L + TL_PLOT_R) / 2, TL_PLOT_R])
    assert TL_AXIS_L < TL_PLOT_L and TL_PLOT_R < TL_AXIS_R
    assert {p.level for p in layout.marks} == {0}


def test_marks_are_placed_in_date_order_whatever_the_input_order() -> None:
    marks = [mark(D(2024, 3, 1)), mark(D(2024, 1, 1)), mark(D(2024, 1, 31))]
    layout = layout_timeline(marks)
    assert [p.mark.day for p in layout.marks] == sorted(m.day for m in marks)
    assert timeline_svg(marks, title="t") == timeline_svg(
        sorted(marks, key=lambda m: m.day), title="t"
    )


def test_emotion_curve_uses_the_same_time_rule_in_its_own_plot() -> None:
    layout = layout_emotion_curve(
        [mark(D(2022, 5, 1), 2), mark(D(2022, 6, 15), -2), mark(D(2022, 7, 30), 0)]
    )
    xs = [p.x for p in layout.marks]
    middle = (CURVE_PLOT_L + CURVE_PLOT_R) / 2
    assert xs == pytest.approx([CURVE_PLOT_L, middle, CURVE_PLOT_R])


@pytest.mark.parametrize("score", [-2, -1, 0, 1, 2])
def test_emotion_curve_y_for_each_score(score: int) -> None:
    layout = layout_emotion_curve([mark(D(2024, 1, 1), score), mark(D(2024, 6, 1), 0)])
    y = layout.marks[0].y
    assert y == pytest.approx(CURVE_TOP + (2 - score) * CURVE_ROW)
    assert dict(layout.rows)[score] == pytest.approx(y)


def test_emotion_curve_puts_positive_up_and_mixed_on_the_zero_line() -> None:
    marks = [
        mark(D(2024, 1, d), s) for d, s in zip((1, 5, 9, 13, 17), (-2, -1, 0, 1, 2), strict=True)
    ]
    marks.append(mark(D(2024, 1, 21), 0, sentiment="mixed"))
    ys = [p.y for p in layout_emotion_curve(marks).marks]
    assert ys[0] > ys[1] > ys[2] > ys[3] > ys[4]  # SVG y grows downwards
    assert ys[5] == ys[2]
    labels = {(label.text, label.show) for label in layout_emotion_curve(marks).labels}
    assert ("very positive", "wide") in labels and ("very negative", "wide") in labels
    assert ("+2", "narrow") in labels and ("\u22122", "narrow") in labels


def test_a_year_is_ticked_and_labelled_and_quarters_are_ticked() -> None:
    layout = layout_timeline([mark(D(2023, 2, 15)), mark(D(2025, 2, 15))])
    ticks = layout.axis.ticks
    assert [t.day for t in ticks if t.kind == "year"] == [D(2024, 1, 1), D(2025, 1, 1)]
    quarters = [t.day for t in ticks if t.kind == "quarter"]
    assert quarters == [D(y, m, 1) for y in (2023, 2024) for m in (4, 7, 10)]
    scale = time_scale(D(2023, 2, 15), D(2025, 2, 15), TL_PLOT_L, TL_PLOT_R)
    for tick in ticks:
        assert tick.x == pytest.approx(scale.x(tick.day))
    years = [label for label in layout.labels if "mm-year" in label.cls]
    assert [label.text for label in years] == ["2023", "2024", "2025"]
    assert years[0].x == TL_AXIS_L  # the first, partial year at the axis' start
    assert years[1].x == pytest.approx(scale.x(D(2024, 1, 1)) + TICK_LABEL_DX)
    # Two years on 648 units: quarters have room for their names, months do not.
    minors = [label.text for label in layout.labels if label.show == "wide"]
    assert minors == ["Q1", "Q2", "Q3", "Q4", "Q1", "Q2", "Q3", "Q4", "Q1"]


def test_a_few_months_get_month_names() -> None:
    layout = layout_timeline([mark(D(2024, 2, 10)), mark(D(2024, 6, 20))])
    minors = [label.text for label in layout.labels if label.show == "wide"]
    assert minors == ["Feb", "Mar", "Apr", "May", "Jun"]
    assert {t.kind for t in layout.axis.ticks} == {"quarter", "month"}


def test_ten_years_label_every_year_and_tick_no_months() -> None:
    layout = layout_timeline([mark(D(2015, 1, 10)), mark(D(2024, 12, 20))])
    years = [label.text for label in layout.labels if "mm-year" in label.cls]
    assert years == [str(y) for y in range(2015, 2025)]
    assert not [t for t in layout.axis.ticks if t.kind == "month"]
    assert not [label for label in layout.labels if label.show == "wide"]  # no room for Q1…


def test_long_ranges_label_every_nth_year() -> None:
    layout = layout_timeline([mark(D(1960, 1, 1)), mark(D(2024, 1, 1))])
    years = [int(label.text) for label in layout.labels if "mm-year" in label.cls]
    steps = {b - a for a, b in itertools.pairwise(years[1:])}  # after the partial first year
    assert len(steps) == 1 and steps.pop() in YEAR_STEPS
    assert all(y % 5 == 0 for y in years[1:])


def test_extreme_dates_do_not_break_the_axis() -> None:
    for marks in (
        [mark(dt.date.min)],
        [mark(dt.date.max)],
        [mark(dt.date.min), mark(dt.date.max)],
        [mark(D(9999, 12, 1)), mark(dt.date.max)],
    ):
        layout = layout_timeline(marks)
        assert_labels_apart(layout.labels, layout.width, layout.height)
        emotion_curve_svg(marks, title="t")
        sparkline_svg(marks, start=marks[0].day, end=marks[-1].day, title="t")


@pytest.mark.parametrize("span_days", [0, 1, 6, 45, 100, 365, 800, 1500, 3652, 10000])
@pytest.mark.parametrize("count", [1, 2, 3, 9, 60, 400])
def test_labels_never_overlap_and_marks_never_overlap(count: int, span_days: int) -> None:
    marks = spread(count, D(2019, 11, 20), span_days, seed=count * 31 + span_days)
    timeline = layout_timeline(marks)
    assert_labels_apart(timeline.labels, timeline.width, timeline.height)
    assert_marks_apart(timeline)
    drawn = len(timeline.marks) + sum(len(c.marks) for c in timeline.clusters)
    assert drawn == count  # every mark is a mark or counted in a badge
    assert max(p.level for p in timeline.marks) < MAX_LEVELS
    curve = layout_emotion_curve(marks)
    assert_labels_apart(curve.labels, curve.width, curve.height)
    assert len(curve.marks) == count


def test_year_in_review_range_keeps_labels_inside() -> None:
    """`start`/`end` give a year's range; a single late mark's date label flips left."""
    marks = [mark(D(2024, 12, 30))]
    layout = layout_timeline(marks, start=D(2024, 1, 1), end=D(2024, 12, 31))
    assert layout.marks[0].x == pytest.approx(TL_PLOT_L + (TL_PLOT_R - TL_PLOT_L) * 364 / 365)
    date = [label for label in layout.labels if label.text == "2024-12-30"]
    assert date and date[0].anchor == "end"
    assert_labels_apart(layout.labels, layout.width, layout.height)
    # The range widens but never hides a mark.
    wider = layout_timeline([mark(D(2023, 6, 1))], start=D(2024, 1, 1), end=D(2024, 12, 31))
    assert wider.marks[0].x == pytest.approx(TL_PLOT_L)


# --- density ------------------------------------------------------------------------------


def test_close_marks_stack_upwards_without_overlap() -> None:
    marks = [mark(D(2024, 5, 1)), mark(D(2024, 5, 2)), mark(D(2024, 5, 3)), mark(D(2024, 12, 1))]
    layout = layout_timeline(marks)
    levels = [p.level for p in layout.marks]
    assert levels == [0, 1, 2, 0]
    ys = [p.y for p in layout.marks]
    assert [ys[0] - ys[1], ys[1] - ys[2]] == pytest.approx([PITCH, PITCH])
    assert layout.marks[1].x > layout.marks[0].x  # each keeps its own date's x
    assert_marks_apart(layout)


def test_a_crowded_day_fills_the_stack_then_a_badge_counts_the_rest() -> None:
    marks = [mark(D(2024, 5, 1), label=f"moment {i}", href=f"m{i}/") for i in range(400)]
    layout = layout_timeline(marks)
    assert len(layout.marks) == MAX_LEVELS
    assert [p.mark.label for p in layout.marks] == [f"moment {i}" for i in range(MAX_LEVELS)]
    (badge,) = layout.clusters
    assert badge.text == f"+{400 - MAX_LEVELS}"
    assert badge.x == pytest.approx(layout.marks[0].x)
    assert layout.height < 250  # bounded, however many marks
    assert_marks_apart(layout)
    root = parse(timeline_svg(marks, title="Busy day"))
    links = root.findall("a")
    assert len(links) == MAX_LEVELS + 1
    badge_link = links[-1]
    assert badge_link.get("href") == f"m{MAX_LEVELS}/"  # the first mark it holds
    name = badge_link.get("aria-label") or ""
    assert name.startswith(badge.text) and "2024-05-01" in name
    assert "".join(badge_link.find("text").itertext()) == badge.text  # type: ignore[union-attr]


def test_badges_along_a_busy_year_never_overlap() -> None:
    marks = spread(400, D(2024, 1, 1), 120, seed=3)
    layout = layout_timeline(marks)
    assert len(layout.clusters) > 1
    xs = [c.x for c in layout.clusters]
    assert xs == sorted(xs)
    assert_marks_apart(layout)


# --- empty and single ---------------------------------------------------------------------


@pytest.mark.parametrize("draw", [timeline_svg, emotion_curve_svg])
def test_no_marks_draw_a_short_box_that_says_so(draw: Callable[..., Markup]) -> None:
    svg = draw([], title="Acme: timeline")
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Acme: timeline: no moments yet"
    assert texts(root) == ["No moments yet"]
    assert not root.findall(".//a")
    assert float(root.get("height") or 0) <= 40


def test_layouts_refuse_no_marks() -> None:
    with pytest.raises(ValueError):
        layout_timeline([])
    with pytest.raises(ValueError):
        layout_emotion_curve([])


def test_a_single_mark_is_centred_and_labelled_with_its_date() -> None:
    one = [mark(D(2024, 3, 14), -1, truth=True)]
    timeline = layout_timeline(one)
    assert timeline.marks[0].x == pytest.approx((TL_PLOT_L + TL_PLOT_R) / 2)
    assert "2024-03-14" in [label.text for label in timeline.labels]
    assert "2024" in [label.text for label in timeline.labels]
    curve = layout_emotion_curve(one)
    assert curve.marks[0].x == pytest.approx((CURVE_PLOT_L + CURVE_PLOT_R) / 2)
    date = next(label for label in curve.labels if label.text == "2024-03-14")
    assert date.y == curve.marks[0].y and date.x > curve.marks[0].x
    assert curve.line == ((curve.marks[0].x, curve.marks[0].y),)
    for svg in (timeline_svg(one, title="t"), emotion_curve_svg(one, title="t")):
        root = parse(svg)
        assert "2024-03-14" in texts(root)
        assert not root.findall("polyline")  # no line through one point


def test_several_marks_on_one_day_are_labelled_with_it_too() -> None:
    day = D(2024, 6, 1)
    layout = layout_timeline([mark(day, 1), mark(day, -1), mark(day, 2)])
    assert "2024-06-01" in [label.text for label in layout.labels]
    assert [p.level for p in layout.marks] == [0, 1, 2]


# --- emotion line -------------------------------------------------------------------------


def flat(points: Iterable[tuple[float, float]]) -> list[float]:
    """x0, y0, x1, y1…: pytest.approx compares flat sequences only."""
    return [value for point in points for value in point]


def test_emotion_line_goes_through_each_mark_when_there_are_few() -> None:
    marks = spread(12, D(2023, 1, 1), 700)
    layout = layout_emotion_curve(marks)
    assert len({p.x for p in layout.marks}) == 12
    assert flat(layout.line) == pytest.approx(flat((p.x, p.y) for p in layout.marks))


def test_emotion_line_joins_marks_on_one_day() -> None:
    """Two moments on one day are both on the line, joined by a vertical stroke."""
    day = D(2024, 2, 1)
    layout = layout_emotion_curve([mark(day, 2), mark(day, -2), mark(D(2024, 9, 1), 1)])
    first, second, third = layout.marks
    assert first.x == second.x
    expected = [(first.x, first.y), (second.x, second.y), (third.x, score_y(1))]
    assert {first.y, second.y} == {score_y(2), score_y(-2)}
    assert flat(layout.line) == pytest.approx(flat(expected))


def test_emotion_line_of_many_marks_is_a_moving_average() -> None:
    # Alternating +2 / -2: a line through every mark would zigzag the whole height.
    marks = [mark(D(2020, 1, 1) + dt.timedelta(days=3 * i), 2 if i % 2 else -2) for i in range(300)]
    layout = layout_emotion_curve(marks)
    ys = [y for _, y in layout.line]
    assert max(ys) - min(ys) < CURVE_ROW / 2
    xs = [x for x, _ in layout.line]
    assert xs == sorted(xs)
    assert all(b - a >= LINE_BIN for a, b in itertools.pairwise(xs))
    assert layout.marks[0].r == DENSE_R_VERY  # more marks than fit side by side: smaller


# --- drawing: structure, accessibility, escaping -------------------------------------------


def all_charts(marks: Sequence[Mark]) -> Iterator[str]:
    yield timeline_svg(marks, title="Timeline")
    yield emotion_curve_svg(marks, title="Curve")
    yield sparkline_svg(marks, start=D(2019, 1, 1), end=D(2026, 1, 1), title="Spark")
    yield bars_svg([Bar("Acme", 0.5, "50% of 2", "a/"), Bar("Zed", None, "")], title="Bars")


def test_svg_is_valid_for_html5_without_ids_styles_or_scripts() -> None:
    svg_texts = list(all_charts(spread(60, D(2021, 1, 1), 900)))
    for svg in svg_texts:
        root = parse(svg)
        assert root.tag == "svg"
        assert root.get("viewBox") and root.get("width") and root.get("height")
        assert root.get("role") in ("img", "group") and root.get("aria-label")
        for element in root.iter():
            assert element.tag not in ("script", "style", "foreignObject", "image", "use")
            for name in element.attrib:
                assert name not in ("id", "style") and not name.startswith("on"), name
                assert ":" not in name, name  # no xlink:href, no xmlns:xlink
        for link in root.iter("a"):
            assert link.get("href") and link.get("aria-label")


def test_timeline_marks_are_links_named_by_their_labels() -> None:
    marks = [
        mark(D(2024, 1, 1), -2, truth=True, href="../../moments/a/index.html"),
        mark(D(2024, 4, 1), 0, sentiment="mixed"),
        mark(D(2024, 8, 1), 1),
    ]
    root = parse(timeline_svg(marks, title="Acme: 3 moments"))
    assert root.get("role") == "group" and root.get("aria-label") == "Acme: 3 moments"
    links = root.findall("a")
    assert [a.get("aria-label") for a in links] == [m.label for m in marks]
    assert [a.findtext("title") for a in links] == [m.label for m in marks]
    assert links[0].get("href") == "../../moments/a/index.html"
    rings = [a.find("circle[@class='mm-ring']") is not None for a in links]
    assert rings == [True, False, False]


def glyph(marks: Sequence[Mark]) -> ET.Element:
    root = parse(timeline_svg(marks, title="t"))
    element = root.find("a/*[@class]")
    assert element is not None
    return element


@pytest.mark.parametrize(
    ("score", "sentiment", "tag", "cls", "points"),
    [
        (-2, "very negative", "path", "mm-s0", 3),
        (-1, "negative", "path", "mm-s1", 3),
        (0, "neutral", "circle", "mm-s2", 0),
        (0, "mixed", "path", "mm-mixed", 4),
        (1, "positive", "path", "mm-s3", 3),
        (2, "very positive", "path", "mm-s4", 3),
    ],
)
def test_sentiment_has_a_shape_as_well_as_a_colour(
    score: int, sentiment: str, tag: str, cls: str, points: int
) -> None:
    element = glyph([mark(D(2024, 1, 1), score, sentiment=sentiment)])
    assert element.tag == tag
    assert element.get("class") == f"mm-mark {cls}"
    if tag == "path":
        coords = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", element.get("d") or "")]
        pairs = list(zip(coords[::2], coords[1::2], strict=True))
        assert len(pairs) == points
        if points == 3:  # a triangle: its tip is up for positive, down for negative
            tip_y = pairs[0][1]
            base_y = pairs[1][1]
            assert (tip_y < base_y) == (score > 0)
            height = abs(base_y - tip_y)
            assert height == pytest.approx(
                2 * (GLYPH_R_VERY if abs(score) == 2 else GLYPH_R), abs=0.11
            )


def test_moments_of_truth_are_ringed_on_the_timeline_and_curve() -> None:
    marks = [mark(D(2024, 1, 1), 1, truth=True), mark(D(2024, 6, 1), 1)]
    for svg in (timeline_svg(marks, title="t"), emotion_curve_svg(marks, title="t")):
        links = parse(svg).findall("a")
        assert [len(a.findall("circle[@class='mm-ring']")) for a in links] == [1, 0]


def test_hostile_labels_titles_and_hrefs_stay_text() -> None:
    marks = [
        mark(D(2024, 1, 1), label=HOSTILE, href='../x/"><script>alert(1)</script>?a=1&b=2'),
        mark(D(2024, 5, 1), label="x\x00y\x1bz", href="../ok/"),
    ]
    bars = [Bar(HOSTILE, 0.5, HOSTILE, href="../<b>/"), Bar(HOSTILE * 3, 0.2, "20% of 5")]
    svgs = [
        timeline_svg(marks, title=HOSTILE),
        emotion_curve_svg(marks, title=HOSTILE),
        sparkline_svg(marks, start=D(2024, 1, 1), end=D(2024, 12, 31), title=HOSTILE),
        bars_svg(bars, title=HOSTILE),
    ]
    for svg in svgs:
        root = parse(svg)  # well-formed: nothing closed early
        tags = {element.tag for element in root.iter()}
        assert tags <= {
            "svg",
            "a",
            "title",
            "path",
            "circle",
            "polyline",
            "text",
            "rect",
            "g",
            "tspan",
        }
        assert root.get("aria-label") == HOSTILE
    timeline = parse(svgs[0])
    first, second = timeline.findall("a")
    assert first.get("aria-label") == HOSTILE and first.findtext("title") == HOSTILE
    assert first.get("href") == '../x/"><script>alert(1)</script>?a=1&b=2'
    assert second.get("aria-label") == "xyz"  # control characters HTML forbids are dropped
    assert set(first.attrib) == {"class", "href", "aria-label"}
    sparkline = parse(svgs[2])
    assert sparkline.findtext("title") == HOSTILE
    bars_root = parse(svgs[3])
    link = bars_root.find("a")
    assert link is not None and link.get("href") == "../<b>/" and link.get("aria-label") == HOSTILE
    shown = texts(bars_root)[1]  # the text after the first bar, shortened to its column
    assert shown.endswith("…") and HOSTILE.startswith(shown[:-1])
    assert [g.findtext("title") for g in bars_root.findall("g")] == [HOSTILE, HOSTILE * 3]


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:x",
        "data:text/html,x",
        "vbscript:x",
    ],
)
def test_unsafe_link_schemes_are_not_links(href: str) -> None:
    marks = [mark(D(2024, 1, 1), label="Bad link", href=href)]
    root = parse(timeline_svg(marks, title="t"))
    assert not root.findall(".//a")
    group = root.find("g")
    assert group is not None and group.get("aria-label") == "Bad link"
    bars = parse(bars_svg([Bar("Acme", 1.0, "100% of 1", href=href)], title="t"))
    assert not bars.findall(".//a")


@pytest.mark.parametrize(
    "href", ["../../moments/a/index.html", "moments/a:b/", "https://example.com/x", "#top", "?q=1"]
)
def test_ordinary_links_are_kept(href: str) -> None:
    root = parse(timeline_svg([mark(D(2024, 1, 1), href=href)], title="t"))
    link = root.find("a")
    assert link is not None and link.get("href") == href


def test_same_input_gives_the_same_bytes_with_rounded_numbers() -> None:
    marks = spread(300, D(2021, 3, 3), 1700, seed=11)
    first = list(all_charts(marks))
    again = list(all_charts(list(marks)))
    assert first == again
    for svg in first:
        for element in parse(svg).iter():
            for name, value in element.attrib.items():
                if name in ("href", "aria-label", "class", "role"):
                    continue
                for number in re.findall(r"-?\d+\.\d+", value):
                    assert len(number.split(".")[1]) == 1, (name, value)
                assert "-0 " not in f"{value} " and "-0," not in value


# --- sparkline ----------------------------------------------------------------------------


def test_sparkline_is_a_small_image_over_the_shared_range() -> None:
    start, end = D(2021, 1, 1), D(2025, 12, 31)
    marks = [mark(start, 2), mark(D(2023, 7, 2), -2, truth=True), mark(end, 0)]
    layout = layout_sparkline(marks, start=start, end=end)
    assert [p.x for p in layout.marks] == pytest.approx(
        [SPARK_PAD, SPARK_W / 2, SPARK_W - SPARK_PAD], abs=0.1
    )
    ys = [p.y for p in layout.marks]
    assert ys[0] == SPARK_PAD and ys[1] == SPARK_H - SPARK_PAD
    assert ys[2] == layout.zero_y
    assert all(p.ring == 0 for p in layout.marks)
    root = parse(sparkline_svg(marks, start=start, end=end, title="Acme: 3 moments"))
    assert (root.get("width"), root.get("height")) == ("160", "32")
    assert root.get("role") == "img" and root.get("aria-label") == "Acme: 3 moments"
    assert root.findtext("title") == "Acme: 3 moments"
    assert not root.findall(".//a") and not root.findall(".//text")
    assert root.find("polyline") is not None


def test_sparklines_compare_on_one_range_and_leave_out_what_is_outside() -> None:
    start, end = D(2022, 1, 1), D(2023, 1, 1)
    one = layout_sparkline([mark(D(2022, 7, 1))], start=start, end=end)
    other = layout_sparkline(
        [mark(D(2021, 5, 1)), mark(D(2022, 7, 1)), mark(D(2024, 1, 1))], start=start, end=end
    )
    assert len(other.marks) == 1 and other.marks[0].x == one.marks[0].x
    empty = parse(sparkline_svg([], start=start, end=end, title="Quiet: no moments"))
    assert empty.get("aria-label") == "Quiet: no moments"
    assert empty.find("path[@class='mm-zero']") is not None
    same_day = layout_sparkline([mark(start)], start=start, end=start)
    assert same_day.marks[0].x == pytest.approx(SPARK_W / 2)


# --- bars ---------------------------------------------------------------------------------


def test_bar_lengths_for_zero_half_full_and_nothing_due() -> None:
    bars = [
        Bar("Zero", 0.0, "0% of 3"),
        Bar("Half", 0.5, "50% of 2"),
        Bar("Full", 1.0, "100% of 8"),
        Bar("None due", None, "nothing due"),
        Bar("Over", 1.7, "170%"),
    ]
    layout = layout_bars(bars)
    lengths = [row.length for row in layout.rows]
    track = layout.track_width
    assert lengths == [
        0.0,
        pytest.approx(track / 2),
        pytest.approx(track),
        None,
        pytest.approx(track),
    ]
    assert layout.track_x > 0 and layout.text_x >= layout.track_x + track
    assert layout.track_x + track <= layout.width
    root = parse(bars_svg(bars, title="Keep rates"))
    assert root.get("role") == "group" and root.get("aria-label") == "Keep rates"
    bar_rects = [r for r in root.iter("rect") if r.get("class") == "mm-bar"]
    assert [float(r.get("width") or 0) for r in bar_rects] == pytest.approx(
        [track / 2, track, track], abs=0.05
    )
    tracks = [r for r in root.iter("rect") if r.get("class") == "mm-track"]
    assert len(tracks) == 4  # none for the row with nothing due
    shown = texts(root)
    for bar in bars:
        assert bar.label in shown and bar.text in shown  # numbers in text, not only length


def test_long_bar_labels_wrap_onto_a_second_line_and_only_the_rest_is_cut() -> None:
    two_lines = "Brandt & Vogel Logistik GmbH"
    too_long = "Globex International Holdings Limited of Springfield and Shelbyville Counties"
    bars = [
        Bar(two_lines, 0.5, "50% of 2", "../c/bv/"),
        Bar(too_long, 0.25, "25% of 4", "../c/globex/"),
        Bar("Initech", 0.5, "50% of 2"),
    ]
    layout = layout_bars(bars)
    first, second, third = layout.rows
    assert len(first.lines) == 2 and " ".join(first.lines) == two_lines  # nothing cut
    assert len(second.lines) == 2 and second.lines[-1].endswith("…")
    shown = " ".join(second.lines)[:-1]
    assert too_long.startswith(shown) and too_long.split()[: len(shown.split())] == shown.split()
    for line in (*first.lines, *second.lines):
        assert text_width(line, BAR_FONT) <= BAR_LABEL_MAX
    assert third.lines == ("Initech",)
    # Rows grow for their second line and never overlap.
    assert third.y - second.y == pytest.approx(BAR_ROW + BAR_LINE / 2)
    assert layout.height == pytest.approx(3 * BAR_ROW + 2 * BAR_LINE)
    root = parse(bars_svg(bars, title="t"))
    links = root.findall("a")
    assert [link.get("aria-label") for link in links] == [two_lines, too_long]
    assert links[1].findtext("title") == too_long  # the full label as a tooltip
    label = links[0].find("text[@class='mm-bar-label']")
    assert label is not None and label.text == first.lines[0] + " "
    assert [t.text for t in label.iter("tspan")] == [first.lines[1]]
    unlinked = root.find("text[@class='mm-bar-label']")  # no href: plain text
    assert unlinked is not None and unlinked.text == "Initech"


def test_bar_text_defaults_when_empty() -> None:
    rows = layout_bars([Bar("A", None, ""), Bar("B", 0.755, "")]).rows
    assert [row.text for row in rows] == ["nothing due", "76%"]


def test_no_bars_draw_a_box_that_says_so() -> None:
    root = parse(bars_svg([], title="Keep rates"))
    assert root.get("role") == "img" and texts(root) == ["Nothing to show yet"]


# --- stylesheet -----------------------------------------------------------------------------


def test_charts_css_styles_every_class_and_uses_the_theme_variables() -> None:
    css = CHARTS_CSS.read_text(encoding="utf-8")
    theme_variables = set(re.findall(r"(--[\w-]+)\s*:", STYLE_CSS.read_text(encoding="utf-8")))
    used = set(re.findall(r"var\((--[\w-]+)", css))
    assert used <= theme_variables, used - theme_variables
    classes: set[str] = set()
    for svg in all_charts(spread(300, D(2024, 1, 1), 60)):
        for element in parse(svg).iter():
            classes.update((element.get("class") or "").split())
    classes.update(("mm-s0", "mm-s1", "mm-s2", "mm-s3", "mm-s4", "mm-mixed", "mm-ring"))
    unstyled = {"mm-show-both", "mm-score", "mm-minor", "mm-tick-year", "mm-tick-quarter"}
    assert "mm-m" in classes  # marks and badges, enlarged on narrow screens
    for cls in sorted(classes - unstyled):
        assert re.search(rf"\.{cls}\b", css), f".{cls} is not styled in charts.css"


def test_charts_css_sizes_match_the_layout() -> None:
    css = CHARTS_CSS.read_text(encoding="utf-8")
    assert f"font-size: {FONT:g}px; /* layout: FONT */" in css
    assert f"font-size: {FONT_LARGE:g}px; /* layout: FONT_LARGE" in css
    assert f"font-size: {BADGE_FONT:g}px; /* layout: BADGE_FONT */" in css
    assert f"font-size: {BAR_FONT:g}px; /* layout: BAR_FONT */" in css
    assert f"stroke-width: {RING_STROKE:g}; /* layout: RING_STROKE */" in css
    assert f"scale({NARROW_MARK_SCALE:g}); /* layout: NARROW_MARK_SCALE */" in css
    sizes = [float(s) for s in re.findall(r"\.mm-label \{ font-size: ([\d.]+)px", css)]
    assert sizes and max(sizes) == FONT_LARGE  # layout keeps labels apart up to this size


def test_legend_explains_every_shape() -> None:
    html = str(legend_html())
    root = ET.fromstring(html)
    assert root.tag == "ul"
    items = ["".join(li.itertext()) for li in root.findall("li")]
    assert items == [
        "very negative",
        "negative",
        "neutral",
        "mixed",
        "positive",
        "very positive",
        "moment of truth",
    ]
    assert all(svg.get("aria-hidden") == "true" for svg in root.iter("svg"))
