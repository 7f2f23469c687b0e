"""The build as users run it: output, reproducibility, and the output folder's guard."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import EXAMPLE_AS_OF, REPO, Run, elements, run_cli, tree_bytes, write_site

SMALL_SITE = """
-- momentmap.yaml --
title: Small
-- content/customers/acme.md --
---
name: Acme Corp
aliases: [Acme]
---
Notes about Acme.
-- content/moments/acme/2024-01-10-kickoff.md --
---
title: Kickoff
date: 2024-01-10
customer: Acme
sentiment: positive
tags: [onboarding]
---
We met the team. See [the renewal](2024-06-01-renewal.md).
-- content/moments/acme/2024-06-01-renewal.md --
---
title: Renewal
date: 2024-06-01 14:30
customer: acme corp
sentiment: -1
moment_of_truth: true
related: [acme/2024-01-10-kickoff]
---
It went sideways.

## Assumptions
- [ ] Budget is frozen.
-- content/moments/acme/2024-07-01-draft.md --
---
title: Draft idea
date: 2024-07-01
customer: Acme
draft: true
---
Not ready.
"""


def build(site: Path, out: Path, *extra: str, env: dict[str, str] | None = None) -> Run:
    return run_cli("build", "--site", site, "--out", out, *extra, env=env)


def test_example_site_builds_every_page(tmp_path: Path) -> None:
    out = tmp_path / "public"
    result = build(REPO, out, "--as-of", EXAMPLE_AS_OF)
    assert result.code == 0, result.err
    assert (out / "index.html").is_file()
    data = json.loads((out / "moments.json").read_text(encoding="utf-8"))
    assert len(data["moments"]) >= 30
    for moment in data["moments"]:
        assert (out / moment["url"] / "index.html").is_file(), moment["id"]
    for customer in data["customers"]:
        assert (out / customer["url"] / "index.html").is_file()
    for page in (
        "customers",
        "learnings",
        "assumptions",
        "plans",
        "promises",
        "journey",
        "types",
        "tags",
    ):
        assert (out / page / "index.html").is_file(), page
    assert (out / "404.html").is_file() and (out / "static" / "style.css").is_file()
    assert "Built" in result.err and "moments" in result.err


def test_every_index_is_linked_from_every_page_and_the_dashboard(tmp_path: Path) -> None:
    """types/, stages/, tags/, factors/ and people/ are one click from anywhere."""
    out = tmp_path / "public"
    assert build(REPO, out, "--as-of", EXAMPLE_AS_OF).code == 0
    indexes = ["types/", "stages/", "tags/", "factors/", "people/"]
    pages = ["index.html", "customers/brandt-vogel/2024/index.html", "tags/renewal/index.html"]
    for rel in pages:
        page = out / rel
        found = elements(page)
        (footer,) = [e for e in found if e.tag == "nav" and e.attrs.get("aria-label") == "Browse"]
        after = found[found.index(footer) + 1 :]
        links = [e.attrs["href"] for e in after if e.tag == "a"][: len(indexes)]
        resolved = [(page.parent / href).resolve() for href in links]
        assert resolved == [(out / i / "index.html").resolve() for i in indexes], rel
    dashboard = elements(out / "index.html")
    (browse,) = [e for e in dashboard if e.tag == "p" and e.has_class("browse")]
    start = dashboard.index(browse)
    hrefs = [e.attrs["href"] for e in dashboard[start + 1 : start + 6] if e.tag == "a"]
    assert hrefs == [f"{i}index.html" for i in indexes]


def test_drafts_are_left_out_unless_asked(site: Path, tmp_path: Path) -> None:
    write_site(site, SMALL_SITE)
    assert build(site, tmp_path / "a").code == 0
    assert not (tmp_path / "a/moments/acme/2024-07-01-draft").exists()
    assert build(site, tmp_path / "b", "--drafts").code == 0
    assert (tmp_path / "b/moments/acme/2024-07-01-draft/index.html").is_file()


def test_same_input_gives_byte_identical_output(site: Path, tmp_path: Path) -> None:
    write_site(site, SMALL_SITE)
    assert build(site, tmp_path / "one", "--as-of", "2024-08-01").code == 0
    assert build(site, tmp_path / "two", "--as-of", "2024-08-01").code == 0
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")


def test_example_site_output_is_reproducible(tmp_path: Path) -> None:
    assert build(REPO, tmp_path / "one", "--as-of", EXAMPLE_AS_OF).code == 0
    assert build(REPO, tmp_path / "two", "--as-of", EXAMPLE_AS_OF).code == 0
    assert tree_bytes(tmp_path / "one") == tree_bytes(tmp_path / "two")


def test_source_date_epoch_sets_the_as_of_date(site: Path, tmp_path: Path) -> None:
    write_site(site, SMALL_SITE)
    epoch = "1719835200"  # 2024-07-01T12:00:00Z
    assert build(site, tmp_path / "a", env={"SOURCE_DATE_EPOCH": epoch}).code == 0
    assert build(site, tmp_path / "b", "--as-of", "2024-07-01").code == 0
    assert json.loads((tmp_path / "a/moments.json").read_text())["as_of"] == "2024-07-01"
    assert tree_bytes(tmp_path / "a") == tree_bytes(tmp_path / "b")


def test_as_of_flag_wins_over_source_date_epoch(site: Path, tmp_path: Path) -> None:
    write_site(site, SMALL_SITE)
    result = build(site, tmp_path / "a", "--as-of", "2024-09-09", env={"SOURCE_DATE_EPOCH": "0"})
    assert result.code == 0
    assert json.loads((tmp_path / "a/moments.json").read_text())["as_of"] == "2024-09-09"


@pytest.mark.parametrize("value", ["yesterday", "1.5", "-3", ""])
def test_malformed_source_date_epoch_is_a_usage_error(
    site: Path, tmp_path: Path, value: str
) -> None:
    write_site(site, SMALL_SITE)
    result = build(site, tmp_path / "out", env={"SOURCE_DATE_EPOCH": value})
    assert result.code == 2
    assert "SOURCE_DATE_EPOCH" in result.err and "Traceback" not in result.err
    assert not (tmp_path / "out").exists()


def test_moments_json_follows_the_spec(site: Path, tmp_path: Path) -> None:
    write_site(site, SMALL_SITE)
    assert build(site, tmp_path / "out", "--as-of", "2024-08-01").code == 0
    data = json.loads((tmp_path / "out/moments.json").read_text(encoding="utf-8"))
    assert data["version"] == 1 and data["as_of"] == "2024-08-01"
    assert data["site"] == {"title": "Small", "base_url": None}
    assert [c["slug"] for c in data["customers"]] == ["acme"]
    first, second = data["moments"]
    assert first["id"] == "acme/2024-01-10-kickoff" and first["customer"] == "acme"
    assert second["date"] == "2024-06-01T14:30" and second["sentiment"] == "negative"
    assert second["sentiment_score"] == -1 and second["moment_of_truth"] is True
    assert second["related"] == ["acme/2024-01-10-kickoff"]
    assert second["assumptions"] == [{"text": "Budget is frozen.", "clarified": False}]
    assert "We met the team." in first["text"]


def test_moments_json_is_written_in_pieces_as_one_dump_would_write_it(
    site: Path, tmp_path: Path
) -> None:
    """moments.json is streamed a moment at a time; its bytes are still those of one
    `json.dumps(indent=1)` of the whole (with and without moments)."""
    write_site(site, SMALL_SITE)
    assert build(site, tmp_path / "out", "--as-of", "2024-08-01").code == 0
    written = (tmp_path / "out/moments.json").read_text(encoding="utf-8")
    data = json.loads(written)
    assert len(data["moments"]) == 2
    assert written == json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    for moment in (site / "content/moments").rglob("*.md"):
        moment.unlink()
    assert build(site, tmp_path / "empty", "--as-of", "2024-08-01").code == 0
    written = (tmp_path / "empty/moments.json").read_text(encoding="utf-8")
    data = json.loads(written)
    assert data["moments"] == []
    assert written == json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def test_pretty_links_point_at_folders(site: Path, tmp_path: Path) -> None:
    write_site(site, SMALL_SITE)
    assert build(site, tmp_path / "portable").code == 0
    assert build(site, tmp_path / "pretty", "--links", "pretty").code == 0
    portable = (tmp_path / "portable/moments/acme/2024-01-10-kickoff/index.html").read_text()
    pretty = (tmp_path / "pretty/moments/acme/2024-01-10-kickoff/index.html").read_text()
    assert 'href="../../../customers/acme/index.html"' in portable
    assert 'href="../../../customers/acme/"' in pretty
    # the body's link to another moment's .md file became a page link
    assert 'href="../2024-06-01-renewal/index.html"' in portable
    assert 'href="../2024-06-01-renewal/"' in pretty


def test_404_links_from_the_site_root(site: Path, tmp_path: Path) -> None:
    write_site(site, SMALL_SITE)
    assert build(site, tmp_path / "a").code == 0
    assert 'href="/customers/index.html"' in (tmp_path / "a/404.html").read_text()
    assert build(site, tmp_path / "b", "--base-url", "https://intranet.example/cx").code == 0
    assert (
        'href="https://intranet.example/cx/customers/index.html"'
        in (tmp_path / "b/404.html").read_text()
    )


# --- the output folder belongs to momentmap ---------------------------------


def test_refuses_a_foreign_non_empty_output_folder(site: Path, tmp_path: Path) -> None:
    write_site(site, SMALL_SITE)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("precious")
    result = build(site, out)
    assert result.code == 2 and "not empty" in result.err
    assert tree_bytes(out) == {"thesis.docx": b"precious"}


@pytest.mark.parametrize("target", [".", "content", "..", "content/moments"])
def test_refuses_the_site_or_content_folder_or_their_parents(site: Path, target: str) -> None:
    write_site(site, SMALL_SITE)
    before = tree_bytes(site)
    result = run_cli("build", "--site", site, "--out", site / target)
    if target == "content/moments":
        # inside the content folder, but it holds neither: it is refused as a non-empty foreign folder
        assert result.code == 2
    else:
        assert result.code == 2 and "refusing" in result.err
    assert tree_bytes(site) == before


def test_failed_build_leaves_previous_output_untouched(site: Path, tmp_path: Path) -> None:
    write_site(site, SMALL_SITE)
    out = tmp_path / "out"
    assert build(site, out).code == 0
    before = tree_bytes(out)
    (site / "content/moments/acme/2024-08-01-bad.md").write_text(
        "---\ntitle: Bad\ndate: someday\ncustomer: Acme\n---\n"
    )
    result = build(site, out)
    assert result.code == 1
    assert "content/moments/acme/2024-08-01-bad.md:3:7: error: date must be a date" in result.err
    assert tree_bytes(out) == before
    # No staging folder left behind; only the lock that keeps two builds from
    # writing one output at once, and no spare folder, which the second build makes.
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.momentmap-lock", "out", "site"]


def test_foreign_files_in_the_output_are_carried_over(site: Path, tmp_path: Path) -> None:
    write_site(site, SMALL_SITE)
    out = tmp_path / "out"
    assert build(site, out).code == 0
    (out / "robots.txt").write_text("User-agent: *\n")
    result = build(site, out)
    assert result.code == 0
    assert "out/robots.txt: warning: file was not written by momentmap" in result.err
    assert (out / "robots.txt").read_text() == "User-agent: *\n"


def test_removed_moment_disappears_from_output(site: Path, tmp_path: Path) -> None:
    write_site(site, SMALL_SITE)
    out = tmp_path / "out"
    assert build(site, out).code == 0
    (site / "content/moments/acme/2024-06-01-renewal.md").unlink()
    (site / "content/moments/acme/2024-01-10-kickoff.md").write_text(
        "---\ntitle: Kickoff\ndate: 2024-01-10\ncustomer: Acme\n---\nHello.\n"
    )
    assert build(site, out).code == 0
    assert not (out / "moments/acme/2024-06-01-renewal").exists()


def test_content_assets_are_copied(site: Path, tmp_path: Path) -> None:
    write_site(
        site,
        SMALL_SITE
        + "-- content/moments/acme/diagram.svg --\n<svg xmlns='http://www.w3.org/2000/svg'/>\n",
    )
    assert build(site, tmp_path / "out").code == 0
    assert (tmp_path / "out/moments/acme/diagram.svg").is_file()


def test_init_then_build_works(tmp_path: Path) -> None:
    site = tmp_path / "x"
    result = run_cli("init", site)
    assert result.code == 0, result.err
    assert (site / "momentmap.yaml").is_file() and (site / ".gitignore").read_text().count(
        "public/"
    ) == 1
    result = run_cli("build", "--site", site)
    assert result.code == 0, result.err
    assert (site / "public/index.html").is_file()
    moment_pages = list((site / "public/moments").rglob("index.html"))
    assert len(moment_pages) == 1


def test_init_never_overwrites(tmp_path: Path) -> None:
    site = tmp_path / "x"
    site.mkdir()
    (site / "momentmap.yaml").write_text("title: Mine\n")
    assert run_cli("init", "--site", site).code == 0
    assert (site / "momentmap.yaml").read_text() == "title: Mine\n"
    assert (site / "content/customers").is_dir()


def test_wheel_contains_the_default_theme(tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--wheel",
            "--no-isolation",
            "--outdir",
            str(tmp_path),
            str(REPO),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    (wheel,) = tmp_path.glob("momentmap-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "momentmap/themes/default/templates/base.html" in names
    assert "momentmap/themes/default/static/style.css" in names
    assert "momentmap/cli.py" in names


def test_site_theme_files_replace_built_in_ones(site: Path, tmp_path: Path) -> None:
    write_site(
        site,
        SMALL_SITE
        + """
-- themes/default/templates/404.html --
{% extends "base.html" %}
{% block content %}<h1>Lost, {{ config.title }}?</h1>{% endblock %}
-- themes/default/static/style.css --
body { color: rebeccapurple; }
-- themes/default/static/logo.svg --
<svg xmlns="http://www.w3.org/2000/svg"/>
""",
    )
    out = tmp_path / "out"
    assert build(site, out).code == 0
    assert "<h1>Lost, Small?</h1>" in (out / "404.html").read_text()
    assert (out / "static/style.css").read_text() == "body { color: rebeccapurple; }\n"
    assert (out / "static/logo.svg").is_file()
    # templates the site does not replace still come from the built-in theme
    assert 'class="site-header"' in (out / "index.html").read_text()


def test_unknown_theme_is_an_error(site: Path, tmp_path: Path) -> None:
    write_site(site, SMALL_SITE.replace("title: Small", "title: Small\ntheme: fancy"))
    result = build(site, tmp_path / "out")
    assert result.code == 1 and "theme 'fancy' not found" in result.err
