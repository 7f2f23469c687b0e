"""Spreading independent work over the machine's cores with forked workers.

Workers are forked, so they start with everything the parent has loaded (the
site, the Jinja environment) without pickling it; only each chunk of items
and its results travel. The work itself, with the build's settings bound in
(a closure or a bound method), is handed to each worker as it starts, so no
build leaves its state in a global that another build could see. Small jobs stay in the calling process, where forking
would cost more than it saves, and so does any process that runs threads
(the preview server), because forking a threaded process is unsafe.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
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

    `work` may be any callable: it reaches the workers through the fork, not
    by pickling. Items and results must pickle.
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
        context = multiprocessing.get_context("fork")
        with context.Pool(n, initializer=_adopt, initargs=(work,)) as pool:
            yield from pool.imap(_run, chunks)
    finally:
        gc.unfreeze()


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (prctl PR_SET_PDEATHSIG), so a
    killed build leaves no worker behind; elsewhere, nothing."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


_PR_SET_PDEATHSIG = 1


# Set in each worker process only, by the pool's initializer, and never in
# the parent: the work that this worker was forked to do.
_work: Callable[[Sequence[object]], list[object]] | None = None


def _adopt(work: Callable[[Sequence[object]], list[object]]) -> None:
    global _work
    _die_with_parent()
    _work = work


def _run(chunk: Sequence[object]) -> list[object]:
    assert _work is not None, "a worker runs only work handed to it by map_chunks"
    return _work(chunk)
