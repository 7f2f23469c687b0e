"""Spreading independent work over the machine's cores with forked workers.

Workers are forked, so they start with everything the parent has loaded (the
site, the Jinja environment) without pickling it; only each task's arguments
and results travel. Small jobs stay in the calling process, where forking
would cost more than it saves, and so does any process that runs threads
(the preview server), because forking a threaded process is unsafe.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

JOBS_VARIABLE = "MOMENTMAP_JOBS"
MIN_PARALLEL_ITEMS = 64  # below this, one process is faster


def jobs() -> int:
    """Worker processes to use: MOMENTMAP_JOBS if set (1 turns parallelism off), else the cores."""
    value = os.environ.get(JOBS_VARIABLE, "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _forced() -> bool:
    return os.environ.get(JOBS_VARIABLE, "").isdigit()


def map_chunks(
    work: Callable[[Sequence[T]], list[R]], items: Sequence[T], *, chunk: int = 200
) -> Iterator[list[R]]:
    """`work` applied to consecutive chunks of `items`, results in order.

    `work` must be a module-level function (it is looked up by name in the
    forked worker) and must not depend on state set after this call starts.
    """
    n = jobs()
    if (
        n <= 1
        or len(items) < (1 if _forced() else MIN_PARALLEL_ITEMS)
        or threading.active_count() > 1
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        yield work(items)
        return
    size = max(1, min(chunk, -(-len(items) // (n * 4))))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    # The objects made so far are shared with the workers: keep the collector
    # from walking (and so copying) them in every worker.
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(n) as pool:
            yield from pool.imap(work, chunks)
    finally:
        gc.unfreeze()
