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
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from multiprocessing.pool import Pool
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
    work: Callable[[Sequence[T]], list[R]],
    items: Sequence[T],
    *,
    chunk: int = 200,
    alone: int = 0,
) -> Iterator[list[R]]:
    """`work` applied to consecutive chunks of `items`, results in order.

    This process is one of the workers: it forks one fewer than `jobs()` and
    takes a chunk whenever it is free. What it makes itself is never pickled,
    and its objects are not copied into a worker that touches them.

    The first `alone` items are each a chunk of their own, which only the
    forked workers take: items that take long (a page that lists the whole
    site). In one chunk they would keep one process busy long after the others
    were done; in this process, which holds the site, they would raise the
    build's peak memory.

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
    alone = min(alone, len(items))
    rest = items[alone:]
    size = max(1, min(chunk, -(-len(rest) // (n * 8))))
    chunks = [items[i : i + 1] for i in range(alone)] + _cut(rest, size, n)
    # The objects made so far are shared with the workers: keep the collector
    # from walking (and so copying) them in every worker.
    gc.freeze()
    give_back_freed_memory()
    # The pool's threads move chunks and results through pipes a buffer at a time,
    # taking the GIL back from this thread after each; at the default 5 ms a turn, a
    # worker handing back a shard of the read cache spent a third of its time blocked.
    switch = sys.getswitchinterval()
    sys.setswitchinterval(_POOL_SWITCH_INTERVAL)
    try:
        context = multiprocessing.get_context("fork")
        with context.Pool(n - 1, initializer=_adopt, initargs=(work,)) as pool:
            yield from _Shared(pool, work, chunks, alone).results(ahead=2 * (n - 1))
    finally:
        sys.setswitchinterval(switch)
        gc.unfreeze()


_POOL_SWITCH_INTERVAL = 0.0002  # seconds


def _cut(items: Sequence[T], size: int, processes: int) -> list[Sequence[T]]:
    """Chunks of `size`, and a quarter of that for the last two chunks' worth per
    process: everyone waits for the last chunk to finish, so it should be short."""
    tail = max(0, len(items) - 2 * size * processes) // size * size  # where it starts
    small = max(1, size // 4)
    return [items[i : i + size] for i in range(0, tail, size)] + [
        items[i : i + small] for i in range(tail, len(items), small)
    ]


class _Shared(Generic[T, R]):
    """Chunks shared between this process and a pool: each worker is sent its next
    chunk as soon as it hands one back (from the pool's result thread), and this
    process takes the next one whenever it is free, but never one of the first
    `alone`, which are for the workers."""

    def __init__(
        self,
        pool: Pool,
        work: Callable[[Sequence[T]], list[R]],
        chunks: list[Sequence[T]],
        alone: int,
    ) -> None:
        self._pool, self._work, self._chunks = pool, work, chunks
        self._ready = threading.Condition()
        self._next_alone, self._alone = 0, alone
        self._next = alone
        self._done: dict[int, list[R]] = {}
        self._error: BaseException | None = None

    def results(self, *, ahead: int) -> Iterator[list[R]]:
        for _ in range(ahead):
            self._send()
        for index in range(len(self._chunks)):
            while True:
                with self._ready:
                    if self._error is not None:
                        raise self._error
                    if index in self._done:
                        value = self._done.pop(index)
                        break
                    mine = self._take(worker=False)
                    if mine is None:
                        self._ready.wait()
                        continue
                value = self._work(self._chunks[mine])
                with self._ready:
                    self._done[mine] = value
            yield value

    def _take(self, *, worker: bool) -> int | None:
        """The next chunk nobody has taken (called with the lock held)."""
        if worker and self._next_alone < self._alone:
            self._next_alone += 1
            return self._next_alone - 1
        if self._next >= len(self._chunks):
            return None
        self._next += 1
        return self._next - 1

    def _send(self) -> None:
        with self._ready:
            index = self._take(worker=True)
        if index is not None:
            self._pool.apply_async(
                _run,
                (self._chunks[index],),
                callback=partial(self._arrived, index),
                error_callback=self._failed,
            )

    def _arrived(self, index: int, value: list[R]) -> None:
        with self._ready:
            self._done[index] = value
            self._ready.notify()
        self._send()

    def _failed(self, error: BaseException) -> None:
        with self._ready:
            self._error = error
            self._ready.notify()


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


def give_back_freed_memory() -> None:
    """Return the heap's free pages to the system (glibc's malloc_trim): before forking,
    they would count in the parent's memory and in each worker that writes them; after
    a big page, in the process that made it, and be copied as it writes there."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


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
