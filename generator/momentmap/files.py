"""Writing output files as new files, never through an existing one.

The folder a build writes into holds hard links to the files of the live
output (build/output.py), so writing into an existing file there would change
the published site behind the reader's back. Each file is created anew
instead: a name already taken is unlinked first. Making the folder only when
the first try finds it missing spares a system call per file on big sites.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

# A file's text: whole, or in pieces made as they are written, so that a file of
# hundreds of megabytes (moments.json at 100,000 moments) is never held whole.
Text = str | Iterator[str]
_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)


# A file's identity on disk: inode, size, modification time (ns). Equal identities,
# untouched file.
Identity = tuple[int, int, int]


# Files written: where each was written, and its identity.
WrittenFiles = list[tuple[str, Identity]]


def identity(stat: os.stat_result) -> Identity:
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def write_new(path: str | Path, data: bytes | Iterable[bytes]) -> Identity:
    """`data` (whole, or in pieces for a big file) as a new file at `path` (its folder
    made when missing); returns the file's identity, read from the open file rather
    than by a later stat."""
    fd = _create(path, lambda: os.open(path, _NEW, 0o666))
    try:
        with open(fd, "wb", closefd=True) as file:
            if isinstance(data, bytes):
                file.write(data)
            else:
                file.writelines(data)
            file.flush()
            return identity(os.fstat(fd))
    except OSError as exc:  # a full disk, say: name the file, as the open would have
        raise OSError(exc.errno, exc.strerror, str(path)) from None


def whole(text: Text) -> str:
    """A file's text in one piece (for the preview, which serves files from memory)."""
    return text if isinstance(text, str) else "".join(text)


def copy_new(path: str | Path, source: Path) -> None:
    """A new copy of `source` at `path`."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)  # copyfile would write through it
    _create(path, lambda: shutil.copyfile(source, path))


def link_new(path: Path, source: Path) -> None:
    """`source` under a second name, `path` (a symlink as itself); a copy where the file
    system has no hard links (a network share, FAT)."""

    def link() -> None:
        try:
            os.link(source, path, follow_symlinks=False)
        except OSError as exc:
            if exc.errno not in _NO_HARD_LINKS:
                raise
            shutil.copy2(source, path, follow_symlinks=False)

    _create(path, link)


_NO_HARD_LINKS = {errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP}


def _create(path: str | Path, make: Callable[[], T]) -> T:
    try:
        return make()
    except FileNotFoundError:
        os.makedirs(os.path.dirname(path), exist_ok=True)
    except FileExistsError:
        os.unlink(path)
    return make()
