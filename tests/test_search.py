"""Offline search as readers use it: real sites built by the real CLI, driven in Chromium.

The search page loads its index as script files, so every test here opens the
built output from disk (file://) unless it is about pretty links, which need a
server that maps folders to index.html. Results are read from the page's DOM
and compared with what the test expects, waiting for them to settle: search
runs shortly after typing stops, and its index files load asynchronously.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit
from urllib.request import url2pathname

import pytest
from conftest import CHROMIUM, REPO, run_cli, serving, write_site

from momentmap.views.search import words

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs {CHROMIUM}")

AS_OF = "2025-12-01"
T = TypeVar("T")

# --- the sites -------------------------------------------------------------------------------

MAIN = """
-- momentmap.yaml --
title: Search test site
-- content/moments/acme/2023-01-10-pricing-review.md --
---
title: Pricing review with the board
date: 2023-01-10
customer: Acme Corp
type: courageous
stage: renewal
sentiment: negative
---
We walked the board through the numbers.
-- content/moments/acme/2021-01-04-pricing-page.md --
---
title: Pricing page redesign
date: 2021-01-04
customer: Acme Corp
---
Nothing else to say.
-- content/moments/zenith/2022-05-02-kickoff.md --
---
title: Kickoff
date: 2022-05-02
customer: Zenith Pricing
---
First meeting.
-- content/moments/globex/2023-06-01-roadmap.md --
---
title: Roadmap walkthrough
date: 2023-06-01
customer: Globex
tags: [pricing]
---
Showed them next year.
-- content/moments/globex/2024-06-05-quarterly.md --
---
title: Quarterly check-in
date: 2024-06-05
customer: Globex
---
They asked about pricing for the new regions.

## Learnings
- An escalation path agreed up front saves a week.
-- content/moments/societe/2023-03-03-site-visit.md --
---
title: Site visit in Lyon
date: 2023-03-03
customer: Société Thermique
---
Coffee and a tour of the plant.
-- content/moments/globex/2023-02-02-newsletter.md --
---
title: Newsletter mention
date: 2023-02-02
customer: Globex
---
The societe newsletter quoted us.
-- content/moments/globex/2025-01-01-zeppelin.md --
---
title: Zeppelin idea
date: 2025-01-01
customer: Globex
draft: true
---
A dirigible for deliveries.
"""

PRICING = [  # the moments "pricing" finds, best first
    "acme/2023-01-10-pricing-review",  # title, 2023
    "zenith/2022-05-02-kickoff",  # customer name, 2022: a tie with the title, so newest first
    "acme/2021-01-04-pricing-page",  # title, 2021
    "globex/2023-06-01-roadmap",  # tag
    "globex/2024-06-05-quarterly",  # text only: last although it is the newest
]
SOCIETE = ["societe/2023-03-03-site-visit", "globex/2023-02-02-newsletter"]
WIDGETS = 45  # moments titled "Widget rollout …": more than two pages of results
CUSTOMERS = ("Acme Corp", "Globex", "Initech")
TYPES = ("courageous", "competitor", "regretful", "satisfying", "imperfect", "elevating")
STAGES = ("awareness", "evaluation", "purchase", "onboarding", "adoption", "renewal", "advocacy")
SENTIMENTS = ("very negative", "negative", "neutral", "mixed", "positive", "very positive")

# A word as a moment's title holds it, and a spelling of it that must find it.
SPELLINGS = [
    ("Cafe\u0301", "CAFÉ"),  # decomposed in the file, composed in the query
    ("Ångström", "angstrom"),
    ("tiếng", "TIENG"),
    ("İstanbul", "istanbul"),
    ("ΟΔΟΣ", "οδος"),
    ("ﬁnance", "finance"),
    ("Ｆｕｌｌ", "full"),
    ("がっこう", "かっこう"),
    ("ｶﾞｯｺｳ", "カッコウ"),
    ("עִבְרִית", "עברית"),
    ("العَرَبِيَّة", "العربية"),
    ("हिन्दी", "हिन्दी"),
    ("Łódź", "łodz"),
]
# Words that Python's and JavaScript's Unicode handling could split or fold differently.
TRICKY = [
    *(w for pair in SPELLINGS for w in pair),
    "Société",
    "SOCIÉTÉ",
    "naïve",
    "Ærøskøbing",
    "straße",
    "STRASSE",
    "½",
    "x²",
    "①",
    "Ⅻ",
    "ǅemal",
    "co-op",
    "O'Brien",
    "user_name",
    "3.14",
    "한국어",
    "ภาษาไทย",
    "日本語",
    "Việt Nam",
    "x\u20dd",
    "a\u0489b",
    "ΣΊΣΥΦΟΣ",
]


def widget_moments() -> str:
    """WIDGETS moments, each customer, type, stage, sentiment and year in turn, no two on a day."""
    files = []
    for n in range(WIDGETS):
        day = dt.date(2021, 2, 1) + dt.timedelta(days=29 * n)
        files.append(
            f"""-- content/moments/widgets/{day}-wave-{n}.md --
