"""The journey view: where along the stages customers felt what, and where the chain breaks.

Left waiting: after a negative moment of truth, how long the customer waited
for us. When promises were made there, the wait ends when the last of them was
kept; otherwise it ends at the customer's next moment. A wait that has not
ended (a promise not kept, no moment since) runs to the as-of date and is
marked as still waiting. To the minute when both ends have a time, else in
days; the longest first.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from momentmap.model import Customer, Moment, Site, When, elapsed
from momentmap.urls import slugify
from momentmap.views.insights import NEGATIVE, late_words

SENTIMENT_COLUMNS = ("very negative", "negative", "neutral", "mixed", "positive", "very positive")
NO_STAGE = "no stage"


@dataclass(frozen=True, slots=True)
class Cell:
    stage: str
    sentiment: str
    moments: list[Moment]

    @property
    def url(self) -> str:
        return f"journey/{slugify(self.stage)}/{slugify(self.sentiment)}/"


@dataclass(frozen=True, slots=True)
class Wait:
    moment: Moment  # the negative moment of truth
    waited: dt.timedelta
    ended_by: str  # "until its promises were kept", "until the next moment"; "" while waiting

    @property
    def text(self) -> str:
        return late_words(self.waited) or "less than a minute"


@dataclass(frozen=True, slots=True)
class StageBreaks:
    stage: str
    negative_truths: int  # negative moments of truth at this stage
    truths: int  # all moments of truth at this stage


def journey_pages(
    site: Site, moments: list[Moment]
) -> list[tuple[str, str, str, dict[str, object]]]:
    """(url, template, title, context) of the journey page and one page per non-empty cell."""
    stages = list(site.config.stages) + (
        [NO_STAGE] if any(m.stage is None for m in moments) else []
    )
    cells: dict[tuple[str, str], list[Moment]] = defaultdict(list)
    for moment in moments:
        cells[(moment.stage or NO_STAGE, moment.sentiment)].append(moment)
    rows = [
        (stage, [Cell(stage, s, cells.get((stage, s), [])) for s in SENTIMENT_COLUMNS])
        for stage in stages
    ]

    truths = [m for m in moments if m.moment_of_truth]
    truths_by_stage = [
        (stage, [m for m in reversed(truths) if (m.stage or NO_STAGE) == stage]) for stage in stages
    ]
    breaks = [
        StageBreaks(stage, sum(m.sentiment in NEGATIVE for m in found), len(found))
        for stage, found in truths_by_stage
    ]
    weakest = sorted(
        (b for b in breaks if b.negative_truths),
        key=lambda b: (-b.negative_truths, stages.index(b.stage)),
    )
    context: dict[str, object] = {
        "cell": None,
        "columns": SENTIMENT_COLUMNS,
        "rows": rows,
        "moments_of_truth": [(stage, found) for stage, found in truths_by_stage if found],
        "first_breaks": first_breaks(site.customers, truths),
        "left_waiting": left_waiting(moments, site.as_of)[:WAITS_SHOWN],
        "weakest_stages": weakest,
    }
    pages = [("journey/", "journey.html", "Journey", context)]
    for row in rows:
        for cell in row[1]:
            if cell.moments:
                title = f"{cell.stage.capitalize()}, {cell.sentiment}"
                pages.append((cell.url, "journey.html", title, {**context, "cell": cell}))
    return pages


def first_breaks(
    customers: dict[str, Customer], truths: list[Moment]
) -> list[tuple[Customer, Moment]]:
    """Per customer, the first negative moment of truth: where the chain first broke."""
    first: dict[str, Moment] = {}
    for moment in truths:  # chronological
        if moment.sentiment in NEGATIVE:
            first.setdefault(moment.customer, moment)
    return [(customers[slug], first[slug]) for slug in customers if slug in first]


WAITS_SHOWN = 10


def left_waiting(moments: list[Moment], as_of: dt.date) -> list[Wait]:
    """Every negative moment of truth with how long the customer waited after it."""
    following: dict[str, Moment] = {}  # customer -> the moment after the one in hand
    waits = []
    for moment in reversed(moments):  # newest first, so the next moment is known
        if moment.moment_of_truth and moment.sentiment in NEGATIVE:
            waits.append(_wait(moment, following.get(moment.customer), as_of))
        following[moment.customer] = moment
    return sorted(waits, key=lambda w: (-w.waited, w.moment.sort_key()))


def _wait(moment: Moment, after: Moment | None, as_of: dt.date) -> Wait:
    start = moment.when
    if moment.promises:
        kept = [p.kept for p in moment.promises]
        if all(isinstance(k, When) for k in kept):
            last = max((k for k in kept if isinstance(k, When)), key=lambda k: k.instant(k))
            return Wait(moment, _between(start, last), "until its promises were kept")
    elif after is not None:
        return Wait(moment, _between(start, after.when), "until the next moment")
    return Wait(moment, _between(start, When(as_of)), "")


def _between(start: When, end: When) -> dt.timedelta:
    return max(elapsed(start, end), dt.timedelta())
