"""The search index: script files the search page loads with <script> tags.

Pages opened from disk (file://) may not fetch files or start workers, but
they may load scripts, so the index is JavaScript that hands its data to
`static/search.js`. It is split so that a query loads little of it:

- `search/index.js`: every moment's title, customer, date and facets, the
  shared lists the facets index into, and the shape of the rest;
- `search/terms-N.js`: for the words whose first two letters hash to N, the
  moments that use them, in three lists by where the word appears (title or
  customer; tags, people, type or stage; text), delta-encoded;
- `search/text-N.js`: the text of moments N·TEXT_SHARD onwards, for snippets
  of the results shown.

Words are folded the same way here and in search.js: NFKD, every mark
(Unicode category M) dropped, lower case, runs of letters and digits. Marks
are accents, but also dakuten, vowel points and vowel signs: JavaScript
cannot ask for a mark's combining class, so both drop them all.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator

from momentmap.files import Text
from momentmap.model import Item, Moment, Site

TEXT_SHARD = 16  # moments per text file: a page of results loads a few of them
TERMS_PER_SHARD = 150  # moments per terms file, roughly: 64 files at 10,000
MAX_TERM_SHARDS = 256
TEXT_LIMIT = 3000  # characters of text kept per moment for snippets
FIELDS = ("title", "facets", "text")  # where a word appears, best first

# Words too common to be worth an entry; still found in titles and customers.
STOP_WORDS = frozenset(
    """a an and are as at be but by for from had has have he her his i in is it its of on or
    our she so that the their them they this to was we were which will with you""".split()  # noqa: SIM905
)

_WORD = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    text = _marks(0, 0x10000).sub("", unicodedata.normalize("NFKD", text))
    if max(text, default="") > "\uffff":
        text = _marks(0x10000, sys.maxunicode + 1).sub("", text)
    return text.lower()


@functools.cache
def _marks(start: int, stop: int) -> re.Pattern[str]:
    """The combining marks (Unicode category M) from `start` to `stop`, as one
    character class. The Basic Multilingual Plane gets a class of its own: re
    matches it fast, and scanning it alone keeps the first use cheap."""
    ranges: list[list[int]] = []
    for code in range(start, stop):
        if unicodedata.category(chr(code)).startswith("M"):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    return re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in ranges) + "]+")


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def shard_count(moments: int) -> int:
    """How many terms files, from the moment count alone, so that build knows
    the files' names before making them."""
    return max(1, min(MAX_TERM_SHARDS, -(-moments // TERMS_PER_SHARD)))


def text_shard_count(moments: int) -> int:
    return -(-moments // TEXT_SHARD)


def shard_of(term: str, shards: int) -> int:
    """The terms file of a word, from its first two letters, so that a prefix
    of two letters or more names one file. search.js computes the same."""
    value = 0
    for char in term[:2]:
        value = (value * 31 + ord(char)) % 65521
    return value % shards


def index_paths(moments: int) -> tuple[str, ...]:
    return (
        "search/index.js",
        *(f"search/terms-{n}.js" for n in range(shard_count(moments))),
        *(f"search/text-{n}.js" for n in range(text_shard_count(moments))),
    )


def search_files(site: Site) -> dict[str, Text]:
    """Every file of `index_paths(len(site.moments))`, by path."""
    moments = sorted(site.moments.values(), key=lambda m: m.sort_key(), reverse=True)
    facets = _Facets(site)
    docs = [_doc(m, facets) for m in moments]
    shards = shard_count(len(moments))
    postings: dict[str, list[list[int]]] = {}
    for number, moment in enumerate(moments):
        for field, found in enumerate(_field_words(site, moment)):
            for term in found:
                lists = postings.get(term)
                if lists is None:
                    lists = postings[term] = [[], [], []]
                lists[field].append(number)
    by_shard: list[dict[str, list[list[int]]]] = [{} for _ in range(shards)]
    for term, lists in postings.items():
        by_shard[shard_of(term, shards)][term] = lists
    files: dict[str, Text] = {
        "search/index.js": _script(
            "index",
            {
                "version": 1,
                "links": site.config.links,
                "shards": shards,
                "textShard": TEXT_SHARD,
                "stopWords": sorted(STOP_WORDS),
                **facets.lists(),
                "docs": docs,
            },
        )
    }
    for n, terms in enumerate(by_shard):
        files[f"search/terms-{n}.js"] = _later(functools.partial(_terms_script, n, terms))
    for n in range(text_shard_count(len(moments))):
        chunk = moments[n * TEXT_SHARD : (n + 1) * TEXT_SHARD]
        files[f"search/text-{n}.js"] = _later(functools.partial(_text_script, n, chunk))
    return files


def _later(make: Callable[[], str]) -> Iterator[str]:
    """A shard's text, made only when it is written: one shard is held at a time."""
    yield make()


def _terms_script(n: int, terms: dict[str, list[list[int]]]) -> str:
    encoded = {t: [_deltas(lst) for lst in lists] for t, lists in sorted(terms.items())}
    return _script("terms", {"shard": n, "terms": encoded})


def _text_script(n: int, chunk: list[Moment]) -> str:
    return _script("text", {"shard": n, "texts": [_texts(m) for m in chunk]})


class _Facets:
    """Values that many moments share, listed once and referred to by number."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.values: dict[str, dict[str, int]] = defaultdict(dict)

    def number(self, kind: str, value: str | None) -> int:
        if value is None:
            return -1
        table = self.values[kind]
        return table.setdefault(value, len(table))

    def lists(self) -> dict[str, object]:
        customers = self.site.customers
        return {
            "customers": [[slug, customers[slug].name] for slug in self.values["customers"]],
            **{kind: list(self.values[kind]) for kind in ("types", "stages", "sentiments")},
        }


def _doc(moment: Moment, facets: _Facets) -> list[object]:
    return [
        _short_id(moment),
        moment.title,
        facets.number("customers", moment.customer),
        str(moment.when),
        facets.number("types", moment.type),
        facets.number("stages", moment.stage),
        facets.number("sentiments", moment.sentiment),
        moment.sentiment_score,
        int(moment.moment_of_truth),
    ]


def _short_id(moment: Moment) -> str:
    """The id without what the rest of the entry says: most ids are the customer's
    slug, '/', the date and a slug of the title. Ids never start with '/', so
    '/rest' stands for 'customer/rest' and '//rest' for 'customer/date-rest'."""
    own = moment.customer + "/"
    if not moment.id.startswith(own):
        return moment.id
    rest = moment.id[len(own) :]
    dated = moment.when.day.isoformat() + "-"
    return "//" + rest[len(dated) :] if rest.startswith(dated) else "/" + rest


def _field_words(site: Site, moment: Moment) -> tuple[set[str], set[str], set[str]]:
    customer = site.customers[moment.customer]
    title = set(words(" ".join((moment.title, customer.name, *customer.aliases))))
    facets = set(
        words(" ".join((*moment.tags, *moment.people, moment.type or "", moment.stage or "")))
    )
    # Joined with spaces, not _texts' ' · ': the same words (both separate them), and
    # ASCII text stays on fold's fast path.
    pieces = (moment.text, *(item.text for items in _sections(moment) for item in items))
    text = {w for w in words(" ".join(pieces)) if w not in STOP_WORDS}
    return title, facets - title, text - title - facets


def _texts(moment: Moment) -> list[str]:
    """The narrative and each section's items, each a line of text, cut for snippets."""
    texts = [moment.text]
    for items in _sections(moment):
        texts.append(" · ".join(item.text for item in items))
    return [t[:TEXT_LIMIT] for t in texts]


def _sections(moment: Moment) -> tuple[tuple[Item, ...], ...]:
    return (moment.learnings, moment.do_differently, moment.assumptions, moment.plan)


def _deltas(numbers: Iterable[int]) -> list[int]:
    """[3, 5, 9] -> [3, 2, 4]: small numbers make a small file."""
    result, last = [], 0
    for n in numbers:
        result.append(n - last)
        last = n
    return result


def _script(kind: str, data: object) -> str:
    """A script that hands `data` to search.js; safe whatever the data holds."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return f"momentmapSearch.{kind}({text});\n"
