"""The example site in a real browser: opened from disk, and served under a sub-path.

A reader clicks from the dashboard to a customer and on to one of its moments;
every page is styled, and nothing fails on the way: no console errors, no page
errors, no failed or 4xx/5xx requests. Screenshots of the dashboard go to
tests/artifacts/ (git-ignored) for people to look at.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urlsplit
from urllib.request import url2pathname

import pytest
from conftest import CHROMIUM, REPO, build_example

sync_api = pytest.importorskip("playwright.sync_api")

AS_OF = "2025-12-01"
ARTIFACTS = REPO / "tests" / "artifacts"
DASHBOARD_TITLE = "Kestrel Field — customer moments"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"needs {CHROMIUM}")


@pytest.fixture(scope="module")
def portable(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site with the default (portable) links, as opened from a file share."""
    return build_example(tmp_path_factory.mktemp("portable") / "out", as_of=AS_OF)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The example site with pretty links, served by `python -m http.server` at /team/cx/."""
    root = tmp_path_factory.mktemp("served")
    out = build_example(root / "out", "--links", "pretty", as_of=AS_OF)
    shutil.copytree(out, root / "www" / "team" / "cx")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=root / "www",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "http.server did not start"
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/team/cx/", out
    finally:
        server.terminate()
        server.wait(timeout=10)


class Watched:
    """A page, and everything that went wrong on it."""

    def __init__(self, page: sync_api.Page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", lambda r: self.problems.append(f"failed: {r.url} {r.failure}"))
        page.on("response", self._response)

    def _console(self, message: sync_api.ConsoleMessage) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text} at {message.location.get('url')}")

    def _response(self, response: sync_api.Response) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def h1(self) -> str:
        return self.page.locator("h1").inner_text()

    def styled(self) -> dict[str, str]:
        """What the theme's stylesheet changes on <body>, and whether the sheet loaded."""
        return self.page.evaluate(
            """() => {
                const body = getComputedStyle(document.body);
                const link = document.querySelector('link[rel=stylesheet]');
                return {font: body.fontFamily, background: body.backgroundColor,
                        margin: body.margin, sheet: String(Boolean(link && link.sheet))};
            }"""
        )


@pytest.fixture
def watched(browser: sync_api.Browser) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield Watched(context.new_page())
    context.close()


@pytest.fixture(scope="module")
def unstyled(browser: sync_api.Browser) -> dict[str, str]:
    """The same measurements on a page without any stylesheet."""
    page = browser.new_page()
    page.set_content("<!doctype html><title>x</title><body><h1>x</h1></body>")
    result = Watched(page).styled()
    page.close()
    return result


def example(out: Path) -> tuple[dict, dict]:
    """A customer from the built data, and its first moment."""
    data = json.loads((out / "moments.json").read_text(encoding="utf-8"))
    customer = data["customers"][0]
    moment = next(m for m in data["moments"] if m["customer"] == customer["slug"])
    return customer, moment


def click_to_a_moment(
    w: Watched, base: str, out: Path, index: str, unstyled: dict[str, str]
) -> None:
    """Dashboard -> nav 'Customers' -> a customer -> one of its moments, checking each page.

    `index` is what a page url ends in: 'index.html' for portable links, '' for pretty.
    """
    customer, moment = example(out)

    def arrived(url: str, h1: str) -> None:
        w.page.wait_for_load_state("load")
        assert w.page.url == base + url + index
        assert w.h1() == h1
        styled = w.styled()
        assert styled["sheet"] == "true"
        assert styled["font"] != unstyled["font"] or styled["background"] != unstyled["background"]

    w.page.goto(base + index)
    arrived("", DASHBOARD_TITLE)
    w.page.get_by_role("navigation", name="Site").get_by_role("link", name="Customers").click()
    arrived("customers/", "Customers")
    w.page.get_by_role("main").get_by_role("link", name=customer["name"], exact=True).click()
    arrived(customer["url"], customer["name"])
    w.page.get_by_role("main").get_by_role("link", name=moment["title"], exact=True).first.click()
    arrived(moment["url"], moment["title"])
    assert w.problems == []


def test_click_through_from_disk(
    watched: Watched, portable: Path, unstyled: dict[str, str]
) -> None:
    click_to_a_moment(watched, portable.as_uri() + "/", portable, "index.html", unstyled)


def test_click_through_served_under_a_sub_path(
    watched: Watched, served: tuple[str, Path], unstyled: dict[str, str]
) -> None:
    base, out = served
    click_to_a_moment(watched, base, out, "", unstyled)


def dashboard_links(w: Watched) -> list[str]:
    hrefs = w.page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    return sorted({urldefrag(href).url for href in hrefs})


def test_every_dashboard_link_resolves_on_the_server(
    watched: Watched, served: tuple[str, Path]
) -> None:
    base, _ = served
    watched.page.goto(base)
    links = dashboard_links(watched)
    assert len(links) > 10
    outside = [url for url in links if not url.startswith(base)]
    assert outside == []  # relative links stay below the sub-path
    statuses = {url: watched.page.request.get(url).status for url in links}
    assert {url: s for url, s in statuses.items() if s != 200} == {}
    assert watched.problems == []


def test_every_dashboard_link_resolves_on_disk(watched: Watched, portable: Path) -> None:
    watched.page.goto((portable / "index.html").as_uri())
    links = dashboard_links(watched)
    assert len(links) > 10
    missing = [url for url in links if not Path(url2pathname(urlsplit(url).path)).is_file()]
    assert missing == []
    assert all(Path(url2pathname(urlsplit(url).path)).is_relative_to(portable) for url in links)


@pytest.mark.parametrize("width", [390, 1280])
def test_dashboard_screenshot(browser: sync_api.Browser, portable: Path, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 900})
    w = Watched(context.new_page())
    try:
        w.page.goto((portable / "index.html").as_uri())
        ARTIFACTS.mkdir(exist_ok=True)
        w.page.screenshot(path=ARTIFACTS / f"dashboard-{width}.png", full_page=True)
        assert w.page.evaluate("document.documentElement.scrollWidth") <= width
        assert w.problems == []
    finally:
        context.close()


def test_customer_and_moment_pages_fit_a_phone(browser: sync_api.Browser, portable: Path) -> None:
    customer, moment = example(portable)
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    try:
        too_wide = {}
        for url in ("customers/", customer["url"], moment["url"], "promises/", "journey/"):
            page.goto((portable / url / "index.html").as_uri())
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 390:
                too_wide[url] = width
        assert too_wide == {}
    finally:
        context.close()


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("report", ["2024", "plan"])
def test_year_in_review_and_plan_print_without_navigation(
    browser: sync_api.Browser, portable: Path, paper: str, report: str
) -> None:
    year_page = portable / f"customers/brandt-vogel/{report}/index.html"
    page = browser.new_page()
    page.goto(year_page.as_uri())
    page.emulate_media(media="print")
    hidden = page.evaluate(
        "() => ['.site-header', '.site-footer', '.breadcrumb']"
        ".map(s => getComputedStyle(document.querySelector(s)).display)"
    )
    assert hidden == ["none", "none", "none"]
    if report != "plan":
        assert page.evaluate("() => document.querySelector('figure.chart svg') !== null")
    pdf = page.pdf(format=paper, print_background=False)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = "year-in-review" if report != "plan" else "plan"
    (ARTIFACTS / f"{name}-{paper}.pdf").write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pdf.startswith(b"%PDF") and 1 <= pages <= 6, pages
    page.close()
