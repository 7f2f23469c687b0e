"""The output folder: guarded, made beside the old one, swapped in at the end.

momentmap deletes only what it created. The marker file records what the
last build wrote; anything else found in the output is carried over into the
new one with a warning instead of being deleted.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from momentmap.build.publish import beside, restore_aside, swap
from momentmap.diagnostics import Diagnostics
from momentmap.errors import UsageError
from momentmap.files import copy_new, link_new

MARKER = ".momentmap-output"


def check_output_dir(out_dir: Path, *, site_dir: Path, content_dir: Path) -> None:
    """Refuse folders momentmap must never replace (a usage error), and folders inside
    the ones it reads, whose next build would publish the last one as content."""
    out = out_dir.resolve()
    for protected, what in (
        (site_dir.resolve(), "the site folder"),
        (content_dir.resolve(), "the content folder"),
    ):
        if out == protected:
            raise UsageError(f"refusing to use {what} as the output folder: {out_dir}")
        if out in protected.parents:
            raise UsageError(f"refusing to use {out_dir} as the output folder: it holds {what}")
    for source, what in (
        (content_dir.resolve(), "the content folder"),
        ((site_dir / "themes").resolve(), "the themes folder"),
    ):
        if source in out.parents:
            raise UsageError(
                f"refusing to use {out_dir} as the output folder: it is inside {what}, "
                "so the next build would publish this one as content"
            )
    if out_dir.is_symlink():
        raise UsageError(f"refusing to use {out_dir} as the output folder: it is a symlink")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"refusing to use {out_dir} as the output folder: it is a file")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
        raise UsageError(
            f"refusing to use {out_dir} as the output folder: it is not empty and was not made by "
            f"momentmap (no {MARKER} file). Choose another --out or empty it yourself."
        )


@dataclass(frozen=True, slots=True)
class Survey:
    """What the live output and the spare folder beside it hold, from their listings:
    each file with its inode (no `stat` per file), and the spare's folders."""

    live: dict[str, int]
    spare: dict[str, int]
    spare_folders: list[str]


def survey(out_dir: Path) -> Survey:
    """Both folders listed; it takes a walk of every folder, so a build runs it in the
    background while it reads the content (parallel.Background)."""
    live, _ = _listing(out_dir)
    spare, folders = _listing(beside(out_dir, "spare"))
    return Survey(live, spare, folders)


def tidy_beside(out_dir: Path) -> None:
    """Before a build looks at anything: undo a swap cut short, drop what a killed build
    (or an older momentmap) left beside the output."""
    restore_aside(out_dir)
    for what in ("new", "old", "spare"):  # "new": the staging folder of older versions
        leftover = beside(out_dir, what)
        if leftover.is_symlink() or leftover.is_file():
            leftover.unlink()  # never written through: it could point anywhere
        elif what != "spare" and leftover.is_dir():
            shutil.rmtree(leftover)


_UNSAFE_PARTS = frozenset(("..", ".", ""))


