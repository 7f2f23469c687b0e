"""Portable by default, proven: the example site works opened from disk and under a sub-path.

The same output (default, portable links) is opened from file:// and served by
Python's http.server at /team/cx/ with nothing at /; the pretty-link build is
served the same way. In each, every link on the dashboard is followed, and
each page it leads to must load with its stylesheets, scripts and images, no
failed request, no 4xx/5xx, no console error. The browser may reach only the
site itself: any request elsewhere (another host, another folder of the disk,
the server's root) is blocked and reported. Then search is used as a reader
would: a word in the header's box, the results, the first one opened.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urlsplit
from urllib.request import url2pathname

import pytest
from conftest import CHROMIUM, REPO, build_example, serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response, Route

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs {CHROMIUM}")

SUB_PATH = "/team/cx/"
QUERY = "renewal"
ARTIFACTS = REPO / "tests" / "artifacts"


@pytest.fixture(scope="module")
def portable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example(tmp_path_factory.mktemp("portable") / "out")


@pytest.fixture(scope="module")
def pretty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_example(tmp_path_factory.mktemp("pretty") / "out", "--links", "pretty")


# --- the server --------------------------------------------------------------------------------


@contextlib.contextmanager
def under_sub_path(out: Path, tmp_path: Path) -> Iterator[tuple[str, list[str]]]:
    """`out` served at SUB_PATH, with nothing above it: the site's URL and the paths asked for."""
    www = tmp_path / "www"
    shutil.copytree(out, www / SUB_PATH.strip("/"))
    with serving(www) as (origin, requested):
        yield origin + SUB_PATH, requested


# --- the browser -------------------------------------------------------------------------------


@dataclass
class Reader:
    """A browser tab that may reach only URLs starting with `site`, and notes what goes wrong."""

    page: Page
    site: str
    requested: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    aborted: set[str] = field(default_factory=set)  # cut short by moving on to the next page

    def __post_init__(self) -> None:
        self.page.context.route("**/*", self._route)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)

    def _route(self, route: Route) -> None:
        url = route.request.url
        self.requested.append(url)
        if url.startswith(self.site):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort("blockedbyclient")

    def _failed(self, request: Request) -> None:
        if request.failure == "net::ERR_ABORTED" and request.url.startswith(self.site):
            self.aborted.add(request.url)  # the favicon, when the next page opens at once
        else:
            self.problems.append(f"failed: {request.url} {request.failure}")

    def _response(self, response: Response) -> None:
        if response.status >= 400:
            self.problems.append(f"{response.status} {response.url}")

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def open(self, url: str) -> int:
        """Go to `url`; the response's status."""
        response = self.page.goto(url)
        assert response is not None, url
        return response.status

    def unloaded(self) -> list[str]:
        """The page's stylesheets and images that did not load."""
        found: list[str] = self.page.evaluate(
            """() => [
                ...[...document.querySelectorAll('link[rel=stylesheet]')]
                    .filter(link => !link.sheet).map(link => link.href),
                ...[...document.images]
                    .filter(img => !img.complete || !img.naturalWidth).map(img => img.src),
            ]"""
        )
        return found


@pytest.fixture
def reader_at(browser: Browser) -> Iterator[Any]:
    """Makes a Reader for a site's URL; closes its browser context afterwards."""
    contexts = []

    def make(site: str) -> Reader:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        return Reader(context.new_page(), site)

    yield make
    for context in contexts:
        context.close()


def site_title(out: Path) -> str:
    title: str = json.loads((out / "moments.json").read_text(encoding="utf-8"))["site"]["title"]
    return title


