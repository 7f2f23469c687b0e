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
from momentmap.parallel import Background, map_chunks
from momentmap.urls import LinkStyle

PAUSE_EVERY = 200  # items between calls of Reads.pause


class Reads:
    """Moment files read and rendered: from the cache when unchanged, else afresh in parallel.

    A body is rendered in the same pass as its front matter, against link
    targets guessed from file names; the lookups it made are recorded, and
    the rare body whose links resolve differently once every id is known
    (an `id:` override, a moment left out) is rendered again.
    """

    def __init__(
        self, store: Store, *, trust_unchanged_stat: bool = False, save_early: bool = False
    ) -> None:
        self.store = store
        # build: the cache is written by a forked child as soon as the files are read,
        # on the core that the serial linking and planning leave idle.
        self._save_early = save_early
        self._saving: Background[None] | None = None
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
                guess = {s.source_path: moment_url(derive_id(s.source_path)) for s in sources}
                known = LinkTargets(pages=guess, files=assets)
            # The files reach the workers through the fork: only their indices are sent.
            work = partial(self._reader(config, style, known).read_some, missing)
            done = [r for part in map_chunks(work, range(len(missing))) for r in part]
            for (_, _, key), result in zip(missing, done, strict=True):
                self.store.put(key, result)
                results[key] = result
            self.fresh += len(missing)
        self._keys.update((s.source_path, k) for s, k in zip(sources, keys, strict=True))
        if self._save_early and self._saving is None and (shards := self.store.prune()):
            self._saving = Background(partial(self.store.write, shards))
        return [results[k] for k in keys]

    def save(self, pause: Callable[[], object] = lambda: None) -> None:
        """Write what changed in the cache: wait for the write started after reading, then
        write the shards changed since (a body rendered again)."""
        if self._saving is not None:
            saving, self._saving = self._saving, None
            saving.result()
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
        links now resolves elsewhere."""
        assert result.loaded is not None and result.body is not None
        if all(_resolve(targets, kind, path) == url for kind, path, url in result.lookups):
            return result.body, result.lookups
        body, lookups = self._reader(config, style, targets).render(result.loaded)
        key = self._keys.get(result.loaded.moment.source_path)
        if key is not None:
            self.store.put(key, replace(result, body=body, lookups=lookups))
        return body, lookups

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
