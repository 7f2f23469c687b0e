"""The build cache in `.momentmap-cache/`: what was read and rendered last time.

Two things are kept between builds:

- per content file, the result of reading and rendering it, keyed by a hash
  of its bytes, its path and everything else that shapes the result
  (`Store`), so an unchanged file is never parsed or rendered twice;
- per output file, the key of the page it came from and the file's identity
  on disk (`Manifest`), so an unchanged page is left in the output
  instead of being rendered again.

The cache is never trusted: every file carries a SHA-256 checksum that is
tested before anything is parsed, and shards are unpickled by an unpickler
that builds the model's own record types and nothing else. A damaged,
stale or foreign file is ignored and rebuilt, not believed. Nothing in it is
needed: deleting the folder only makes the next build slower.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import json
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from momentmap.content.markdown import RenderedBody
from momentmap.content.moments import LoadedMoment, ReadResult, Unreadable
from momentmap.diagnostics import Diagnostic
from momentmap.files import Identity, identity
from momentmap.model import Item, Moment, Narrative, Promise, When, share_buffer

CACHE_DIR = ".momentmap-cache"
FORMAT = 6
_PACKAGE = Path(__file__).resolve().parent


@functools.cache
def code_version() -> str:
    """A hash of momentmap's own code: any change to it invalidates every cache entry."""
    digest = hashlib.sha256(str(FORMAT).encode())
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


# Shards are pickles read by an unpickler that can build the model's own
# record types and nothing else (no functions, no other classes), so a cache
# file can hold data but never make the build run code.

_RECORD_TYPES: tuple[type, ...] = (
    Moment,
    Narrative,
    Promise,
    When,
    Item,
    Diagnostic,
    RenderedBody,
    LoadedMoment,
    Unreadable,
    ReadResult,
)
_ALLOWED = {(cls.__module__, cls.__qualname__): cls for cls in _RECORD_TYPES} | {
    ("datetime", "date"): dt.date,
}


class Corrupt(Exception):
    pass


class _RecordUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        found = _ALLOWED.get((module, name))
        if found is None:
            raise Corrupt(f"{module}.{name} is not a cache record")
        return found


def _loads(payload: bytes) -> Any:
    return _RecordUnpickler(io.BytesIO(payload)).load()


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# What parsing a damaged or foreign cache file may raise.
_UNREADABLE = (
    OSError,
    ValueError,
    EOFError,
    TypeError,
    AttributeError,
    Corrupt,
    pickle.PickleError,
)


def _read_checked(path: Path, *, binary: bool = False) -> Any:
    """A file written by _dump, or None when it is missing, damaged or from another version.

    The checksum is tested before the payload is parsed, so a damaged file is
    never parsed at all.
    """
    try:
        data = path.read_bytes()
        checksum, _, payload = data.partition(b"\n")
        if hashlib.sha256(payload).hexdigest().encode() != checksum:
            return None
        return _loads(payload) if binary else json.loads(payload)
    except _UNREADABLE:
        return None


def _entries(blob: object) -> dict[str, Any]:
    """A shard's entries from their pickle (checked with the file), or none.

    The narratives of a shard's bodies are moved into one buffer, whether the
    pickle came from a file or from a read worker (see `Narrative`)."""
    try:
        entries = _loads(blob) if isinstance(blob, bytes) else None
    except _UNREADABLE:
        return {}
    if not isinstance(entries, dict):
        return {}
    share_buffer(
        entry.body.narrative
        for entry in entries.values()
        if isinstance(entry, ReadResult) and entry.body is not None
    )
    return entries


def _dump(path: Path, value: Any, *, binary: bool = False) -> None:
    if binary:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    else:
        payload = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    _write_atomically(path, hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload)


