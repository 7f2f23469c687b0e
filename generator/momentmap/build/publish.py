"""Publishing a build: one build at a time per output folder, and one step from
the old version to the new.

The new version is made in a folder beside the output; `swap` then exchanges
the two in a single `renameat2(RENAME_EXCHANGE)`, so a reader (a web server,
rsync, a file share) sees the whole old site or the whole new one, never a mix
and never no folder. Where the system or file system cannot exchange (not
Linux, NFS), two renames do it: the site is briefly missing, never mixed, and a
build killed between them finds the old version and puts it back.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
from collections.abc import Callable
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_CANNOT_EXCHANGE = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP}


def beside(out_dir: Path, what: str) -> Path:
    """A hidden sibling of the output folder: `.public.momentmap-<what>`."""
    return out_dir.parent / f".{out_dir.name}.momentmap-{what}"


def swap(new: Path, out_dir: Path) -> None:
    """Put folder `new` in place of the existing `out_dir`; the old version ends up at `new`."""
    if _exchange(new, out_dir):
        return
    aside = beside(out_dir, "old")
    os.rename(out_dir, aside)
    os.rename(new, out_dir)
    os.rename(aside, new)


def restore_aside(out_dir: Path) -> None:
    """Undo a `swap` by renames that was cut short: the old version goes back in place."""
    aside = beside(out_dir, "old")
    if aside.is_dir() and not aside.is_symlink() and not out_dir.exists():
        os.rename(aside, out_dir)


def _load_renameat2() -> Callable[..., int] | None:
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):  # not Linux, or a C library without it
        return None
    function.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    function.restype = ctypes.c_int
    return function


_renameat2 = _load_renameat2()


def _exchange(a: Path, b: Path) -> bool:
    """Exchange two paths at once: False when this system or file system cannot."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in _CANNOT_EXCHANGE:
        return False
    raise OSError(code, os.strerror(code), str(a), None, str(b))


class OutputLock:
    """`.public.momentmap-lock` beside the output, held for a whole build.

    A second build of the same output waits for the first (`flock`, which the
    system releases when a build dies, however it dies). The file holds the
    process id of the build that has it, for the message of the one waiting.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.path = beside(out_dir, "lock")
        self._fd = -1

    def acquire(self, waiting: Callable[[str], None]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # O_NOFOLLOW: a symlink planted here must not get a file elsewhere truncated.
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                by = f" (process {holder})" if holder.isdigit() else ""
                waiting(f"another build is writing {self.out_dir}{by}; waiting for it to finish")
                fcntl.flock(fd, fcntl.LOCK_EX)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
