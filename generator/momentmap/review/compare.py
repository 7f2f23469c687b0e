"""Comparing two loaded sites: pure functions of both sides, moments matched by id,
items by their text.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from momentmap.content.config import CONFIG_FILE
from momentmap.diagnostics import Diagnostic
from momentmap.model import Item, Moment
from momentmap.review.changes import (
    AssumptionChange,
    MomentChange,
    Mood,
    MoodChange,
    PromiseChange,
    Review,
    Side,
)

T = TypeVar("T")


def _texts(items: Iterable[Item]) -> tuple[str, ...]:
    return tuple(i.text for i in items)


# What makes a moment, for "changed": line numbers, rendered HTML (which holds
# other moments' URLs) and formatting that leaves the text alone do not count.
FIELDS: tuple[tuple[str, Callable[[Moment], object]], ...] = (
    ("title", lambda m: m.title),
    ("date", lambda m: str(m.when)),
    ("customer", lambda m: m.customer),
    ("type", lambda m: m.type),
    ("sentiment", lambda m: (m.sentiment, m.sentiment_score)),
    ("stage", lambda m: m.stage),
    ("moment of truth", lambda m: m.moment_of_truth),
    ("people", lambda m: m.people),
    ("tags", lambda m: m.tags),
    ("factors", lambda m: m.factors),
    ("promises", lambda m: tuple((p.promise, p.due, p.kept, p.by) for p in m.promises)),
    ("related", lambda m: m.related),
    ("draft", lambda m: m.draft),
    ("share", lambda m: m.share),
    ("extra", lambda m: json.dumps(m.extra, sort_keys=True, default=str)),
    ("narrative", lambda m: m.text),
    ("learnings", lambda m: _texts(m.learnings)),
    ("do differently", lambda m: _texts(m.do_differently)),
    ("assumptions", lambda m: tuple((a.text, a.clarified) for a in m.assumptions)),
    ("plan", lambda m: _texts(m.plan)),
    ("id", lambda m: m.id),
    ("file", lambda m: m.file),
)


# Changed fields shown with their old and new value.
SHOWN_VALUES = ("title", "date", "customer", "type", "sentiment", "stage", "draft")


def changed_fields(before: Moment, after: Moment) -> tuple[str, ...]:
    return tuple(name for name, get in FIELDS if get(before) != get(after))


def _norm(text: str) -> str:
    return " ".join(text.lower().split()).rstrip(" .!?:;,")


def match_items(
    old: Sequence[T], new: Sequence[T], text: Callable[[T], str]
) -> tuple[list[tuple[T, T]], list[T], list[T]]:
    """Pair the items of one moment before and after: same text first, then a text that
    grew or was reworded a little ('- [x] Budget frozen — confirmed on …' for '- [ ]
    Budget frozen'). Returns the pairs, the old items left and the new items left."""
    pairs: list[tuple[T, T]] = []
    left_new = list(new)
    left_old = []
    for item in old:
        match = next((n for n in left_new if _norm(text(n)) == _norm(text(item))), None)
        if match is None:
            left_old.append(item)
        else:
            left_new.remove(match)
            pairs.append((item, match))
    still_old = []
    for item in left_old:
        a = _norm(text(item))

        def likeness(candidate: T, a: str = a) -> float:
            b = _norm(text(candidate))
            if a and b and (b.startswith(a) or a.startswith(b)):
                return 1.0
            return difflib.SequenceMatcher(None, a, b).ratio()

        best = max(left_new, key=likeness, default=None)
        if best is not None and likeness(best) >= 0.75:
            left_new.remove(best)
            pairs.append((item, best))
        else:
            still_old.append(item)
    return pairs, still_old, left_new


def _pair_moments(
    base: Side, head: Side
) -> tuple[list[tuple[Moment, Moment]], list[MomentChange], list[MomentChange], list[MomentChange]]:
    """Moments by id; one whose id changed is found again by its file, else by title, date
    and customer. Returns the pairs, the added, the removed, and the unreadable ones: a
    file that is there on both sides but has errors on one (see the problems)."""
    before, after = base.site.moments, head.site.moments
    pairs = [(before[i], after[i]) for i in before.keys() & after.keys()]
    gone = [m for i, m in before.items() if i not in after]
    new = [m for i, m in after.items() if i not in before]
    keys: tuple[Callable[[Moment], tuple[object, ...]], ...] = (
        lambda m: (m.file,),
        lambda m: (m.title, m.when, m.customer),
    )
    for key in keys:
        for old in list(gone):
            found = next((m for m in new if key(m) == key(old)), None)
            if found is not None:
                pairs.append((old, found))
                gone.remove(old)
                new.remove(found)
    unreadable = [MomentChange(m, None, ("errors",), m.file) for m in gone if m.file in head.files]
    unreadable += [
        MomentChange(None, m, ("repaired",), m.file) for m in new if m.file in base.files
    ]
    added = [MomentChange(None, m, file=m.file) for m in new if m.file not in base.files]
    read = {m.file for m in after.values()}
    added += [
        MomentChange(None, None, ("errors",), file)
        for file in sorted(head.moment_files - read - base.files.keys())
    ]
    removed = [MomentChange(m, None, file=m.file) for m in gone if m.file not in head.files]
    return pairs, added, removed, unreadable


def _mood(moments: Iterable[Moment], slug: str) -> Mood | None:
    """The customer's published (not draft) moments' mood; None without any."""
    moments = [m for m in moments if m.customer == slug and not m.draft]
    if not moments:
        return None
    latest = max(moments, key=Moment.sort_key)
    mean = sum(m.sentiment_score for m in moments) / len(moments)
    return Mood(latest.sentiment, mean, len(moments))


def _relevant_diagnostics(base: Side, head: Side) -> tuple[Diagnostic, ...]:
    """HEAD's problems in files that differ between the sides (all of them when
    momentmap.yaml changed), and those elsewhere that the change brought in."""
    changed = {
        path
        for path in base.files.keys() | head.files.keys()
        if base.files.get(path) != head.files.get(path)
    }
    if CONFIG_FILE in changed:
        return head.diagnostics
    known = {(d.file, d.severity, d.message) for d in base.diagnostics}
    return tuple(
        d
        for d in head.diagnostics
        if d.file in changed or (d.file, d.severity, d.message) not in known
    )


@dataclass(slots=True)
class _Assumptions:
    """Assumptions opened (new or reopened), clarified, and removed while open."""

    opened: list[AssumptionChange] = field(default_factory=list)
    clarified: list[AssumptionChange] = field(default_factory=list)
    dropped: list[AssumptionChange] = field(default_factory=list)

    def compare(self, before: Moment | None, after: Moment | None) -> None:
        pairs, gone, new = match_items(
            before.assumptions if before else (),
            after.assumptions if after else (),
            lambda a: a.text,
        )
        if after is not None:
            self.opened += [AssumptionChange(a, after) for a in new if not a.clarified]
            for was, now in pairs:
                if was.clarified != now.clarified:
                    found = self.clarified if now.clarified else self.opened
                    found.append(AssumptionChange(now, after))
        if before is not None:
            self.dropped += [AssumptionChange(a, before) for a in gone if not a.clarified]


@dataclass(slots=True)
class _Plans:
    """Plan items added, and plan items checked off (done now, not done before)."""

    added: list[AssumptionChange] = field(default_factory=list)
    done: list[AssumptionChange] = field(default_factory=list)

    def compare(self, before: Moment | None, after: Moment | None) -> None:
        if after is None:
            return
        pairs, _, new = match_items(before.plan if before else (), after.plan, lambda i: i.text)
        self.added += [AssumptionChange(i, after) for i in new]
        self.done += [AssumptionChange(i, after) for i in new if i.done]
        self.done += [
            AssumptionChange(now, after) for was, now in pairs if now.done and not was.done
        ]


@dataclass(slots=True)
class _Promises:
    """Promises made (new, in any state), newly kept or broken, overdue in a touched
    moment, and removed while open or overdue."""

    made: list[PromiseChange] = field(default_factory=list)
    kept: list[PromiseChange] = field(default_factory=list)
    broken: list[PromiseChange] = field(default_factory=list)
    overdue: list[PromiseChange] = field(default_factory=list)
    dropped: list[PromiseChange] = field(default_factory=list)

    def compare(self, before: Moment | None, after: Moment | None, as_of: dt.date) -> None:
        pairs, gone, new = match_items(
            before.promises if before else (),
            after.promises if after else (),
            lambda p: p.promise,
        )
        if after is not None:
            self.made += [PromiseChange(p, after, p.status(as_of), None) for p in new]
            for was, now in pairs:
                status, previous = now.status(as_of), was.status(as_of)
                change = PromiseChange(now, after, status, previous)
                if status in ("kept", "late") and previous not in ("kept", "late"):
                    self.kept.append(change)
                elif status == "broken" and previous != "broken":
                    self.broken.append(change)
                elif status == "overdue":
                    self.overdue.append(change)
        if before is not None:
            for p in gone:
                status = p.status(as_of)
                if status in ("open", "overdue"):
                    self.dropped.append(PromiseChange(p, before, status, status))


def _by_place(moment: Moment, line: int) -> tuple[object, ...]:
    return (moment.sort_key(), line)


def compare(base: Side, head: Side, *, as_of: dt.date) -> Review:
    """What changed from `base` to `head`, with promise states as of `as_of`."""
    pairs, added, removed, unreadable = _pair_moments(base, head)
    changed = list(unreadable)
    # Moments whose assumptions and promises are compared: (before, after).
    touched: list[tuple[Moment | None, Moment | None]] = []
    for before, after in pairs:
        edited = before.file != after.file or base.files.get(before.file) != head.files.get(
            after.file
        )
        fields = changed_fields(before, after) if edited else ()
        if fields:
            changed.append(MomentChange(before, after, fields, after.file))
            touched.append((before, after))
    touched += [(None, c.after) for c in added if c.after] + [(c.before, None) for c in removed]

    assumptions = _Assumptions()
    promises = _Promises()
    plans = _Plans()
    for was, now in touched:
        assumptions.compare(was, now)
        promises.compare(was, now, as_of)
        plans.compare(was, now)
    shared = [
        now for was, now in touched if now is not None and now.share and not (was and was.share)
    ]

    customers: dict[str, str] = {s: c.name for s, c in base.site.customers.items()}
    customers.update((s, c.name) for s, c in head.site.customers.items())
    involved: set[str] = set()
    for change in [*added, *changed, *removed]:
        involved.update(m.customer for m in (change.before, change.after) if m is not None)

    # A moment that cannot be read on one side counts as it is on the other.
    before_all = [*base.site.moments.values(), *(c.after for c in unreadable if c.after)]
    after_all = [*head.site.moments.values(), *(c.before for c in unreadable if c.before)]

    def by_name(slug: str) -> tuple[str, str]:
        return (customers.get(slug, slug).lower(), slug)

    moods = []
    for slug in sorted(involved, key=by_name):
        mood_before, mood_after = _mood(before_all, slug), _mood(after_all, slug)
        shown = {
            None if m is None else (m.latest, round(m.mean, 2), m.moments)
            for m in (mood_before, mood_after)
        }
        if len(shown) > 1:
            moods.append(MoodChange(slug, mood_before, mood_after))

    def moment_order(changes: list[MomentChange]) -> tuple[MomentChange, ...]:
        return tuple(sorted(changes, key=MomentChange.sort_key))

    def assumption_order(changes: list[AssumptionChange]) -> tuple[AssumptionChange, ...]:
        return tuple(sorted(changes, key=lambda c: _by_place(c.moment, c.item.line)))

    def promise_order(changes: list[PromiseChange]) -> tuple[PromiseChange, ...]:
        return tuple(sorted(changes, key=lambda c: _by_place(c.moment, c.promise.line)))

    return Review(
        base=base.label,
        head=head.label,
        as_of=as_of,
        customers=customers,
        added=moment_order(added),
        changed=moment_order(changed),
        removed=moment_order(removed),
        opened=assumption_order(assumptions.opened),
        clarified=assumption_order(assumptions.clarified),
        dropped_assumptions=assumption_order(assumptions.dropped),
        made=promise_order(promises.made),
        kept=promise_order(promises.kept),
        broken=promise_order(promises.broken),
        overdue=promise_order(promises.overdue),
        dropped_promises=promise_order(promises.dropped),
        moods=tuple(moods),
        diagnostics=_relevant_diagnostics(base, head),
        planned=assumption_order(plans.added),
        checked_off=assumption_order(plans.done),
        shared=tuple(sorted(shared, key=Moment.sort_key)),
    )
