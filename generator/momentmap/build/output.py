"""The output folder: guarded, written beside the old one, swapped in at the end.

momentmap deletes only what it created. The marker file records what the
last build wrote; anything else found in the output is carried over into the
new one with a warning instead of being deleted.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from momentmap.diagnostics import Diagnostics
from momentmap.errors import UsageError

MARKER = ".momentmap-output"


def check_output_dir(out_dir: Path, *, site_dir: Path, content_dir: Path) -> None:
    """Refuse folders momentmap must never replace (a usage error)."""
    out = out_dir.resolve()
    for protected, what in (
        (site_dir.resolve(), "the site folder"),
        (content_dir.resolve(), "the content folder"),
    ):
        if out == protected:
            raise UsageError(f"refusing to use {what} as the output folder: {out_dir}")
        if out in protected.parents:
            raise UsageError(f"refusing to use {out_dir} as the output folder: it holds {what}")
    if out_dir.is_symlink():
        raise UsageError(f"refusing to use {out_dir} as the output folder: it is a symlink")
    if out_dir.exists() and not out_dir.is_dir():
        raise UsageError(f"refusing to use {out_dir} as the output folder: it is a file")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / MARKER).is_file():
        raise UsageError(
            f"refusing to use {out_dir} as the output folder: it is not empty and was not made by "
            f"momentmap (no {MARKER} file). Choose another --out or empty it yourself."
        )


class OutputWriter:
    """Collects a build's new and changed files in a staging folder next to the output.

    Nothing touches the output until `commit`, so a failed build leaves it as
    it was. The first build renames the staging folder into place; later
    builds move in only the files that changed and delete the pages that
    are gone, leaving every unchanged file (`keep`) where it is. A commit
    cut short (a crash, a kill) is repaired by the next build: the cache's
    manifest no longer matches the files it half replaced, so they are
    rendered again.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.staging = out_dir.parent / f".{out_dir.name}.momentmap-new"
        self.written: set[str] = set()
        self.kept: set[str] = set()
        self._dirs: set[Path] = set()
        if self.staging.exists():
            shutil.rmtree(self.staging)  # left over from a build that was killed
        self.staging.mkdir(parents=True)

    def _check(self, rel: str) -> list[str]:
        parts = rel.split("/")
        if (
            "\\" in rel
            or "\0" in rel
            or rel == MARKER
            or not all(p not in ("..", ".", "") for p in parts)
        ):
            raise ValueError(f"unsafe output path {rel!r}")
        return parts

    def _target(self, rel: str) -> Path:
        target = self.staging.joinpath(*self._check(rel))
        if target.parent not in self._dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(target.parent)
        self.written.add(rel)
        return target

    def reserve(self, rel: str) -> Path:
        """The staging path for `rel`, for a worker process to write (after making
        its folder: on a big site that is thousands of folders, made in parallel)."""
        target = self.staging.joinpath(*self._check(rel))
        self.written.add(rel)
        return target

    def keep(self, rel: str) -> None:
        """Leave the output's current `rel` as it is: it is unchanged."""
        self._check(rel)
        self.written.add(rel)
        self.kept.add(rel)

    def has(self, rel: str) -> bool:
        return rel in self.written

    def write_text(self, rel: str, text: str) -> None:
        self._target(rel).write_bytes(text.encode("utf-8"))

    def write_bytes(self, rel: str, data: bytes) -> None:
        self._target(rel).write_bytes(data)

    def copy_file(self, rel: str, source: Path) -> None:
        shutil.copyfile(source, self._target(rel))

    def discard(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def commit(self, diagnostics: Diagnostics) -> None:
        """Warn about foreign files (they stay), then put the new files in place."""
        previous = _previously_written(self.out_dir)
        if previous is None or not self.out_dir.is_dir():
            _write_marker(self.staging, self.written)
            if self.out_dir.is_dir():
                self.out_dir.rmdir()  # empty: check_output_dir refuses anything else
            os.replace(self.staging, self.out_dir)
            return
        foreign = self._warn_foreign(previous, diagnostics)
        if not self.kept:
            # Everything is new: swapping whole folders is far cheaper than
            # moving each file. Foreign files come along into the new one.
            for rel in foreign:
                target = self.staging / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(self.out_dir / rel, target, follow_symlinks=False)
            _write_marker(self.staging, self.written)
            old = self.out_dir.parent / f".{self.out_dir.name}.momentmap-old"
            if old.exists():
                shutil.rmtree(old)
            os.replace(self.out_dir, old)
            os.replace(self.staging, self.out_dir)
            shutil.rmtree(old, ignore_errors=True)
            return
        _apply(self.staging, self.out_dir, self.written, previous - self.written)

    def _warn_foreign(self, previous: set[str], diagnostics: Diagnostics) -> list[str]:
        """Files in the output that no build wrote: they stay, with a warning each."""
        foreign = []
        root = str(self.out_dir)
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            folder = dirpath[len(root) + 1 :].replace(os.sep, "/")
            for name in sorted(filenames):
                rel = f"{folder}/{name}" if folder else name
                if rel == MARKER or rel in previous or rel in self.written:
                    continue
                foreign.append(rel)
                diagnostics.warning(
                    self.out_dir.name + "/" + rel,
                    0,
                    0,
                    "file was not written by momentmap; kept in the new output",
                )
        return foreign


def _previously_written(out_dir: Path) -> set[str] | None:
    """What the last build wrote, from its marker; None when there is no marker."""
    marker = out_dir / MARKER
    if not marker.is_file():
        return None
    try:
        written = json.loads(marker.read_text(encoding="utf-8")).get("written", [])
    except (ValueError, AttributeError, OSError):
        return set()
    return {w for w in written if isinstance(w, str)}


def _write_marker(folder: Path, written: set[str]) -> None:
    tmp = folder / (MARKER + ".tmp")
    tmp.write_text(json.dumps({"written": sorted(written)}, indent=0) + "\n", encoding="utf-8")
    os.replace(tmp, folder / MARKER)


def _apply(staging: Path, out_dir: Path, written: set[str], gone: set[str]) -> None:
    """Move the staged files into the output, delete the pages that are gone, write the marker."""
    made: set[Path] = set()
    for dirpath, _dirnames, filenames in os.walk(staging):
        for name in filenames:
            source = Path(dirpath) / name
            target = out_dir / source.relative_to(staging)
            if target.parent not in made:
                target.parent.mkdir(parents=True, exist_ok=True)
                made.add(target.parent)
            os.replace(source, target)
    for rel in sorted(gone):
        target = out_dir / rel
        target.unlink(missing_ok=True)
        _prune(target.parent, out_dir)
    _write_marker(out_dir, written)
    shutil.rmtree(staging)


def _prune(folder: Path, root: Path) -> None:
    """Remove folders left empty, up to (not including) the output folder."""
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return  # not empty (or already gone)
        folder = folder.parent
