"""feed.xml and sitemap.xml, read back as a feed reader and a crawler read them.

The feed is parsed with feedparser, the sitemap with ElementTree; links are
followed into the built output, so a URL that names no file fails the test.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import feedparser
import pytest
from conftest import EXAMPLE_AS_OF, REPO, Run, elements, run_cli, write_site

from momentmap.model import Config, Site
from momentmap.views.feeds import sitemap_files

BASE = "https://intranet.example/team/cx/"
NOTICE = "note: feed.xml, stories/feed.xml and sitemap.xml left out: set base_url in momentmap.yaml or pass --base-url"
SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

SITE = """
-- momentmap.yaml --
title: Small
base_url: https://intranet.example/team/cx
-- content/customers/acme.md --
---
name: Acme Corp
---
Notes.
-- content/moments/acme/2024-01-10-kickoff.md --
---
title: Kickoff
date: 2024-01-10
customer: Acme Corp
people: [Dana]
tags: [onboarding]
---
We met the team. See [the renewal](2024-06-01-renewal.md#next) and ![the plan](plan.png).
-- content/moments/acme/plan.png --
not really a picture
-- content/moments/acme/2024-06-01-renewal.md --
---
title: Renewal
date: 2024-06-01 14:30+02:00
customer: Acme
type: regretful
stage: renewal
---
It went sideways.
-- content/moments/acme/2024-07-01-draft.md --
---
title: Draft idea
date: 2024-07-01
customer: Acme
draft: true
---
Not ready.
"""


def build(site: Path, out: Path, *extra: str) -> Run:
    result = run_cli("build", "--site", site, "--out", out, *extra)
    assert result.code == 0, result.err
    return result


def parse_feed(out: Path) -> feedparser.FeedParserDict:
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def sitemap_locs(out: Path) -> list[str]:
    root = ET.parse(out / "sitemap.xml").getroot()
    assert root.tag == SITEMAP_NS + "urlset"
    return [url.findtext(SITEMAP_NS + "loc") or "" for url in root.iter(SITEMAP_NS + "url")]


def built_file(out: Path, url: str, base: str = BASE) -> Path:
    """The output file an absolute URL under `base` names (a folder: its index.html)."""
    assert url.startswith(base), url
    path = out / unquote(url.removeprefix(base).partition("#")[0])
    return path / "index.html" if path.is_dir() else path


def html_pages(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*.html")} - {"404.html"}


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example site, built for publishing under a sub-path."""
    out = tmp_path_factory.mktemp("example") / "public"
    build(REPO, out, "--as-of", EXAMPLE_AS_OF, "--base-url", BASE)
    return out


# --- the feed ----------------------------------------------------------------------------------


def test_example_feed_lists_its_moments_newest_first_with_absolute_links(example: Path) -> None:
    feed = parse_feed(example)
    data = json.loads((example / "moments.json").read_text(encoding="utf-8"))
    newest = list(reversed(data["moments"]))  # moments.json is oldest first; no drafts built
    assert [e.title for e in feed.entries] == [m["title"] for m in newest][:50]
    assert feed.feed.title == "Kestrel Field — customer moments"
    assert {link.rel: link.href for link in feed.feed.links} == {
        "self": BASE + "feed.xml",
        "alternate": BASE + "index.html",
    }
    for entry, moment in zip(feed.entries, newest, strict=False):
        assert entry.link == BASE + moment["url"] + "index.html"
        assert built_file(example, entry.link).is_file()
        assert entry.id == "tag:intranet.example,2024:momentmap/" + moment["url"].rstrip("/")
        assert entry.published.startswith(moment["date"][:10])
        assert entry.updated_parsed >= entry.published_parsed  # the last commit, if later
    # The latest entry's date, not the clock's.
    assert feed.feed.updated == max((e.updated_parsed, e.updated) for e in feed.entries)[1]


def test_entries_carry_categories_text_and_absolute_narrative_links(
    site: Path, tmp_path: Path
) -> None:
    write_site(site, SITE)
    build(site, tmp_path / "out", "--as-of", "2024-08-01")
    feed = parse_feed(tmp_path / "out")
    renewal, kickoff = feed.entries  # the draft is left out
    assert renewal.published == "2024-06-01T14:30:00+02:00"  # the zone as written
    assert {(t.term, t.scheme) for t in renewal.tags} == {
        ("Acme Corp", BASE + "customers/"),
        ("regretful", BASE + "types/"),
        ("renewal", BASE + "stages/"),
    }
    assert kickoff.published == "2024-01-10T00:00:00Z"
    assert [c.name for c in kickoff.contributors] == ["Dana"]
    assert kickoff.summary == "We met the team. See the renewal and the plan."
    fragment = tmp_path / "content.html"
    fragment.write_text(kickoff.content[0].value, encoding="utf-8")
    links = {e.tag: e.attrs for e in elements(fragment) if e.tag in ("a", "img")}
    assert links["a"]["href"] == BASE + "moments/acme/2024-06-01-renewal/index.html#next"
    assert links["img"]["src"] == BASE + "moments/acme/plan.png"
    assert (
        built_file(tmp_path / "out", links["img"]["src"]).read_text().strip()
        == "not really a picture"
    )


def test_feed_carries_the_newest_fifty(site: Path, tmp_path: Path) -> None:
    files = ["-- momentmap.yaml --", f"base_url: {BASE}"]
    for n in range(55):
        day = f"2024-{1 + n // 28:02d}-{1 + n % 28:02d}"
        files += [
            f"-- content/moments/m{n:02d}.md --",
            "---",
            f"title: Moment {n}",
            f"date: {day}",
            "customer: Acme",
            "---",
        ]
    write_site(site, "\n".join(files))
    build(site, tmp_path / "out", "--as-of", "2024-08-01")
    entries = parse_feed(tmp_path / "out").entries
    assert [e.title for e in entries] == [f"Moment {n}" for n in range(54, 4, -1)]


def test_drafts_stay_out_of_the_feed_even_when_built(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(REPO, out, "--as-of", EXAMPLE_AS_OF, "--base-url", BASE, "--drafts")
    assert (
        out / "moments/harbor-pine/2025-11-20-budget-workshop-for-fiscal-2026/index.html"
    ).is_file()
    titles = [e.title for e in parse_feed(out).entries]
    assert titles and "Budget workshop for fiscal 2026" not in titles


def test_ids_survive_a_new_title_a_move_and_the_link_style(site: Path, tmp_path: Path) -> None:
    write_site(site, SITE)
    build(site, tmp_path / "one", "--as-of", "2024-08-01")
    renewal = site / "content/moments/acme/2024-06-01-renewal.md"
    renewal.write_text(renewal.read_text().replace("title: Renewal", "title: Renewal, renamed"))
    moved = "http://intranet.example/moments/"
    build(site, tmp_path / "two", "--as-of", "2024-08-01", "--base-url", moved, "--links", "pretty")
    one, two = parse_feed(tmp_path / "one"), parse_feed(tmp_path / "two")
    assert [e.id for e in one.entries] == [e.id for e in two.entries]
    assert len({e.id for e in one.entries}) == 2 and one.feed.id == two.feed.id
    assert two.entries[0].title == "Renewal, renamed"
    assert two.entries[0].link == moved + "moments/acme/2024-06-01-renewal/"


def test_same_input_gives_the_same_bytes(site: Path, tmp_path: Path) -> None:
    write_site(site, SITE)
    build(site, tmp_path / "one", "--as-of", "2024-08-01")
    build(site, tmp_path / "two", "--as-of", "2025-02-02")  # another day: the feed does not change
    for name in ("feed.xml", "sitemap.xml"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


# --- the sitemap -------------------------------------------------------------------------------


@pytest.mark.parametrize("links", ["portable", "pretty"])
def test_sitemap_lists_every_page_once_with_urls_that_resolve(tmp_path: Path, links: str) -> None:
    out = tmp_path / "out"
    build(REPO, out, "--as-of", EXAMPLE_AS_OF, "--base-url", BASE, "--links", links)
    locs = sitemap_locs(out)
    assert len(locs) == len(set(locs))
    if links == "portable":
        assert all(loc.endswith("/index.html") for loc in locs)
    else:
        assert all(loc.endswith("/") for loc in locs)
    listed = {built_file(out, loc).relative_to(out).as_posix() for loc in locs}
    assert listed == html_pages(out)
    assert all((out / rel).is_file() for rel in listed)


def lastmods(out: Path) -> dict[str, str | None]:
    root = ET.parse(out / "sitemap.xml").getroot()
    return {
        u.findtext(SITEMAP_NS + "loc") or "": u.findtext(SITEMAP_NS + "lastmod")
        for u in root.iter(SITEMAP_NS + "url")
    }


def test_sitemap_dates_moment_pages_only(site: Path, tmp_path: Path) -> None:
    write_site(site, SITE)
    build(site, tmp_path / "out", "--as-of", "2024-08-01")
    dated = {url: day for url, day in lastmods(tmp_path / "out").items() if day is not None}
    assert dated == {
        BASE + "moments/acme/2024-01-10-kickoff/index.html": "2024-01-10",
        BASE + "moments/acme/2024-06-01-renewal/index.html": "2024-06-01T14:30:00+02:00",
    }


def git(site: Path, *args: str, date: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    identity = ["-c", "user.name=Dana", "-c", "user.email=dana@example.com"]
    subprocess.run(
        ["git", "-C", str(site), *identity, *args], check=True, env=env, capture_output=True
    )


def test_updated_is_the_last_commit_when_it_is_later(site: Path, tmp_path: Path) -> None:
    write_site(site, SITE)
    later = site / "content/moments/acme/2025-01-01-later.md"
    later.write_text("---\ntitle: Later\ndate: 2025-01-01\ncustomer: Acme\n---\nPlanned.\n")
    git(site, "init", "-q", date="2024-09-01T10:00:00+02:00")
    git(site, "add", "content", date="2024-09-01T10:00:00+02:00")
    git(site, "commit", "-q", "-m", "moments", date="2024-09-01T10:00:00+02:00")
    kickoff = site / "content/moments/acme/2024-01-10-kickoff.md"
    kickoff.write_text(kickoff.read_text() + "One more line.\n")
    git(site, "commit", "-q", "-am", "edit", date="2024-10-05T08:00:00Z")
    out = tmp_path / "out"
    build(site, out, "--as-of", "2024-11-01")
    entries = {e.title: e for e in parse_feed(out).entries}
    assert entries["Kickoff"].updated == "2024-10-05T08:00:00+00:00"
    assert entries["Kickoff"].published == "2024-01-10T00:00:00Z"
    assert entries["Renewal"].updated == "2024-09-01T10:00:00+02:00"
    assert entries["Later"].updated == "2025-01-01T00:00:00Z"  # never before its own date
    assert parse_feed(out).feed.updated == "2025-01-01T00:00:00Z"
    assert (
        lastmods(out)[BASE + "moments/acme/2024-01-10-kickoff/index.html"]
        == "2024-10-05T08:00:00+00:00"
    )


def test_a_big_site_gets_a_sitemap_index(tmp_path: Path) -> None:
    """Above the 50,000 URLs one sitemap may list (here a limit of 2, on the model directly)."""
    site = Site(Config(base_url=BASE), dt.date(2024, 1, 1), {}, {}, {}, {})
    urls = ["", "customers/", "404.html", "tags/", "tags/a/"]
    files = sitemap_files(site, urls, limit=2)
    assert list(files) == ["sitemap.xml", "sitemap-1.xml", "sitemap-2.xml"]
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == SITEMAP_NS + "sitemapindex"
    assert [e.text for e in index.iter(SITEMAP_NS + "loc")] == [
        BASE + "sitemap-1.xml",
        BASE + "sitemap-2.xml",
    ]
    locs = []
    for name in ("sitemap-1.xml", "sitemap-2.xml"):
        root = ET.fromstring(files[name])
        assert root.tag == SITEMAP_NS + "urlset" and len(root) <= 2
        locs += [e.text for e in root.iter(SITEMAP_NS + "loc")]
    assert locs == [BASE + u + "index.html" for u in ("", "customers/", "tags/", "tags/a/")]


# --- base_url ----------------------------------------------------------------------------------


def test_without_base_url_neither_file_is_made_and_a_notice_says_why(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = build(REPO, out, "--as-of", EXAMPLE_AS_OF, "--strict")  # a notice is no warning
    assert NOTICE in result.err.splitlines()
    assert not (out / "feed.xml").exists() and not (out / "sitemap.xml").exists()
    assert (out / "index.html").is_file()
    assert not [
        e for e in elements(out / "index.html") if e.attrs.get("type") == "application/atom+xml"
    ]


def test_base_url_from_the_config_links_every_page_to_the_feed(site: Path, tmp_path: Path) -> None:
    write_site(site, SITE)
    out = tmp_path / "out"
    result = build(site, out, "--as-of", "2024-08-01")
    assert "note:" not in result.err
    for page, up in [
        ("index.html", ""),
        ("moments/acme/2024-01-10-kickoff/index.html", "../../../"),
        ("404.html", BASE),  # served at any depth
    ]:
        found = [
            e for e in elements(out / page) if e.tag == "link" and e.attrs.get("rel") == "alternate"
        ]
        assert [(e.attrs["type"], e.attrs["href"]) for e in found] == [
            ("application/atom+xml", up + "feed.xml"),
            ("application/atom+xml", up + "stories/feed.xml"),
        ]


def test_an_international_sub_path_is_percent_encoded(site: Path, tmp_path: Path) -> None:
    write_site(site, SITE)
    out = tmp_path / "out"
    build(site, out, "--as-of", "2024-08-01", "--base-url", "https://intranet.example/équipe cx")
    base = "https://intranet.example/%C3%A9quipe%20cx/"
    feed = parse_feed(out)
    assert feed.feed.links[0].href == base + "feed.xml"
    assert all(built_file(out, e.link, base).is_file() for e in feed.entries)
    locs = sitemap_locs(out)
    assert {built_file(out, loc, base).relative_to(out).as_posix() for loc in locs} == html_pages(
        out
    )


# --- hostile text ------------------------------------------------------------------------------

HOSTILE_TITLE = "<script>alert(1)</script> & ]]> \"double\" 'single'"
HOSTILE = """
-- momentmap.yaml --
title: "Moments <&> ]]>"
base_url: https://intranet.example/
-- content/moments/x/hostile.md --
---
title: "<script>alert(1)</script> & ]]> \\"double\\" 'single'\\uFFFE"
date: 2024-03-14
customer: "B&V <Corp> ]]>"
tags: ["<b>bold</b>", "a & b", "]]>"]
people: ["Zoë <z@x>"]
---
Body <script>alert(2)</script> & ]]> with a noncharacter \ufffe here.
"""


def test_hostile_text_gives_well_formed_files_and_round_trips(site: Path, tmp_path: Path) -> None:
    write_site(site, HOSTILE)
    out = tmp_path / "out"
    build(site, out, "--as-of", "2024-08-01")
    feed = parse_feed(out)
    assert feed.feed.title == "Moments <&> ]]>"
    (entry,) = feed.entries
    assert entry.title == HOSTILE_TITLE  # U+FFFE, which XML cannot carry, is dropped
    assert {t.term for t in entry.tags} == {"B&V <Corp> ]]>", "<b>bold</b>", "a & b", "]]>"}
    assert entry.contributors[0].name == "Zoë <z@x>"
    assert entry.summary == "Body <script>alert(2)</script> & ]]> with a noncharacter here."
    # A strict XML parser agrees, and the writer's markup stays text.
    atom = "{http://www.w3.org/2005/Atom}"
    root = ET.parse(out / "feed.xml").getroot()
    xml_entry = root.find(atom + "entry")
    assert xml_entry is not None
    assert xml_entry.findtext(atom + "title") == HOSTILE_TITLE
    content = xml_entry.findtext(atom + "content") or ""
    assert "<script>" not in content and "&lt;script&gt;alert(2)" in content
    assert root.find(atom + "entry/" + atom + "script") is None
    sitemap_locs(out)  # parses


def test_anonymized_feed_shows_pseudonyms_only(tmp_path: Path) -> None:
    build(REPO, tmp_path / "plain", "--as-of", EXAMPLE_AS_OF)
    data = json.loads((tmp_path / "plain/moments.json").read_text(encoding="utf-8"))
    names = {c["name"] for c in data["customers"]} | {
        p for m in data["moments"] for p in m["people"]
    }
    out = tmp_path / "anon"
    build(REPO, out, "--as-of", EXAMPLE_AS_OF, "--base-url", BASE, "--anonymize")
    parse_feed(out)
    for name in ("feed.xml", "sitemap.xml"):
        text = (out / name).read_text(encoding="utf-8")
        assert not [n for n in names if n in text], name
    assert "Customer A" in (out / "feed.xml").read_text(encoding="utf-8")


# --- incremental builds and serve --------------------------------------------------------------


def test_feed_is_remade_only_when_a_moment_changes(site: Path, tmp_path: Path) -> None:
    write_site(site, SITE)
    out = tmp_path / "out"
    feed = out / "feed.xml"
    build(site, out, "--as-of", "2024-08-01")
    first = feed.stat()
    build(site, out, "--as-of", "2024-08-01")
    second = feed.stat()
    assert (second.st_ino, second.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)
    kickoff = site / "content/moments/acme/2024-01-10-kickoff.md"
    kickoff.write_text(kickoff.read_text().replace("title: Kickoff", "title: Kickoff, edited"))
    build(site, out, "--as-of", "2024-08-01")
    assert feed.stat().st_ino != first.st_ino
    assert [e.title for e in parse_feed(out).entries] == ["Renewal", "Kickoff, edited"]


def test_serve_serves_the_feed(tmp_path: Path) -> None:
    from test_serve import Server, copy_example

    site = copy_example(tmp_path)
    config = site / "momentmap.yaml"
    config.write_text(config.read_text(encoding="utf-8") + f"base_url: {BASE}\n", encoding="utf-8")
    built = tmp_path / "built"
    build(site, built, "--as-of", EXAMPLE_AS_OF)
    server = Server(site)
    try:
        for name in ("feed.xml", "sitemap.xml"):
            response = server.get("/" + name)
            assert (response.status, response.body) == (200, (built / name).read_bytes())
    finally:
        server.stop()