---
title: Widget rollout wave {n}
date: {day}
customer: {CUSTOMERS[n % 3]}
type: {TYPES[n % 6]}
stage: {STAGES[n % 7]}
sentiment: {SENTIMENTS[n % 6]}
---
Rolled out to site {n}.
"""
        )
    return "".join(files)


def word_moments() -> str:
    return "".join(
        f"""-- content/moments/polyglot/word-{n}.md --
---
title: {json.dumps(f"Word {n}: {word}", ensure_ascii=False)}
date: {dt.date(2020, 1, 1) + dt.timedelta(days=n)}
customer: Polyglot
---
A word that folds.
"""
        for n, (word, _) in enumerate(SPELLINGS)
    )


def build(site: Path, out: Path, *args: str) -> Path:
    run = run_cli("build", "--site", site, "--out", out, "--as-of", AS_OF, *args)
    assert run.code == 0, run.err
    return out


@dataclass
class Built:
    out: Path
    base: str  # the output's URL, ending in '/'
    index: str  # what a page's URL ends in: 'index.html' (portable links) or '' (pretty)
    data: dict[str, Any]  # moments.json

    @property
    def moments(self) -> list[dict[str, Any]]:
        return list(self.data["moments"])

    def slug(self, name: str) -> str:
        return str(next(c["slug"] for c in self.data["customers"] if c["name"] == name))

    def search_url(self, **params: str) -> str:
        return f"{self.base}search/{self.index}" + (f"?{urlencode(params)}" if params else "")

    def newest_first(self, keep: Callable[[dict[str, Any]], bool]) -> list[str]:
        chosen = [m for m in self.moments if keep(m)]
        return [m["id"] for m in sorted(chosen, key=lambda m: m["date"], reverse=True)]


def built(out: Path, base: str = "", index: str = "index.html") -> Built:
    data = json.loads((out / "moments.json").read_text(encoding="utf-8"))
    return Built(out, base or out.as_uri() + "/", index, data)


@pytest.fixture(scope="module")
def main_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = tmp_path_factory.mktemp("main") / "site"
    write_site(site, MAIN)
    write_site(site, widget_moments())
    write_site(site, word_moments())
    return site


@pytest.fixture(scope="module")
def portable(main_site: Path) -> Built:
    result = built(build(main_site, main_site.parent / "out"))
    dates = [m["date"] for m in result.moments]
    assert len(dates) == len(set(dates)), "the tests rely on no two moments sharing a day"
    return result


class Watched:
    """A page, and everything that went wrong on it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _failed(self, request: Request) -> None:
        # Leaving a page cancels what it still loads (its favicon, say): not a failure.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"failed: {request.url} {request.failure}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status} {response.url}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    # Reading the page.

    def url(self) -> str:
        return str(self.page.evaluate("location.href"))  # page.url misses history.replaceState

    def status(self) -> str:
        return self.page.inner_text("#_search-status").strip()

    def results(self) -> list[str]:
        """The ids of the moments listed, in order."""
        hrefs = self.page.eval_on_selector_all(
            "#_results > li.search-result a.moment-title", "links => links.map(a => a.href)"
        )
        return [moment_id(href) for href in hrefs]

    def focused(self) -> str:
        return str(
            self.page.evaluate(
                """() => {
                    const el = document.activeElement;
                    if (el.id) return '#' + el.id;
                    const item = el.closest('li.search-result');
                    return item ? el.className + ' ' + [...item.parentNode.children].indexOf(item) : el.tagName;
                }"""
            )
        )

    # Acting on it.

    def search(self, text: str) -> None:
        self.page.fill("#_q", text)


def moment_id(href: str) -> str:
    found = re.search(r"/moments/(.+)/(index\.html)?$", href)
    assert found, href
    return found.group(1)


def read_script(path: Path, kind: str) -> dict[str, Any]:
    """The data a search index file hands to search.js."""
    text = path.read_text(encoding="utf-8")
    prefix, suffix = f"momentmapSearch.{kind}(", ");\n"
    assert text.startswith(prefix) and text.endswith(suffix), text[:80]
    data: dict[str, Any] = json.loads(text[len(prefix) : -len(suffix)])
    return data


