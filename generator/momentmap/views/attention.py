"""Which customers need attention: the loyalty question, going quiet, open assumptions.

The loyalty question (SPEC 8): judging by the last `recent_days` days, would
this customer do business with us again? One of three answers, with its
reasons.

The window is the `recent_days` days up to the as-of date, both ends included
(the dashboard's "recent moments" use the same window).

- **at risk** when any of these holds: a negative moment of truth in the
  window; the window's moments feel negative on average (mean sentiment below
  0); a promise is overdue (whenever it was made: they are still waiting); a
  promise was broken in the window (its due date, or its moment when it has
  none, falls in the window).
- else **no contact** when there is no moment in the window;
- else **on track**.

The reasons list what decided it, risks first, then what else the window
holds: promises kept on time or late in the window, open promises due in the
next `recent_days` days, and the mean sentiment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from momentmap.model import Customer, Moment, Site
from momentmap.views.insights import NEGATIVE, late_words
from momentmap.words import counted

Verdict = Literal["on track", "at risk", "no contact"]


@dataclass(frozen=True, slots=True)
class Reason:
    text: str  # plain text; the template escapes it
    moment: Moment | None  # the moment it is about, for a link
    risk: bool  # one of the reasons for "at risk"


@dataclass(frozen=True, slots=True)
class Loyalty:
    verdict: Verdict
    reasons: tuple[Reason, ...]
    days: int  # the window's length

    @property
    def css(self) -> str:
        """The verdict as a class name: 'on-track', 'at-risk', 'no-contact'."""
        return self.verdict.replace(" ", "-")


def loyalty(moments: Sequence[Moment], as_of: dt.date, days: int) -> Loyalty:
    """The answer for one customer, from its moments in date order."""
    start, ahead = as_of - dt.timedelta(days=days), as_of + dt.timedelta(days=days)

    def in_window(day: dt.date) -> bool:
        return start <= day <= as_of

    window = [m for m in moments if in_window(m.date)]
    risks: list[Reason] = []
    others: list[Reason] = []
    for m in window:
        if m.moment_of_truth and m.sentiment in NEGATIVE:
            risks.append(Reason(f"a {m.sentiment} moment of truth on {m.date}", m, True))
    for m in moments:
        for p in m.promises:
            status = p.status(as_of)
            due_day = p.due.day if p.due is not None else None
            if status == "overdue":
                late = late_words(p.late_by(as_of))
                risks.append(Reason(f"promise overdue by {late}: {p.promise}", m, True))
            elif status == "broken" and in_window(due_day or m.date):
                risks.append(Reason(f"promise broken: {p.promise}", m, True))
            elif status in ("kept", "late") and p.kept and in_window(p.kept.day):
                if status == "kept":
                    others.append(Reason(f"promise kept on time: {p.promise}", m, False))
                else:
                    late = late_words(p.late_by(as_of))
                    others.append(Reason(f"promise kept {late} late: {p.promise}", m, False))
            elif status == "open" and due_day is not None and as_of <= due_day <= ahead:
                others.append(Reason(f"promise due {p.due}: {p.promise}", m, False))
    if window:
        mean = sum(m.sentiment_score for m in window) / len(window)
        count = counted(len(window), "moment")
        text = f"mean sentiment {_signed(mean)} over {count} in the last {counted(days, 'day')}"
        (risks if mean < 0 else others).append(Reason(text, None, mean < 0))
    elif moments:
        others.append(
            Reason(
                f"no moment in the last {counted(days, 'day')}; the last was on {moments[-1].date}",
                None,
                False,
            )
        )
    else:
        others.append(Reason("no moments yet", None, False))
    verdict: Verdict = "at risk" if risks else "on track" if window else "no contact"
    return Loyalty(verdict, (*risks, *others), days)


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    customer: Customer
    moments: tuple[Moment, ...]  # chronological
    open_assumptions: int
    loyalty: Loyalty  # the answer to the loyalty question
    quiet_days: int | None  # days since the last moment when going quiet, else None

    @property
    def at_risk(self) -> bool:
        return self.loyalty.verdict == "at risk"

    @property
    def last(self) -> Moment | None:
        return self.moments[-1] if self.moments else None

    @property
    def trend(self) -> tuple[int, ...]:
        return tuple(m.sentiment_score for m in self.moments)


def summarize_customers(site: Site, by_customer: dict[str, list[Moment]]) -> list[CustomerSummary]:
    config, as_of = site.config, site.as_of
    summaries = []
    for slug, customer in site.customers.items():
        moments = tuple(by_customer.get(slug, ()))
        open_count = sum(1 for m in moments for a in m.assumptions if not a.clarified)
        answer = loyalty(moments, as_of, config.recent_days)
        quiet = None
        if moments:
            since_last = (as_of - moments[-1].date).days
            if since_last > config.quiet_days:
                quiet = since_last
        summaries.append(CustomerSummary(customer, moments, open_count, answer, quiet))
    return summaries


def _signed(value: float) -> str:
    """'+1.3', '0', '\u22120.5': the sign written out, as on the emotion curve."""
    text = f"{abs(value):.1f}".removesuffix(".0")
    if text == "0":
        return "0"
    return ("+" if value > 0 else "\u2212") + text
