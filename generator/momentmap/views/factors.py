"""Factors as patterns (SPEC 8.3): which factors sabotage our outcomes, quarter by quarter.

A factor's moments are split by how the customer felt: negative (a score below
0), neutral or mixed, positive (above 0). Its net score is the sum of its
moments' sentiment scores (−2 … +2 each), so two very negative moments weigh
as much as four negative ones. A factor is sabotaging when more of its moments
are negative than positive, or as many and its net score is below 0. The factors page lists sabotaging factors first,
most negative net first, then the others, most positive first; each shows its
counts in each of the last four quarters up to the as-of date.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from momentmap.model import Moment, Site, quarter_of
from momentmap.views.insights import tone

QUARTERS_SHOWN = 4


@dataclass(frozen=True, slots=True)
class Counts:
    negative: int = 0
    neutral: int = 0
    positive: int = 0

    @property
    def total(self) -> int:
        return self.negative + self.neutral + self.positive


@dataclass(frozen=True, slots=True)
class QuarterCounts:
    year: int
    quarter: int
    counts: Counts

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.quarter}"


@dataclass(frozen=True, slots=True)
class FactorPattern:
    name: str
    url: str
    moments: tuple[Moment, ...]  # newest first
    counts: Counts
    net: int
    quarters: tuple[QuarterCounts, ...]  # the last four, oldest first

    @property
    def sabotaging(self) -> bool:
        """More of its moments went badly than well (or as many, and they weigh more)."""
        negative, positive = self.counts.negative, self.counts.positive
        return negative > positive or (negative == positive and self.net < 0)


def last_quarters(as_of: dt.date, count: int = QUARTERS_SHOWN) -> list[tuple[int, int]]:
    """(year, quarter) of the `count` quarters up to the as-of date's, oldest first."""
    index = as_of.year * 4 + quarter_of(as_of) - 1
    return [(i // 4, i % 4 + 1) for i in range(index - count + 1, index + 1)]


def count(moments: Iterable[Moment]) -> Counts:
    tally = {"negative": 0, "neutral": 0, "positive": 0}
    for moment in moments:
        tally[tone(moment)] += 1
    return Counts(**tally)


def factor_patterns(site: Site, moments: Sequence[Moment]) -> list[FactorPattern]:
    members: dict[str, list[Moment]] = defaultdict(list)
    for moment in moments:
        for factor in moment.factors:
            members[factor].append(moment)
    quarters = last_quarters(site.as_of)
    patterns = []
    for name, found in members.items():
        by_quarter: dict[tuple[int, int], list[Moment]] = defaultdict(list)
        for moment in found:
            by_quarter[(moment.year, moment.quarter)].append(moment)
        patterns.append(
            FactorPattern(
                name,
                f"factors/{site.terms['factors'][name]}/",
                tuple(reversed(found)),
                count(found),
                sum(m.sentiment_score for m in found),
                tuple(QuarterCounts(y, q, count(by_quarter.get((y, q), ()))) for y, q in quarters),
            )
        )
    patterns.sort(
        key=lambda p: (not p.sabotaging, p.net if p.sabotaging else -p.net, p.name.casefold())
    )
    return patterns