def until(read: Callable[[], T], expected: T, timeout: float = 10.0) -> None:
    """Wait for `read()` to give `expected` (search is asynchronous), then assert it does."""
    deadline = time.monotonic() + timeout
    got = read()
    while got != expected and time.monotonic() < deadline:
        time.sleep(0.02)
        got = read()
    assert got == expected


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    w = Watched(context.new_page())
    yield w
    context.close()
    assert w.problems == []


# --- ranking and matching ----------------------------------------------------------------------


def test_title_and_customer_matches_rank_above_tags_then_text_ties_newest_first(
    watched: Watched, portable: Built
) -> None:
    watched.page.goto(portable.search_url(q="pricing"))
    until(watched.results, PRICING)
    assert watched.status() == f"{len(PRICING)} moments match."


def test_index_lists_moments_newest_first(portable: Built) -> None:
    index = read_script(portable.out / "search/index.js", "index")
    dates = [doc[3] for doc in index["docs"]]
    assert dates == sorted(dates, reverse=True)
    assert len(dates) == len(portable.moments)


def test_the_last_word_matches_as_a_prefix_while_typing(watched: Watched, portable: Built) -> None:
    watched.page.goto(portable.search_url())
    watched.page.locator("#_q").press_sequentially("quarte", delay=20)
    until(watched.url, portable.search_url(q="quarte"))
    until(watched.results, ["globex/2024-06-05-quarterly"])
    # A space after the word says it is finished: no word is "quarte".
    watched.page.locator("#_q").press("Space")
    until(watched.status, "No moments match \u201cquarte \u201d.")
    # Earlier words must match whole: "pric" is no word, "pricing" is.
    watched.search("pric review")
    until(watched.status, "No moments match \u201cpric review\u201d.")
    watched.search("pricing rev")
    until(watched.results, ["acme/2023-01-10-pricing-review"])


@pytest.mark.parametrize("query", ["societe", "Société", "SOCIÉTÉ ", "socie\u0301te\u0301"])
def test_accents_and_case_do_not_matter(watched: Watched, portable: Built, query: str) -> None:
    watched.page.goto(portable.search_url())
    watched.search(query)
    until(watched.results, SOCIETE)


def test_every_spelling_finds_its_word(watched: Watched, portable: Built) -> None:
    watched.page.goto(portable.search_url())
    missed = {}
    for n, (word, spelling) in enumerate(SPELLINGS):
        watched.search(spelling + " ")  # the whole word, not a prefix
        expected = f"polyglot/word-{n}"
        deadline = time.monotonic() + 10
        while expected not in (found := watched.results()) and time.monotonic() < deadline:
            time.sleep(0.02)
        if expected not in found:
            missed[spelling] = (word, found, watched.status())
    assert missed == {}


def test_python_and_javascript_fold_words_alike(watched: Watched) -> None:
    """search.py's `words` and search.js's, run on the same tricky words, agree."""
    source = (REPO / "themes/default/static/search.js").read_text(encoding="utf-8")
    functions = re.search(
        r"^( *function fold\(text\) \{.*?^ *\}\n *function words\(text\) \{.*?^ *\}\n)",
        source,
        re.MULTILINE | re.DOTALL,
    )
    assert functions, "search.js no longer defines fold() and words() side by side"
    in_js = watched.page.evaluate(
        "list => {" + functions.group(1) + "return list.map(w => words(w)); }", TRICKY
    )
    in_python = [words(w) for w in TRICKY]
    assert dict(zip(TRICKY, in_js, strict=True)) == dict(zip(TRICKY, in_python, strict=True))


def test_the_separator_between_texts_does_not_change_their_words() -> None:
    """The index takes a moment's words from its texts joined by spaces, snippets show
    them joined by ' · ': every tricky word, next to any other, splits the same way."""
    for first in [*TRICKY, "ΟΔΟΣ", "e\u0301"]:
        for second in TRICKY:
            assert words(f"{first} · {second}") == words(f"{first} {second}"), (first, second)


# --- filters -----------------------------------------------------------------------------------

FILTERS = [  # (select name, value as the test names it, what a moment must have)
    ("customer", "Globex", lambda m, slug: m["customer"] == slug),
    ("type", "regretful", lambda m, v: m["type"] == v),
    ("stage", "adoption", lambda m, v: m["stage"] == v),
    ("sentiment", "mixed", lambda m, v: m["sentiment"] == v),
    ("year", "2023", lambda m, v: m["date"][:4] == v),
]
Keep = Callable[[dict[str, Any], str], bool]


