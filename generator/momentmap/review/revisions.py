"""A git revision of a site, as a folder: the files of one commit written out by one
`git ls-tree` and one `git cat-file --batch`, never a process per file."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from momentmap.content.config import CONFIG_FILE, load_config
from momentmap.diagnostics import Diagnostics
from momentmap.errors import UsageError
from momentmap.git import run_git, start_git

# Where the default BASE comes from, in order of preference (origin/HEAD first).
DEFAULT_BRANCHES = (
    "refs/heads/main",
    "refs/heads/master",
    "refs/remotes/origin/main",
    "refs/remotes/origin/master",
)
ORIGIN_HEAD = "refs/remotes/origin/HEAD"


@dataclass(frozen=True, slots=True)
class Repo:
    top: Path  # the repository's top folder
    prefix: str  # the site folder below it: '' or ending in '/'


@dataclass(frozen=True, slots=True)
class Label:
    """What one side is: a commit (and the ref it was named by) or the working tree."""

    ref: str | None  # as the user named it, or the default branch for a merge base
    commit: str | None  # None for the working tree
    merge_base: bool = False  # the commit is the merge base of HEAD with `ref`

    def as_json(self) -> dict[str, object]:
        return {
            "ref": self.ref,
            "commit": self.commit,
            "merge_base": self.merge_base,
            "working_tree": self.commit is None,
        }


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return run_git(cwd, *args)
    except FileNotFoundError:
        raise UsageError("review needs git, and git was not found on PATH") from None


def _complaint(proc: subprocess.CompletedProcess[bytes]) -> str:
    """git's first line of complaint, without its 'fatal: '."""
    lines = os.fsdecode(proc.stderr).strip().splitlines()
    return lines[0].removeprefix("fatal: ").removeprefix("error: ") if lines else "git failed"


def open_repo(site_dir: Path) -> Repo:
    if not site_dir.is_dir():
        raise UsageError(f"site folder not found: {site_dir}")
    proc = _git(site_dir, "rev-parse", "--show-toplevel", "--show-prefix")
    if proc.returncode != 0:
        complaint = _complaint(proc)
        if "not a git repository" in complaint:
            raise UsageError(
                f"{site_dir} is not in a git repository; review compares the content at two git refs"
            )
        raise UsageError(f"git: {complaint}")
    top, _, prefix = os.fsdecode(proc.stdout).partition("\n")
    return Repo(Path(top), prefix.strip("\n"))


