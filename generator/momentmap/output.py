"""The output folder: guarded, written beside the old one, swapped in at the end.

momentmap deletes only what it created. The marker file records what the
last build wrote; anything else found in the output is carried over into the
new one with a warning instead of being deleted.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path, PurePosixPath

from .diagnostics import Diagnostics, UsageError

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
    """Collects a build's files in a staging folder next to the output folder."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.staging = out_dir.parent / f".{out_dir.name}.momentmap-new"
        self.written: set[str] = set()
        if self.staging.exists():
            shutil.rmtree(self.staging)  # left over from a build that was killed
        self.staging.mkdir(parents=True)

    def _target(self, rel: str) -> Path:
        parts = PurePosixPath(rel).parts
        if (
            not parts
            or rel.startswith("/")
            or any(p in ("..", ".", "") for p in parts)
            or "\\" in rel
        ):
            raise ValueError(f"unsafe output path {rel!r}")
        target = self.staging.joinpath(*parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        self.written.add(rel)
        return target

    def reserve(self, rel: str) -> Path:
        """The staging path for `rel`, for a worker process to write."""
        return self._target(rel)

    def link(self, rel: str, previous: Path) -> bool:
        """Hard-link an unchanged file from the previous output; False if that fails."""
        target = self._target(rel)
        try:
            os.link(previous, target)
        except OSError:
            self.written.discard(rel)
            return False
        return True

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
        """Carry over foreign files, write the marker, then swap the folders."""
        self._carry_over(diagnostics)
        (self.staging / MARKER).write_text(
            json.dumps({"written": sorted(self.written)}, indent=0) + "\n", encoding="utf-8"
        )
        old = self.out_dir.parent / f".{self.out_dir.name}.momentmap-old"
        if old.exists():
            shutil.rmtree(old)
        if self.out_dir.exists():
            os.replace(self.out_dir, old)
        os.replace(self.staging, self.out_dir)
        shutil.rmtree(old, ignore_errors=True)

    def _carry_over(self, diagnostics: Diagnostics) -> None:
        marker = self.out_dir / MARKER
        if not marker.is_file():
            return
        try:
            previous = set(json.loads(marker.read_text(encoding="utf-8")).get("written", []))
        except (ValueError, AttributeError):
            previous = set()
        for dirpath, dirnames, filenames in os.walk(self.out_dir):
            dirnames.sort()
            for name in sorted(filenames):
                path = Path(dirpath) / name
                rel = path.relative_to(self.out_dir).as_posix()
                if rel == MARKER or rel in previous or rel in self.written:
                    continue
                diagnostics.warning(
                    self.out_dir.name + "/" + rel,
                    0,
                    0,
                    "file was not written by momentmap; kept in the new output",
                )
                target = self.staging / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target, follow_symlinks=False)