def option(site: Built, name: str, value: str) -> str:
    return site.slug(value) if name == "customer" else value


def shows(w: Watched, expected: list[str]) -> None:
    """The first page of `expected` is listed and the status counts all of them."""
    until(w.results, expected[:20])
    count = len(expected)
    assert w.status() == (f"{count} moments match." if count > 1 else "1 moment matches.")


@pytest.mark.parametrize(("name", "value", "keep"), FILTERS, ids=[f[0] for f in FILTERS])
def test_a_filter_alone_lists_its_moments_newest_first(
    watched: Watched, portable: Built, name: str, value: str, keep: Keep
) -> None:
    chosen = option(portable, name, value)
    expected = portable.newest_first(lambda m: keep(m, chosen))
    assert 3 <= len(expected) < len(portable.moments)
    watched.page.goto(portable.search_url())
    assert watched.status() == f"{len(portable.moments)} moments to search."
    watched.page.select_option(f"select[name={name}]", chosen)
    shows(watched, expected)
    assert dict(parse_qsl(urlsplit(watched.url()).query)) == {name: chosen}


@pytest.mark.parametrize(("name", "value", "keep"), FILTERS, ids=[f[0] for f in FILTERS])
def test_a_filter_narrows_a_query(
    watched: Watched, portable: Built, name: str, value: str, keep: Keep
) -> None:
    chosen = option(portable, name, value)
    widgets = portable.newest_first(lambda m: m["title"].startswith("Widget"))
    expected = portable.newest_first(lambda m: m["title"].startswith("Widget") and keep(m, chosen))
    assert 2 <= len(expected) < len(widgets)
    watched.page.goto(portable.search_url())
    watched.search("widget")
    shows(watched, widgets)
    watched.page.select_option(f"select[name={name}]", chosen)
    shows(watched, expected)


def test_filters_combine_with_each_other_and_a_query(watched: Watched, portable: Built) -> None:
    acme = portable.slug("Acme Corp")

    def acme_2023(m: dict[str, Any]) -> bool:
        return bool(m["customer"] == acme and m["date"].startswith("2023"))

    watched.page.goto(portable.search_url())
    watched.page.select_option("select[name=customer]", acme)
    watched.page.select_option("select[name=year]", "2023")
    shows(watched, portable.newest_first(acme_2023))
    watched.search("widget")
    shows(watched, portable.newest_first(lambda m: acme_2023(m) and "Widget" in m["title"]))
    watched.page.select_option("select[name=stage]", "renewal")
    expected = portable.newest_first(
        lambda m: acme_2023(m) and "Widget" in m["title"] and m["stage"] == "renewal"
    )
    assert len(expected) == 1
    shows(watched, expected)
    assert dict(parse_qsl(urlsplit(watched.url()).query)) == {
        "q": "widget",
        "customer": acme,
        "year": "2023",
        "stage": "renewal",
    }


def test_filters_in_the_address_are_applied(watched: Watched, portable: Built) -> None:
    globex = portable.slug("Globex")
    watched.page.goto(portable.search_url(customer=globex, stage="adoption"))
    assert watched.page.input_value("select[name=customer]") == globex
    assert watched.page.input_value("select[name=stage]") == "adoption"
    shows(
        watched,
        portable.newest_first(lambda m: m["customer"] == globex and m["stage"] == "adoption"),
    )


def test_no_results(watched: Watched, portable: Built) -> None:
    watched.page.goto(portable.search_url())
    watched.search("xylophone")
    until(watched.status, "No moments match \u201cxylophone\u201d.")
    assert watched.results() == []
    assert watched.page.locator("#_more").is_hidden()
    watched.search("")
    watched.page.select_option("select[name=customer]", portable.slug("Zenith Pricing"))
    watched.page.select_option("select[name=year]", "2021")
    until(watched.status, "No moments match these filters.")
    assert watched.results() == []


# --- results -----------------------------------------------------------------------------------


def test_show_more_pages_through_the_results(watched: Watched, portable: Built) -> None:
    widgets = portable.newest_first(lambda m: m["title"].startswith("Widget"))
    assert len(widgets) == WIDGETS
    watched.page.goto(portable.search_url(q="widget"))
    until(watched.results, widgets[:20])
    assert watched.status() == f"{WIDGETS} moments match."
    more = watched.page.locator("#_more")
    more.click()
    until(watched.results, widgets[:40])
    assert watched.focused() == "moment-title 20"  # the first of the new results
    more.click()
    until(watched.results, widgets)
    assert more.is_hidden()


