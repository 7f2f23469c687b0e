"""Where a build's wall time goes in the build process, phase by phase.

    python bench/phases.py SITE [--clean] [--memory]

Runs one `momentmap build` of SITE in this process (workers as usual) and
prints, per phase, when it started and how long it took, then the total, the
CPU seconds of this process and its workers, and this process's peak RSS.
`--clean` first sets the output, its spare and the cache aside, and deletes
them after the build (on ext4 without a journal, files deleted less than a
minute before slow down creating new ones: leave a minute between two runs on
such a disk, or use a tmpfs). `--memory` also prints, every second and between
the phase lines, the PSS of the build process and of each process it forked,
and at the end the moment of the peak: which process holds how much when the
tree is at its largest. For profiling, not for figures to compare: the
benchmark (run.py) is for those.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import resource
import select
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "generator"))

from run import process_tree, pss_of, set_aside  # bench/run.py, beside this script

from momentmap.build import builder, plan
from momentmap.build.output import OutputWriter
from momentmap.cache import Manifest
from momentmap.site.reads import Reads

# (owner, attribute): the phases, in the order they run.
PHASES: list[tuple[Any, str]] = [
    (Reads, "read"),
    (plan, "read_site"),
    (plan, "add_git_info"),
    (plan, "create_environment"),
    (plan, "page_keys"),
    (plan, "list_pages"),
    (plan, "extra_files"),
    (builder, "plan_build"),
    (builder, "save_cache"),
    (OutputWriter, "prepare"),
    (builder, "_stage"),
    (builder, "_render"),
    (OutputWriter, "commit"),
    (Manifest, "record"),
]


def timed(started: float, label: str, work: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(work)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        begun = time.perf_counter()
        try:
            return work(*args, **kwargs)
        finally:
            took = time.perf_counter() - begun
            print(f"{label:20s} at {begun - started:7.2f} s  took {took:7.2f} s", file=sys.stderr)

    return wrapper


def watch_memory(root: int, started: float) -> tuple[int, int]:
    """Fork a process that prints, every second, the PSS of `root` and of each process
    it forked, and at the end the moment of the peak; returns its pid and the pipe
    whose closing stops it. A process, not a thread: the build forks no workers
    while this process runs a thread."""
    read, write = os.pipe()
    pid = os.fork()
    if pid:
        os.close(read)
        return pid, write
    os.close(write)
    me, peak = os.getpid(), (0, "")
    try:
        while True:
            pss = {pid: pss_of(pid) >> 20 for pid in process_tree(root) if pid != me}
            total = sum(pss.values())
            forked = " ".join(f"{p}:{mib}" for p, mib in pss.items() if p != root) or "none"
            line = (
                f"memory at {time.perf_counter() - started:7.1f} s  {total:6d} MiB: "
                f"build process {pss.get(root, 0)}, forked {forked}"
            )
            print(line, file=sys.stderr, flush=True)
            peak = max(peak, (total, line))
            if select.select([read], [], [], 1.0)[0]:
                break
        print(f"peak {peak[1]}", file=sys.stderr, flush=True)
    finally:
        os._exit(0)


def main() -> None:
    site = Path(sys.argv[1])
    # Set aside, and deleted once the build is over (see run.set_aside).
    trash = site / ".phases-trash"
    if "--clean" in sys.argv[2:]:
        for name in ("public", ".public.momentmap-spare", ".momentmap-cache"):
            set_aside(site / name, trash)
    started = time.perf_counter()
    for owner, name in PHASES:
        setattr(owner, name, timed(started, name, getattr(owner, name)))
    watcher = watch_memory(os.getpid(), started) if "--memory" in sys.argv[2:] else None
    result = builder.build_site(site, plan.BuildOptions(as_of=dt.date.today()))
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
    print(
        f"total {time.perf_counter() - started:.2f} s, CPU {cpu:.2f} s, "
        f"{result.pages} pages, peak RSS of this process {own.ru_maxrss // 1024} MiB",
        file=sys.stderr,
        flush=True,
    )
    if watcher is not None:  # reaped only now, so that its CPU is not counted above
        pid, pipe = watcher
        os.close(pipe)
        os.waitpid(pid, 0)
    shutil.rmtree(trash, ignore_errors=True)


if __name__ == "__main__":
    main()
