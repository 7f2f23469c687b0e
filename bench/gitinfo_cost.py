#!/usr/bin/env python3
"""What git info costs on the standard corpus: one `git log` pass, and whole builds.

    python bench/gitinfo_cost.py [--size 10000] [--runs 3] [--commits 300] [--edits 600]

Copies bench/out/corpus-N (made by generate_corpus.py when missing, as
run.py does) into a temporary folder and gives it a history made with `git
fast-import`: the moments arrive in date order over `--commits` commits by
several authors, about one in twenty first under a draft name and moved to
its final path later (renames to follow), then `--edits` commits each edit
one to five moments. The working tree ends equal to HEAD, so the site
builds exactly as the corpus does.

Then it times, as medians:
- reading the git info (`read_git_info`: one `git rev-parse`, one `git log`
  and parsing it), and the `git log` process alone;
- `momentmap build` from nothing (no cache, no output) and again with nothing
  changed, with git_info true and false: two clones of the same repository,
  built in turn, with a snapshot of momentmap's code (so that edits to the
  working tree meanwhile do not empty the cache).

Prints a Markdown table on stdout and progress on stderr.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from run import ensure_corpus  # noqa: E402

AUTHORS = [
    ("Dana Lee", "dana@example.com"),
    ("Sam Roe", "sam@example.com"),
    ("Lee Nakamura", "lee@example.com"),
    ("Ana Müller", "ana@example.com"),
    ("Priya Raman", "priya@example.com"),
    ("Tomás Ortega", "tomas@example.com"),
    ("Kim Osei", "kim@example.com"),
]
START = 1_609_459_200  # 2021-01-01 00:00 UTC: the corpus starts then
END = 1_767_139_200  # 2025-12-31 00:00 UTC
AS_OF = "2025-12-31"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="moments in the corpus")
    parser.add_argument("--runs", type=int, default=3, help="runs per build measurement")
    parser.add_argument("--commits", type=int, default=300, help="commits that add the moments")
    parser.add_argument("--edits", type=int, default=600, help="later commits that edit moments")
    args = parser.parse_args()

    corpus, _ = ensure_corpus(args.size)
    with tempfile.TemporaryDirectory(prefix="momentmap-gitinfo-") as tmp_name:
        tmp = Path(tmp_name)
        # A snapshot of momentmap's code and theme: an edit to the working tree during the
        # run would otherwise change the code's hash and so empty the cache.
        code = tmp / "generator"
        shutil.copytree(REPO / "generator", code, ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(REPO / "themes", tmp / "themes")  # found beside generator/
        sys.path.insert(0, str(code))
        from momentmap.site.gitinfo import read_git_info

        on, off = tmp / "git-info-on", tmp / "git-info-off"
        shutil.copytree(corpus, on)
        started = time.perf_counter()
        commits = make_history(on, commits=args.commits, edits=args.edits)
        log(f"history: {commits} commits in {time.perf_counter() - started:.1f} s")
        git(tmp, "clone", "-q", str(on), str(off))  # the same repository, git_info: false
        set_git_info(on, True)
        set_git_info(off, False)

        info = read_git_info(on / "content")
        assert not info.notices, info.notices
        moments = [p for p in info.files if p.startswith("moments/")]
        edited = sum(1 for p in moments if info.files[p].edited is not None)
        log(f"git info for {len(info.files)} files ({len(moments)} moments, {edited} edited)")

        quick = max(args.runs, 9)  # the git-only timings are quick: take more of them
        git_rows = [
            ("`git log` process alone", median([git_log(on) for _ in range(quick)])),
            (
                "git info read (rev-parse + log + parse)",
                median([timed(lambda: read_git_info(on / "content")) for _ in range(quick)]),
            ),
        ]
        for site in (on, off):  # untimed: compiles the snapshot and warms the disk cache
            build(site, code, clean=True)
        # Both variants run in turn, so that a busy machine slows both alike.
        clean: dict[Path, list[float]] = {on: [], off: []}
        warm: dict[Path, list[float]] = {on: [], off: []}
        for _ in range(args.runs):
            for site in (on, off):
                clean[site].append(build(site, code, clean=True))
        for _ in range(max(args.runs, 5)):
            for site in (on, off):
                warm[site].append(build(site, code, clean=False))

    print(f"\n{args.size} moments, {commits} commits, {jobs()} cores; medians in seconds\n")
    print("| git only | runs | median s |")
    print("|---|---|---|")
    for label, seconds in git_rows:
        print(f"| {label} | {quick} | {seconds:.3f} |")
    print("\n| `momentmap build` | runs | git_info: true | git_info: false | difference |")
    print("|---|---|---|---|---|")
    for label, times in (("from nothing (no cache, no output)", clean), ("unchanged", warm)):
        with_git, without = median(times[on]), median(times[off])
        runs = len(times[on])
        print(
            f"| {label} | {runs} | {with_git:.2f} ({spread(times[on])}) "
            f"| {without:.2f} ({spread(times[off])}) | {with_git - without:+.2f} |"
        )
    return 0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> str:
    return f"{min(values):.2f}–{max(values):.2f}"


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# --- the history ------------------------------------------------------------------------------


def make_history(site: Path, *, commits: int, edits: int) -> int:
    """A repository in `site` whose HEAD is the corpus; returns the number of commits."""
    rng = random.Random(20231)  # the same history every time
    every = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    final = {rel: (site / rel).read_bytes() for rel in every}
    # Moment files start with their date: in name order, they arrive as they happened.
    moments = sorted((r for r in every if r.startswith("content/moments/")), key=_by_name)
    size = -(-len(moments) // max(1, commits - 1))
    batches = [sorted(set(every) - set(moments))]  # config and profiles first
    batches += [moments[i : i + size] for i in range(0, len(moments), size)]
    current: dict[str, bytes] = {}
    moved_later: list[tuple[str, str]] = []  # (draft path, final path)
    stream: list[bytes] = []
    total = 2 * len(batches) + edits  # at most one "publish drafts" commit per batch
    step = (END - START) // total
    moment = START
    mark = 0

    def commit(author: tuple[str, str], message: str, changes: list[bytes]) -> None:
        nonlocal mark, moment
        mark += 1
        moment += step
        who = f"{author[0]} <{author[1]}> {moment} +0000".encode()
        head = [
            b"commit refs/heads/main\n",
            b"mark :%d\n" % mark,
            b"author " + who + b"\n",
            b"committer " + who + b"\n",
            data(message.encode()),
        ]
        if mark > 1:
            head.append(b"from :%d\n" % (mark - 1))
        stream.extend(head + changes + [b"\n"])

    for batch in batches:
        changes = []
        for rel in batch:
            path = rel
            if rel.startswith("content/moments/") and rng.random() < 0.05:
                path = rel.rsplit("/", 1)[0] + "/draft-" + rel.rsplit("/", 1)[1]
                moved_later.append((path, rel))
            current[rel] = final[rel]
            changes.append(modify(path, final[rel]))
        commit(rng.choice(AUTHORS), f"Add {len(batch)} moments", changes)
        if moved_later and rng.random() < 0.3:  # publish the drafts written so far
            renames = [b"R %s %s\n" % (a.encode(), b.encode()) for a, b in moved_later]
            commit(rng.choice(AUTHORS), "Publish drafts", renames)
            moved_later.clear()
    if moved_later:
        renames = [b"R %s %s\n" % (a.encode(), b.encode()) for a, b in moved_later]
        commit(rng.choice(AUTHORS), "Publish drafts", renames)
    for _ in range(edits):
        changes = []
        for rel in rng.sample(moments, rng.randint(1, 5)):
            current[rel] += b"\n<!-- reviewed -->\n"
            changes.append(modify(rel, current[rel]))
        commit(rng.choice(AUTHORS), "Edit moments", changes)

    git(site, "init", "-q")
    (site / ".gitignore").write_text("public/\n.momentmap-cache/\n", encoding="utf-8")
    git(site, "fast-import", "--quiet", stdin=b"".join(stream))
    git(site, "reset", "-q", "--hard", "main")  # the working tree: HEAD
    return mark


def _by_name(rel: str) -> tuple[str, str]:
    return (rel.rsplit("/", 1)[-1], rel)


def data(content: bytes) -> bytes:
    return b"data %d\n" % len(content) + content + b"\n"


def modify(path: str, content: bytes) -> bytes:
    return b"M 100644 inline " + path.encode() + b"\n" + data(content)


def git(cwd: Path, *args: str, stdin: bytes | None = None) -> bytes:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    done = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        check=True,
    )
    return done.stdout


# --- what is timed ----------------------------------------------------------------------------


def git_log(site: Path) -> float:
    return timed(
        lambda: git(site / "content", "log", "-z", "--name-status", "-M", "--no-merges", ".")
    )


def set_git_info(site: Path, on: bool) -> None:
    config = site / "momentmap.yaml"
    lines = [
        line
        for line in config.read_text(encoding="utf-8").splitlines()
        if not line.startswith("git_info:")
    ]
    config.write_text("\n".join([*lines, f"git_info: {str(on).lower()}"]) + "\n", encoding="utf-8")


def build(site: Path, code: Path, *, clean: bool) -> float:
    out = site.parent / f"public-{site.name}"
    if clean:
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(site / ".momentmap-cache", ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["PYTHONPATH"] = str(code)
    command = [sys.executable, "-m", "momentmap", "build", "--site", str(site), "--out", str(out)]
    seconds = timed(
        lambda: subprocess.run([*command, "--as-of", AS_OF, "--quiet"], env=env, check=True)
    )
    log(f"  {site.name}, {'from nothing' if clean else 'unchanged'}: {seconds:.2f} s")
    return seconds


if __name__ == "__main__":
    sys.exit(main())
