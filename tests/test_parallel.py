"""map_chunks: this process works beside one fewer forked worker, results stay in order."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence

import pytest

from momentmap.parallel import map_chunks


@pytest.fixture(autouse=True)
def two_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOMENTMAP_JOBS", "2")


def tag_with_pid(chunk: Sequence[int]) -> list[tuple[int, int]]:
    return [(os.getpid(), item) for item in chunk]


def test_results_come_in_order_from_this_process_and_one_worker() -> None:
    items = list(range(1000))
    results = [r for part in map_chunks(tag_with_pid, items) for r in part]
    assert [item for _, item in results] == items
    pids = {pid for pid, _ in results}
    # The first chunks are sent to the worker before this process takes one.
    assert os.getpid() in pids
    assert len(pids) == 2


def fail_on(bad: int) -> Callable[[Sequence[int]], list[int]]:
    def work(chunk: Sequence[int]) -> list[int]:
        if bad in chunk:
            raise ValueError(f"item {bad}")
        return list(chunk)

    return work


@pytest.mark.parametrize(
    "bad",
    [0, 999],  # chunk 0 goes to the worker; the last one is taken by whoever is free
)
def test_an_error_in_any_chunk_reaches_the_caller(bad: int) -> None:
    with pytest.raises(ValueError, match=f"item {bad}"):
        for _ in map_chunks(fail_on(bad), list(range(1000))):
            pass
    assert not _children(), "no worker is left behind"


def _children() -> list[str]:
    found: list[str] = []
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        with open(f"/proc/{os.getpid()}/task/{task}/children") as file:
            found += file.read().split()
    return found


def switch_interval_here(chunk: Sequence[int]) -> list[tuple[int, float]]:
    return [(os.getpid(), sys.getswitchinterval()) for _ in chunk]


def test_the_gil_changes_hands_often_while_workers_run_and_as_before_after() -> None:
    """The pool's threads take the GIL back after every pipe read: at the default
    interval a worker waits on them. The setting is the process's, so it is restored."""
    before = sys.getswitchinterval()
    seen = [r for part in map_chunks(switch_interval_here, list(range(1000))) for r in part]
    here = {interval for pid, interval in seen if pid == os.getpid()}
    assert here and max(here) < before / 10
    assert sys.getswitchinterval() == before


def test_the_gil_interval_is_restored_after_an_error() -> None:
    before = sys.getswitchinterval()
    with pytest.raises(ValueError, match="item 999"):
        for _ in map_chunks(fail_on(999), list(range(1000))):
            pass
    assert sys.getswitchinterval() == before


def test_the_last_chunks_are_short_so_that_nobody_waits_long_for_the_last_one() -> None:
    sizes = [part[0] for part in map_chunks(lambda chunk: [len(chunk)], list(range(3200)))]
    assert sum(sizes) == 3200
    assert sizes[0] == 200
    assert sizes[-8:] == [50] * 8  # two chunks' worth for each of the two processes


def test_the_first_items_asked_for_are_each_a_chunk_of_their_own() -> None:
    """Long items (pages that list the whole site) in one chunk would keep one
    process busy after the others are done; alone, any free process takes each."""
    parts = list(map_chunks(lambda chunk: [list(chunk)], list(range(3205)), alone=5))
    chunks = [part[0] for part in parts]
    assert chunks[:5] == [[0], [1], [2], [3], [4]]
    assert [item for chunk in chunks for item in chunk] == list(range(3205))
    assert len(chunks[5]) == 200  # the other 3,200 are cut as before
    assert [len(chunk) for chunk in chunks[-8:]] == [50] * 8


def test_items_alone_are_for_the_workers_and_the_rest_for_anyone() -> None:
    """This process holds the site: a long page rendered here adds to the peak."""
    parts = list(map_chunks(tag_with_pid, list(range(1200)), alone=200))
    assert [len(part) for part in parts[:200]] == [1] * 200
    assert [item for part in parts for _, item in part] == list(range(1200))
    alone = {pid for part in parts[:200] for pid, _ in part}
    rest = {pid for part in parts[200:] for pid, _ in part}
    assert os.getpid() not in alone and len(alone) == 1
    assert os.getpid() in rest  # it worked on the rest while the worker took those
