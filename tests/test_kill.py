"""A build killed with SIGKILL leaves no process behind: its render workers die with
it (PR_SET_PDEATHSIG) instead of finishing their chunk of pages, so none of them can
go on writing into a staging folder the next build has made anew."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="PR_SET_PDEATHSIG is Linux's")


def group_members(pgid: int) -> list[int]:
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rpartition(b")")[2].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != b"Z":  # field 5: process group
            members.append(int(entry))
    return members


def test_a_killed_build_leaves_no_worker_running(tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "generate_corpus.py"), "1000", str(site)], check=True
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "generator"), "MOMENTMAP_JOBS": "2"}
    build = subprocess.Popen(
        [sys.executable, "-m", "momentmap", "build", "--site", str(site), "--quiet"],
        env=env,
        start_new_session=True,  # a group of its own, to find its workers by
        stderr=subprocess.DEVNULL,
    )
    staging = site / ".public.momentmap-new"
    deadline = time.monotonic() + 120
    while not (staging.is_dir() and sum(1 for _ in staging.rglob("*.html")) >= 20):
        assert build.poll() is None, "the build ended before it could be killed"
        assert time.monotonic() < deadline, "the build never started rendering"
        time.sleep(0.01)
    assert len(group_members(build.pid)) >= 3  # the build and its render workers, mid-render
    os.kill(build.pid, signal.SIGKILL)  # the build only, as a crash or the OOM killer would
    build.wait()
    # At once: a worker that only noticed its parent was gone after its chunk of pages
    # would still be writing for a second or more.
    deadline = time.monotonic() + 0.5
    while group_members(build.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert group_members(build.pid) == []
