"""What a reader sees, measured in a real browser at 390 and 1280 px, light, dark and
printed: no wrapped badge or broken date, no cut label where there is room, no
column off a phone's screen, rows aligned, a colour per sentiment, dark text on
paper. Each check reads the computed layout; every page it looks at is also saved
as a screenshot in tests/artifacts/screens/ for people to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import CHROMIUM, REPO, build_example

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs {CHROMIUM}")

AS_OF = "2025-12-01"
SHOTS = REPO / "tests" / "artifacts" / "screens"
WIDTHS = (390, 1280)
SCHEMES = ("light", "dark")
CUSTOMER = "customers/brandt-vogel/"  # has moments of truth, promises and a 2024 review
LOOKED_AT = {
    "promises": "promises/",
    "dashboard": "",
    "customers": "customers/",
    "customer": CUSTOMER,
    "year": CUSTOMER + "2024/",
    "journey": "journey/",
    "factors": "factors/",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example(tmp_path_factory.mktemp("screens") / "out", as_of=AS_OF)


@pytest.fixture(scope="module", params=[(w, s) for w in WIDTHS for s in SCHEMES])
def screen(request: pytest.FixtureRequest, browser: Any, site: Path) -> Iterator[Any]:
    """A page at one width and colour scheme; opens a site page with `.open(name)`."""
    width, scheme = request.param
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()

    def open_page(name: str) -> Any:
        page.goto((site / LOOKED_AT[name] / "index.html").as_uri())
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / f"{name}-{width}-{scheme}.png", full_page=True)
        return page

    page.open = open_page  # type: ignore[attr-defined]
    page.width = width  # type: ignore[attr-defined]
    yield page
    context.close()


def boxes(page: Any, selector: str) -> list[dict[str, float]]:
    return page.evaluate(
        """s => [...document.querySelectorAll(s)].filter(e => e.getClientRects().length)
            .map(e => { const r = e.getBoundingClientRect(), c = getComputedStyle(e);
              const range = document.createRange(); range.selectNodeContents(e);
              const tops = new Set([...range.getClientRects()].filter(b => b.width)
                .map(b => Math.round(b.bottom)));
              return {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                      height: r.height, font: parseFloat(c.fontSize), lines: tops.size}; })""",
        selector,
    )


# --- promise tables ---------------------------------------------------------------------------


def test_badges_and_dates_stay_on_one_line(screen: Any) -> None:
    for name in ("promises", "dashboard", "customer"):
        page = screen.open(name)
        for selector in ("table.promises .status", "table.promises time", "time"):
            found = boxes(page, selector)
            assert found, (name, selector)
            wrapped = [b for b in found if b["lines"] > 1]
            assert wrapped == [], (name, selector, "wraps onto a second line")


def test_tables_show_every_column_on_a_phone(screen: Any) -> None:
    """Promise, keep-rate and customer tables: every cell on screen, no sideways scroll."""
    for name, links in (
        ("promises", "table.promises td[data-label='Moment'] a"),
        ("customers", "td[data-label='Last moment'] a"),
    ):
        page = screen.open(name)
        assert page.evaluate("document.documentElement.scrollWidth") <= screen.width
        shown = boxes(page, links)
        assert shown and all(b["left"] >= 0 and b["right"] <= screen.width for b in shown)
        cells = boxes(page, "main tbody td, main tbody th")
        assert all(b["right"] <= screen.width + 0.5 for b in cells), name
        hidden = page.evaluate(
            "[...document.querySelectorAll('.table-wrap')].map(w => w.scrollWidth - w.clientWidth)"
        )
        assert hidden and max(hidden) <= 0, (name, hidden)  # no column behind a scroll


def test_promise_rows_are_sorted_by_due_date_with_a_kept_column(screen: Any) -> None:
    page = screen.open("promises")
    heads = page.evaluate(
        "[...document.querySelector('table.promises thead tr').children].map(th => th.textContent)"
    )
    assert heads == ["Promise", "Customer", "Due", "Kept", "Status", "Moment"]
    for dues in page.evaluate(
        "[...document.querySelectorAll('table.promises')].map(t => [...t.querySelectorAll"
        "('td[data-label=Due] time')].map(e => e.getAttribute('datetime')))"
    ):
        assert dues == sorted(dues)


# --- rows, bars, heat map, timeline -------------------------------------------------------------


def test_a_moment_of_truth_row_lines_up_with_the_others(screen: Any) -> None:
    page = screen.open("customer")
    lefts = page.evaluate(
        """[...document.querySelectorAll('.moment-row')].map(r => [r.classList.contains('truth'),
            Math.round(r.querySelector('time').getBoundingClientRect().left)])"""
    )
    assert {truth for truth, _ in lefts} == {True, False}
    assert len({left for _, left in lefts}) == 1, lefts


def test_bar_labels_are_whole_where_they_fit_in_two_lines(screen: Any) -> None:
    page = screen.open("promises")
    labels = page.evaluate(
        """[...document.querySelectorAll('svg.mm-bars a')].map(a => [a.getAttribute('aria-label'),
            a.querySelector('text').textContent, a.querySelectorAll('tspan').length])"""
    )
    assert labels
    for full, shown, _ in labels:
        assert shown == full, (full, shown)  # the lines, with the space between them
    assert any(extra for _, _, extra in labels)  # a long name took a second line


def test_the_heat_map_colours_each_sentiment_and_fits_a_phone(screen: Any) -> None:
    page = screen.open("journey")
    cells = page.evaluate(
        """[...document.querySelectorAll('table.matrix td.h1')].map(td => [
            [...td.classList].find(c => c.startsWith('heat-')), getComputedStyle(td).backgroundColor])"""
    )
    by_column: dict[str, set[str]] = {}
    for column, colour in cells:
        by_column.setdefault(column, set()).add(colour)
    assert len(by_column) >= 4
    assert all(len(colours) == 1 for colours in by_column.values())
    colours = [next(iter(c)) for c in by_column.values()]
    assert len(set(colours)) == len(colours), by_column  # no two sentiments look alike
    table = boxes(page, "table.matrix")[0]
    caption = boxes(page, "table.matrix caption")[0]
    assert table["right"] <= screen.width and caption["right"] <= screen.width
    wrap = page.evaluate(
        "(w => w.scrollWidth - w.clientWidth)(document.querySelector('table.matrix').parentElement)"
    )
    assert wrap <= 0


def test_the_year_timeline_has_a_legend_and_month_labels(screen: Any) -> None:
    page = screen.open("year")
    assert page.evaluate("!!document.querySelector('#_seminal ~ figure.chart + ul.mm-legend')")
    months = page.evaluate(
        """[...document.querySelectorAll('figure.chart svg.mm-timeline text.mm-minor')]
            .filter(t => getComputedStyle(t).display !== 'none').map(t => t.textContent)"""
    )
    assert len(months) >= 8, months


def test_factor_rows_have_no_overlapping_cells(screen: Any) -> None:
    page = screen.open("factors")
    overlaps = page.evaluate(
        """[...document.querySelectorAll('table.factors tbody tr')].flatMap(tr => {
            const rs = [...tr.children].map(c => c.getBoundingClientRect()).filter(r => r.width);
            const hits = [];
            for (let i = 0; i < rs.length; i++) for (let j = i + 1; j < rs.length; j++) {
              const a = rs[i], b = rs[j];
              if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1)
                hits.push(tr.querySelector('th').textContent.trim());
            }
            return hits; })"""
    )
    assert overlaps == []


# --- print ----------------------------------------------------------------------------------


def luminance(css: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"\d+", css)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


@pytest.mark.parametrize("scheme", SCHEMES)
def test_printing_gives_dark_text_on_white_whatever_the_preference(
    browser: Any, site: Path, scheme: str
) -> None:
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.goto((site / LOOKED_AT["year"] / "index.html").as_uri())
    page.emulate_media(media="print", color_scheme=scheme)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"year-print-{scheme}.png", full_page=True)
    colours = page.evaluate(
        """['body', 'h1', '.item-source', '.sentiment', '.check', '.tag', '.lead']
            .map(s => [s, getComputedStyle(document.querySelector(s)).color])"""
    )
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert luminance(background) == 1.0
    for selector, colour in colours:
        contrast = 1.05 / (luminance(colour) + 0.05)
        assert contrast >= 4.5, (selector, colour, contrast)
    context.close()
