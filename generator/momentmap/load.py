"""Phase one of a build: every file read and checked, then the whole-site checks.

Per-file work (`Reads`) depends on nothing but the file and the config, so it
runs in parallel workers and is cached between builds; the checks that need
every id and customer (clashes, customer matching, `related`, links) run once
all files are read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt

from .cache import Store, code_version
from .config import Config
from .customers import CustomerIndex, index_from_names, index_profiles, read_profile
from .diagnostics import Diagnostics, did_you_mean
from .digest import hash_text
from .frontmatter import parse_document
from .markdown import LinkTargets, RenderedBody, create_markdown, render_body
from .model import Customer, Moment, Site
from .moments import LoadedMoment, Lookup, ReadResult, derive_id, read_moment
from .parallel import map_chunks
from .sources import Source, find_sources, is_ignored
from .urls import LinkStyle, slugify, unique_slugs


@dataclass(frozen=True, slots=True)
class Linking:
    """What a load resolved names and links against: the moments' digests for page keys,
    and the rest for `swap_moments`."""

    index: CustomerIndex
    targets: LinkTargets
    style: LinkStyle
    built_ids: set[str]
    draft_ids: set[str]
    digests: dict[str, str]  # moment id -> digest of everything the moment was made from


def load_linked(
    site_dir: Path,
    config: Config,
    diagnostics: Diagnostics,
    *,
    as_of: dt.date,
    drafts: bool = False,
    link_style: LinkStyle | None = None,
    skip: tuple[Path, ...] = (),
    reads: Reads | None = None,
) -> tuple[Site, Linking]:
    """Read and check every content file; the site is valid only if no error was reported.

    `reads` remembers files between builds; without it every file is read afresh.
    """
    content_dir = site_dir / config.content_dir
    sources = find_sources(site_dir, content_dir, diagnostics, skip=skip)
    profiles = [p for p in (_read_profile(s, diagnostics) for s in sources.customers) if p]
    style = link_style or config.links
    assets = {s.source_path: s.source_path for s in sources.assets}
    reads = reads if reads is not None else Reads(Store(None, "moments"))
    results = reads.read(sources.moments, config, style, assets)
    for result in results:
        diagnostics.extend(result.problems)
    loaded = [r.loaded for r in results if r.loaded is not None]

    loaded = _drop_clashing_ids(loaded, diagnostics)
    draft_ids = {m.moment.id for m in loaded if m.moment.draft}
    if not drafts:
        loaded = [m for m in loaded if not m.moment.draft]
    if profiles:
        index = index_profiles([(p.customer, p.file) for p in profiles], diagnostics)
    else:
        index = index_from_names((m.moment.customer for m in loaded), diagnostics)
    built_ids = {m.moment.id for m in loaded}
    moments = []
    for n, item in enumerate(loaded):
        if n % PAUSE_EVERY == 0:
            reads.pause()
        moments.append(_link_moment(item, index, built_ids, draft_ids, diagnostics))

    targets = LinkTargets(pages={m.source_path: m.url for m in moments}, files=assets)
    by_path = {r.loaded.moment.source_path: r for r in results if r.loaded is not None}
    rendered: dict[str, Moment] = {}
    digests: dict[str, str] = {}
    for n, moment in enumerate(sorted(moments, key=Moment.sort_key)):
        if n % PAUSE_EVERY == 0:
            reads.pause()
        body, lookups = reads.body(by_path[moment.source_path], targets, config, style)
        diagnostics.extend(body.problems)
        rendered[moment.id] = _with_body(moment, body)
        digests[moment.id] = _digest(reads.key_of(moment.source_path), moment, lookups)
    notes = {p.customer.source_path: p for p in profiles}
    customers = {}
    md = create_markdown(allow_html=config.allow_html) if notes else None
    for slug, customer in index.customers.items():
        profile = notes.get(customer.source_path)
        if profile is not None and md is not None:
            notes_body = render_body(
                md,
                profile.body,
                body_line=profile.body_line,
                file=f"{config.content_dir}/{customer.source_path}",
                source_path=customer.source_path,
                page_url=customer.url,
                targets=targets,
                link_style=style,
                sections=False,
            )
            diagnostics.extend(notes_body.problems)
            customer = replace(
                customer,
                notes_html=notes_body.html,
                notes=profile.body,
                notes_line=profile.body_line,
            )
        customers[slug] = customer
    site = Site(
        config=config,
        as_of=as_of,
        customers=customers,
        moments=rendered,
        assets=assets,
        terms=_terms(config, rendered.values(), diagnostics),
    )
    return site, Linking(index, targets, style, built_ids, draft_ids, digests)


def swap_moments(
    site: Site, linking: Linking, sources: list[Source], reads: Reads
) -> tuple[Site, Linking, list[str]] | None:
    """The site with these edited moment files read again and swapped in, and their ids.

    A shortcut for the preview, to show an edited moment at once: None when
    an edit reaches beyond the moment itself (a problem, a new id, another
    customer, a draft), which only a full load handles. The full load that
    follows corrects anything else the edit changed (listings, taxonomies).
    """
    by_path = {m.source_path: m for m in site.moments.values()}
    targets = linking.targets
    results = reads.read(sources, site.config, linking.style, targets.files, known=targets)
    moments = dict(site.moments)
    digests = dict(linking.digests)
    reorder = False
    for result in results:
        if result.loaded is None or result.problems:
            return None
        old = by_path.get(result.loaded.moment.source_path)
        new = result.loaded.moment
        if old is None or new.id != old.id or new.draft != old.draft:
            return None
        quiet = Diagnostics()
        linked = _link_moment(
            result.loaded, linking.index, linking.built_ids, linking.draft_ids, quiet
        )
        body, lookups = reads.body(result, linking.targets, site.config, linking.style)
        if len(quiet) or body.problems or linked.customer != old.customer:
            return None
        moments[new.id] = _with_body(linked, body)
        digests[new.id] = _digest(reads.key_of(new.source_path), linked, lookups)
        reorder = reorder or new.when != old.when
    if reorder:
        moments = dict(sorted(moments.items(), key=lambda item: item[1].sort_key()))
    ids = [r.loaded.moment.id for r in results if r.loaded]
    return replace(site, moments=moments), replace(linking, digests=digests), ids


def _digest(key: str, moment: Moment, lookups: tuple[Lookup, ...]) -> str:
    """A moment is made from its file, its customer, its related ids and the links its
    body resolved: a digest of those stands for all of it."""
    return hash_text(key, moment.customer, repr(moment.related), repr(lookups))


def _with_body(moment: Moment, body: RenderedBody) -> Moment:
    return replace(
        moment,
        html=body.html,
        text=body.text,
        learnings=body.learnings,
        do_differently=body.do_differently,
        assumptions=body.assumptions,
        plan=body.plan,
    )


PAUSE_EVERY = 200  # items between calls of Reads.pause


class Reads:
    """Moment files read and rendered: from the cache when unchanged, else afresh in parallel.

    A body is rendered in the same pass as its front matter, against link
    targets guessed from file names; the lookups it made are recorded, and
    the rare body whose links resolve differently once every id is known
    (an `id:` override, a moment left out) is rendered again.
    """

    def __init__(self, store: Store, *, trust_unchanged_stat: bool = False) -> None:
        self.store = store
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
        keys: list[str] = []
        missing: list[tuple[Source, bytes]] = []
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
                missing.append((source, data))
            else:  # trusted stat but lost entry: read it after all
                missing.append((source, source.abs_path.read_bytes()))
        if missing:
            if known is None:
                guess = {s.source_path: f"moments/{derive_id(s.source_path)}/" for s in sources}
                known = LinkTargets(pages=guess, files=assets)
            reader = self._reader(config, style, known)
            done = [r for part in map_chunks(reader.read_chunk, missing) for r in part]
            for (source, data), result in zip(missing, done, strict=True):
                key = hash_text(salt, source.source_path, source.file, data)
                self.store.put(key, result)
                results[key] = result
            self.fresh += len(missing)
        self._keys.update((s.source_path, k) for s, k in zip(sources, keys, strict=True))
        return [results[k] for k in keys]

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

    def read_chunk(self, chunk: Sequence[tuple[Source, bytes]]) -> list[ReadResult]:
        return [self.read(source, data) for source, data in chunk]

    def read(self, source: Source, data: bytes) -> ReadResult:
        diagnostics = Diagnostics()
        doc, problems = parse_document(data, file=source.file)
        diagnostics.extend(problems)
        loaded = None
        if doc is not None:
            loaded = read_moment(
                doc,
                source_path=source.source_path,
                file=source.file,
                config=self.config,
                diagnostics=diagnostics,
            )
        if loaded is None:
            return ReadResult(None, tuple(diagnostics), None)
        body, lookups = self.render(loaded)
        return ReadResult(loaded, tuple(diagnostics), body, lookups)

    def render(self, loaded: LoadedMoment) -> tuple[RenderedBody, tuple[Lookup, ...]]:
        log: list[Lookup] = []
        targets = LinkTargets(
            pages=_Recorded("page", self.targets.pages, log),
            files=_Recorded("file", self.targets.files, log),
        )
        moment = loaded.moment
        body = render_body(
            self.md,
            moment.body,
            body_line=moment.body_line,
            file=moment.file,
            source_path=moment.source_path,
            page_url=moment.url,
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


@dataclass(frozen=True, slots=True)
class _Profile:
    customer: Customer
    file: str
    body: str
    body_line: int


def load_profiles(site_dir: Path, config: Config, diagnostics: Diagnostics) -> CustomerIndex:
    """Only the customer profiles (for `new`); empty when the site has none."""
    folder = site_dir / config.content_dir / "customers"
    sources = [
        Source(f"customers/{p.name}", f"{config.content_dir}/customers/{p.name}", p)
        for p in sorted(folder.glob("*.md"))
        if not is_ignored(p.name) and p.is_file() and not p.is_symlink()
    ]
    profiles = [p for p in (_read_profile(s, diagnostics) for s in sources) if p]
    return index_profiles([(p.customer, p.file) for p in profiles], diagnostics)


def _read_profile(source: Source, diagnostics: Diagnostics) -> _Profile | None:
    doc, problems = parse_document(source.abs_path.read_bytes(), file=source.file)
    diagnostics.extend(problems)
    if doc is None:
        return None
    customer = read_profile(
        doc, source_path=source.source_path, file=source.file, diagnostics=diagnostics
    )
    if customer is None:
        return None
    return _Profile(customer, source.file, doc.body, doc.body_line)


def _drop_clashing_ids(loaded: list[LoadedMoment], diagnostics: Diagnostics) -> list[LoadedMoment]:
    first: dict[str, LoadedMoment] = {}
    kept = []
    for item in sorted(loaded, key=lambda m: m.moment.file):
        other = first.setdefault(item.moment.id, item)
        if other is item:
            kept.append(item)
            continue
        line, col = item.id_at
        diagnostics.error(
            item.moment.file,
            line,
            col,
            f"moment id '{item.moment.id}' is also the id of {other.moment.file}; ids must be unique",
        )
    return kept


def _link_moment(
    item: LoadedMoment,
    index: CustomerIndex,
    built_ids: set[str],
    draft_ids: set[str],
    diagnostics: Diagnostics,
) -> Moment:
    """Resolve the customer name to a slug and check `related` ids."""
    moment = item.moment
    slug = index.lookup(moment.customer)
    if slug is None:
        line, col = item.customer_at
        hint = did_you_mean(moment.customer, index.names())
        diagnostics.error(
            moment.file,
            line,
            col,
            f"customer '{moment.customer}' matches no profile in content/customers/{hint}",
        )
        slug = slugify(moment.customer)
    related = []
    for n, related_id in enumerate(moment.related):
        line, col = item.related_at[n] if n < len(item.related_at) else item.id_at
        if related_id in built_ids:
            related.append(related_id)
        elif related_id in draft_ids:
            diagnostics.warning(
                moment.file, line, col, f"related moment '{related_id}' is a draft; link left out"
            )
        else:
            hint = did_you_mean(related_id, built_ids)
            diagnostics.error(
                moment.file, line, col, f"related moment '{related_id}' does not exist{hint}"
            )
    return replace(moment, customer=slug, related=tuple(related))


def _terms(
    config: Config, moments: Iterable[Moment], diagnostics: Diagnostics
) -> dict[str, dict[str, str]]:
    """Slugs for every taxonomy value; clashing values get -2, -3… with a warning."""
    found: dict[str, set[str]] = {"tags": set(), "factors": set(), "people": set()}
    for moment in moments:
        found["tags"].update(moment.tags)
        found["factors"].update(moment.factors)
        found["people"].update(moment.people)
    terms = {"types": unique_slugs(config.types)[0], "stages": unique_slugs(config.stages)[0]}
    for kind, values in found.items():
        slugs, renamed = unique_slugs(values)
        noun = {"tags": "tag", "factors": "factor", "people": "person"}[kind]
        for value, slug in renamed:
            diagnostics.warning(
                "content/moments",
                0,
                0,
                f"{noun} '{value}' gets slug '{slug}': another {noun} has the same slug",
            )
        terms[kind] = slugs
    return terms
