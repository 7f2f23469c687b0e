"""Builds killed with SIGKILL, as a crash, the OOM killer or a cancelled CI job would.

The published folder is always one whole version, the old or the new, byte for
byte: never a mix, never missing. And a killed build leaves no process behind:
its render workers die with it (PR_SET_PDEATHSIG) instead of finishing their
chunk of pages, so none of them can go on writing into the folder the next
build makes its version in.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO, tree_bytes

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
    staging = site / ".public.momentmap-spare"
    deadline = time.monotonic() + 120
    while not (staging.is_dir() and sum(1 for _ in staging.rglob("*.html")) >= 20):
        assert build.poll() is None, "the build ended before it could be killed"
        assert time.monotonic() < deadline, "the build never started rendering"
        time.sleep(0.01)
    assert len(group_members(build.pid)) >= 2  # the build and its render worker, mid-render
    os.kill(build.pid, signal.SIGKILL)  # the build only, as a crash or the OOM killer would
    build.wait()
    # At once: a worker that only noticed its parent was gone after its chunk of pages
    # would still be writing for a second or more.
    deadline = time.monotonic() + 0.5
    while group_members(build.pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert group_members(build.pid) == []


# Kills at random points -------------------------------------------------------

AS_OF = "2025-12-31"
KILLS = 20  # killed builds, each at a random point; more are run when a build ends first
AT_PUBLISH = 6  # of those, the ones killed the moment the new version is complete


def build_command(site: Path) -> list[str]:
    site_args = ["--site", str(site), "--quiet", "--as-of", AS_OF]
    return [sys.executable, "-m", "momentmap", "build", *site_args]


def build_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "generator"), "MOMENTMAP_JOBS": "2"}


def set_state(site: Path, pristine: Path, state: str) -> None:
    """The content of version A (the corpus), B (a moment retitled, one deleted, one
    added: an incremental build) or C (B with a new site title: every page anew)."""
    for name in ("content", "momentmap.yaml"):
        target = site / name
        shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
        copy = shutil.copytree if (pristine / name).is_dir() else shutil.copyfile
        copy(pristine / name, target)
    if state == "A":
        return
    moments = sorted((site / "content" / "moments").rglob("*.md"))
    edited = moments[7].read_text(encoding="utf-8")
    moments[7].write_text(edited.replace("title: ", "title: Retitled ", 1), encoding="utf-8")
    texts = "".join(m.read_text(encoding="utf-8") for m in moments)
    next(m for m in moments[11:] if m.stem not in texts).unlink()  # nothing relates to it
    new = moments[3].with_name("2025-06-01-a-moment-added-later.md")
    new.write_text(moments[3].read_text(encoding="utf-8").replace("title: ", "title: New ", 1))
    if state == "C":
        config = site / "momentmap.yaml"
        config.write_text(config.read_text().replace('title: "', 'title: "Renamed ', 1))


def reference_trees(tmp_path: Path, pristine: Path) -> dict[str, dict[str, bytes]]:
    """Each version built from nothing, without interruption."""
    trees = {}
    for state in "ABC":
        site = tmp_path / f"reference-{state}"
        site.mkdir()
        set_state(site, pristine, state)
        subprocess.run(build_command(site), env=build_env(), check=True)
        trees[state] = tree_bytes(site / "public")
    return trees


def kill_at_publish(build: subprocess.Popen[bytes], site: Path, delay: float) -> None:
    """SIGKILL `delay` seconds after the new version's marker is written, the last step
    before the swap: the kill lands just before, during or just after publishing."""
    marker = site / ".public.momentmap-spare" / ".momentmap-output"

    def identity() -> tuple[int, int] | None:
        try:
            stat = marker.stat()
        except OSError:
            return None
        return stat.st_ino, stat.st_mtime_ns

    before = identity()
    while build.poll() is None:
        now = identity()
        if now is not None and now != before:
            time.sleep(delay)
            os.kill(build.pid, signal.SIGKILL)
            return
        time.sleep(0.0002)


def test_a_build_killed_anywhere_leaves_the_old_or_the_new_site_whole(tmp_path: Path) -> None:
    pristine = tmp_path / "corpus"
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "generate_corpus.py"), "400", str(pristine)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    trees = reference_trees(tmp_path, pristine)
    assert trees["A"] != trees["B"] != trees["C"] != trees["A"]
    site = tmp_path / "site"
    site.mkdir()
    set_state(site, pristine, "A")
    subprocess.run(build_command(site), env=build_env(), check=True)
    current = "A"
    seconds = {}  # how long an uninterrupted build to each version takes, to kill inside it
    for state in "BCA":
        set_state(site, pristine, state)
        started = time.monotonic()
        subprocess.run(build_command(site), env=build_env(), check=True)
        seconds[state] = time.monotonic() - started
        assert tree_bytes(site / "public") == trees[state]
        current = state
    rng = random.Random(15)
    outcomes: list[str] = []
    runs = 0
    while len(outcomes) < KILLS:
        runs += 1
        assert runs <= 3 * KILLS, f"only {len(outcomes)} of {runs} builds could be killed"
        target = rng.choice([s for s in "ABC" if s != current])
        set_state(site, pristine, target)
        build = subprocess.Popen(build_command(site), env=build_env(), start_new_session=True)
        at_publish = len(outcomes) < AT_PUBLISH
        if at_publish:
            kill_at_publish(build, site, rng.choice([0, 0.001, 0.003, 0.01]))
        else:
            time.sleep(rng.uniform(0, seconds[target]))
            if build.poll() is None:
                os.kill(build.pid, signal.SIGKILL)
        code = build.wait()
        published = tree_bytes(site / "public")
        assert published in (trees[current], trees[target]), (
            f"run {runs}: killed building {target} over {current}, the output is a mix"
        )
        landed = target if published == trees[target] else current
        if code == -signal.SIGKILL:
            outcomes.append(f"{current}->{target}: {landed}")
        current = landed
    # Whatever the kills left, the next build makes the current content's site.
    subprocess.run(build_command(site), env=build_env(), check=True)
    assert tree_bytes(site / "public") == trees[target]
    leftovers = sorted(p.name for p in site.iterdir() if p.name.startswith(".public."))
    assert leftovers == [".public.momentmap-lock", ".public.momentmap-spare"]
    print(f"{KILLS} kills in {runs} builds: " + ", ".join(outcomes))
