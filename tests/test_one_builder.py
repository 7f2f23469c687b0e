"""`build` and `serve` publish the same site: one plan, two consumers.

Each site is built with the real `momentmap build` and planned by the
preview that `momentmap serve` runs, in this process; every file the
preview would serve must be a file the build wrote, byte for byte, and the
other way round. A site that breaks a publishing rule (a content file where
momentmap generates one) fails in both, with the same diagnostic, and the
real `serve` reports it instead of serving the content file.
"""

from __future__ import annotations

import datetime as dt
import gc
import queue
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import EXAMPLE_AS_OF, REPO, copy_example, run_cli, tree_bytes

from momentmap.build.builder import build_site, collector_off
from momentmap.build.plan import BuildOptions
from momentmap.content.dates import resolve_as_of
from momentmap.render import environment
from momentmap.serve import server
from momentmap.serve.preview import Deferred, Preview

MARKER = ".momentmap-output"
OWN_CSS = b"body { color: rebeccapurple; }\n"


def with_everything(site: Path) -> Path:
    """The example with a feed and sitemap, a theme of its own that replaces one static
    file and adds another, a file beside a moment, and a draft."""
    config = site / "momentmap.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "base_url: https://cx.example.com/moments/\ntheme: own\n",
        encoding="utf-8",
    )
    static = site / "themes" / "own" / "static"
    static.mkdir(parents=True)
    (static / "style.css").write_bytes(OWN_CSS)
    (static / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>\n")
    (site / "content" / "moments" / "quillon" / "call-notes.txt").write_text("Notes.\n")
    (site / "content" / "moments" / "quillon" / "2025-11-20-draft.md").write_text(
        "---\ntitle: Not yet\ndate: 2025-11-20\ncustomer: Quillon\ndraft: true\n---\nSoon.\n"
    )
    return site


def served(site: Path, *args: str) -> tuple[dict[str, bytes], list[str]]:
    """Every file the preview serves (without its live-reload script), and its problems."""
    options = BuildOptions(as_of=resolve_as_of(EXAMPLE_AS_OF), drafts="--drafts" in args)
    preview = Preview(site, options)
    result = preview.full_pass()
    files: dict[str, bytes] = {}
    for rel, content in preview.published.files.items():
        if isinstance(content, Deferred):
            files[rel] = content.get()
        elif isinstance(content, Path):
            files[rel] = content.read_bytes()
        else:
            files[rel] = content
    return files, [p.as_text() for p in result.problems]


def built(site: Path, out: Path, *args: str) -> dict[str, bytes]:
    run = run_cli("build", "--site", site, "--out", out, "--as-of", EXAMPLE_AS_OF, *args)
    assert run.code == 0, run.err
    files = tree_bytes(out)
    del files[MARKER]
    return files


@pytest.mark.parametrize(
    ("make", "args"),
    [(lambda site: site, ()), (with_everything, ("--drafts",))],
    ids=["example", "feed-theme-asset-draft"],
)
def test_serve_publishes_every_byte_that_build_writes(
    tmp_path: Path, make: object, args: tuple[str, ...]
) -> None:
    site = make(copy_example(tmp_path))  # type: ignore[operator]
    written = built(site, tmp_path / "out", *args)
    files, problems = served(site, *args)
    assert problems == []
    assert sorted(files) == sorted(written)
    assert [rel for rel in written if files[rel] != written[rel]] == []
    if make is with_everything:
        assert written["static/style.css"] == OWN_CSS
        assert {
            "feed.xml",
            "sitemap.xml",
            "static/logo.svg",
            "moments/quillon/call-notes.txt",
        } <= set(written)
        assert any("2025-11-20-draft" in rel for rel in written)


def test_a_content_file_where_a_generated_file_goes_fails_build_and_serve_alike(
    tmp_path: Path,
) -> None:
    site = copy_example(tmp_path)
    (site / "content" / "moments.json").write_text('{"not": "the real one"}\n')
    expected = "content/moments.json: error: file would overwrite a page momentmap generates"

    run = run_cli("build", "--site", site, "--out", tmp_path / "out", "--as-of", EXAMPLE_AS_OF)
    assert run.code == 1
    assert expected in run.err
    assert not (tmp_path / "out").exists()

    files, problems = served(site)
    assert expected in problems
    assert files == {}

    # The real server says so too, and never serves the content file.
    serve = [sys.executable, "-m", "momentmap", "serve", "--site", str(site), "--port", "0"]
    proc = subprocess.Popen(
        [*serve, "--as-of", EXAMPLE_AS_OF],
        env={"PYTHONPATH": str(REPO / "generator"), "PATH": "/usr/bin:/bin"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        err = ""
        assert proc.stderr is not None
        for line in proc.stderr:
            err += line
            if "Serving" in line:
                break
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert expected in err


def with_other_settings(site: Path) -> Path:
    """The example with raw HTML allowed, pretty links and a title of its own: settings
    that reach the parser, every link and every page."""
    config = site / "momentmap.yaml"
    config.write_text(
        config.read_text(encoding="utf-8") + "allow_html: true\nlinks: pretty\n",
        encoding="utf-8",
    )
    config.write_text(config.read_text(encoding="utf-8").replace("title:", "title: Other", 1))
    (site / "content" / "moments" / "quillon" / "2025-10-02-html.md").write_text(
        "---\ntitle: Raw HTML\ndate: 2025-10-02\ncustomer: Quillon\n---\n"
        "<details><summary>More</summary>Kept as HTML here.</details>\n"
    )
    return site


def test_two_sites_built_in_one_process_give_the_bytes_of_two_processes(
    tmp_path: Path,
) -> None:
    first = copy_example(tmp_path / "first")
    other = with_other_settings(copy_example(tmp_path / "other"))
    options = BuildOptions(as_of=resolve_as_of(EXAMPLE_AS_OF))

    # One process: the first site, the other, then the first again into a new folder.
    in_process = []
    for n, site in enumerate((first, other, first)):
        out = tmp_path / f"in-process-{n}"
        result = build_site(site, replace(options, out_dir=out))
        assert result.written and not result.diagnostics.has_errors
        files = tree_bytes(out)
        del files[MARKER]
        in_process.append(files)

    # Two processes, each on a fresh copy (no cache shared with the builds above).
    alone = []
    for site in (first, other):
        copy = tmp_path / "alone" / site.parent.name
        shutil.copytree(site, copy, ignore=shutil.ignore_patterns(".momentmap-cache"))
        alone.append(built(copy, tmp_path / f"alone-{site.parent.name}"))

    assert in_process[0] == alone[0]
    assert in_process[1] == alone[1]
    assert in_process[2] == alone[0]
    # The settings did reach the output: the two sites differ.
    assert in_process[0] != in_process[1]
    html = next(v for k, v in in_process[1].items() if "2025-10-02-html" in k)
    assert b"<details><summary>More</summary>" in html


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("\n## Learnings", "\nOne more paragraph.\n\n## Learnings"),
        ("date: 2023-05-23", "date: 2025-11-30"),  # now the site's last day: a new date range
    ],
    ids=["text", "date-range"],
)
def test_the_quick_pass_gives_an_edited_page_the_key_and_bytes_of_the_full_pass(
    tmp_path: Path, old: str, new: str
) -> None:
    site = copy_example(tmp_path)
    preview = Preview(site, BuildOptions(as_of=resolve_as_of(EXAMPLE_AS_OF)))
    assert preview.full_pass().ok
    file = (
        site / "content/moments/cascade-elevator/2023-05-23-demo-map-froze-in-front-of-their-coo.md"
    )
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    rel = "moments/cascade-elevator/2023-05-23-demo-map-froze-in-front-of-their-coo/index.html"

    preview.show_edited_moments([file])
    quick = preview.published
    assert quick.changed == {rel}
    assert b"One more paragraph" in quick.files[rel] or "date" in old

    assert preview.full_pass().ok
    full = preview.published
    assert full.keys[rel] == quick.keys[rel]
    assert full.files[rel] == quick.files[rel]


def test_a_build_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    """The collector is off while a build reads and plans: a program that builds in its
    own process gets it back on, after a good build and after one with errors, and off
    if it had turned it off itself."""
    good = copy_example(tmp_path / "good")
    bad = copy_example(tmp_path / "bad")
    (bad / "content" / "moments" / "broken.md").write_text("---\ntitle: [\n---\n")
    options = BuildOptions(as_of=resolve_as_of(EXAMPLE_AS_OF))
    assert gc.isenabled()
    assert build_site(good, replace(options, out_dir=tmp_path / "out-good")).written
    assert gc.isenabled()
    assert build_site(bad, replace(options, out_dir=tmp_path / "out-bad")).diagnostics.has_errors
    assert gc.isenabled()
    gc.disable()
    try:
        build_site(good, replace(options, out_dir=tmp_path / "out-again"))
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_what_is_made_with_the_collector_off_joins_the_oldest_generation() -> None:
    """Else the first young collection after a build's reading would walk every object
    of the site (a site's worth of objects, made with no collection to age them)."""
    with collector_off():
        made = [[] for _ in range(5000)]
    ours = {id(obj) for obj in made}
    assert not [obj for obj in gc.get_objects(generation=0) if id(obj) in ours]
    assert not [obj for obj in gc.get_objects(generation=1) if id(obj) in ours]
    assert len([obj for obj in gc.get_objects(generation=2) if id(obj) in ours]) == len(made)


def test_the_preview_collects_garbage_once_idle_not_after_each_full_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full collection walks the whole site holding the interpreter lock (200-400 ms
    at 10,000 moments); run right after each full pass, it held up the next edit. The
    builder thread collects once nothing has been asked of it for a while."""
    monkeypatch.setattr(server, "COLLECT_WHEN_IDLE_S", 1.0)
    preview = Preview(copy_example(tmp_path), BuildOptions(as_of=resolve_as_of(EXAMPLE_AS_OF)))
    assert preview.full_pass().ok  # the first build
    gc.collect()
    full: list[float] = []  # when each full collection started

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and info["generation"] == 2:
            full.append(time.monotonic())

    passes: queue.Queue[float] = queue.Queue()
    stop = threading.Event()
    builder = server._Builder(preview, lambda result: passes.put(time.monotonic()), stop)
    gc.callbacks.append(watch)
    try:
        builder.start()
        asked = time.monotonic()
        builder.request()
        done = passes.get(timeout=120)
        deadline = time.monotonic() + 30
        while not full and time.monotonic() < deadline:
            time.sleep(0.05)
        assert full, "no full collection once idle"
        assert full[0] >= done + 0.9 and not [t for t in full if asked <= t < done]
    finally:
        gc.callbacks.remove(watch)
        stop.set()
        builder.request()
        builder.join(30)


def test_a_process_gives_its_free_heap_back_after_each_big_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After writing a page of `BIG_PAGE` characters or more, the rendering process
    returns its free heap pages to the system; after a smaller one it does not."""
    monkeypatch.setenv("MOMENTMAP_JOBS", "1")  # every page is rendered in this process
    monkeypatch.setattr(environment, "BIG_PAGE", 30_000)
    calls: list[None] = []
    real = environment.give_back_freed_memory
    monkeypatch.setattr(environment, "give_back_freed_memory", lambda: calls.append(real()))
    site = copy_example(tmp_path)
    result = build_site(site, BuildOptions(as_of=dt.date.fromisoformat(EXAMPLE_AS_OF)))
    assert not result.diagnostics.has_errors
    sizes = [len(p.read_text(encoding="utf-8")) for p in (site / "public").rglob("*.html")]
    assert 0 < len(calls) == sum(size >= 30_000 for size in sizes) < len(sizes)