def snippets(w: Watched) -> list[dict[str, Any]]:
    """Each result's snippet once every one has loaded: its text, section label and marks."""
    read = """() => [...document.querySelectorAll('#_results > li.search-result')].map(li => {
        const p = li.querySelector('p.snippet');
        const texts = selector => [...li.querySelectorAll(selector)].map(e => e.textContent);
        return {text: p.textContent, section: texts('p.snippet .snippet-section'),
                marks: texts('p.snippet mark'), title: texts('a.moment-title mark'),
                customer: texts('a.customer-name mark')};
    })"""
    w.page.wait_for_function(
        "() => [...document.querySelectorAll('#_results p.snippet')].every(p => p.textContent)"
    )
    found: list[dict[str, Any]] = w.page.evaluate(read)
    return found


def test_snippets_mark_the_words_and_name_the_section(watched: Watched, portable: Built) -> None:
    watched.page.goto(portable.search_url(q="escalation"))
    until(watched.results, ["globex/2024-06-05-quarterly"])
    assert snippets(watched) == [
        {
            "text": "Learnings: An escalation path agreed up front saves a week.",
            "section": ["Learnings: "],
            "marks": ["escalation"],
            "title": [],
            "customer": [],
        }
    ]
    watched.search("pricing")
    until(watched.results, PRICING)
    found = dict(zip(PRICING, snippets(watched), strict=True))
    assert found["globex/2024-06-05-quarterly"] == {
        "text": "They asked about pricing for the new regions.",
        "section": [],  # the narrative needs no label
        "marks": ["pricing"],
        "title": [],
        "customer": [],
    }
    assert found["acme/2023-01-10-pricing-review"]["title"] == ["Pricing"]
    assert found["zenith/2022-05-02-kickoff"]["customer"] == ["Pricing"]
    # No match in the text: the snippet is the narrative's start, unmarked.
    assert found["zenith/2022-05-02-kickoff"]["text"] == "First meeting."
    assert found["zenith/2022-05-02-kickoff"]["marks"] == []


def test_snippets_mark_words_whatever_their_accents(watched: Watched, portable: Built) -> None:
    watched.page.goto(portable.search_url(q="SOCIÉTÉ"))
    until(watched.results, SOCIETE)
    visit, newsletter = snippets(watched)
    assert visit["customer"] == ["Société"]
    assert newsletter["marks"] == ["societe"]


def test_keyboard(watched: Watched, portable: Built) -> None:
    page = watched.page
    page.goto(portable.search_url(q="pricing"))
    until(watched.results, PRICING)
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("/")
    assert watched.focused() == "#_q"
    assert page.input_value("#_q") == "pricing"  # the slash only moved the focus
    page.keyboard.press("ArrowDown")
    assert watched.focused() == "moment-title 0"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert watched.focused() == "moment-title 2"
    page.keyboard.press("ArrowUp")
    assert watched.focused() == "moment-title 1"
    for _ in range(len(PRICING) + 2):  # no further than the last result
        page.keyboard.press("ArrowDown")
    assert watched.focused() == f"moment-title {len(PRICING) - 1}"
    for _ in range(len(PRICING)):
        page.keyboard.press("ArrowUp")
    assert watched.focused() == "#_q"
    page.keyboard.press("Escape")
    until(watched.status, f"{len(portable.moments)} moments to search.")
    assert page.input_value("#_q") == ""
    assert watched.results() == []
    assert urlsplit(watched.url()).query == ""
    # In the box, a slash is just a slash.
    page.keyboard.type("a/b")
    assert page.input_value("#_q") == "a/b"
    # Enter on a result follows it.
    watched.search("escalation")
    until(watched.results, ["globex/2024-06-05-quarterly"])
    page.keyboard.press("ArrowDown")  # leaving the box just typed in keeps the results
    assert watched.focused() == "moment-title 0"
    with page.expect_navigation(
        url=portable.base + "moments/globex/2024-06-05-quarterly/index.html"
    ):
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Quarterly check-in"


