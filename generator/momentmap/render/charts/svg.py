"""Writing a layout as SVG: the same layout always gives the same bytes.

The timeline and emotion curve draw a short box saying "No moments yet"
(an image with that as part of its name); the sparkline draws its zero
line only.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence

from markupsafe import Markup

from momentmap.render.charts.axis import Axis
from momentmap.render.charts.bars import bar_text, layout_bars
from momentmap.render.charts.curve import layout_emotion_curve, score_y
from momentmap.render.charts.geometry import (
    BADGE_FONT,
    BADGE_H,
    BAR_FONT,
    BAR_H,
    BAR_LINE,
    BARS_W,
    EMPTY_TEXT,
    EXTENT,
    FONT,
    GLYPH_R,
    GLYPH_R_VERY,
    RING_R,
    SPARK_PAD,
    WIDTH,
    TickKind,
)
from momentmap.render.charts.marks import (
    Bar,
    Mark,
    PlacedMark,
    glyph_r,
    sentiment_class,
    shape_of,
)
from momentmap.render.charts.sparkline import layout_sparkline
from momentmap.render.charts.strip import STRIP_COLUMN, STRIP_FONT, Column, layout_strip
from momentmap.render.charts.text import Label
from momentmap.render.charts.timeline import Cluster, layout_timeline
from momentmap.urlsafety import safe_href


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
    quarters = [t.x for t in layout.axis.ticks if t.kind == "quarter"]
    if quarters:  # the boundaries between quarters, fainter than the years'
        parts.append(_vlines("mm-grid mm-quarter", quarters, layout.top, layout.axis.y))
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
    if layout.quarters:
        parts.append(_vlines("mm-quarter", layout.quarters, 1, layout.height - 1))
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
        first_y = row.y - (len(row.lines) - 1) * BAR_LINE / 2
        label = (
            f'<text class="mm-bar-label" x="0" y="{_n(first_y)}" dominant-baseline="central">'
            + _e(row.lines[0])
            # The space before a line keeps the words apart in the text's accessible name.
            + "".join(
                f' <tspan x="0" dy="{_n(BAR_LINE)}">{_e(line)}</tspan>' for line in row.lines[1:]
            )
            + "</text>"
        )
        href = safe_href(row.bar.href)
        if href:
            label = f'<a href="{_e(href)}" aria-label="{full}"><title>{full}</title>{label}</a>'
        elif " ".join(row.lines) != " ".join(row.bar.label.split()):  # cut: tooltip has it all
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
        full_text = bar_text(row.bar)
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
            mark, 10, 10, 0, glyph_r(mark, GLYPH_R, GLYPH_R_VERY), RING_R if truth else 0.0
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


def strip_svg(columns: Sequence[Column], *, largest: int, title: str) -> Markup:
    """A small picture of a factor's last quarters: an image with an accessible name
    (`title` says the numbers), no links."""
    layout = layout_strip(columns, largest)
    w, h = _n(layout.width), _n(layout.height)
    parts = [
        f'<svg class="mm-chart mm-strip" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'font-size="{_n(STRIP_FONT)}" role="img" aria-label="{_e(title)}">',
        f"<title>{_e(title)}</title>",
        f'<path class="mm-axis" d="M0 {_n(layout.baseline)}H{w}"/>',
    ]
    parts += [
        f'<rect class="{s.cls}" x="{_n(s.x)}" y="{_n(s.y)}" width="{_n(STRIP_COLUMN)}" '
        f'height="{_n(s.height)}"/>'
        for s in layout.segments
    ]
    parts += [
        f'<text class="mm-strip-label" x="{_n(x)}" y="{_n(layout.height - 2)}" '
        f'text-anchor="middle">{_e(text)}</text>'
        for x, text in layout.labels
    ]
    parts.append("</svg>")
    return Markup("\n".join(parts))
