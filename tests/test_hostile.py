"""Hostile input: whatever a writer types, the site runs none of it, links nowhere unsafe,
still shows it as text, and nothing outside the output folder changes.

Each site is built once by the real CLI (module-scoped fixtures) and then read back
as parsed HTML and JSON: elements and attributes, never regexes over markup.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import Run, run_cli, tree_bytes, write_site

SCRIPT = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(1)>'
SVG = "'><svg onload=alert(1)>"
JS = "javascript:alert(1)"
END_TITLE = "</title><script>alert(1)</script>"
TITLE = f"{SCRIPT} {BREAKOUT} {{{{ 7*7 }}}}"  # the last part would be 49 if templates ran it
SECRET = "TOPSECRET-0451"


def y(value: object) -> str:
    """A YAML flow value that is exactly `value` (JSON is YAML)."""
    return json.dumps(value)


# Parsed pages --------------------------------------------------------------

VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())  # noqa: SIM905


@dataclass(eq=False)
class Element:
    tag: str
    pairs: list[tuple[str, str]]  # every attribute as written, duplicates included
    ancestors: list[Element]
    parts: list[str] = field(default_factory=list)

    @property
    def attrs(self) -> dict[str, str]:
        return dict(reversed(self.pairs))  # the first of duplicates wins, as in browsers

    @property
    def text(self) -> str:
        return "".join(self.parts)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, [(k, v or "") for k, v in attrs], list(self.open))
        self.elements.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i].tag == tag:
                del self.open[i:]
                return

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.parts.append(data)


def parse(html: str) -> list[Element]:
    parser = _Parser()
    parser.feed(html)
    parser.close()
    return parser.elements


def find(elements: list[Element], tag: str, **attrs: str) -> list[Element]:
    return [
        e for e in elements if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())
    ]


def inside(elements: list[Element], container: Element) -> list[Element]:
    return [e for e in elements if any(a is container for a in e.ancestors)]


def text_of(elements: list[Element], tag: str, **attrs: str) -> str:
    [element] = find(elements, tag, **attrs)
    return element.text


# What no page may hold -----------------------------------------------------

URL_ATTRS = frozenset(
    "href src action formaction srcset xlink:href poster data background cite ping".split()  # noqa: SIM905
)
UNSAFE_SCHEMES = frozenset({"javascript", "vbscript", "data", "file"})
SAFE_DATA_IMAGES = ("data:image/png", "data:image/gif", "data:image/jpeg", "data:image/webp")
FRAMING_TAGS = frozenset({"iframe", "frame", "frameset", "object", "embed", "base"})


def compact(url: str) -> str:
    """The URL as a browser reads its scheme: controls and whitespace gone, lower case."""
    return "".join(ch for ch in url if ch > " " and ch != "\x7f").lower()


def scheme_of(url: str) -> str:
    scheme, colon, _ = compact(url).partition(":")
    ok = colon and scheme[:1].isalpha() and all(c.isalnum() or c in "+-." for c in scheme)
    return scheme if ok else ""


def theme_script(element: Element) -> bool:
    """The only scripts allowed: the theme's own file, the search index, or JSON data
    that parses whole."""
    attrs = element.attrs
    if attrs.get("type") == "application/json":
        try:
            json.loads(element.text)
        except ValueError:
            return False
        return "<!--" not in element.text
    src = attrs.get("src", "")
    index = attrs.get("id") == "_search-index" and src.endswith("index.js")
    return (index or "/static/" in f"/{src}") and not scheme_of(src) and not element.text.strip()


def problems_in(elements: list[Element]) -> list[str]:
    found = []
    for e in elements:
        if e.tag == "script" and not theme_script(e):
            found.append(f"<script {e.pairs}>{e.text[:60]}")
        if e.tag in FRAMING_TAGS or (
            e.tag == "meta" and e.attrs.get("http-equiv", "").lower() == "refresh"
        ):
            found.append(f"<{e.tag} {e.pairs}>")
        for name, value in e.pairs:
            if name.startswith("on"):
                found.append(f"<{e.tag} {name}={value!r}>")
            if name not in URL_ATTRS:
                continue
            urls = (
                [p.split()[0] for p in value.split(",") if p.strip()]
                if name == "srcset"
                else [value]
            )
            for url in urls:
                image = e.tag == "img" and name in ("src", "srcset")
                if scheme_of(url) in UNSAFE_SCHEMES and not (
                    image and compact(url).startswith(SAFE_DATA_IMAGES)
                ):
                    found.append(f"<{e.tag} {name}={url!r}>")
    return found


# Building ------------------------------------------------------------------


@dataclass
class Built:
    run: Run
    root: Path
    out: Path
    changed_outside: list[str]  # files outside --out created, changed or deleted by the build

    def pages(self) -> dict[str, list[Element]]:
        return {
            p.relative_to(self.out).as_posix(): parse(p.read_text(encoding="utf-8"))
            for p in sorted(self.out.rglob("*.html"))
        }

    def page(self, url: str) -> list[Element]:
        return parse((self.out / url / "index.html").read_text(encoding="utf-8"))

    def data(self) -> dict:
        return json.loads((self.out / "moments.json").read_text(encoding="utf-8"))

    def moment(self, moment_id: str) -> dict:
        [moment] = [m for m in self.data()["moments"] if m["id"] == moment_id]
        return moment

    def customer(self, name: str) -> dict:
        [customer] = [c for c in self.data()["customers"] if c["name"] == name]
        return customer


def outside_out(root: Path) -> dict[str, bytes]:
    # A build may keep its cache in the site folder (SPEC 6), and its lock and the spare
    # version beside the output (README, "Publishing safely"); nothing else may change.
    kept = ("out/", ".out.momentmap-lock", ".out.momentmap-spare/", "site/.momentmap-cache/")
    return {path: data for path, data in tree_bytes(root).items() if not path.startswith(kept)}


def build(root: Path, *args: str) -> Built:
    before = outside_out(root)
    run = run_cli(
        "build", "--site", root / "site", "--out", root / "out", "--as-of", "2025-12-01", *args
    )
    after = outside_out(root)
    changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
    return Built(run, root, root / "out", changed)


# The sites -----------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """No profiles: the customer is the name a moment uses. Every field and body part hostile."""
    root = tmp_path_factory.mktemp("hostile")
    write_site(
        root,
        f"""
        -- site/momentmap.yaml --
        title: {y(SCRIPT + " team")}
        description: {y(BREAKOUT)}
        base_url: https://moments.example.com/team/
        -- site/content/moments/acme/pic.png --
        not really a png
        -- site/content/moments/acme/plain.md --
        ---
        title: Plain
        date: 2025-11-01
        customer: {y(SCRIPT)}
        ---
        Plain.
        -- site/content/moments/acme/evil.md --
        ---
        title: {y(TITLE)}
        date: 2025-11-20
        customer: {y(SCRIPT)}
        sentiment: negative
        moment_of_truth: true
        people: {y([BREAKOUT, JS])}
        tags: {y([SCRIPT, JS])}
        factors: {y([SVG])}
        promises:
          - promise: {y(END_TITLE)}
            due: 2025-11-21
        related: [acme/plain]
        extra: {{note: {y(SCRIPT)}, link: {y(JS)}, list: {y([BREAKOUT])}}}
        ---
        Narrative: <script>alert(1)</script> and <iframe src="javascript:alert(1)"></iframe> inline.
        <a href="javascript:alert(1)">raw link</a>

        <div onclick="alert(1)">raw block</div>

        <!-- secret note: the CFO is leaving -->

        Code keeps `<!-- code comment -->` as text.

        ```html
        <!-- fenced comment --><script>alert(1)</script>
        ```

        ## "><img src=x onerror=alert(1)> heading

        [js](javascript:alert(1)) [case](JaVaScRiPt:alert(1)) [tab](java&#x09;script:alert(1))
        [entity](&#106;avascript:alert(1)) [pct](javascript%3Aalert(1)) [angle](<javascript:alert(1)>)
        <javascript:alert(1)> [ref][evil] [vb](vbscript:msgbox(1)) [file](file:///etc/passwd)
        ![html](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) [data](data:text/html,hi)
        ![svg](data:image/svg+xml;base64,PHN2Zz4=) ![png](data:image/png;base64,iVBORw0KGgo=)
        [<img src=x onerror=alert(1)> text](https://example.com/"onmouseover="alert(1))
        ![alt "><script>alert(1)</script>](pic.png 'title "><script>alert(1)</script>')

        [evil]: javascript:alert(2)

        ## Learnings
        - <script>alert(1)</script> learned
        - [learned link](javascript:alert(1)) <!-- secret note in an item -->

        ## Do differently
        - "><img src=x onerror=alert(1)>

        ## Assumptions
        - [ ] '><svg onload=alert(1)>
        - [x] <b onmouseover="alert(1)">clarified</b>

        ## Plan
        - javascript:alert(1)
        """,
    )
    return build(root)


@pytest.fixture(scope="module")
def profile_site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A profile whose every field is hostile; the moment names the customer by an alias."""
    root = tmp_path_factory.mktemp("profile")
    write_site(
        root,
        f"""
        -- site/content/customers/evil.md --
        ---
        name: {y(SCRIPT)}
        owner: {y(BREAKOUT)}
        segment: {y(SVG)}
        since: 2020-01-01
        aliases: {y([JS, END_TITLE])}
        ---
        Notes: <script>alert(1)</script> [notes link](javascript:alert(1)) <!-- secret note -->
        -- site/content/moments/m.md --
        ---
        title: Named by an alias
        date: 2025-11-01
        customer: {y(JS)}
        ---
        Body.
        """,
    )
    return build(root)


@pytest.fixture(scope="module")
def traversal_site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Names that look like paths, and symlinks that lead out of the site."""
    root = tmp_path_factory.mktemp("traversal")
    write_site(
        root,
        f"""
        -- outside/secret.txt --
        {SECRET} (a file next to the site)
        -- outside/leak.md --
        ---
        title: Leaked moment
        date: 2025-11-02
        customer: Leak
        ---
        {SECRET} in a moment outside the site.
        -- site/notes/inside.md --
        ---
        title: Linked from inside
        date: 2025-11-03
        customer: Inside
        ---
        A symlink to a file inside the site is fine.
        -- site/content/moments/up/a.md --
        ---
        title: Up and out
        date: 2025-11-04
        customer: ../../../outside
        tags: [../../x, /etc/passwd, ..]
        people: [../../../outside]
        ---
        [up](../../../../outside/secret.txt) [rooted](/../../outside/secret.txt)
        [encoded](%2e%2e/%2e%2e/%2e%2e/%2e%2e/outside/secret.txt) [passwd](../../../../etc/passwd)
        [leaked file](../../files/leak.txt)
        -- site/content/moments/%2e%2e/b.md --
        ---
        title: Percent dots
        date: 2025-11-05
        customer: "%2e%2e"
        ---
        A folder named %2e%2e is an ordinary name.
        -- site/content/moments/..foo/c.md --
        ---
        title: Dotted folder
        date: 2025-11-06
        customer: Hidden
        ---
        Folders starting with '.' are ignored.
        """,
    )
    content = root / "site" / "content"
    (content / "files").mkdir()
    (content / "moments" / "leak.md").symlink_to(root / "outside" / "leak.md")
    (content / "moments" / "linked").symlink_to(root / "outside", target_is_directory=True)
    (content / "files" / "leak.txt").symlink_to(root / "outside" / "secret.txt")
    (content / "files" / "relative.txt").symlink_to(Path("../../../outside/secret.txt"))
    (content / "moments" / "inside.md").symlink_to(root / "site" / "notes" / "inside.md")
    return build(root)


@pytest.fixture(scope="module")
def html_site(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """allow_html: true — the writer's raw HTML is published."""
    root = tmp_path_factory.mktemp("html")
    write_site(
        root,
        """
        -- site/momentmap.yaml --
        allow_html: true
        -- site/content/moments/m.md --
        ---
        title: Raw HTML allowed
        date: 2025-11-01
        customer: Acme
        ---
        <div class="callout">A callout the writer styled.</div>

        <!-- secret note: never published -->

        Inline <!-- secret note inline --> comment and `<!-- code comment -->` in code.
        [md link](javascript:alert(1)) ![md image](data:text/html;base64,PHNjcmlwdD4=)

        <a href="javascript:alert(1)">raw link</a> <img src="x" onerror="alert(1)">
        <a href="JaVaScRiPt&#58;alert(1)">entity link</a> <span style="x" onmouseover="alert(1)">hover</span>

        <script>alert(1)</script>
        <iframe src="javascript:alert(1)"></iframe><svg onload="alert(1)"></svg>
        <div onclick="alert(1)"><form action="javascript:alert(1)"><button formaction="javascript:1">b</button></form></div>

        ## Learnings
        - <!-- secret note in an item --> <em>learned</em>
        """,
    )
    return build(root)


SAFE_SITES = ["hostile_site", "profile_site", "traversal_site", "html_site"]
ALL_SITES = SAFE_SITES


@pytest.fixture(params=SAFE_SITES)
def safe_site(request: pytest.FixtureRequest) -> Built:
    return request.getfixturevalue(request.param)


@pytest.fixture(params=ALL_SITES)
def any_site(request: pytest.FixtureRequest) -> Built:
    return request.getfixturevalue(request.param)


# Every site ------------------------------------------------------------------


def test_builds_without_errors_or_tracebacks(any_site: Built) -> None:
    assert any_site.run.code == 0, any_site.run.err
    assert "Traceback" not in any_site.run.out + any_site.run.err


def test_nothing_outside_the_output_changes(any_site: Built) -> None:
    assert any_site.changed_outside == []


def test_no_page_runs_script_or_links_to_an_unsafe_scheme(safe_site: Built) -> None:
    pages = safe_site.pages()
    assert "index.html" in pages
    found = {name: problems_in(elements) for name, elements in pages.items()}
    assert {name: p for name, p in found.items() if p} == {}


def test_html_comments_are_never_published(any_site: Built) -> None:
    leaked = [path for path, data in tree_bytes(any_site.out).items() if b"secret note" in data]
    assert leaked == []


def test_every_relative_link_stays_inside_the_output(safe_site: Built) -> None:
    out = safe_site.out.resolve()
    broken = []
    for name, elements in safe_site.pages().items():
        for e in elements:
            for attr in ("href", "src"):
                url = e.attrs.get(attr)
                if url is None or scheme_of(url) or url.startswith(("#", "//")):
                    continue
                path = unquote(url.partition("#")[0].partition("?")[0])
                base = out if path.startswith("/") else (out / name).parent
                target = (base / path.lstrip("/")).resolve()
                if target.is_dir():
                    target = target / "index.html"
                if not target.is_relative_to(out) or not target.is_file():
                    broken.append(f"{name}: <{e.tag} {attr}={url!r}>")
    assert broken == []


def test_xml_files_are_well_formed(safe_site: Built) -> None:
    for path in safe_site.out.rglob("*.xml"):  # feed.xml and sitemap.xml, when built
        ET.fromstring(path.read_bytes())


# Front matter ----------------------------------------------------------------


def test_title_is_escaped_and_visible(hostile_site: Built) -> None:
    page = hostile_site.page(hostile_site.moment("acme/evil")["url"])
    assert text_of(page, "h1") == TITLE
    assert text_of(page, "title").startswith(TITLE)


@pytest.mark.parametrize(
    "value",
    [SCRIPT, BREAKOUT, JS, SVG, END_TITLE],
    ids=["script", "breakout", "js", "svg", "title"],
)
def test_front_matter_values_are_visible_on_the_moment_page(
    hostile_site: Built, value: str
) -> None:
    page = hostile_site.page(hostile_site.moment("acme/evil")["url"])
    links = [a.text for a in find(page, "a")]
    cells = [td.text for td in find(page, "td")]
    assert value in links or value in cells  # customer, people, tags, factors; the promise


def test_taxonomy_pages_show_the_value_as_text(hostile_site: Built) -> None:
    page = hostile_site.page(hostile_site.moment("acme/evil")["url"])
    [tag_link] = [a for a in find(page, "a", **{"class": "tag"}) if a.text == SCRIPT]
    target = hostile_site.out / hostile_site.moment("acme/evil")["url"] / tag_link.attrs["href"]
    assert SCRIPT in text_of(parse(target.read_text(encoding="utf-8")), "h1")


def test_customer_named_like_markup(hostile_site: Built) -> None:
    customer = hostile_site.customer(SCRIPT)
    assert text_of(hostile_site.page(customer["url"]), "h1") == SCRIPT


def test_site_title_and_description(hostile_site: Built) -> None:
    dashboard = parse((hostile_site.out / "index.html").read_text(encoding="utf-8"))
    assert text_of(dashboard, "h1") == SCRIPT + " team"
    assert find(dashboard, "meta", name="description")[0].attrs["content"] == BREAKOUT


def test_profile_fields_are_escaped_and_visible(profile_site: Built) -> None:
    assert profile_site.run.code == 0, profile_site.run.err
    customer = profile_site.customer(SCRIPT)
    assert customer["owner"] == BREAKOUT and customer["segment"] == SVG
    page = profile_site.page(customer["url"])
    assert text_of(page, "h1") == SCRIPT
    shown = text_of(page, "main")
    for value in (BREAKOUT, SVG, JS, END_TITLE, "Notes: <script>alert(1)</script>"):
        assert value in shown
    assert [a.text for a in find(page, "a") if a.text == "notes link"] == []


def test_moments_json_holds_front_matter_as_typed(hostile_site: Built) -> None:
    data = hostile_site.data()
    moment = hostile_site.moment("acme/evil")
    assert data["site"]["title"] == SCRIPT + " team"
    assert moment["title"] == TITLE
    assert hostile_site.customer(SCRIPT)["slug"] == moment["customer"]
    assert (moment["people"], moment["tags"], moment["factors"]) == (
        [BREAKOUT, JS],
        [SCRIPT, JS],
        [SVG],
    )
    assert [p["promise"] for p in moment["promises"]] == [END_TITLE]
    assert moment["related"] == ["acme/plain"]
    extra = {"note": SCRIPT, "link": JS, "list": [BREAKOUT]}
    assert moment.get("extra", extra) == extra  # not in SPEC's list; untouched if present


def test_moments_json_keeps_escaped_html_as_text(hostile_site: Built) -> None:
    # Raw HTML is shown as text on the page; the data must say what the page shows.
    moment = hostile_site.moment("acme/evil")
    assert moment["learnings"] == [
        "<script>alert(1)</script> learned",
        "[learned link](javascript:alert(1))",
    ]
    assert moment["do_differently"] == [BREAKOUT]
    assert moment["assumptions"] == [
        {"text": SVG, "clarified": False},
        {"text": '<b onmouseover="alert(1)">clarified</b>', "clarified": True},
    ]
    assert moment["plan"] == [{"text": JS, "done": False, "due": None}]
    assert "Narrative: <script>alert(1)</script> and <iframe" in moment["text"]


@pytest.mark.parametrize(
    "line", ["id: ../../etc/x", "id: /abs", "id: a//b", f"related: {y([SCRIPT])}"]
)
def test_unsafe_ids_are_errors_at_their_line(tmp_path: Path, line: str) -> None:
    write_site(
        tmp_path,
        f"""
        -- site/content/moments/a.md --
        ---
        title: T
        date: 2025-01-01
        customer: Acme
        {line}
        ---
        Body.
        """,
    )
    built = build(tmp_path)
    assert built.run.code == 1
    [error] = [e for e in built.run.err.splitlines() if ": error: " in e]
    assert error.startswith("content/moments/a.md:5:")  # the line of `{line}`
    assert not built.out.exists() and built.changed_outside == []


# Bodies ----------------------------------------------------------------------


def narrative(built: Built, moment_id: str) -> tuple[Element, list[Element]]:
    """The narrative block of a moment's page and the elements inside it."""
    page = built.page(built.moment(moment_id)["url"])
    [block] = [e for e in find(page, "div") if "narrative" in e.attrs.get("class", "").split()]
    return block, inside(page, block)


def test_raw_html_in_a_body_is_shown_as_text(hostile_site: Built) -> None:
    block, elements = narrative(hostile_site, "acme/evil")
    assert (
        'Narrative: <script>alert(1)</script> and <iframe src="javascript:alert(1)">' in block.text
    )
    assert '<a href="javascript:alert(1)">raw link</a>' in block.text
    assert '<div onclick="alert(1)">raw block</div>' in block.text
    assert [e.tag for e in elements if e.tag in ("script", "iframe", "div", "b")] == []


def test_comments_in_code_stay_visible_as_code(hostile_site: Built) -> None:
    _, elements = narrative(hostile_site, "acme/evil")
    code = [e.text for e in find(elements, "code")]
    assert code == ["<!-- code comment -->", "<!-- fenced comment --><script>alert(1)</script>\n"]


def test_heading_text_is_escaped_and_visible(hostile_site: Built) -> None:
    _, elements = narrative(hostile_site, "acme/evil")
    assert [h.text for h in find(elements, "h2")] == [f"{BREAKOUT} heading"]


def test_unsafe_markdown_links_are_text_not_links(hostile_site: Built) -> None:
    block, elements = narrative(hostile_site, "acme/evil")
    links = [(a.text, a.attrs["href"]) for a in find(elements, "a")]
    assert links == [
        ("<img src=x onerror=alert(1)> text", "https://example.com/%22onmouseover=%22alert(1)")
    ]
    refused = ["[js](javascript:alert(1))", "[case](JaVaScRiPt:alert(1))", "[ref][evil]",
               "[vb](vbscript:msgbox(1))", "[file](file:///etc/passwd)", "<javascript:alert(1)>",
               "[data](data:text/html,hi)"]  # fmt: skip
    assert [typed for typed in refused if typed not in block.text] == []  # shown as typed


def test_only_safe_images_are_images(hostile_site: Built) -> None:
    _, elements = narrative(hostile_site, "acme/evil")
    assert [img.attrs["src"] for img in find(elements, "img")] == [
        "data:image/png;base64,iVBORw0KGgo=",
        "../pic.png",  # resolved for the page: moments/acme/evil/
    ]


def test_image_alt_and_title_keep_markup_as_text(hostile_site: Built) -> None:
    _, elements = narrative(hostile_site, "acme/evil")
    [img] = find(elements, "img", src="../pic.png")
    assert img.attrs["title"] == f'title ">{SCRIPT}'
    assert img.attrs["alt"] == f'alt ">{SCRIPT}'


def test_section_items_are_escaped_and_visible(hostile_site: Built) -> None:
    expected = [f"{SCRIPT} learned", "[learned link](javascript:alert(1))", BREAKOUT, SVG,
                '<b onmouseover="alert(1)">clarified</b>', JS]  # fmt: skip
    page = hostile_site.page(hostile_site.moment("acme/evil")["url"])
    assert [e.text.strip() for e in find(page, "div", **{"class": "item-text"})] == expected
    for url, index in (("learnings/", 0), ("assumptions/", 3), ("plans/", 5)):
        shown = [
            e.text.strip() for e in find(hostile_site.page(url), "div", **{"class": "item-text"})
        ]
        assert expected[index] in shown


# Paths -----------------------------------------------------------------------


def test_names_that_look_like_paths_get_pages_inside_the_output(traversal_site: Built) -> None:
    for name in ("../../../outside", "%2e%2e"):
        customer = traversal_site.customer(name)
        assert ".." not in customer["url"].split("/")
        assert text_of(traversal_site.page(customer["url"]), "h1") == name
    page = traversal_site.page(traversal_site.moment("up/a")["url"])
    assert [a.text for a in find(page, "a", **{"class": "tag"})] == ["../../x", "/etc/passwd", ".."]


@pytest.mark.parametrize("name", ["..", "???"])
def test_customer_named_without_letters_gets_a_hashed_slug(tmp_path: Path, name: str) -> None:
    # SPEC 6: when nothing is left of a slug it is 'x-' + 8 hex digits; with no
    # profiles, customers are made from the names moments use.
    write_site(
        tmp_path,
        f"""
        -- site/content/moments/a.md --
        ---
        title: T
        date: 2025-01-01
        customer: {y(name)}
        ---
        Body.
        """,
    )
    built = build(tmp_path)
    assert built.run.code == 0, built.run.err
    customer = built.customer(name)
    assert customer["slug"].startswith("x-") and len(customer["slug"]) == 10
    assert text_of(built.page(customer["url"]), "h1") == name
    assert built.changed_outside == []


def test_links_out_of_the_content_are_warnings_not_links(traversal_site: Built) -> None:
    _, elements = narrative(traversal_site, "up/a")
    assert find(elements, "a") == []
    warnings = [
        w for w in traversal_site.run.err.splitlines() if w.startswith("content/moments/up/a.md:")
    ]
    for target in ("'../../../../outside/secret.txt' points outside",
                   "'/../../outside/secret.txt' points outside",
                   "'../../../../etc/passwd' points outside",
                   "'../../files/leak.txt' does not match any file"):  # fmt: skip
        assert [w for w in warnings if target in w and ": warning: " in w] != [], target
    assert len(warnings) == 5  # five links, five warnings (the %2e%2e one is shown decoded)


def test_symlinks_out_of_the_site_are_not_followed(traversal_site: Built) -> None:
    output = tree_bytes(traversal_site.out)
    assert [path for path, data in output.items() if SECRET.encode() in data] == []
    assert "files/leak.txt" not in output and "files/relative.txt" not in output
    err = traversal_site.run.err
    for link in ("moments/leak.md", "moments/linked", "files/leak.txt", "files/relative.txt"):
        assert f"content/{link}" in err


def test_which_folders_and_symlinks_hold_moments(traversal_site: Built) -> None:
    # '..foo' starts with '.', so it is ignored; '%2e%2e' is an ordinary name;
    # a symlink to a file inside the site is read like any file.
    moments = {m["id"]: m["title"] for m in traversal_site.data()["moments"]}
    assert moments == {
        "up/a": "Up and out",
        "2e-2e/b": "Percent dots",
        "inside": "Linked from inside",
    }
    assert os.path.islink(traversal_site.root / "site/content/moments/inside.md")


# allow_html ------------------------------------------------------------------


def test_allow_html_publishes_the_writers_markup(html_site: Built) -> None:
    page = html_site.page(html_site.moment("m")["url"])
    assert text_of(page, "div", **{"class": "callout"}) == "A callout the writer styled."
    [item] = find(page, "div", **{"class": "item-text"})
    assert [e.text for e in inside(page, item)] == ["learned"]  # the <em>


def test_allow_html_still_checks_markdown_links_and_keeps_code(html_site: Built) -> None:
    _, elements = narrative(html_site, "m")
    assert "md link" not in [a.text for a in find(elements, "a")]
    assert "data:text/html" not in [img.attrs.get("src", "")[:14] for img in find(elements, "img")]
    assert [c.text for c in find(elements, "code")] == ["<!-- code comment -->"]


def test_allow_html_raw_markup_links_nowhere_unsafe(html_site: Built) -> None:
    # allow_html admits markup, not script: raw HTML passes an allowlist.
    page = html_site.page(html_site.moment("m")["url"])
    assert problems_in(page) == []
