"""Where a build's wall time goes in the build process, phase by phase.

    python bench/phases.py SITE [--clean]

Runs one `momentmap build` of SITE in this process (workers as usual) and
prints, per phase, when it started and how long it took, then the total, the
CPU seconds of this process and its workers, and this process's peak RSS.
`--clean` first deletes the output, its spare and the cache. For profiling,
not for figures to compare: the benchmark (run.py) is for those.
"""

from __future__ import annotations

import datetime as dt
import functools
import resource
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "generator"))

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
    (builder, "_write"),
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


def main() -> None:
    site = Path(sys.argv[1])
    if "--clean" in sys.argv[2:]:
        for name in ("public", ".public.momentmap-spare", ".momentmap-cache"):
            shutil.rmtree(site / name, ignore_errors=True)
    started = time.perf_counter()
    for owner, name in PHASES:
        setattr(owner, name, timed(started, name, getattr(owner, name)))
    result = builder.build_site(site, plan.BuildOptions(as_of=dt.date.today()))
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime
    print(
        f"total {time.perf_counter() - started:.2f} s, CPU {cpu:.2f} s, "
        f"{result.pages} pages, peak RSS of this process {own.ru_maxrss // 1024} MiB",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
