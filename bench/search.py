"""Search index size and time to first results, on the standard corpus, in Chromium.

    python bench/search.py                      # 1,000 and 10,000 moments, 5 runs per query
    python bench/search.py --sizes 1000 --runs 3

For each size it builds the corpus (bench/out/corpus-N, made as run.py makes
it) into bench/out/search-N/ and reports:

- the index on disk: all of search/, index.js alone, the largest terms and
  text files;
- for each query, the median over fresh browser pages opened from file://:
  *open*, from navigation start to the first results on the page when the
  page is opened as search/index.html?q=…; *typed*, from the input event to
  the first results when the query is typed into the loaded page (this
  includes search.js's 60 ms pause for the typist); and the bytes of index
  files the query loaded.

Prints a Markdown table; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Page, sync_playwright
from run import OUT, REPO, ensure_corpus

QUERIES = ["security questionnaire", "graphic design", "escalation", "migr"]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def build(site: Path, out: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "generator")}
    command = [sys.executable, "-m", "momentmap", "build", "--site", str(site), "--out", str(out)]
    subprocess.run(
        [*command, "--as-of", "2026-01-01", "--quiet"],
        check=True,
        env=env,
    )


def sizes_on_disk(out: Path) -> dict[str, int]:
    files = {p.name: p.stat().st_size for p in (out / "search").iterdir() if p.suffix == ".js"}
    return {
        "total": sum(files.values()),
        "index": files["index.js"],
        "terms": max(v for k, v in files.items() if k.startswith("terms-")),
        "text": max(v for k, v in files.items() if k.startswith("text-")),
        "files": len(files),
    }


def first_results(page: Page) -> float:
    page.wait_for_selector("#_results li")
    marks = page.evaluate(
        "performance.getEntriesByName('momentmap-search-first-results').map(e => e.startTime)"
    )
    return float(marks[0])


def loaded_bytes(page: Page, out: Path) -> int:
    """The bytes of the index files the page has loaded (file:// reports no sizes)."""
    sources = page.evaluate(
        "Array.from(document.scripts, s => s.src).filter(s => s.includes('/search/'))"
    )
    return sum((out / "search" / src.rsplit("/", 1)[1]).stat().st_size for src in sources)


def measure(out: Path, query: str, runs: int, browser: object) -> dict[str, float]:
    search = (out / "search" / "index.html").as_uri()
    opened, typed, loaded = [], [], []
    for _ in range(runs):
        context = browser.new_context()  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(f"{search}?q={quote(query)}")
        opened.append(first_results(page))
        context.close()

        context = browser.new_context()  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(search)
        page.wait_for_function(
            "/moments to search/.test(document.getElementById('_search-status').textContent)"
        )
        started = page.evaluate(
            """query => {
                const box = document.getElementById('_q');
                box.value = query;
                const now = performance.now();
                box.dispatchEvent(new Event('input'));
                return now;
            }""",
            query,
        )
        typed.append(first_results(page) - started)
        loaded.append(loaded_bytes(page, out))
        context.close()
    return {
        "open": statistics.median(opened),
        "typed": statistics.median(typed),
        "kib": statistics.median(loaded) / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        for size in (int(s) for s in args.sizes.split(",")):
            site, _ = ensure_corpus(size)
            out = OUT / f"search-{size}"
            print(f"building {size}", file=sys.stderr)
            build(site, out)
            disk = sizes_on_disk(out)
            print(
                f"| {size:,} | {disk['total'] / 2**20:.1f} MiB in {disk['files']} files "
                f"| {disk['index'] / 2**10:.0f} KiB | {disk['terms'] / 2**10:.0f} KiB "
                f"| {disk['text'] / 2**10:.0f} KiB |",
                file=sys.stderr,
            )
            rows.append((size, disk, {q: measure(out, q, args.runs, browser) for q in QUERIES}))
        browser.close()
    print("| moments | search/ on disk | index.js | largest terms file | largest text file |")
    print("|---|---|---|---|---|")
    for size, disk, _ in rows:
        print(
            f"| {size:,} | {disk['total'] / 2**20:.1f} MiB in {disk['files']} files "
            f"| {disk['index'] / 2**10:.0f} KiB | {disk['terms'] / 2**10:.0f} KiB "
            f"| {disk['text'] / 2**10:.0f} KiB |"
        )
    print()
    print("| moments | query | opened with ?q= (ms) | typed (ms) | index loaded (KiB) |")
    print("|---|---|---|---|---|")
    for size, _, results in rows:
        for query, r in results.items():
            print(f"| {size:,} | {query} | {r['open']:.0f} | {r['typed']:.0f} | {r['kib']:.0f} |")


if __name__ == "__main__":
    main()
