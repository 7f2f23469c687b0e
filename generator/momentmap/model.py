"""The site model: flat, frozen records keyed by id and slug.

Relations are keys (a moment's `customer` is a customer slug, `related` are
moment ids), never object references, so the model is cheap to compare and
has no cycles. Templates get views of it built in `views.py`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from .config import Config
from .dates import When
from .record import Record

PromiseStatus = Literal["open", "overdue", "kept", "late", "broken"]


@dataclass(frozen=True, slots=True)
class Item(Record):
    """One entry of a reflection section (a learning, an assumption, a plan item)."""

    html: str  # the item's content, without <li>; a one-paragraph item without <p>
    text: str  # plain text, whitespace collapsed
    line: int  # 1-based line in the file
    clarified: bool = False  # assumptions only: '- [x]'


@dataclass(frozen=True, slots=True)
class Promise(Record):
    promise: str
    due: dt.date | None
    kept: dt.date | Literal[False] | None  # a date, False (broken) or None (open)
    line: int

    def status(self, as_of: dt.date) -> PromiseStatus:
        if self.kept is False:
            return "broken"
        if self.kept is None:
            return "overdue" if self.due is not None and self.due < as_of else "open"
        return "late" if self.due is not None and self.kept > self.due else "kept"


@dataclass(frozen=True, slots=True)
class Customer:
    slug: str
    name: str
    owner: str = ""
    segment: str = ""
    since: dt.date | None = None
    aliases: tuple[str, ...] = ()
    notes_html: str = ""
    source_path: str = ""  # content-relative profile file, '' when made from moments
    notes: str = ""  # the profile's body as written (Markdown), for anonymizing
    notes_line: int = 0  # 1-based line of the file where `notes` starts

    @property
    def url(self) -> str:
        return f"customers/{self.slug}/"


@dataclass(frozen=True, slots=True)
class Moment(Record):
    id: str
    source_path: str  # content-relative, e.g. 'moments/acme/kickoff.md'
    file: str  # site-relative, for diagnostics
    title: str
    when: When
    customer: str  # customer slug
    type: str | None = None
    sentiment: str = "neutral"
    sentiment_score: int = 0
    stage: str | None = None
    moment_of_truth: bool = False
    people: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    factors: tuple[str, ...] = ()
    promises: tuple[Promise, ...] = ()
    related: tuple[str, ...] = ()
    draft: bool = False
    extra: dict[str, object] = field(default_factory=dict, hash=False, compare=False)
    html: str = ""  # the narrative
    text: str = ""
    learnings: tuple[Item, ...] = ()
    do_differently: tuple[Item, ...] = ()
    assumptions: tuple[Item, ...] = ()
    plan: tuple[Item, ...] = ()
    # The body as written (Markdown): later stages render it again from here
    # (anonymizing), never from the file.
    body: str = ""
    body_line: int = 0  # 1-based line of the file where `body` starts

    @property
    def url(self) -> str:
        return f"moments/{self.id}/"

    @property
    def date(self) -> dt.date:
        return self.when.day

    @property
    def year(self) -> int:
        return self.when.day.year

    def sort_key(self) -> tuple[When, str]:
        return (self.when, self.id)


@dataclass(frozen=True, slots=True)
class Revision:
    """A commit as a moment's history shows it: who, and when (the author date)."""

    commit: str
    author: str
    time: dt.datetime  # in the author's zone, shown as written, never converted

    @property
    def day(self) -> dt.date:
        return self.time.date()

    @property
    def iso(self) -> str:
        return self.time.isoformat()


@dataclass(frozen=True, slots=True)
class History:
    """A content file's git history: the commit that added it and the newest that changed it."""

    created: Revision
    edited: Revision | None = None  # None while the creating commit is the newest


TAXONOMIES = ("types", "stages", "tags", "factors", "people")


@dataclass(frozen=True, slots=True)
class Site:
    config: Config
    as_of: dt.date
    customers: dict[str, Customer]  # by slug, sorted by name
    moments: dict[str, Moment]  # by id, sorted by date, time, id
    assets: dict[str, str]  # content-relative path -> url of every copied file
    # taxonomy kind -> value -> slug ('tags' -> {'Pricing': 'pricing'})
    terms: dict[str, dict[str, str]]
    # content-relative path -> its git history; empty outside git or with git_info off
    history: dict[str, History] = field(default_factory=dict)
