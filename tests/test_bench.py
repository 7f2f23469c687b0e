"""The benchmark itself, at 200 moments, so that it cannot rot: every scenario runs
and reports time, CPU, PSS and RSS, and the parallel efficiency. Nothing is timed
here; the figures are the benchmark's business (bench/README.md)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO


def test_the_benchmark_runs_every_scenario_at_200_moments(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    run = subprocess.run(
        [
            sys.executable, str(REPO / "bench" / "run.py"), "--sizes", "200", "--runs", "1",
            "--peers", "", "--scenarios", "clean,warm,serve", "--jobs", "1,2", "--out", str(out),
        ],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    rows = {(r["scenario"], r["tool"]): r for r in results["summary"]}
    tools = ("momentmap", "momentmap-j1", "momentmap-j2")
    assert set(rows) == {(s, t) for s in ("clean", "warm", "serve") for t in tools}
    for (scenario, tool), row in rows.items():
        assert row["ok"] and row["failed"] == 0, (scenario, tool, row["error"])
        assert 0 < row["peak_pss_mib"] <= row["peak_rss_mib"], (scenario, tool)
        if scenario != "serve":
            assert row["pages"] > 200 and row["median_cpu_s"] > 0, (scenario, tool)
    assert "Parallel efficiency at 200, 2 jobs: " in run.stdout
    assert (out / "corpus-200" / "content" / "moments").is_dir()
    assert not (out / "trash").exists()  # what clean runs set aside is deleted at the end


def test_a_clean_run_sets_the_last_output_aside_instead_of_deleting_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleting 25,000 files right before a timed build made ext4 (without a journal)
    test each freed inode as the build created new ones: the old output is moved
    into a trash folder instead, deleted when the benchmark ends."""
    monkeypatch.syspath_prepend(str(REPO / "bench"))
    import run as bench

    trash = tmp_path / "out" / "trash"
    output = tmp_path / "out" / "work" / "public"
    (output / "page").mkdir(parents=True)
    (output / "page" / "index.html").write_text("old", encoding="utf-8")
    bench.set_aside(output, trash)
    bench.set_aside(tmp_path / "missing", trash)  # nothing to do
    assert not output.exists()
    [moved] = (tmp_path / "out" / "trash").iterdir()
    assert (moved / "page" / "index.html").read_text(encoding="utf-8") == "old"


def test_the_phase_timer_names_every_phase_of_a_build_and_the_memory_peak(tmp_path: Path) -> None:
    site = tmp_path / "site"
    generate = [sys.executable, str(REPO / "bench" / "generate_corpus.py"), "200", str(site)]
    subprocess.run(generate, check=True, capture_output=True)
    run = subprocess.run(
        [sys.executable, str(REPO / "bench" / "phases.py"), str(site), "--clean", "--memory"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    timed = [line.split()[0] for line in run.stderr.splitlines() if " took " in line]
    for phase in (
        "read",
        "read_site",
        "plan_build",
        "save_cache",
        "_stage",
        "_render",
        "commit",
        "record",
    ):
        assert phase in timed, (phase, run.stderr[-2000:])
    lines = run.stderr.splitlines()
    assert "pages" in lines[-2] and lines[-1].startswith("peak memory at "), lines[-3:]
    assert "build process" in lines[-1]
    assert (site / "public" / "index.html").is_file()

    again = subprocess.run(
        [sys.executable, str(REPO / "bench" / "phases.py"), str(site), "--clean"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr[-3000:]
    assert (site / "public" / "index.html").is_file()
    assert not (site / ".phases-trash").exists()  # what was set aside is deleted


def test_the_sampler_spends_at_most_a_tenth_of_its_time_reading_pss() -> None:
    """Reading a big process's PSS walks its page tables, so the sampler spaces those
    readings out (bench/README.md, Memory); RSS it reads every time."""
    sys.path.insert(0, str(REPO / "bench"))
    import run as bench  # bench/ is a folder of scripts, not a package

    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; b = b'x' * (300 << 20); print(); sys.stdin.read()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == b"\n"
        rss, pss = bench.tree_memory(holder.pid)
        assert rss >= 300 << 20 and pss >= 300 << 20
        assert bench.tree_memory(holder.pid, with_pss=False)[1] == 0
        sampler = bench.TreeSampler(holder.pid)
        started = time.perf_counter()
        sampler.start()
        sampler.join(2.0)
        sampler.finish()
        took = time.perf_counter() - started
        assert sampler.peak >= 300 << 20 and sampler.peak_pss >= 300 << 20
        # Each reading is followed by ten times its cost without one; the last may
        # be cut short by finish().
        assert sampler.pss_seconds <= took / 10 + 0.05, (sampler.pss_seconds, took)
    finally:
        holder.communicate(b"")