def test_the_header_form_on_any_page_leads_to_results(watched: Watched, portable: Built) -> None:
    page = watched.page
    page.goto(portable.base + "moments/globex/2023-02-02-newsletter/index.html")
    page.fill("#_site-q", "pricing")
    with page.expect_navigation(url=portable.search_url(q="pricing")):
        page.press("#_site-q", "Enter")
    until(watched.results, PRICING)
    assert page.input_value("#_q") == "pricing"
    assert page.locator("#_site-q").count() == 0  # the search page has its own box only
    with page.expect_navigation(url=portable.base + f"moments/{PRICING[0]}/index.html"):
        page.locator("#_results a.moment-title").first.click()
    assert page.locator("h1").inner_text() == "Pricing review with the board"


def test_the_query_survives_a_reload(watched: Watched, portable: Built) -> None:
    globex = portable.slug("Globex")
    expected = portable.newest_first(lambda m: "Widget" in m["title"] and m["customer"] == globex)
    watched.page.goto(portable.search_url())
    watched.search("widget")
    watched.page.select_option("select[name=customer]", globex)
    shows(watched, expected)
    query = {"q": "widget", "customer": globex}
    until(lambda: dict(parse_qsl(urlsplit(watched.url()).query)), query)
    watched.page.reload()
    shows(watched, expected)
    assert watched.page.input_value("#_q") == "widget"
    assert watched.page.input_value("select[name=customer]") == globex
    assert dict(parse_qsl(urlsplit(watched.url()).query)) == query


