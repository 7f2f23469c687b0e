"""Reading moment files: from the cache when unchanged, else afresh in parallel
workers. Per-file work depends on nothing but the file and the config, so it
is cached between builds and shared by build, serve and review.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from momentmap.cache import Store, code_version
from momentmap.content.frontmatter import parse_document
from momentmap.content.markdown import LinkTargets, RenderedBody, create_markdown, render_body
from momentmap.content.moments import (
    LoadedMoment,
    Lookup,
    ReadResult,
    Unreadable,
    derive_id,
    read_moment,
)
from momentmap.content.sources import Source
from momentmap.diagnostics import Diagnostics
from momentmap.digest import hash_text
from momentmap.model import Config, moment_url
from momentmap.parallel import map_chunks
from momentmap.urls import LinkStyle

PAUSE_EVERY = 200  # items between calls of Reads.pause
SHARD_CHUNK_FILES = 200  # files a read worker takes at a time, in whole shards


class Reads:
    """Moment files read and rendered: from the cache when unchanged, else afresh in parallel.

    A body is rendered in the same pass as its front matter, against link
    targets guessed from file names; the lookups it made are recorded, and
    the rare body whose links resolve differently once every id is known
    (an `id:` override, a moment left out) is rendered again.
    """

    def __init__(
        self,
        store: Store,
        *,
        trust_unchanged_stat: bool = False,
        workers_write: bool = False,
        keep_bodies: bool = True,
    ) -> None:
        self.store = store
        # build: each read worker writes the cache shards of the files it read, so that
        # no process has to pickle every result again (and copy the whole site to do it).
        self._workers_write = workers_write
        # build, unless anonymizing: the results a worker hands back leave out the
        # Markdown that no link can make us render again (see `_ShardWriter`).
        self._keep_bodies = keep_bodies
        # serve: a file whose size and mtime did not change is not read again.
        self._stats: dict[Path, tuple[tuple[int, int, int], str, str]] | None = (
            {} if trust_unchanged_stat else None
        )
        self._keys: dict[str, str] = {}  # source path -> key of its current result
        self.fresh = 0  # files read this build: for tests and the summary
        self._parsers: dict[bool, MarkdownIt] = {}  # by allow_html: made once, reused
        # Called now and then during a load: the preview pauses a full pass here
        # while it shows an edit.
        self.pause: Callable[[], object] = lambda: None

    def read(
        self,
        sources: list[Source],
        config: Config,
        style: LinkStyle,
        assets: Mapping[str, str],
        *,
        known: LinkTargets | None = None,
    ) -> list[ReadResult]:
        """Each source's result, in order; `known` targets replace the guess from file names."""
        salt = hash_text(code_version(), repr(config), style)
        self.store.expect(salt)
        keys: list[str] = []
        missing: list[tuple[Source, bytes, str]] = []  # to read: the file, its bytes and key
        results: dict[str, ReadResult] = {}
        for n, source in enumerate(sources):
            if n % PAUSE_EVERY == 0:
                self.pause()
            key, data = self._key(source, salt)
            keys.append(key)
            cached = self.store.get(key)
            if isinstance(cached, ReadResult):
                results[key] = cached
            elif data is not None:
                missing.append((source, data, key))
            else:  # trusted stat but lost entry: read it after all
                missing.append((source, source.abs_path.read_bytes(), key))
        if missing:
            if known is None:
                guess = _GuessedPages({s.source_path for s in sources})
                known = LinkTargets(pages=guess, files=assets)
            reader = self._reader(config, style, known)
            if self._workers_write and self.store.folder is not None:
                fresh = self._read_and_write_shards(reader, missing)
            else:
                # The files reach the workers through the fork: only their indices are sent.
                work = partial(reader.read_some, missing)
                done = (r for part in map_chunks(work, range(len(missing))) for r in part)
                fresh = {key: r for (_, _, key), r in zip(missing, done, strict=True)}
                for key, result in fresh.items():
                    self.store.put(key, result)
            results.update(fresh)
            self.fresh += len(missing)
        self._keys.update((s.source_path, k) for s, k in zip(sources, keys, strict=True))
        return [results[k] for k in keys]

    def _read_and_write_shards(
        self, reader: _FileReader, missing: list[tuple[Source, bytes, str]]
    ) -> dict[str, ReadResult]:
        """Read the missing files in workers that each take whole shards and write them
        (with the entries kept from before); the results by key.

        The results of a shard written are not put in the store: without their
        Markdown (see `_ShardWriter`), they must never be saved. Should the shard be
        saved again from memory, they are left out of it, and read again next time."""
        files: dict[str, list[tuple[Source, bytes, str]]] = {}
        for item in missing:
            files.setdefault(Store.shard_of(item[2]), []).append(item)
        names = sorted(files)
        kept = {n: self.store.kept(n) for n in names}
        writer = _ShardWriter(reader, self.store, files, kept, self._keep_bodies)
        per_chunk = max(1, SHARD_CHUNK_FILES * len(names) // len(missing))
        fresh: dict[str, ReadResult] = {}
        for part in map_chunks(writer.read_shards, names, chunk=per_chunk):
            for name, pickled, wrote in part:
                entries = self.store.unpickle_entries(pickled)
                for _, _, key in files[name]:
                    fresh[key] = entries[key]
                    if not wrote:
                        self.store.put(key, entries[key])
                if wrote:
                    self.store.written(name)
        return fresh

    def save(self, pause: Callable[[], object] = lambda: None) -> None:
        """Write what changed in the cache since it was last written."""
        self.store.save(pause)

    def _key(self, source: Source, salt: str) -> tuple[str, bytes | None]:
        if self._stats is not None:
            st = source.abs_path.stat()
            stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
            known = self._stats.get(source.abs_path)
            if known is not None and known[:2] == (stamp, salt):
                return known[2], None
        data = source.abs_path.read_bytes()
        key = hash_text(salt, source.source_path, source.file, data)
        if self._stats is not None:
            self._stats[source.abs_path] = (stamp, salt, key)
        return key, data

    def body(
        self, result: ReadResult, targets: LinkTargets, config: Config, style: LinkStyle
    ) -> tuple[RenderedBody, tuple[Lookup, ...]]:
        """The result's body and the links it looked up; rendered again if one of its
        links now resolves elsewhere.

        A body rendered again is not put back in the cache, which keeps what the
        file alone gives: the next build renders it again (a few hundred bodies of
        100,000, 0.1 s) rather than this one rewriting every shard holding one
        (two thirds of them, 5.6 s in the serial phase before rendering)."""
        assert result.loaded is not None and result.body is not None
        if all(_resolve(targets, kind, path) == url for kind, path, url in result.lookups):
            return result.body, result.lookups
        return self._reader(config, style, targets).render(result.loaded)

    def key_of(self, source_path: str) -> str:
        return self._keys[source_path]

    def _reader(self, config: Config, style: LinkStyle, targets: LinkTargets) -> _FileReader:
        md = self._parsers.get(config.allow_html)
        if md is None:
            md = self._parsers[config.allow_html] = create_markdown(allow_html=config.allow_html)
        return _FileReader(config, style, targets, md)


def _resolve(targets: LinkTargets, kind: str, path: str) -> str | None:
    return (targets.pages if kind == "page" else targets.files).get(path)


@dataclass(frozen=True, slots=True)
class _ShardWriter:
    """Reads the missing files of whole cache shards in a worker and writes each shard:
    the worker pickles only what it made itself (and the entries kept from before).

    Unless `keep_bodies`, the results of a shard written go back to the build process
    without the Markdown of the bodies that no link can make it render again (see
    `_without_markdown`). Unpickled there and dropped once linked, those strings
    left holes between the HTML kept, which the system could not take back: at
    100,000 moments the build process held 250 MB more, and each render worker
    copied what of it was touched."""

    reader: _FileReader
    store: Store
    files: dict[str, list[tuple[Source, bytes, str]]]  # shard -> its files to read
    kept: dict[str, dict[str, Any]]  # shard -> its entries kept from before
    keep_bodies: bool

    def read_shards(self, names: Sequence[str]) -> list[tuple[str, bytes, bool]]:
        """Per shard: its name, the results for the build process pickled, and whether
        the shard was written. Not written, they are all its entries as they are: the
        build process saves the shard later."""
        done = []
        for name in names:
            fresh = {key: self.reader.read(source, data) for source, data, key in self.files[name]}
            pickled = self.store.pickle_entries(self.kept[name] | fresh)
            try:
                self.store.write_shard(name, pickled)
            except OSError:  # the cache is optional: the build goes on, a save tries again
                done.append((name, pickled, False))
                continue
            if not self.keep_bodies:
                pickled = self.store.pickle_entries(
                    {key: _without_markdown(result) for key, result in fresh.items()}
                )
            done.append((name, pickled, True))
        return done


def _without_markdown(result: ReadResult) -> ReadResult:
    """The result without its body's Markdown when no link can make `Reads.body`
    render it again: file links resolve the same once every id is known, only a link
    to another moment's file may not."""
    loaded = result.loaded
    if loaded is None or any(kind == "page" for kind, _, _ in result.lookups):
        return result
    return replace(result, loaded=replace(loaded, moment=replace(loaded.moment, body="")))


@dataclass(frozen=True, slots=True)
class _FileReader:
    """What reading a moment file needs, handed to the workers with the work."""

    config: Config
    style: LinkStyle
    targets: LinkTargets
    md: MarkdownIt

    def read_some(
        self, files: Sequence[tuple[Source, bytes, str]], indices: Sequence[int]
    ) -> list[ReadResult]:
        """The results of `files[i]` for each i in `indices`."""
        return [self.read(*files[i][:2]) for i in indices]

    def read(self, source: Source, data: bytes) -> ReadResult:
        diagnostics = Diagnostics()
        doc, problems = parse_document(data, file=source.file)
        diagnostics.extend(problems)
        if doc is None:
            unreadable = Unreadable.by_path(source.source_path, source.file)
            return ReadResult(None, tuple(diagnostics), None, unreadable=unreadable)
        loaded = read_moment(
            doc,
            source_path=source.source_path,
            file=source.file,
            config=self.config,
            diagnostics=diagnostics,
        )
        if isinstance(loaded, Unreadable):
            # The body is not built, but its mistakes are reported with the rest.
            body, _ = self._render(
                doc.body, doc.body_line, loaded.file, loaded.source_path, loaded.id
            )
            diagnostics.extend(body.problems)
            return ReadResult(None, tuple(diagnostics), None, unreadable=loaded)
        body, lookups = self.render(loaded)
        return ReadResult(loaded, tuple(diagnostics), body, lookups)

    def render(self, loaded: LoadedMoment) -> tuple[RenderedBody, tuple[Lookup, ...]]:
        moment = loaded.moment
        return self._render(
            moment.body, moment.body_line, moment.file, moment.source_path, moment.id
        )

    def _render(
        self, text: str, line: int, file: str, source_path: str, moment_id: str
    ) -> tuple[RenderedBody, tuple[Lookup, ...]]:
        log: list[Lookup] = []
        targets = LinkTargets(
            pages=_Recorded("page", self.targets.pages, log),
            files=_Recorded("file", self.targets.files, log),
        )
        body = render_body(
            self.md,
            text,
            body_line=line,
            file=file,
            source_path=source_path,
            page_url=moment_url(moment_id),
            targets=targets,
            link_style=self.style,
        )
        return body, tuple(log)


class _GuessedPages(Mapping[str, str]):
    """Each moment file's page url guessed from its name, worked out when a link asks
    for it (in the read workers): for every file up front, it took 0.5 s before
    reading could start at 100,000 moments."""

    def __init__(self, paths: set[str]) -> None:
        self.paths = paths

    def __getitem__(self, path: str) -> str:
        if path not in self.paths:
            raise KeyError(path)
        return moment_url(derive_id(path))

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)


class _Recorded(Mapping[str, str]):
    """A mapping that notes every lookup made through `get`."""

    def __init__(self, kind: str, inner: Mapping[str, str], log: list[Lookup]) -> None:
        self.kind, self.inner, self.log = kind, inner, log

    def get(self, key: str, default: Any = None) -> Any:
        value = self.inner.get(key)
        self.log.append((self.kind, key, value))
        return default if value is None else value

    def __getitem__(self, key: str) -> str:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return str(value)

    def __iter__(self) -> Iterator[str]:
        return iter(self.inner)

    def __len__(self) -> int:
        return len(self.inner)
