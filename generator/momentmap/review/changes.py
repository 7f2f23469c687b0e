"""The records of a review: the two sides compared, and the moments, assumptions,
promises and moods that a change adds, changes or removes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from momentmap.diagnostics import Diagnostic
from momentmap.model import Item, Moment, Promise, PromiseStatus, Site
from momentmap.review.revisions import Label

# -- compare -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Side:
    label: Label
    site: Site
    diagnostics: tuple[Diagnostic, ...]
    files: dict[str, str]  # site-relative path of momentmap.yaml and every .md -> digest
    moment_files: frozenset[str]  # site-relative paths of the moment files, read or not


@dataclass(frozen=True, slots=True)
class MomentChange:
    """A moment added, changed or removed. A moment file with errors has no moment on
    that side: `changes` is then ('errors',) (and both are None for a new file), or
    ('repaired',) when it had errors before."""

    before: Moment | None  # None: added, or unreadable before
    after: Moment | None  # None: removed, or unreadable now
    changes: tuple[str, ...] = ()  # what changed (FIELDS names), for changed moments
    file: str = ""  # site-relative, of `after` or else `before`

    @property
    def moment(self) -> Moment | None:
        return self.after or self.before

    def sort_key(self) -> tuple[object, ...]:
        moment = self.moment
        return (0, moment.sort_key()) if moment else (1, self.file)


@dataclass(frozen=True, slots=True)
class AssumptionChange:
    """A reflection item (an assumption or a plan item) and the moment it is in."""

    item: Item
    moment: Moment


@dataclass(frozen=True, slots=True)
class PromiseChange:
    promise: Promise
    moment: Moment
    status: PromiseStatus  # at HEAD (at BASE for removed promises)
    before: PromiseStatus | None  # None when the promise is new


@dataclass(frozen=True, slots=True)
class Mood:
    """How a customer's published moments feel: the latest one and the mean score."""

    latest: str
    mean: float
    moments: int


@dataclass(frozen=True, slots=True)
class MoodChange:
    customer: str  # slug
    before: Mood | None
    after: Mood | None


@dataclass(frozen=True, slots=True)
class Review:
    base: Label
    head: Label
    as_of: dt.date
    customers: dict[str, str]  # slug -> name, both sides
    added: tuple[MomentChange, ...]
    changed: tuple[MomentChange, ...]
    removed: tuple[MomentChange, ...]
    opened: tuple[AssumptionChange, ...]
    clarified: tuple[AssumptionChange, ...]
    dropped_assumptions: tuple[AssumptionChange, ...]  # open ones removed unclarified
    made: tuple[PromiseChange, ...]
    kept: tuple[PromiseChange, ...]
    broken: tuple[PromiseChange, ...]
    overdue: tuple[PromiseChange, ...]
    dropped_promises: tuple[PromiseChange, ...]  # open or overdue ones removed
    moods: tuple[MoodChange, ...]
    planned: tuple[AssumptionChange, ...]  # plan items added
    checked_off: tuple[AssumptionChange, ...]  # plan items marked done (or added done)
    shared: tuple[Moment, ...]  # moments newly marked `share: true`
    diagnostics: tuple[Diagnostic, ...]  # HEAD's, in changed files or new with the change

    @property
    def has_errors(self) -> bool:
        return any(d.severity == "error" for d in self.diagnostics)

    @property
    def has_moment_changes(self) -> bool:
        return bool(self.added or self.changed or self.removed)
