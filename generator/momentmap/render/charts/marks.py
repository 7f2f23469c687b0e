"""What a chart draws: `Mark` and `Bar` (the interface), and a mark as placed."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Iterable
from dataclasses import dataclass

from momentmap.render.charts.geometry import GLYPH_R, SENTIMENT_CLASSES, Shape


@dataclass(frozen=True, slots=True)
class Mark:
    """One moment as drawn on a chart."""

    day: dt.date
    score: int  # -2 … 2
    sentiment: str  # 'very negative' … 'very positive' or 'mixed'
    label: str  # accessible name, e.g. "2024-03-14: Renewal call went sideways (negative)"
    href: str  # already relative to the page it is drawn on
    moment_of_truth: bool = False


@dataclass(frozen=True, slots=True)
class Bar:
    """One row of a bar chart."""

    label: str  # e.g. a customer or person
    value: float | None  # 0.0 … 1.0 (a rate), None when nothing is due
    text: str  # shown next to the bar, e.g. "75% of 8"
    href: str = ""  # optional link for the label


@dataclass(frozen=True, slots=True)
class PlacedMark:
    mark: Mark
    x: float
    y: float
    level: int = 0  # timeline: stack level, 0 next to the axis
    r: float = GLYPH_R  # half-height of the shape
    ring: float = 0.0  # radius of the ring of a moment of truth; 0 for none

    @property
    def shape(self) -> Shape:
        return shape_of(self.mark)


def shape_of(mark: Mark) -> Shape:
    if mark.sentiment == "mixed":
        return "diamond"
    score = int(mark.score)  # (its sign is that of `score`)
    return "down" if score < 0 else "up" if score > 0 else "circle"


def sentiment_class(mark: Mark) -> str:
    known = SENTIMENT_CLASSES.get(mark.sentiment)
    return known or f"mm-s{score(mark) + 2}"


def score(mark: Mark) -> int:
    score = int(mark.score)
    return -2 if score < -2 else 2 if score > 2 else score  # (min and max cost more)


def glyph_r(mark: Mark, normal: float, very: float) -> float:
    very_score = abs(int(mark.score)) >= 2  # (that is, abs(score(mark)) == 2)
    return very if very_score and mark.sentiment != "mixed" else normal


def chronological(marks: Iterable[Mark]) -> list[Mark]:
    return sorted(marks, key=DAY)  # stable: same-day marks keep the caller's order


DAY = operator.attrgetter("day")
