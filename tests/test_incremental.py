"""Incremental builds: what is read and rendered again, and that the result equals a clean build.

Every build here runs the real CLI with two worker processes, on a copy of
the example site. A page that was reused stays in the output untouched, so
it keeps its inode; a page rendered again is a new file with a new inode.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLE_AS_OF, REPO, run_cli, summary_counts, tree_bytes

JOBS = {"MOMENTMAP_JOBS": "2"}  # the parallel path, even for a small site


@pytest.fixture
def example(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    site.mkdir()
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "momentmap.yaml", site / "momentmap.yaml")
    return site


def build(site: Path, out: str = "public") -> tuple[int, int | None]:
    """Build; returns (pages updated, changed files read) from the summary line.

    A build that renders every page says only how many it built (files read: None)."""
    run = run_cli("build", "--site", site, "--as-of", EXAMPLE_AS_OF, "--out", site / out, env=JOBS)
    assert run.code == 0, run.err
    return summary_counts(run.err)


def inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*.html")}


def clean_build(site: Path) -> dict[str, bytes]:
    """A build from nothing (no cache, no previous output), for comparison."""
    cache = site / ".momentmap-cache"
    kept = site.parent / "kept-cache"
    if cache.exists():
        cache.rename(kept)
    shutil.rmtree(site / "clean", ignore_errors=True)
    try:
        rendered, _ = build(site, "clean")
        assert rendered > 0
        return tree_bytes(site / "clean")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        if kept.exists():
            kept.rename(cache)


def moment_file(site: Path, name: str) -> Path:
    return next((site / "content" / "moments").rglob(name))


def test_second_build_of_unchanged_input_renders_and_reads_nothing(example: Path) -> None:
    rendered, read = build(example)
    assert rendered > 100 and read is None
    before = inodes(example / "public")
    assert build(example) == (0, 0)
    assert inodes(example / "public") == before  # every page linked, none rewritten
    assert build(example) == (0, 0)  # and the build that kept them all recorded them right


def test_the_manifest_records_each_file_as_it_is_on_disk(example: Path) -> None:
    """Written files are recorded with the identity their worker read from the open file,
    kept ones with the identity recorded before: both must be what a stat says now."""

    def check() -> int:
        (manifest,) = (example / ".momentmap-cache").glob("output-*.json")
        files = json.loads(manifest.read_bytes().partition(b"\n")[2])["files"]
        for rel, (_key, *recorded) in files.items():
            stat = (example / "public" / rel).stat()
            assert recorded == [stat.st_ino, stat.st_size, stat.st_mtime_ns], rel
        return len(files)

    build(example)
    assert check() > 100
    path = moment_file(example, "*.md")
    path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    rendered, _ = build(example)
    assert 0 < rendered < 100  # some pages written again, most kept
    check()


def test_one_edited_moment_rerenders_only_what_shows_it(example: Path) -> None:
    build(example)
    before = inodes(example / "public")
    path = moment_file(example, "2024-06-25-one-year-renewal-corvane-on-the-shortlist.md")
    path.write_text(path.read_text() + "\nOne more sentence, added later.\n", encoding="utf-8")
    rendered, read = build(example)
    after = inodes(example / "public")
    changed = {rel for rel in after if before.get(rel) != after[rel]}
    assert read == 1
    assert rendered == len(changed) and 0 < rendered < len(after) // 2
    page = next(
        rel for rel in changed if rel.startswith("moments/") and "corvane-on-the-shortlist" in rel
    )
    html = (example / "public" / page).read_text()
    assert "One more sentence, added later." in html
    folder = page.split("/")[1]
    customer = re.search(r'href="[./]*customers/([a-z0-9-]+)/', html)
    assert customer
    # Other customers' moment and customer pages were not touched.
    others = [
        r
        for r in after
        if (r.startswith("customers/") and r.count("/") > 1 and f"/{customer.group(1)}/" not in r)
        or (r.startswith("moments/") and not r.startswith(f"moments/{folder}/"))
    ]
    assert others and not changed & set(others)
    assert tree_bytes(example / "public") == clean_build(example)


UNLINKED = "2025-02-18-they-are-piloting-corvane-in-two-branches.md"  # no moment links to it
EDITS = {
    "body": lambda s: _edit(
        s,
        "2024-06-25-one-year-renewal-corvane-on-the-shortlist.md",
        "Cascade renewed for one year",
        "Cascade renewed, grudgingly, for one year",
    ),
    "tag": lambda s: _edit(
        s,
        "2024-06-25-one-year-renewal-corvane-on-the-shortlist.md",
        "tags: [",
        "tags: [brand-new-tag, ",
    ),
    "date": lambda s: _edit(
        s,
        "2024-06-25-one-year-renewal-corvane-on-the-shortlist.md",
        "date: 2024-06-25",
        "date: 2023-01-02",
    ),
    "add": lambda s: (s / "content/moments/new-one.md").write_text(
        "---\ntitle: A new one\ndate: 2024-06-01\ncustomer: Quillon\n"
        "sentiment: positive\n---\nFresh.\n\n## Learnings\n\n- Something new.\n",
        encoding="utf-8",
    ),
    "delete": lambda s: moment_file(s, UNLINKED).unlink(),
    "rename": lambda s: moment_file(s, UNLINKED).rename(
        moment_file(s, UNLINKED).with_name("2025-02-18-renamed.md")
    ),
    "config": lambda s: _replace(s / "momentmap.yaml", "title:", "title: Renamed —"),
    "template": lambda s: _theme_override(s),
}


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _edit(site: Path, name: str, old: str, new: str) -> None:
    _replace(moment_file(site, name), old, new)


def _theme_override(site: Path) -> None:
    source = (REPO / "themes/default/templates/moment.html").read_text(encoding="utf-8")
    target = site / "themes/default/templates/moment.html"
    target.parent.mkdir(parents=True)
    target.write_text(source.replace("<h1>", '<h1 class="retitled">', 1), encoding="utf-8")


@pytest.mark.parametrize("edit", list(EDITS))
def test_incremental_output_equals_a_clean_build(example: Path, edit: str) -> None:
    build(example)
    EDITS[edit](example)
    build(example)
    assert tree_bytes(example / "public") == clean_build(example)


def test_a_damaged_cache_is_ignored_not_trusted(example: Path) -> None:
    build(example)
    cache = example / ".momentmap-cache"
    shards = sorted((cache / "moments").glob("*.bin"))
    assert shards
    # Garbage, a truncated file, and a well-formed entry whose checksum no longer matches.
    shards[0].write_bytes(b"\x00not json")
    shards[1].write_bytes(shards[1].read_bytes()[:40])
    data = shards[2].read_bytes()
    assert b"<p>" in data
    shards[2].write_bytes(data.replace(b"<p>", b"<p><script>alert(1)</script>", 1))
    for manifest in cache.glob("output-*.json"):
        manifest.write_text("{}", encoding="utf-8")
    rendered, read = build(example)
    assert read is None and rendered > 100
    assert tree_bytes(example / "public") == clean_build(example)
    assert not any(b"<script>alert(1)" in data for data in tree_bytes(example / "public").values())


def test_an_output_file_edited_by_hand_is_rendered_again(example: Path) -> None:
    build(example)
    page = example / "public" / "customers" / "index.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"Customers", b"Tampered", 1))
    rendered, _ = build(example)
    assert rendered == 1
    assert page.read_bytes() == original


def test_a_build_killed_after_publishing_is_followed_by_a_right_one(example: Path) -> None:
    """A kill between publishing and recording the manifest leaves the cache describing
    the version before; the spare folder and the output are still whole versions."""
    public, cache = example / "public", example / ".momentmap-cache"
    build(example)
    build(example)  # now there is a spare folder, the version before
    manifests = {p: p.read_bytes() for p in cache.glob("output-*.json")}
    _edit(
        example,
        "2024-06-25-one-year-renewal-corvane-on-the-shortlist.md",
        "renewed for",
        "renewed, grudgingly, for",
    )
    build(example)
    after = tree_bytes(public)
    for path, data in manifests.items():
        path.write_bytes(data)
    rendered, read = build(example)
    assert rendered > 0 and read == 0  # the pages the stale manifest does not know
    assert tree_bytes(public) == after == clean_build(example)


def test_a_spare_folder_a_build_was_changing_when_killed_is_set_right(example: Path) -> None:
    """Killed while bringing the spare folder up to date, a build leaves it half old,
    half new, with pages of a version never published; the next build goes by what
    the spare folder holds, not by what it should hold."""
    public, spare = example / "public", example / ".public.momentmap-spare"
    build(example)
    build(example)
    for n, page in enumerate(sorted(spare.rglob("index.html"))):
        if n % 2:
            page.unlink()  # as if deleted for the new version, whose files never came
    written = spare / "moments" / "a-moment-of-the-new-version" / "index.html"
    written.parent.mkdir()
    written.write_text("<p>a page of the version that was never published</p>")
    (spare / "customers" / "a-folder-made-for-a-page-never-written").mkdir()
    _edit(
        example,
        "2024-06-25-one-year-renewal-corvane-on-the-shortlist.md",
        "renewed for",
        "renewed, grudgingly, for",
    )
    build(example)
    assert tree_bytes(public) == clean_build(example)
    assert sorted(p for p in public.rglob("*") if p.is_dir() and not any(p.iterdir())) == []
