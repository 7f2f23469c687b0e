"""The site model: flat, frozen records keyed by id and slug, the site's settings
(`Config`) and a moment's date (`When`). Every stage hands these on; this module
imports nothing from reading files or rendering them.

Relations are keys (a moment's `customer` is a customer slug, `related` are
moment ids), never object references, so the model is cheap to compare and
has no cycles. Templates get views of it built in `views/`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
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

    def instant(self, other: When) -> dt.datetime:
        """The date and time as a datetime comparable with `other`'s: in UTC when both
        have a zone, else as written (a zone is never guessed)."""
        hour, minute, second = (int(part) for part in f"{self.time or '00:00'}:0".split(":")[:3])
        moment = dt.datetime(self.day.year, self.day.month, self.day.day, hour, minute, second)
        if not (self.zone and other.zone):
            return moment
        if self.zone == "Z":
            return moment.replace(tzinfo=dt.UTC)
        sign = -1 if self.zone[0] == "-" else 1
        digits = self.zone[1:].replace(":", "")
        offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return moment.replace(tzinfo=dt.timezone(sign * offset))

    def plus(self, duration: dt.timedelta) -> When:
        """`duration` later, from 00:00 when no time was given; the zone is kept."""
        later = self.instant(self) + duration
        time = later.strftime("%H:%M:%S" if later.second else "%H:%M")
        return When(later.date(), time, self.zone)

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
    # Plan items only: '- [x]' is done; 'Q1:' … 'Q4:' (of the year after the moment's)
    # or 'by YYYY-MM-DD:' before the text says when it is due.
    done: bool = False
    quarter: int = 0  # 1 … 4, 0 for none
    due: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Promise(Record):
    promise: str
    due: When | None  # with `within:`, counted from the moment's date and time
    kept: When | Literal[False] | None  # when kept, False (broken) or None (open)
    line: int
    by: str = ""  # who on our side owns it; '' when not said (the moment's people do)
    within: str = ""  # as written ('24h'), when `due` was counted from the moment

    def status(self, as_of: dt.date) -> PromiseStatus:
        if self.kept is False:
            return "broken"
        if self.kept is None:
            return "overdue" if self.due is not None and self.due.day < as_of else "open"
        late = self.due is not None and elapsed(self.due, self.kept) > _ZERO
        return "late" if late else "kept"

    def late_by(self, as_of: dt.date) -> dt.timedelta:
        """How far past due: an open promise until `as_of`, a kept one until it was kept;
        zero when not late."""
        due, kept = self.due, self.kept
        if due is None or kept is False:
            return _ZERO
        return max(elapsed(due, When(as_of) if kept is None else kept), _ZERO)


_ZERO = dt.timedelta()


def elapsed(start: When, end: When) -> dt.timedelta:
    """From `start` to `end`, negative when `end` is earlier: to the second when both have
    a time ('by 5 pm' is kept late at 17:01), else in whole days (a date without a time
    lasts all day)."""
    if start.time and end.time:
        return end.instant(start) - start.instant(end)
    return dt.timedelta(days=(end.day - start.day).days)


def quarter_of(day: dt.date) -> int:
    """1 … 4: the quarter of the year `day` is in."""
    return (day.month - 1) // 3 + 1


class Narrative:
    """A narrative's HTML and its plain text, kept as UTF-8 in a buffer that the
    narratives of a cache shard share (see `share_buffer`).

    Each page that shows a narrative decodes it again, which costs microseconds.
    Kept as two strings per moment, they were touched (their reference counts
    written) by every render worker, which copied the memory pages they sat
    on: at 100,000 moments, 320 MB held twice while pages were rendered. A
    worker touches only the header of a shared buffer."""

    __slots__ = ("_buffer", "_end", "_split", "_start")

    def __init__(self, data: bytes = b"", split: int = 0) -> None:
        """The HTML is data[:split] and the text the rest, both UTF-8 (see `of`)."""
        self._buffer, self._start, self._split, self._end = data, 0, split, len(data)

    @classmethod
    def of(cls, html: str, text: str) -> Narrative:
        encoded = html.encode()
        return cls(encoded + text.encode(), len(encoded))

    # Bytes that are not UTF-8 can only come from a forged cache file: they show as
    # U+FFFD rather than stop the build.
    @property
    def html(self) -> str:
        return self._buffer[self._start : self._split].decode(errors="replace")

    @property
    def text(self) -> str:
        return self._buffer[self._split : self._end].decode(errors="replace")

    def _data(self) -> bytes:
        if self._start == 0 and self._end == len(self._buffer):
            return self._buffer
        return self._buffer[self._start : self._end]

    def __reduce__(self) -> tuple[type, tuple[bytes, int]]:
        # Only its own bytes, never the buffer it shares: a pickle holds what it names.
        return Narrative, (self._data(), self._split - self._start)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Narrative):
            return NotImplemented
        return self._split - self._start == other._split - other._start and (
            self._data() == other._data()
        )

    def __hash__(self) -> int:
        return hash((self._split - self._start, self._data()))

    def __repr__(self) -> str:
        return f"Narrative(html={self.html!r}, text={self.text!r})"


def share_buffer(narratives: Iterable[Narrative]) -> None:
    """Move the narratives' bytes into one new buffer. Their values do not change:
    this only decides where they are kept (see `Narrative`)."""
    listed = list(narratives)
    buffer = b"".join(n._data() for n in listed)
    start = 0
    for n in listed:
        end = start + n._end - n._start
        n._buffer, n._start, n._split, n._end = buffer, start, start + n._split - n._start, end
        start = end


NO_NARRATIVE = Narrative()


@dataclass(frozen=True, slots=True)
class Customer:
    slug: str
    name: str
    owner: str = ""
    segment: str = ""
    since: dt.date | None = None
    aliases: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()  # the customer's people we deal with
    notes_html: str = ""
    source_path: str = ""  # content-relative profile file, '' when made from moments
    notes: str = ""  # the profile's body as written (Markdown), for anonymizing
    notes_line: int = 0  # 1-based line of the file where `notes` starts

    @property
    def url(self) -> str:
        return f"customers/{self.slug}/"


def moment_url(moment_id: str) -> str:
    """Where a moment's page is: the one rule, also for files that are not built."""
    return f"moments/{moment_id}/"


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
    share: bool = False  # a story for the whole team (stories/)
    extra: dict[str, object] = field(default_factory=dict, hash=False, compare=False)
    narrative: Narrative = NO_NARRATIVE
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
        return moment_url(self.id)

    @property
    def html(self) -> str:
        """The narrative: the body but the four sections."""
        return self.narrative.html

    @property
    def text(self) -> str:
        """The narrative as plain text, for search and summaries."""
        return self.narrative.text

    @property
    def date(self) -> dt.date:
        return self.when.day

    @property
    def year(self) -> int:
        return self.when.day.year

    @property
    def quarter(self) -> int:
        """1 … 4: the quarter of the year the moment happened in."""
        return quarter_of(self.date)

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

    @property
    def span(self) -> tuple[dt.date, dt.date] | None:
        """The first and the last moment's day, None without moments: the ends of
        `moments`, which are kept in date order, so it costs nothing on a big site."""
        if not self.moments:
            return None
        return next(iter(self.moments.values())).date, next(reversed(self.moments.values())).date
