"""Publishing the output: two builds at once, an output inside the content, a full
disk and a folder the build may not write. Each ends in a whole site or a clear
message with the old output intact, never a traceback or a broken site.
(Builds killed at random points are in test_kill.py.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO, run_cli, tree_bytes

AS_OF = "2025-12-31"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("corpus") / "site"
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "generate_corpus.py"), "300", str(folder)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return folder


def build_command(site: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "momentmap",
        "build",
        "--site",
        str(site),
        "--as-of",
        AS_OF,
        *args,
    ]


def build_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO / "generator")}


def test_two_builds_at_once_both_make_the_whole_site(corpus: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(corpus, site)
    reference = tmp_path / "reference"
    shutil.copytree(corpus, reference)
    subprocess.run(build_command(reference), env=build_env(), check=True, capture_output=True)
    expected = tree_bytes(reference / "public")
    waited = 0
    for _ in range(5):
        shutil.rmtree(site / "public", ignore_errors=True)
        shutil.rmtree(site / ".momentmap-cache", ignore_errors=True)
        builds = [
            subprocess.Popen(
                build_command(site), env=build_env(), stderr=subprocess.PIPE, text=True
            )
            for _ in range(2)
        ]
        errors = [build.communicate()[1] for build in builds]
        assert [build.returncode for build in builds] == [0, 0], errors
        assert tree_bytes(site / "public") == expected
        waited += sum("another build is writing" in err for err in errors)
        assert all("Traceback" not in err for err in errors)
    assert waited >= 4  # the second build of a pair waits for the first, and says so


def test_a_waiting_build_names_the_folder_and_the_build_it_waits_for(
    corpus: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    shutil.copytree(corpus, site)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, os, sys, time\n"
            "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
            "fcntl.flock(fd, fcntl.LOCK_EX)\n"
            "os.write(fd, b'%d\\n' % os.getpid())\n"
            "print('locked', flush=True)\n"
            "time.sleep(3)\n",
            str(site / ".public.momentmap-lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    result = subprocess.run(build_command(site), env=build_env(), capture_output=True, text=True)
    holder.wait()
    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stderr.splitlines() if "another build" in line]
    assert line == (
        f"another build is writing {site / 'public'} (process {holder.pid}); "
        "waiting for it to finish"
    )
    assert (site / "public" / "index.html").is_file()


@pytest.mark.parametrize("inside", ["content/moments/x", "content/x", "themes/mine/static/out"])
def test_an_output_inside_a_folder_the_build_reads_is_refused(
    corpus: Path, tmp_path: Path, inside: str
) -> None:
    site = tmp_path / "site"
    shutil.copytree(corpus, site)
    before = tree_bytes(site)
    result = run_cli("build", "--site", site, "--out", site / inside, "--as-of", AS_OF)
    assert result.code == 2
    what = "the themes folder" if inside.startswith("themes") else "the content folder"
    assert result.err.strip() == (
        f"Error: refusing to use {site / inside} as the output folder: it is inside {what}, "
        "so the next build would publish this one as content"
    )
    assert tree_bytes(site) == before  # nothing made, not even a lock


def test_an_output_folder_beside_the_content_is_fine(corpus: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(corpus, site)
    result = run_cli("build", "--site", site, "--out", site / "content-site", "--as-of", AS_OF)
    assert result.code == 0, result.err
    assert run_cli("check", "--site", site).code == 0


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 MiB tmpfs (root only; skipped where mounting is not allowed)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_is_a_clear_error_and_the_old_output_stays(
    corpus: Path, tmp_path: Path, small_disk: Path
) -> None:
    site = tmp_path / "site"
    shutil.copytree(corpus, site)
    out = small_disk / "public"
    first = run_cli("build", "--site", site, "--out", out, "--as-of", AS_OF)
    assert first.code == 0, first.err
    before = tree_bytes(out)
    # Leave too little room for a new version: every page changes with the title.
    free = shutil.disk_usage(small_disk).free
    (small_disk / "filler").write_bytes(b"\0" * (free - 64 * 1024))
    config = site / "momentmap.yaml"
    config.write_text(config.read_text().replace('title: "', 'title: "Renamed ', 1))
    full = run_cli("build", "--site", site, "--out", out, "--as-of", AS_OF)
    assert full.code == 1
    [error] = [line for line in full.err.splitlines() if line.startswith("Error:")]
    assert error.startswith(f"Error: cannot write the new output: {small_disk}/.public.momentmap-")
    assert error.endswith(f": No space left on device; {out} is as it was")
    assert "Traceback" not in full.err
    assert tree_bytes(out) == before
    (small_disk / "filler").unlink()
    again = run_cli("build", "--site", site, "--out", out, "--as-of", AS_OF)
    assert again.code == 0, again.err
    assert b"Renamed" in (out / "index.html").read_bytes()


def unprivileged(args: list[str | Path]) -> subprocess.CompletedProcess[str]:
    """The command without the privilege to write where the file modes say no: as this
    user when it is not root; as root without its capabilities (setpriv) when it is."""
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("needs setpriv (util-linux) to run without root's privileges")
        args = ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--", *args]
    return subprocess.run([str(a) for a in args], env=build_env(), capture_output=True, text=True)


def test_a_read_only_output_parent_is_a_clear_error_and_the_old_output_stays(
    corpus: Path, tmp_path: Path
) -> None:
    site, parent = tmp_path / "site", tmp_path / "www"
    shutil.copytree(corpus, site)
    parent.mkdir()
    out = parent / "cx"
    command = build_command(site, "--out", str(out))
    try:
        # No lock yet: the first thing the build cannot write is its lock file.
        parent.chmod(0o555)
        refused = unprivileged(command)
        assert refused.returncode == 1, refused.stderr
        assert refused.stderr.strip() == (
            "Error: cannot write beside the output folder: "
            f"{parent}/.cx.momentmap-lock: Permission denied"
        )
        assert sorted(parent.iterdir()) == []
        parent.chmod(0o755)
        for attempt in range(2):  # without a spare folder yet, then with one
            first = unprivileged(command)
            assert first.returncode == 0, first.stderr
            before = tree_bytes(out)
            moment = sorted((site / "content" / "moments").rglob("*.md"))[attempt]
            moment.write_text(moment.read_text(encoding="utf-8") + "\nOne more line.\n")
            parent.chmod(0o555)
            failed = unprivileged(command)
            parent.chmod(0o755)
            assert failed.returncode == 1
            [error] = [line for line in failed.stderr.splitlines() if line.startswith("Error:")]
            assert error == (
                f"Error: cannot write the new output: {parent}/.cx.momentmap-spare: "
                f"Permission denied; {out} is as it was"
            )
            assert tree_bytes(out) == before
    finally:
        parent.chmod(0o755)


def edited(site: Path, n: int) -> None:
    moment = sorted((site / "content" / "moments").rglob("*.md"))[n]
    moment.write_text(moment.read_text(encoding="utf-8") + f"\nEdit {n}.\n", encoding="utf-8")


def test_without_an_atomic_exchange_two_renames_publish_and_a_cut_is_undone(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the file system cannot exchange two folders (NFS, not Linux) the swap is
    three renames; a build killed between the first two leaves the old site aside,
    and the next build puts it back before anything else."""
    from momentmap.build import publish
    from momentmap.build.builder import build_site
    from momentmap.build.plan import BuildOptions
    from momentmap.content.dates import resolve_as_of

    monkeypatch.setattr(publish, "_renameat2", None)
    site = tmp_path / "site"
    shutil.copytree(corpus, site)
    options = BuildOptions(as_of=resolve_as_of(AS_OF))
    public, spare, aside = (
        site / "public",
        site / ".public.momentmap-spare",
        site / ".public.momentmap-old",
    )
    for n in range(3):  # a first build, then one without a spare folder, then one with
        edited(site, n)
        assert build_site(site, options).written
        reference = tmp_path / f"reference-{n}"
        shutil.copytree(site, reference, ignore=shutil.ignore_patterns(".*", "public"))
        build_site(reference, options)
        assert tree_bytes(public) == tree_bytes(reference / "public")
    assert spare.is_dir() and not aside.exists()
    # The state a kill after the first rename leaves: no output, the old one aside.
    old = tree_bytes(public)
    public.rename(aside)
    edited(site, 3)
    assert build_site(site, options).written
    assert not aside.exists()
    assert tree_bytes(public) != old
    reference = tmp_path / "reference-3"
    shutil.copytree(site, reference, ignore=shutil.ignore_patterns(".*", "public"))
    build_site(reference, options)
    assert tree_bytes(public) == tree_bytes(reference / "public")