def test_result_links_lead_to_the_moments(watched: Watched, portable: Built) -> None:
    watched.page.goto(portable.search_url(q="widget"))
    until(watched.results, portable.newest_first(lambda m: "Widget" in m["title"])[:20])
    hrefs = watched.page.eval_on_selector_all(
        "#_results a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert len(hrefs) == 40  # a title and a customer per result
    assert all(href.startswith("file://") and href.endswith("/index.html") for href in hrefs)
    missing = [h for h in hrefs if not Path(url2pathname(urlsplit(h).path)).is_file()]
    assert missing == []


IDS = """
-- content/moments/globex/2022-09-09-zebra-fair.md --
---
title: Zebra fair
date: 2022-09-09
customer: Globex
---
Zebra.
-- content/moments/globex/zebra-notes.md --
---
title: Zebra notes
date: 2022-09-10
customer: Globex
---
Zebra.
-- content/moments/elsewhere/zebra.md --
---
title: Zebra elsewhere
date: 2022-09-11
customer: Globex
id: special/zebra-one
---
Zebra.
-- content/moments/globex/2020-01-01-zebra-dated-otherwise.md --
---
title: Zebra dated otherwise
date: 2022-09-12
customer: Globex
---
Zebra.
"""


def test_every_form_of_id_links_to_its_moment(
    watched: Watched, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The index shortens ids that start with the customer and the date; every form,
    and ids that do not, must still lead to the moment's page."""
    site = write_site(tmp_path_factory.mktemp("ids") / "site", IDS)
    zebras = built(build(site, site.parent / "out"))
    expected = zebras.newest_first(lambda m: True)
    assert set(expected) == {
        "globex/2022-09-09-zebra-fair",
        "globex/zebra-notes",
        "special/zebra-one",
        "globex/2020-01-01-zebra-dated-otherwise",
    }
    stored = {doc[0] for doc in read_script(zebras.out / "search" / "index.js", "index")["docs"]}
    assert stored == {
        "//zebra-fair",
        "/zebra-notes",
        "special/zebra-one",
        "/2020-01-01-zebra-dated-otherwise",
    }
    watched.page.goto(zebras.search_url(q="zebra"))
    until(watched.results, expected)
    hrefs = watched.page.eval_on_selector_all(
        "#_results a.moment-title", "links => links.map(a => a.href)"
    )
    assert [moment_id(h) for h in hrefs] == expected
    assert all(Path(url2pathname(urlsplit(h).path)).is_file() for h in hrefs)


# --- what the index holds ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def with_drafts(main_site: Path) -> Built:
    return built(build(main_site, main_site.parent / "with-drafts", "--drafts"))


def index_text(out: Path) -> str:
    files = sorted((out / "search").glob("*.js"))
    assert len(files) >= 3
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def test_drafts_are_left_out_of_the_index(
    watched: Watched, portable: Built, with_drafts: Built
) -> None:
    for word in ("zeppelin", "dirigible"):
        assert word not in index_text(portable.out).lower()
        assert word in index_text(with_drafts.out).lower()
    watched.page.goto(portable.search_url(q="dirigible"))
    until(watched.status, "No moments match \u201cdirigible\u201d.")
    watched.page.goto(with_drafts.search_url(q="dirigible"))
    until(watched.results, ["globex/2025-01-01-zeppelin"])


ANONYMOUS = """
-- content/customers/acme.md --
---
name: Acme Corp
owner: Dana Smith
aliases: [Roadrunner Supplies]
---
Account notes about Acme Corp.
-- content/moments/acme/2023-01-10-renewal.md --
---
title: Acme Corp renewal with Dana Smith
date: 2023-01-10
customer: Roadrunner Supplies
people: [Dana Smith, Lee]
tags: [acme, renewal]
---
Lee met the Acme Corp team; Roadrunner Supplies was their old name.

## Learnings
- Dana Smith should bring Lee again.

## Plan
- Ask Acme about the renewal.
"""
REAL_WORDS = {"acme", "roadrunner", "supplies", "dana", "smith", "lee"}


@pytest.fixture(scope="module")
def anonymized(tmp_path_factory: pytest.TempPathFactory) -> tuple[Built, Built]:
    root = tmp_path_factory.mktemp("anonymous")
    write_site(root / "site", ANONYMOUS)
    plain = built(build(root / "site", root / "plain"))
    return plain, built(build(root / "site", root / "anonymized", "--anonymize"))


def test_an_anonymized_index_holds_no_real_name(
    watched: Watched, anonymized: tuple[Built, Built]
) -> None:
    plain, anonymous = anonymized
    # The check finds the names where they are.
    assert set(words(index_text(plain.out))) >= REAL_WORDS
    assert set(words(index_text(anonymous.out))) & REAL_WORDS == set()
    for name in ("Acme", "acme-corp", "Roadrunner", "Dana", "Smith", "Lee"):
        assert name.lower() not in index_text(anonymous.out).lower()
    # In the page: the real names find nothing, the pseudonym finds the moment.
    [moment] = anonymous.moments
    [customer] = anonymous.data["customers"]
    watched.page.goto(anonymous.search_url())
    for real in ("acme", "dana smith", "lee", "roadrunner"):
        watched.search(real + " ")
        until(watched.status, f"No moments match \u201c{real} \u201d.")
    watched.search(customer["name"])
    until(watched.results, [moment["id"]])
    watched.search(moment["people"][1])
    until(watched.results, [moment["id"]])


# --- hostile input -----------------------------------------------------------------------------

PWN = "window.__pwned=1"
IMG = f'<img src=x onerror="{PWN}">'
END = f"</script><script>{PWN}</script>"
SEPARATORS = "line\u2028separator\u2029paragraph"
QUOTES = "\"double\" 'single' `${" + PWN + "}` \\u0022 \\"


def hostile_moment(n: int, title: str, customer: str, body: str) -> str:
    return f"""-- content/moments/evil/hostile-{n}.md --
---
title: {json.dumps(title)}
date: 2025-0{n}-01
customer: {json.dumps(customer)}
people: {json.dumps([QUOTES, SEPARATORS])}
tags: {json.dumps([END, QUOTES, IMG])}
stage: renewal
---
{body}
"""


HOSTILE = "".join(
    (
        hostile_moment(
            1,
            f"Hostile {IMG} title",
            IMG,
            f"Hostile body {IMG} and {END} end.\n\n## Learnings\n- Hostile learning {END}",
        ),
        hostile_moment(2, f"Hostile {END}<!--", END + "<!--", f"Hostile {SEPARATORS} {QUOTES}"),
        hostile_moment(3, f"Hostile {QUOTES} {SEPARATORS}", f'Quote "Co" \'s {END}', QUOTES),
    )
)
SAFE_TAGS = {"LI", "TIME", "A", "SPAN", "P", "MARK"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("hostile")
    write_site(root / "site", HOSTILE)
    return built(build(root / "site", root / "out"))


def test_index_files_are_valid_scripts_whatever_the_content(
    watched: Watched, hostile: Built
) -> None:
    files = sorted((hostile.out / "search").glob("*.js"))
    watched.page.goto(hostile.search_url())
    compiles = (
        "source => { try { new Function(source); return 'ok' } catch (e) { return String(e) } }"
    )
    results = {
        f.name: watched.page.evaluate(compiles, f.read_text(encoding="utf-8")) for f in files
    }
    assert results == {f.name: "ok" for f in files}
    # And the data in them is what the writer typed, character for character.
    index = read_script(hostile.out / "search/index.js", "index")
    titles = {doc[0]: doc[1] for doc in index["docs"]}
    assert titles == {m["id"]: m["title"] for m in hostile.moments}
    assert sorted(name for _, name in index["customers"]) == sorted(
        c["name"] for c in hostile.data["customers"]
    )
    # What would end a <script> element or a line of older JavaScript is escaped.
    raw = index_text(hostile.out)
    assert not {"<", "\u2028", "\u2029"} & set(raw)
    assert "\\u003c/script>" in raw and "\\u2028" in raw


def test_hostile_text_shows_as_text_and_runs_nothing(watched: Watched, hostile: Built) -> None:
    page = watched.page
    page.goto(hostile.search_url(q="hostile"))
    until(watched.results, hostile.newest_first(lambda m: True))
    found = snippets(watched)
    shown = page.evaluate(
        """() => [...document.querySelectorAll('#_results > li')].map(li => ({
            title: li.querySelector('a.moment-title').textContent,
            customer: li.querySelector('a.customer-name').textContent}))"""
    )
    by_id = {m["id"]: m for m in hostile.moments}
    names = {c["slug"]: c["name"] for c in hostile.data["customers"]}
    assert shown == [
        {"title": by_id[i]["title"], "customer": names[by_id[i]["customer"]]}
        for i in watched.results()
    ]
    bodies = " ".join(s["text"] for s in found)
    assert IMG in bodies and END in bodies and "\"double\" 'single'" in bodies
    # Then a hostile query, typed and in the address.
    everything = hostile.newest_first(lambda m: True)
    watched.search(f"{IMG} {END} nowhere")
    until(watched.status, f"No moments match \u201c{IMG} {END} nowhere\u201d.")
    watched.search(f"{IMG} {END}")  # every moment has both in its tags
    until(lambda: sorted(watched.results()), sorted(everything))
    page.goto(hostile.search_url(q=END, customer=IMG))
    assert page.input_value("#_q") == END
    assert page.input_value("select[name=customer]") == ""  # no such option: ignored
    until(lambda: sorted(watched.results()), sorted(everything))
    # Nothing ran, and the only elements made are the ones results are made of.
    checks = page.evaluate(
        """() => ({
            pwned: typeof window.__pwned,
            made: [...new Set([...document.querySelectorAll('#_results *')].map(e => e.tagName))],
            images: document.querySelectorAll('img, svg, iframe, object, embed').length,
            inline: [...document.scripts].filter(s => !s.src || s.text.trim()).length,
            scripts: [...document.scripts].map(s => s.src),
        })"""
    )
    assert checks["pwned"] == "undefined"
    assert set(checks["made"]) <= SAFE_TAGS and "MARK" in checks["made"]
    assert checks["images"] == 0
    assert checks["inline"] == 0
    allowed = (hostile.base + "static/search.js", hostile.base + "search/")
    assert all(src.startswith(allowed) for src in checks["scripts"])
    page.goto(hostile.search_url(q="hostile"))
    until(watched.results, everything)
    snippets(watched)
    made = page.evaluate(
        "() => [...new Set([...document.querySelectorAll('#_results *')].map(e => e.tagName))]"
    )
    assert set(made) <= SAFE_TAGS
    assert page.evaluate("typeof window.__pwned") == "undefined"


# --- pretty links --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pretty(main_site: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The main site with pretty links, served over HTTP at /sub/ (file:// can't map folders)."""
    out = build(main_site, main_site.parent / "pretty", "--links", "pretty")
    www = tmp_path_factory.mktemp("www")
    shutil.copytree(out, www / "sub")
    with serving(www) as (origin, requested):
        yield built(out, base=f"{origin}/sub/", index="")
    assert all(path.startswith("/sub/") for path in requested)


def test_pretty_links_from_the_header_form_to_a_moment(watched: Watched, pretty: Built) -> None:
    page = watched.page
    page.goto(pretty.base)
    page.fill("#_site-q", "pricing")
    with page.expect_navigation(url=pretty.search_url(q="pricing")):
        page.press("#_site-q", "Enter")
    until(watched.results, PRICING)
    hrefs = page.eval_on_selector_all("#_results a", "links => links.map(a => a.href)")
    assert all(href.startswith(pretty.base) and href.endswith("/") for href in hrefs)
    with page.expect_navigation(url=pretty.base + f"moments/{PRICING[0]}/") as navigation:
        page.locator("#_results a.moment-title").first.click()
    assert navigation.value is not None and navigation.value.status == 200
    assert page.locator("h1").inner_text() == "Pricing review with the board"
    # And the filters, from the address.
    page.goto(pretty.search_url(q="widget", year="2022"))
    assert watched.page.input_value("select[name=year]") == "2022"
    shows(
        watched, pretty.newest_first(lambda m: "Widget" in m["title"] and m["date"][:4] == "2022")
    )