class OutputWriter:
    """Makes the new version of the output in the spare folder beside it, then swaps it in.

    Nothing touches the output until `commit`, so a failed or killed build
    leaves it as it was, and `commit` is one exchange of two folders
    (publish.py). The spare folder is the version before the live one, kept
    after the swap, or whatever a killed build left of it: a new version is
    it brought up to date, by its listing. Unchanged files (`keep`) become
    hard links to the live ones unless the spare has the very same file,
    changed files are written anew, files not in the new version deleted. So
    a build writes only what changed, and the spare costs only the files that
    differ plus its folders.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.staging = beside(out_dir, "spare")
        self._staging = str(self.staging)
        self.written: set[str] = set()
        self.kept: dict[str, int] = {}  # unchanged file -> its inode in the live output
        self._foreign: list[str] = []
        self.staging.mkdir(parents=True, exist_ok=True)

    def _check(self, rel: str) -> list[str]:
        parts = rel.split("/")
        if "\\" in rel or "\0" in rel or rel == MARKER or not _UNSAFE_PARTS.isdisjoint(parts):
            raise ValueError(f"unsafe output path {rel!r}")
        return parts

    def reserve(self, rel: str) -> str:
        """The path for `rel` in the new version, for a worker process to write (with
        `files.write_new`, never through the file that may be there). A string: a
        `Path` per file took 0.2 s of the serial phase before rendering at 10,000."""
        self._check(rel)
        self.written.add(rel)
        return f"{self._staging}/{rel}"

    def keep(self, rel: str, inode: int) -> None:
        """Publish the output's current `rel` (file `inode`) again: it is unchanged."""
        self._check(rel)
        self.written.add(rel)
        self.kept[rel] = inode

    def copy_file(self, rel: str, source: Path) -> None:
        copy_new(self.reserve(rel), source)

    def prepare(self, listing: Survey, diagnostics: Diagnostics) -> None:
        """Once every file is kept or reserved, and before any is written: bring the
        spare's unchanged files and folders in line with the new version."""
        previous = _previously_written(self.out_dir)
        if previous is not None:
            self._foreign = self._warn_foreign(listing.live, previous, diagnostics)
        wanted = self.written.union(self._foreign, (MARKER,))
        for rel in listing.spare.keys() - wanted:
            (self.staging / rel).unlink(missing_ok=True)
        needed = {rel.rpartition("/")[0] for rel in wanted}
        needed.update(parent for folder in list(needed) for parent in _parents(folder))
        for folder in sorted(set(listing.spare_folders) - needed, reverse=True):
            with contextlib.suppress(OSError):  # not empty: a file the writer put there
                (self.staging / folder).rmdir()
        for rel, inode in self.kept.items():
            if listing.spare.get(rel) != inode:
                link_new(self.staging / rel, self.out_dir / rel)
        for rel in self._foreign:
            link_new(self.staging / rel, self.out_dir / rel)

    def commit(self) -> None:
        """Publish the new version in one step; the old one becomes the spare."""
        _write_marker(self.staging, self.written)
        if self.out_dir.is_dir():
            swap(self.staging, self.out_dir)
        else:
            os.rename(self.staging, self.out_dir)

    def _warn_foreign(
        self, live: dict[str, int], previous: set[str], diagnostics: Diagnostics
    ) -> list[str]:
        """Files in the output that no build wrote: they stay, with a warning each."""
        foreign = sorted(
            rel for rel in live if rel != MARKER and rel not in previous and rel not in self.written
        )
        for rel in foreign:
            diagnostics.warning(
                self.out_dir.name + "/" + rel,
                0,
                0,
                "file was not written by momentmap; kept in the new output",
            )
        return foreign


def _listing(root: Path) -> tuple[dict[str, int], list[str]]:
    """Every file below `root` with its inode, and every folder; empty when it is missing."""
    files: dict[str, int] = {}
    folders: list[str] = []
    todo = [("", str(root))]
    while todo:
        prefix, path = todo.pop()
        try:
            entries = os.scandir(path)
        except OSError:
            continue
        with entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.append(rel)
                    todo.append((rel + "/", entry.path))
                else:
                    files[rel] = entry.inode()
    return files, folders


def _parents(folder: str) -> list[str]:
    """'a/b/c' -> ['a/b', 'a']."""
    parents = []
    while "/" in folder:
        folder = folder.rpartition("/")[0]
        parents.append(folder)
    return parents


def _previously_written(out_dir: Path) -> set[str] | None:
    """What the last build wrote, from its marker; None when there is no marker."""
    marker = out_dir / MARKER
    if not marker.is_file():
        return None
    try:
        written = json.loads(marker.read_text(encoding="utf-8")).get("written", [])
    except (ValueError, AttributeError, OSError):
        return set()
    return {w for w in written if isinstance(w, str)} if isinstance(written, list) else set()


def _write_marker(folder: Path, written: set[str]) -> None:
    tmp = folder / (MARKER + ".tmp")
    tmp.write_text(json.dumps({"written": sorted(written)}, indent=0) + "\n", encoding="utf-8")
    os.replace(tmp, folder / MARKER)