def resolve_commit(repo: Repo, ref: str) -> str:
    if not ref or ref.startswith("-"):
        raise UsageError(f"unknown git ref '{ref}'")
    proc = _git(repo.top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    if proc.returncode != 0:
        raise UsageError(f"unknown git ref '{ref}': not a branch, tag or commit of {repo.top}")
    return proc.stdout.decode().strip()


def default_base(repo: Repo) -> Label:
    """The merge base of HEAD with the remote's default branch (origin/HEAD), else main,
    else master (local, then origin's)."""
    proc = _git(
        repo.top, "for-each-ref", "--format=%(refname)%00%(symref)", ORIGIN_HEAD, *DEFAULT_BRANCHES
    )
    refs = dict(
        line.split("\0", 1) for line in os.fsdecode(proc.stdout).splitlines() if "\0" in line
    )
    candidates = [refs[ORIGIN_HEAD]] if refs.get(ORIGIN_HEAD) else []
    candidates += [name for name in DEFAULT_BRANCHES if name in refs]
    if not candidates:
        raise UsageError(
            "cannot tell the default branch (no origin/HEAD, main or master); name BASE, "
            "e.g. momentmap review develop"
        )
    branch = candidates[0]
    short = branch.removeprefix("refs/heads/").removeprefix("refs/remotes/")
    merge = _git(repo.top, "merge-base", branch, "HEAD")
    if merge.returncode == 1:
        raise UsageError(f"HEAD and {short} have no common history; name BASE")
    if merge.returncode != 0:
        raise UsageError(f"cannot find the merge base of HEAD and {short}: {_complaint(merge)}")
    return Label(short, merge.stdout.decode().strip(), merge_base=True)


class _CatFile:
    """One `git cat-file --batch` process: blobs by object id, in order."""

    def __init__(self, repo: Repo) -> None:
        self.proc = start_git(repo.top, "cat-file", "--batch", stdin=subprocess.PIPE)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin: IO[bytes] = self.proc.stdin
        self.stdout: IO[bytes] = self.proc.stdout

    def one(self, oid: str) -> bytes:
        self.stdin.write(oid.encode() + b"\n")
        self.stdin.flush()
        return self._answer(oid)

    def many(self, oids: Sequence[str]) -> Iterator[bytes]:
        """Every blob in turn; the requests are written by a thread so that neither pipe
        fills up while the other waits. Closes the requests: call last."""

        def ask() -> None:
            try:
                for oid in oids:
                    self.stdin.write(oid.encode() + b"\n")
            except OSError:  # git stopped early; reading reports it
                pass
            finally:
                with contextlib.suppress(OSError):
                    self.stdin.close()

        writer = threading.Thread(target=ask, daemon=True)
        writer.start()
        for oid in oids:
            yield self._answer(oid)
        writer.join()

    def _answer(self, oid: str) -> bytes:
        header = self.stdout.readline().split()
        if len(header) != 3 or header[1] != b"blob":
            raise UsageError(f"git cat-file could not read object {oid}")
        data = self.stdout.read(int(header[2]))
        self.stdout.read(1)  # the newline after each object
        return data

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.stdin.close()
        self.stdout.close()  # a git still writing stops on the broken pipe
        self.proc.wait()


def _inside(rel: str, folder: str) -> bool:
    return folder in ("", ".") or rel == folder or rel.startswith(folder.rstrip("/") + "/")


def export_commit(repo: Repo, commit: str, dest: Path) -> None:
    """Write the site's files at `commit` into `dest`: momentmap.yaml, the content folder
    and the theme folders. Only Markdown and symlinks are read from git: every other
    content file is written empty, since a review needs only to know it exists."""
    pathspec = ["--", repo.prefix] if repo.prefix else []
    listing = _git(repo.top, "ls-tree", "-r", "-t", "-z", commit, *pathspec)
    if listing.returncode != 0:
        raise UsageError(f"git ls-tree {commit}: {_complaint(listing)}")
    files: dict[str, tuple[str, bool]] = {}  # path in the site -> object id, is a symlink
    folders: list[str] = []
    for entry in listing.stdout.split(b"\0"):
        meta, _, raw = entry.partition(b"\t")
        fields = meta.split()
        path = os.fsdecode(raw)
        if len(fields) != 3 or not path.startswith(repo.prefix):
            continue
        rel = path[len(repo.prefix) :]
        if any(part in ("", ".", "..") for part in rel.split("/")):
            continue
        mode, kind, oid = fields[0], fields[1], fields[2].decode()
        if kind == b"tree":
            folders.append(rel)
        elif kind == b"blob" and mode in (b"100644", b"100755", b"120000"):
            files[rel] = (oid, mode == b"120000")
    dest.mkdir(parents=True, exist_ok=True)
    cat = _CatFile(repo)
    try:
        config = files.get(CONFIG_FILE)
        if config is not None and not config[1]:
            (dest / CONFIG_FILE).write_bytes(cat.one(config[0]))
        content = load_config(dest, Diagnostics()).content_dir
        for rel in folders:
            if _inside(rel, content) or _inside(rel, "themes"):
                (dest / rel).mkdir(parents=True, exist_ok=True)
        wanted = []
        for rel, (oid, link) in files.items():
            if rel == CONFIG_FILE or not _inside(rel, content):
                continue
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            if link or rel.endswith(".md"):
                wanted.append((rel, oid, link))
            else:
                (dest / rel).touch()
        blobs = cat.many([oid for _, oid, _ in wanted])
        for (rel, _, link), data in zip(wanted, blobs, strict=True):
            if link:  # made as in a checkout; the loader decides whether to follow it
                (dest / rel).symlink_to(os.fsdecode(data))
            else:
                (dest / rel).write_bytes(data)
    finally:
        cat.close()
