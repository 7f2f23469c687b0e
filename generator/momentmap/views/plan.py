"""A customer's plan for the coming year (SPEC 8.3, `customers/<slug>/plan/`): what
the reflection turns into, and whether last year's plan was done.

Every plan item has a target: `Q1:` … `Q4:` is that quarter of the year after
its moment's year, `by YYYY-MM-DD:` the quarter of that date, and an item
without a prefix targets the year after its moment's year, with no quarter.

The plan is for the coming year: the year after the as-of date's from October
on (when teams reflect on the year that is ending), else the as-of year.

- **Open plan items** are the ones not done that target the plan's year or
  later, grouped by quarter in date order (a year's items without a quarter
  after its quarters).
- **Did we do what we said?** lists the items that targeted the year before
  the plan's, done or not, with the share done; an open one whose quarter or
  date has passed is marked overdue.
- **What we would do differently** comes from the moments of the last 12
  months; **assumptions to clarify** are the open ones, oldest first; **open
  promises** are those not kept, broken or dropped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from momentmap.model import Item, Moment, quarter_of
from momentmap.views.insights import (
    ItemRef,
    PromiseRef,
    items,
    open_assumptions_oldest_first,
    promise_refs,
)


@dataclass(frozen=True, slots=True)
class PlanItem:
    ref: ItemRef
    year: int
    quarter: int  # 1 … 4, 0 for the year as a whole
    overdue: bool

    @property
    def done(self) -> bool:
        return self.ref.item.done


@dataclass(frozen=True, slots=True)
class Period:
    year: int
    quarter: int  # 0: the year as a whole

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.quarter}" if self.quarter else f"{self.year}, no quarter set"


def target(item: Item, moment: Moment) -> tuple[int, int]:
    """(year, quarter) an item aims at; quarter 0 when it names none."""
    if item.due is not None:
        return item.due.year, quarter_of(item.due)
    return moment.year + 1, item.quarter


def plan_due(item: Item, moment: Moment) -> str | None:
    """When a plan item is due, as data: '2025-Q1' (of the year after the moment's), a
    date, or None."""
    if item.due is not None:
        return item.due.isoformat()
    if item.quarter:
        year, quarter = target(item, moment)
        return f"{year}-Q{quarter}"
    return None


def plan_year(as_of: dt.date) -> int:
    """The year a plan made on `as_of` is for."""
    return as_of.year + 1 if as_of.month >= 10 else as_of.year


def period_end(year: int, quarter: int) -> dt.date:
    """The last day of a quarter, or of the year when `quarter` is 0."""
    if quarter == 0 or quarter == 4:
        return dt.date(year, 12, 31)
    return dt.date(year, 3 * quarter + 1, 1) - dt.timedelta(days=1)


def plan_items(moments: Sequence[Moment], as_of: dt.date) -> list[PlanItem]:
    found = []
    for ref in items(moments, "plan", as_of):
        year, quarter = target(ref.item, ref.moment)
        due = ref.item.due or period_end(year, quarter)
        found.append(PlanItem(ref, year, quarter, not ref.item.done and due < as_of))
    return found


def customer_plan(moments: Sequence[Moment], as_of: dt.date) -> dict[str, object]:
    """The plan page's variables for one customer's moments (in date order)."""
    planned = plan_items(moments, as_of)
    year = plan_year(as_of)
    upcoming = sorted(
        (p for p in planned if not p.done and p.year >= year),
        key=lambda p: (
            p.year,
            p.quarter or 5,
            p.ref.item.due or dt.date.max,
            p.ref.moment.sort_key(),
        ),
    )
    by_period: list[tuple[Period, list[PlanItem]]] = []
    for item in upcoming:
        period = Period(item.year, item.quarter)
        if not by_period or by_period[-1][0] != period:
            by_period.append((period, []))
        by_period[-1][1].append(item)
    last_year = [p for p in planned if p.year == year - 1]
    done = sum(p.done for p in last_year)
    year_ago = as_of - dt.timedelta(days=365)
    recent = [m for m in moments if year_ago <= m.date <= as_of]
    promises: list[PromiseRef] = [
        r for r in promise_refs(moments, as_of) if r.status in ("open", "overdue")
    ]
    return {
        "plan_year": year,
        "by_quarter": by_period,
        "last_year": year - 1,
        "last_year_items": last_year,
        "last_year_done": done,
        "last_year_rate": round(100 * done / len(last_year)) if last_year else None,
        "do_differently": items(recent, "do_differently", as_of),
        "assumptions": open_assumptions_oldest_first(moments, as_of),
        "promises": promises,
    }
