"""The site model: flat, frozen records keyed by id and slug, the site's settings
(`Config`) and a moment's date (`When`). Every stage hands these on; this module
imports nothing from reading files or rendering them.

Relations are keys (a moment's `customer` is a customer slug, `related` are
moment ids), never object references, so the model is cheap to compare and
has no cycles. Templates get views of it built in `views/`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from momentmap.record import Record
from momentmap.urls import LinkStyle

DEFAULT_TYPES = ("courageous", "competitor", "regretful", "satisfying", "imperfect", "elevating")
DEFAULT_STAGES = (
    "awareness",
    "evaluation",
    "purchase",
    "onboarding",
    "adoption",
    "renewal",
    "advocacy",
)


@dataclass(frozen=True, slots=True)
class Config:
    title: str = "Customer moments"
    description: str = ""
    base_url: str = ""  # '' or an absolute URL ending in '/'
    theme: str = "default"
    content_dir: str = "content"
    output_dir: str = "public"
    language: str = "en"
    types: tuple[str, ...] = DEFAULT_TYPES
    stages: tuple[str, ...] = DEFAULT_STAGES
    recent_days: int = 30
    quiet_days: int = 90
    allow_html: bool = False
    links: LinkStyle = "portable"
    git_info: bool = True


@dataclass(frozen=True, slots=True, order=True)
class When(Record):
    """A moment's date and optional time, kept as written: a zone is shown, never converted."""

    day: dt.date
    time: str = ""  # 'HH:MM' or 'HH:MM:SS', '' when no time was given
    zone: str = ""  # 'Z', '+01:00' or ''

    def __str__(self) -> str:
        text = self.day.isoformat()
        if self.time:
            text += " " + self.time + self.zone
        return text

    @property
    def iso(self) -> str:
        """ISO 8601 form for <time datetime> and data."""
        if not self.time:
            return self.day.isoformat()
        zone = self.zone
        if zone and zone != "Z" and ":" not in zone:
            zone = zone[:3] + ":" + zone[3:]
        return f"{self.day.isoformat()}T{self.time}{zone}"


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
