"""Pseudonyms for an anonymized build, and finding real names in free text.

Pseudonyms are stable: the same content gives the same ones, and someone who
first appears after everyone else gets the next free one without renaming
anybody (the order rules are in `anonymize.py`'s docstring). Name matching
is case-, accent- and punctuation-insensitive on whole words, longest first.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from momentmap.content.customers import match_key
from momentmap.model import Customer, Site
from momentmap.urls import slugify
from momentmap.words import counted

_WORD = re.compile(r"[^\W_]+")
_MAX_GAP = 5  # characters allowed between the words of one name: ' & ', ', ', '-'
_FAR_FUTURE = dt.date.max


# Pseudonyms ---------------------------------------------------------------


def customer_pseudonym(index: int) -> str:
    """0 -> 'Customer A', 25 -> 'Customer Z', 26 -> 'Customer AA' (spreadsheet columns)."""
    letters = ""
    n = index + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"Customer {letters}"


@dataclass(frozen=True, slots=True)
class Pseudonyms:
    customers: dict[str, str]  # customer slug -> 'Customer A', in pseudonym order
    people: dict[str, str]  # a person's match key -> 'Person 1'

    def person(self, name: str) -> str:
        return self.people[match_key(name)]


def assign_pseudonyms(site: Site) -> Pseudonyms:
    """Pseudonyms by first appearance in time (see the module's docstring)."""
    first_day: dict[str, dt.date] = {}
    for moment in site.moments.values():
        day = first_day.get(moment.customer)
        if day is None or moment.date < day:
            first_day[moment.customer] = moment.date

    def customer_order(customer: Customer) -> tuple[int, dt.date, str, str]:
        day = first_day.get(customer.slug)
        if day is not None:
            return (0, day, match_key(customer.name), customer.slug)
        return (1, customer.since or _FAR_FUTURE, match_key(customer.name), customer.slug)

    ordered = sorted(site.customers.values(), key=customer_order)
    customers = {c.slug: customer_pseudonym(n) for n, c in enumerate(ordered)}

    seen: dict[str, dt.date] = {}

    def meet(name: str, day: dt.date) -> None:
        key = match_key(name)
        if key not in seen or day < seen[key]:
            seen[key] = day

    for moment in site.moments.values():
        for person in (*moment.people, *(p.by for p in moment.promises if p.by)):
            meet(person, moment.date)
    for customer in ordered:
        for person in (customer.owner, *customer.contacts):
            if person:
                meet(person, customer_order(customer)[1])
    people = {
        key: f"Person {n}" for n, key in enumerate(sorted(seen, key=lambda k: (seen[k], k)), 1)
    }
    return Pseudonyms(customers, people)


# Finding names in text ------------------------------------------------------


def fold(text: str) -> tuple[str, list[int] | None]:
    """`text` lowered with accents dropped (NFKD), and for each of its characters
    the index of the character of `text` it came from (None: the same index)."""
    if text.isascii():
        return text.lower(), None
    chars: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        if char.isascii():
            chars.append(char.lower())
            index.append(position)
            continue
        for part in unicodedata.normalize("NFKD", char):
            for folded in part.casefold():
                if not unicodedata.combining(folded):
                    chars.append(folded)
                    index.append(position)
    return "".join(chars), index


Span = tuple[int, int, str]  # start, end in the original text, pseudonym


class NameMatcher:
    """Finds known names in text: whole words, ignoring case, accents and punctuation.

    A name is its sequence of words ('Brandt & Vogel' -> brandt, vogel); in text
    the words may be separated by up to five characters that are not letters or
    digits ('Brandt & Vogel', 'brandt-vogel', 'B & V'), or by nothing ('BV' for
    'B&V'). At each word the longest known name wins. When two names share
    their words, the one given first wins.
    """

    def __init__(self, names: Iterable[tuple[str, str]]) -> None:
        # Replacements made, by the pseudonym's kind ('customer', 'person'), for the summary.
        self.replaced: Counter[str] = Counter()
        self._names: dict[tuple[str, ...], str] = {}
        for name, pseudonym in names:
            words = tuple(_WORD.findall(fold(name)[0]))
            if words:
                self._names.setdefault(words, pseudonym)
                self._names.setdefault(("".join(words),), pseudonym)
        self._first = {words[0] for words in self._names}
        self._longest = max((len(words) for words in self._names), default=0)

    def spans(self, text: str) -> list[Span]:
        if not self._names or not text:
            return []
        folded, index = fold(text)
        words = list(_WORD.finditer(folded))
        spans: list[Span] = []
        i = 0
        while i < len(words):
            found = self._match_at(words, i)
            if found is None:
                i += 1
                continue
            count, pseudonym = found
            start, end = words[i].start(), words[i + count - 1].end()
            if index is not None:
                start, end = index[start], index[end - 1] + 1
                while end < len(text) and unicodedata.combining(text[end]):
                    end += 1
            spans.append((start, end, pseudonym))
            i += count
        return spans

    def _match_at(self, words: Sequence[re.Match[str]], i: int) -> tuple[int, str] | None:
        if words[i].group() not in self._first:
            return None
        stop = i + 1
        while (
            stop < len(words)
            and stop - i < self._longest
            and words[stop].start() - words[stop - 1].end() <= _MAX_GAP
        ):
            stop += 1
        for end in range(stop, i, -1):
            pseudonym = self._names.get(tuple(w.group() for w in words[i:end]))
            if pseudonym is not None:
                return end - i, pseudonym
        return None

    def summary(self) -> str:
        """How many names were replaced in text, for the terminal."""
        customers, people = self.replaced["customer"], self.replaced["person"]
        return (
            f"anonymized: {counted(customers, 'customer name')} and "
            f"{counted(people, 'person name')} replaced in text; names that appear nowhere "
            "in front matter or profiles cannot be known (see README)"
        )

    def contains(self, text: str) -> bool:
        return bool(self.spans(text))

    def replace(self, text: str) -> str:
        """Every name in `text` replaced by its pseudonym ('Lee's call' -> "Person 2's call")."""
        return self._replace(text, lambda pseudonym: pseudonym)

    def replace_slug(self, text: str) -> str:
        """For ids, slugs and URL fragments: 'notes-from-lee' -> 'notes-from-person-2'."""
        return self._replace(text, slugify)

    def _replace(self, text: str, form: Callable[[str], str]) -> str:
        spans = self.spans(text)
        if not spans:
            return text
        parts: list[str] = []
        last = 0
        for start, end, pseudonym in spans:
            self.replaced[pseudonym.split(" ", 1)[0].lower()] += 1
            parts.append(text[last:start])
            parts.append(form(pseudonym))
            last = end
        parts.append(text[last:])
        return "".join(parts)


def known_names(site: Site, pseudonyms: Pseudonyms) -> list[tuple[str, str]]:
    """(name as written, pseudonym) for every customer name, alias, slug, owner, contact
    and person."""
    pairs: list[tuple[str, str]] = []
    for customer in site.customers.values():
        pseudonym = pseudonyms.customers[customer.slug]
        for name in (customer.name, *customer.aliases, customer.slug):
            pairs.append((name, pseudonym))
            if "&" in name:
                pairs.append((name.replace("&", " and "), pseudonym))
            if re.search(r"\band\b", name, re.IGNORECASE):
                pairs.append((re.sub(r"\band\b", "&", name, flags=re.IGNORECASE), pseudonym))
    pairs.extend((short, pseudonyms.customers[slug]) for short, slug in short_names(site))
    spellings = sorted(
        {p for m in site.moments.values() for p in m.people}
        | {p.by for m in site.moments.values() for p in m.promises if p.by}
        | {c.owner for c in site.customers.values() if c.owner}
        | {p for c in site.customers.values() for p in c.contacts}
    )
    pairs.extend((name, pseudonyms.person(name)) for name in spellings)
    # 'Dana' and 'Smith' of 'Dana Smith'; lower-case particles ('de', 'van') are not names.
    for name in spellings:
        parts = name.split()
        if len(parts) > 1:
            pseudonym = pseudonyms.person(name)
            pairs.extend((p, pseudonym) for p in parts if p[0].isupper() and len(p) > 1)
    return pairs


def short_names(site: Site) -> list[tuple[str, str]]:
    """(short name, customer slug) from the folders moments are kept in.

    'acme' of `content/moments/acme/…` (or of an id `acme/…`) is a name for
    'Acme Corp' when every moment there is Acme Corp's and its words are all
    words of Acme Corp's name, aliases or slug; a folder such as '2023' or
    'archive' is not.
    """
    owners: dict[str, set[str]] = {}
    for moment in site.moments.values():
        folders = moment.source_path.removeprefix("moments/").split("/")[:-1]
        ids = moment.id.split("/")[:-1]
        for segment in {*folders[:1], *ids[:1]}:
            owners.setdefault(segment, set()).add(moment.customer)
    found = []
    for segment, slugs in sorted(owners.items()):
        if len(slugs) != 1:
            continue
        (slug,) = slugs
        customer = site.customers.get(slug)
        if customer is None:
            continue
        known = {
            word
            for name in (customer.name, *customer.aliases, customer.slug)
            for word in _WORD.findall(fold(name)[0])
        }
        words = set(_WORD.findall(fold(segment)[0]))
        if words and words <= known:
            found.append((segment, slug))
    return found