def test_a_spare_folder_tampered_with_is_not_trusted(corpus: Path, tmp_path: Path) -> None:
    """The spare folder is momentmap's, but a file deleted or changed in it by hand
    must not reach the next version: unchanged pages are linked again unless the
    spare has the very same file."""
    site = tmp_path / "site"
    shutil.copytree(corpus, site)
    command = build_command(site)
    for n in range(2):
        edited(site, n)
        subprocess.run(command, env=build_env(), check=True, capture_output=True)
    spare, public = site / ".public.momentmap-spare", site / "public"
    shared = [  # pages unchanged since the version before, so the same file in both
        p
        for p in sorted(spare.rglob("index.html"))
        if p.stat().st_ino == (public / p.relative_to(spare)).stat().st_ino
    ]
    assert len(shared) > 100
    shared[0].unlink()
    shared[1].unlink()
    shared[1].write_text("<p>not momentmap's</p>")
    expected = tree_bytes(site / "public")
    subprocess.run(command, env=build_env(), check=True, capture_output=True)
    assert tree_bytes(site / "public") == expected


@pytest.mark.parametrize("planted", ["spare", "lock", "old"])
def test_a_symlink_planted_beside_the_output_is_never_written_through(
    corpus: Path, tmp_path: Path, planted: str
) -> None:
    """Someone who may write beside the output points the spare folder, the lock or the
    folder a cut swap leaves aside at a folder or file of theirs: the build writes
    nothing there and publishes nothing from there."""
    site = tmp_path / "site"
    shutil.copytree(corpus, site)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "index.html").write_text("theirs")
    (victim / "passwd").write_text("root:x:0:0\n")
    target = victim / "passwd" if planted == "lock" else victim
    run_cli("build", "--site", site, "--as-of", AS_OF)  # a site to swap out
    link = site / f".public.momentmap-{planted}"
    shutil.rmtree(link, ignore_errors=True)
    link.unlink(missing_ok=True)
    link.symlink_to(target)
    if planted == "old":
        shutil.rmtree(site / "public")  # as if cut between the two renames
    before = tree_bytes(victim)
    result = run_cli("build", "--site", site, "--as-of", AS_OF)
    assert tree_bytes(victim) == before
    assert "Traceback" not in result.err
    if planted == "lock":
        assert result.code == 1
        assert result.err.startswith("Error: cannot write beside the output folder: ")
    else:
        assert result.code == 0, result.err
        assert not link.is_symlink()
        assert (site / "public" / "index.html").read_text() != "theirs"


def test_work_in_the_background_hands_back_its_answer_or_its_error() -> None:
    from momentmap.parallel import Background

    with Background(lambda: {"a": [1, 2]}) as work:
        assert work.result() == {"a": [1, 2]}
    with Background(lambda: 1 // 0) as failing, pytest.raises(ZeroDivisionError):
        failing.result()  # worked out again in the caller, for the same error
    with Background(lambda: "x" * 1_000_000) as unread:  # more than a pipe holds
        pass
    assert unread._pid == 0  # the child was reaped, not left waiting to write
