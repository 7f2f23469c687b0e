"""Aggregates over the whole site, computed once per build for every page.

Pure functions of the model and the as-of date: the reflection answers
(learnings, assumptions, plans) and promise keeping. Which customers need
attention is `attention`.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from momentmap.model import Item, Moment, Promise, PromiseStatus, When, elapsed
from momentmap.words import counted

NEGATIVE = ("negative", "very negative")
Tone = Literal["negative", "neutral", "positive"]


def tone(moment: Moment) -> Tone:
    """How a moment went, in three: mixed counts as neutral."""
    if moment.sentiment == "mixed" or moment.sentiment_score == 0:
        return "neutral"
    return "negative" if moment.sentiment_score < 0 else "positive"


@dataclass(frozen=True, slots=True)
class ItemRef:
    """A reflection item with the moment it came from."""

    item: Item
    moment: Moment
    age_days: int  # days from the moment to the as-of date


@dataclass(frozen=True, slots=True)
class PromiseRef:
    promise: Promise
    moment: Moment
    status: PromiseStatus
    late: dt.timedelta  # overdue or kept late: how far past due; else zero

    @property
    def owners(self) -> tuple[str, ...]:
        """Who answers for the promise: its owner (`by`), else the moment's people."""
        return (self.promise.by,) if self.promise.by else self.moment.people

    @property
    def days_late(self) -> int:
        return self.late.days

    @property
    def late_text(self) -> str:
        """'3 days', '5 hours', '1 minute'; '' when not late."""
        return late_words(self.late)


def late_words(late: dt.timedelta) -> str:
    """A lateness in the largest whole unit: days, else hours, else minutes."""
    seconds = int(late.total_seconds())
    for size, unit in ((86_400, "day"), (3_600, "hour"), (60, "minute")):
        if seconds >= size:
            return counted(seconds // size, unit)
    return ""


@dataclass(frozen=True, slots=True)
class KeepRate:
    label: str
    url: str  # '' when the label has no page
    kept: int  # kept on or before due
    late: int
    broken: int
    overdue: int
    to_keep: dt.timedelta | None = None  # the median time from promising to keeping

    @property
    def to_keep_text(self) -> str:
        """'3 days', '5 hours'; '' when nothing was kept (or kept at once)."""
        return late_words(self.to_keep) if self.to_keep is not None else ""

    @property
    def due(self) -> int:
        return self.kept + self.late + self.broken + self.overdue

    @property
    def percent(self) -> int | None:
        return round(100 * self.kept / self.due) if self.due else None


def items(moments: Iterable[Moment], section: str, as_of: dt.date) -> list[ItemRef]:
    refs: list[ItemRef] = []
    for moment in moments:
        age = (as_of - moment.date).days
        refs.extend(ItemRef(item, moment, age) for item in getattr(moment, section))
    return refs


def promise_refs(moments: Iterable[Moment], as_of: dt.date) -> list[PromiseRef]:
    """Every promise of the moments, soonest due first; those without a due date last."""
    refs: list[PromiseRef] = []
    for moment in moments:
        for promise in moment.promises:
            status = promise.status(as_of)
            late = promise.late_by(as_of) if status in ("overdue", "late") else dt.timedelta()
            refs.append(PromiseRef(promise, moment, status, late))
    refs.sort(key=_by_due)
    return refs


def promises_by_owner(promises: Iterable[PromiseRef]) -> dict[str, list[PromiseRef]]:
    """Each person's promises (see `PromiseRef.owners`), in the order given: one pass,
    where a filter per person would take the square of a big site's promises."""
    owned: dict[str, list[PromiseRef]] = {}
    for ref in promises:
        for person in dict.fromkeys(ref.owners):
            owned.setdefault(person, []).append(ref)
    return owned


def _by_due(ref: PromiseRef) -> tuple[bool, When, tuple[When, str]]:
    due = ref.promise.due
    return (due is None, due or ref.moment.when, ref.moment.sort_key())


def keep_rate(label: str, url: str, refs: Iterable[PromiseRef]) -> KeepRate:
    counts = {"kept": 0, "late": 0, "broken": 0, "overdue": 0, "open": 0}
    times = []
    for ref in refs:
        counts[ref.status] += 1
        took = time_to_keep(ref.promise, ref.moment)
        if took is not None:
            times.append(took)
    median = statistics.median_low(times) if times else None
    return KeepRate(
        label, url, counts["kept"], counts["late"], counts["broken"], counts["overdue"], median
    )


def time_to_keep(promise: Promise, moment: Moment) -> dt.timedelta | None:
    """From the moment the promise was made to when it was kept: to the minute when both
    have a time, else in days; None while it is not kept."""
    kept = promise.kept
    if not isinstance(kept, When):
        return None
    return max(elapsed(moment.when, kept), dt.timedelta())


def open_assumptions_oldest_first(moments: Iterable[Moment], as_of: dt.date) -> list[ItemRef]:
    refs = [r for r in items(moments, "assumptions", as_of) if not r.item.clarified]
    return sorted(refs, key=lambda r: (r.moment.sort_key(), r.item.line))


def recent(moments: Sequence[Moment], as_of: dt.date, days: int) -> list[Moment]:
    start = as_of - dt.timedelta(days=days)
    return [m for m in reversed(moments) if start <= m.date <= as_of]


def peak(moments: Sequence[Moment]) -> Moment | None:
    """The moment of strongest feeling, either way; the latest one wins a tie."""
    if not moments:
        return None
    return max(reversed(moments), key=lambda m: (abs(m.sentiment_score), m.moment_of_truth))
