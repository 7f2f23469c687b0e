"""Git info: who wrote each content file and when, and who edited it last.

One `git log` over the content folder gives every file's history at once
(never a process per file), after one `git rev-parse` that finds the
repository, the content folder's place in it, HEAD and whether the clone is
shallow. Renames are followed within that one pass: the log is walked from
the newest commit to the oldest, and a path a file had before a rename is
mapped to the path it has now, so moving a file keeps its author. A pure
move (the same bytes under a new name) is not counted as an edit.

A build starts the reading before it reads the content and collects it after
(`start_git_info`): `git log` writes into a temporary file meanwhile, so the
build waits only for the parsing. Each moment's history is folded into its
digest for page keys: a commit re-renders the pages that show the moments it
touched, and an unchanged history re-renders nothing.

Outside git, without git, in a repository without commits, or for a file
not committed yet, there is no info and no error. A shallow clone would give
wrong dates (its oldest commit looks like the creation of every file), so
there the info is left out with a notice instead.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import tempfile
import typing
from dataclasses import dataclass, field, replace
from pathlib import Path

from momentmap.digest import hash_text
from momentmap.git import run_git, start_git
from momentmap.model import History, Moment, Revision, Site

SHALLOW_NOTICE = (
    "git info left out: this is a shallow clone (fetch the full history, e.g. fetch-depth: 0)"
)

LOG_FAILED_NOTICE = "git info left out: `git log` failed"

_LOG = (
    "log",
    "-z",
    "--name-status",
    "-M",
    "--no-merges",
    "--no-color",
    "--no-ext-diff",
    "--encoding=UTF-8",
    "--format=%H%x00%aN%x00%aI",
    "--",
    ".",
)
# A change line of `--name-status`: a status letter and, for renames and
# copies, a similarity score. After a commit's header comes a newline.
_STATUS = re.compile(rb"\n?([ACDMRTUXB])([0-9]*)")


@dataclass(frozen=True, slots=True)
class GitInfo:
    """What one reading of the history gave."""

    files: dict[str, History] = field(default_factory=dict)  # by content-relative path
    notices: tuple[str, ...] = ()
    # The repository state it was read at (top folder, prefix, HEAD); () when nothing was read.
    state: tuple[str, ...] = ()


def read_git_info(content_dir: Path, *, previous: GitInfo | None = None) -> GitInfo:
    """The history of every file under `content_dir`.

    With `previous` (an earlier reading) the log is read again only when HEAD
    or the folder's place moved, so a live preview pays one cheap `git
    rev-parse` per rebuild.
    """
    return start_git_info(content_dir, previous=previous).result()


def start_git_info(
    content_dir: Path, *, enabled: bool = True, previous: GitInfo | None = None
) -> PendingGitInfo:
    """`read_git_info` with `git log` left running: a build reads the content meanwhile."""
    if not enabled:
        return PendingGitInfo(GitInfo())
    located = _git(
        content_dir,
        "rev-parse",
        "--show-toplevel",
        "--show-prefix",
        "--is-shallow-repository",
        "HEAD",
    )
    lines = located.decode("utf-8", "surrogateescape").split("\n") if located else []
    if len(lines) < 4:
        return PendingGitInfo(GitInfo())  # no git, not a repository, or no commit yet
    top, prefix, shallow, head = lines[:4]
    if shallow == "true":
        return PendingGitInfo(GitInfo(notices=(SHALLOW_NOTICE,)))
    state = (top, prefix, head)
    if previous is not None and previous.state == state:
        return PendingGitInfo(previous)
    # A file, not a pipe: git never waits for a reader. PendingGitInfo closes it.
    output = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        process = start_git(content_dir, *_LOG, stdout=output)
    except OSError:
        output.close()
        return PendingGitInfo(GitInfo())
    return PendingGitInfo(None, _Running(process, output, prefix, state))


@dataclass(frozen=True, slots=True)
class _Running:
    process: subprocess.Popen[bytes]
    output: typing.IO[bytes]
    prefix: str
    state: tuple[str, ...]


class PendingGitInfo:
    """A reading of the history, done or with its `git log` still running."""

    def __init__(self, done: GitInfo | None, running: _Running | None = None) -> None:
        self._done = done
        self._running = running

    def result(self) -> GitInfo:
        """Wait for `git log` (if it still runs) and parse what it printed."""
        running, self._running = self._running, None
        if running is not None:
            with running.output as output:
                failed = running.process.wait() != 0
                output.seek(0)
                log = output.read()
            self._done = (
                GitInfo(notices=(LOG_FAILED_NOTICE,))
                if failed
                else GitInfo(parse_log(log, running.prefix), (), running.state)
            )
        return self._done or GitInfo()

    def close(self) -> None:
        """Stop `git log` when its result is not wanted any more."""
        running, self._running = self._running, None
        if running is not None:
            running.process.kill()
            running.process.wait()
            running.output.close()


def parse_log(log: bytes, prefix: str = "") -> dict[str, History]:
    """Each file's history from `git log -z --name-status -M --format=%H%x00%aN%x00%aI`,
    keyed by its path below `prefix` (the content folder's place in the repository)."""
    walk = _Walk()
    tokens = log.split(b"\0")
    i, end = 0, len(tokens)
    while i < end:
        token = tokens[i]
        status = _STATUS.fullmatch(token) if walk.started else None
        if status is not None:
            letter, score = status.group(1).decode(), status.group(2)
            count = 2 if letter in "RC" else 1
            paths = [os.fsdecode(p) for p in tokens[i + 1 : i + 1 + count]]
            if len(paths) == count:
                walk.changes.append((letter, int(score or 0), paths))
            i += 1 + count
        elif token.strip() and i + 2 < end:
            walk.finish_commit()
            walk.started = True
            walk.revision = _revision(*tokens[i : i + 3])
            i += 3
        else:
            i += 1
    walk.finish_commit()
    histories: dict[str, History] = {}
    for path, created in walk.oldest.items():
        if not path.startswith(prefix):
            continue
        edited = walk.newest[path]
        histories[path[len(prefix) :]] = History(
            created, edited if edited.commit != created.commit else None
        )
    return histories


class _Walk:
    """The walk from the newest commit to the oldest, one commit's changes at a time."""

    def __init__(self) -> None:
        self.started = False  # past the first commit's header
        self.revision: Revision | None = None  # the commit being read; None if unreadable
        self.changes: list[tuple[str, int, list[str]]] = []  # (status, score, paths)
        self.newest: dict[str, Revision] = {}  # current path -> newest commit changing it
        self.oldest: dict[str, Revision] = {}  # current path -> oldest commit changing it
        # An older path -> the path its file has now; None when the file that
        # had it then is not a file of now (deleted, or replaced by a newer one).
        self.now: dict[str, str | None] = {}

    def finish_commit(self) -> None:
        revision, changes = self.revision, self.changes
        self.changes = []
        if revision is None:
            return
        # Every path of one commit is looked up before any is remapped, so
        # chains (a -> b and c -> a in one commit) come out right.
        targets = [self.now.get(paths[-1], paths[-1]) for _, _, paths in changes]
        for (status, score, _), target in zip(changes, targets, strict=True):
            if target is None or status == "D" or (status == "R" and score == 100):
                continue  # a file of the past, or a move that changed nothing inside
            self.newest.setdefault(target, revision)
            self.oldest[target] = revision
        for status, _, paths in changes:
            if status in "ADRC":
                self.now[paths[-1]] = None  # older commits at this path are another file
        for (status, _, paths), target in zip(changes, targets, strict=True):
            if status == "R":
                self.now[paths[0]] = target


def _revision(commit: bytes, author: bytes, date: bytes) -> Revision | None:
    try:
        time = dt.datetime.fromisoformat(date.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        return None
    return Revision(
        commit.strip().decode("ascii", "replace"), author.decode("utf-8", "replace"), time
    )


def _git(content_dir: Path, *args: str) -> bytes | None:
    """git's output, or None when git is missing or fails."""
    try:
        done = run_git(content_dir, *args)
    except OSError:  # git is not installed, or the folder is missing
        return None
    return done.stdout if done.returncode == 0 else None


def add_git_info(
    site: Site, digests: dict[str, str] | None, info: GitInfo
) -> tuple[Site, dict[str, str] | None]:
    """The site with its files' history, and the moments' digests with their history
    folded in, so that a new commit re-renders the pages of the moments it touched."""
    if not info.files and not site.history:
        return site, digests
    site = replace(site, history=info.files)
    return site, history_digests(site, digests)


def history_digests(site: Site, digests: dict[str, str] | None) -> dict[str, str] | None:
    """Each moment's digest with its history folded in; without `digests`, a moment's
    digest is a hash of the whole moment, as `PageKeys` would make it."""
    if not site.history:
        return digests
    folded = dict(digests or {})
    for moment_id, moment in site.moments.items():
        if moment.source_path in site.history:
            digest = folded.get(moment_id) or hash_text(repr(moment))
            folded[moment_id] = history_digest(site, moment, digest)
    return folded


def history_digest(site: Site, moment: Moment, digest: str) -> str:
    """One moment's `digest` with its history folded in, when it has one."""
    history = site.history.get(moment.source_path)
    if history is None:
        return digest
    created, edited = history.created, history.edited or history.created
    # Joined, not hashed: page keys hash them anyway, and serve's quick pass stays quick.
    return f"{digest}\0{created.commit}\0{created.author}\0{edited.commit}\0{edited.author}"
