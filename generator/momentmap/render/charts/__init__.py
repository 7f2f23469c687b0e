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

The modules, in dependency order: `geometry` (sizes), `marks` (the input and a
placed mark), `text`, `axis`, the layouts (`timeline`, `curve`, `sparkline`,
`bars`, `strip`) and `svg`, which writes them.
"""

from momentmap.render.charts.marks import Bar, Mark
from momentmap.render.charts.strip import Column
from momentmap.render.charts.svg import (
    bars_svg,
    emotion_curve_svg,
    legend_html,
    sparkline_svg,
    strip_svg,
    timeline_svg,
)

__all__ = [
    "Bar",
    "Column",
    "Mark",
    "bars_svg",
    "emotion_curve_svg",
    "legend_html",
    "sparkline_svg",
    "strip_svg",
    "timeline_svg",
]
