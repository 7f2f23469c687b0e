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
import pickle
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar

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


class Background(Generic[R]):
    """`work()` in a forked child process while the caller goes on (on the other core);
    `result()` waits for it. Where forking is unsafe or missing, `result()` runs it.

    For system-call-bound work, such as walking a folder tree, that the caller can
    start long before it needs the answer.
    """

    def __init__(self, work: Callable[[], R]) -> None:
        self._work = work
        self._pid = 0
        self._pipe = -1
        if threading.active_count() > 1 or not hasattr(os, "fork"):
            return
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: do the work, hand back the pickled answer, leave at once
            status = 1
            try:
                os.close(read)
                _die_with_parent()
                data = pickle.dumps(work(), pickle.HIGHEST_PROTOCOL)
                with open(write, "wb") as pipe:
                    pipe.write(data)
                status = 0
            finally:
                os._exit(status)  # no atexit handlers, no flushing the parent's buffers
        os.close(write)
        self._pid, self._pipe = pid, read

    def __enter__(self) -> Background[R]:
        return self

    def __exit__(self, *_: object) -> None:
        """Not waited for (the build failed early): stop the child, reap it."""
        if self._pid:
            os.close(self._pipe)  # a child still writing gets EPIPE and leaves
            os.waitpid(self._pid, 0)
            self._pid = 0

    def result(self) -> R:
        if self._pid == 0:
            return self._work()
        with open(self._pipe, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        if status != 0:  # the child failed: do the work here, to get the same error
            return self._work()
        value: R = pickle.loads(data)
        return value


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
