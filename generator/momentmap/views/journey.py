"""The journey view: where along the stages customers felt what, and where the chain breaks."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from momentmap.model import Customer, Moment, Site
from momentmap.urls import slugify
from momentmap.views.insights import NEGATIVE

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