class Store:
    """Results by key, in 256 shards so that a small change rewrites little.

    Each shard file names the generation it was saved under: what the keys were
    salted with (see `expect`). The entries are pickled apart from that name,
    so a shard of another generation is skipped without unpickling them.
    """

    def __init__(self, folder: Path | None, namespace: str) -> None:
        self.folder = folder / namespace if folder is not None else None
        self._shards: dict[str, dict[str, Any]] = {}  # shard -> key -> entry
        self._changed: set[str] = set()
        self._used: set[str] = set()
        self._generation = ""

    def expect(self, generation: str) -> None:
        """The keys looked up from now on are salted with `generation`.

        After an upgrade or a change of settings no old key can be found: their
        shards would only be unpickled, held and dropped (1.3 GB at 100,000
        moments). A shard already in memory is kept as it is; the next save
        drops its old entries as unused."""
        self._generation = generation

    def _shard(self, key: str) -> dict[str, Any]:
        name = self.shard_of(key)
        shard = self._shards.get(name)
        if shard is None:
            shard = {}
            if self.folder is not None:
                loaded = _read_checked(self.folder / f"{name}.bin", binary=True)
                if (
                    isinstance(loaded, dict)
                    and loaded.get("format") == FORMAT
                    and loaded.get("generation") == self._generation
                ):
                    shard = _entries(loaded.get("entries"))
            self._shards[name] = shard
        return shard

    def get(self, key: str) -> Any:
        """The entry, or None when absent."""
        value = self._shard(key).get(key)
        if value is not None:
            self._used.add(key)
        return value

    def put(self, key: str, value: Any) -> None:
        self._shard(key)[key] = value
        self._used.add(key)
        self._changed.add(self.shard_of(key))

    def save(self, pause: Callable[[], object] = lambda: None) -> None:
        """Write the shards that changed, dropping entries not used since the last save.

        `pause` is called before each shard: the preview holds the save there while
        it shows an edit, so a writer never waits for a cache write."""
        if self.folder is not None:
            for name, shard in self._shards.items():
                if self._drop_unused(name) or name in self._changed:
                    pause()
                    self.write_shard(name, self.pickle_entries(shard))
        self._changed.clear()
        self._used.clear()

    @staticmethod
    def shard_of(key: str) -> str:
        return key[:2]

    def kept(self, name: str) -> dict[str, Any]:
        """The entries of shard `name` used since the last save: what a save would keep."""
        return {k: v for k, v in self._shards.get(name, {}).items() if k in self._used}

    @staticmethod
    def pickle_entries(entries: Mapping[str, Any]) -> bytes:
        return pickle.dumps(dict(entries), protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def unpickle_entries(pickled: bytes) -> dict[str, Any]:
        return _entries(pickled)

    def write_shard(self, name: str, pickled: bytes) -> None:
        """Write shard `name` holding the entries `pickled` by `pickle_entries` (a read
        worker does this for the shards whose files it read, then the build process
        calls `written`)."""
        assert self.folder is not None, "only a store with a folder writes shards"
        saved = {"format": FORMAT, "generation": self._generation, "entries": pickled}
        _dump(self.folder / f"{name}.bin", saved, binary=True)

    def written(self, name: str) -> None:
        """Shard `name` was written with its `kept` entries and the results of the files
        read into it (a read worker's, not put here): a save writes it again only if it
        changes after this."""
        self._drop_unused(name)
        self._changed.discard(name)

    def _drop_unused(self, name: str) -> bool:
        shard = self._shards.get(name, {})
        unused = [k for k in shard if k not in self._used]
        for key in unused:
            del shard[key]
        return bool(unused)


class Manifest:
    """Per output file: the key it was made from and its identity on disk when written."""

    def __init__(self, folder: Path | None, out_dir: Path) -> None:
        name = hashlib.sha256(str(out_dir.resolve()).encode()).hexdigest()[:16]
        self.path = folder / f"output-{name}.json" if folder is not None else None
        self.entries: dict[str, list[Any]] = {}
        if self.path is not None:
            loaded = _read_checked(self.path)
            if isinstance(loaded, dict) and loaded.get("format") == FORMAT:
                files = loaded.get("files")
                self.entries = files if isinstance(files, dict) else {}

    def reusable(self, out_dir: Path, rel: str, key: str) -> int | None:
        """The inode of the previous output file for `rel` if it was made from `key` and
        is untouched since."""
        entry = self.entries.get(rel)
        if not isinstance(entry, list) or len(entry) != 4 or entry[0] != key:
            return None
        path = f"{out_dir}/{rel}"
        try:
            stat = os.stat(path, follow_symlinks=False)
        except OSError:
            return None
        if list(identity(stat)) != entry[1:]:
            return None  # edited, replaced or touched since: render it again
        return stat.st_ino

    def record(
        self,
        out_dir: Path,
        keys: Iterable[tuple[str, str]],
        written: Mapping[str, Identity],
    ) -> None:
        """Remember the files just committed to `out_dir`, with the keys they came from.

        A file in `written` has the identity its writer read from it; a file kept
        from the last build (same key) has the one recorded then, which `reusable`
        checked before keeping it. Only other files are looked at on disk."""
        entries: dict[str, list[Any]] = {}
        for rel, key in keys:
            made = written.get(rel)
            if made is not None:
                entries[rel] = [key, *made]
                continue
            old = self.entries.get(rel)
            if isinstance(old, list) and len(old) == 4 and old[0] == key:
                entries[rel] = old
                continue
            try:
                stat = os.stat(f"{out_dir}/{rel}", follow_symlinks=False)
            except OSError:
                continue
            entries[rel] = [key, *identity(stat)]
        self.entries = entries
        if self.path is not None:
            _dump(self.path, {"format": FORMAT, "files": entries})