def follow_every_dashboard_link(reader: Reader, dashboard: str, out: Path) -> list[str]:
    """Open each page the dashboard links to; return the links."""
    assert reader.open(dashboard) == 200
    hrefs = reader.page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    links = sorted({urldefrag(href).url for href in hrefs})
    assert len(links) > 20
    assert [url for url in links if not url.startswith(reader.site)] == []
    title = site_title(out)
    failures = {}
    for url in links:
        reader.problems.clear()
        status = reader.open(url)
        wrong = [f"status {status}"] if status != 200 else []
        if not url.endswith((".json", ".xml")):
            if title not in reader.page.title():
                wrong.append(f"title {reader.page.title()!r}")
            wrong += [f"not loaded: {u}" for u in reader.unloaded()]
        if wrong or reader.problems:
            failures[url] = wrong + reader.problems
    # What a page was still loading when the next one opened must load on its own.
    for url in sorted(reader.aborted):
        reader.problems.clear()
        status = reader.open(url)
        if status != 200 or reader.problems:
            failures[url] = [f"status {status}", *reader.problems]
    assert failures == {}
    return links


def search_and_open_the_first_result(
    reader: Reader, dashboard: str, search_page: str, moment_url_end: str
) -> tuple[str, float]:
    """Type QUERY in the dashboard's header box, land on the search page, open the first result.
    Return the moment's URL and when the first results showed (ms after the search page began)."""
    page = reader.page
    assert reader.open(dashboard) == 200
    page.fill("#_site-q", QUERY)
    with page.expect_navigation(url=f"{search_page}?q={QUERY}"):
        page.press("#_site-q", "Enter")
    first = page.locator("#_results li.search-result a.moment-title").first
    first.wait_for()
    status = page.inner_text("#_search-status")
    assert status.endswith("moments match."), status
    took = page.evaluate(
        """() => performance.getEntriesByName('momentmap-search-first-results')
                 .map(mark => mark.startTime)"""
    )
    assert len(took) == 1
    title = first.inner_text()
    href = first.evaluate("a => a.href")
    assert href.startswith(reader.site + "moments/") and href.endswith(moment_url_end), href
    with page.expect_navigation(url=href) as navigation:
        first.click()
    response = navigation.value
    assert response is not None and response.status == 200
    assert page.locator("h1").inner_text() == title
    assert reader.unloaded() == []
    assert reader.problems == []
    return href, took[0]


def report_timing(name: str, ms: float) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"search-first-results-{name}.txt").write_text(f"{ms:.0f} ms\n", encoding="utf-8")
    print(f"time to first search results ({name}): {ms:.0f} ms")


# --- the tests ---------------------------------------------------------------------------------


def test_from_disk(reader_at: Any, portable: Path) -> None:
    site = portable.as_uri() + "/"
    reader: Reader = reader_at(site)
    dashboard = site + "index.html"
    links = follow_every_dashboard_link(reader, dashboard, portable)
    missing = [url for url in links if not Path(url2pathname(urlsplit(url).path)).is_file()]
    assert missing == []
    moment, took = search_and_open_the_first_result(
        reader, dashboard, site + "search/index.html", "/index.html"
    )
    assert Path(url2pathname(urlsplit(moment).path)).is_file()
    assert reader.blocked == []
    assert all(url.startswith(site) for url in reader.requested)
    assert took < 5000
    report_timing("file", took)


@pytest.mark.parametrize("links", ["portable", "pretty"])
def test_under_a_sub_path(
    reader_at: Any, portable: Path, pretty: Path, tmp_path: Path, links: str
) -> None:
    out, index = (portable, "index.html") if links == "portable" else (pretty, "")
    with under_sub_path(out, tmp_path) as (site, requested):
        reader: Reader = reader_at(site)
        follow_every_dashboard_link(reader, site + index, out)
        _, took = search_and_open_the_first_result(
            reader, site + index, site + "search/" + index, "/" + index
        )
    assert reader.blocked == []
    # Chromium asks for /favicon.ico on its own when a page is left before its
    # head (which names static/favicon.svg) is read; no page links there.
    outside = [p for p in requested if not p.startswith(SUB_PATH) and p != "/favicon.ico"]
    assert requested and outside == []
    assert took < 5000
    report_timing(f"http-{links}", took)
