"""Phase one of a build: every file read and checked (`reads`), then the whole-site
checks that need every id and customer (clashes, customer matching, `related`,
links), run once all files are read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from momentmap.cache import Store
from momentmap.content.customers import (
    CustomerIndex,
    index_from_names,
    index_profiles,
    read_profile,
)
from momentmap.content.dates import parse_when
from momentmap.content.frontmatter import parse_document
from momentmap.content.markdown import LinkTargets, RenderedBody, create_markdown, render_body
from momentmap.content.moments import LoadedMoment, Lookup
from momentmap.content.sources import Source, find_sources, is_ignored
from momentmap.diagnostics import Diagnostics, did_you_mean
from momentmap.digest import hash_text
from momentmap.model import Config, Customer, Moment, Site, When, moment_url
from momentmap.site.reads import PAUSE_EVERY, Reads
from momentmap.urls import LinkStyle, slugify, unique_slugs


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
    keep_bodies: bool = True  # moments keep their Markdown (see load_linked)


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
    keep_bodies: bool = True,
) -> tuple[Site, Linking]:
    """Read and check every content file; the site is valid only if no error was reported.

    `reads` remembers files between builds; without it every file is read afresh.
    `keep_bodies=False` leaves each moment's Markdown out of the site: only
    anonymizing renders it again, and at 100k moments it is 250 MB.
    """
    content_dir = site_dir / config.content_dir
    reads = reads if reads is not None else Reads(Store(None, "moments"))
    sources = find_sources(site_dir, content_dir, diagnostics, skip=skip, pause=reads.pause)
    profiles = [p for p in (_read_profile(s, diagnostics) for s in sources.customers) if p]
    style = link_style or config.links
    assets = {s.source_path: s.source_path for s in sources.assets}
    results = reads.read(sources.moments, config, style, assets)
    for result in results:
        diagnostics.extend(result.problems)
    loaded = [r.loaded for r in results if r.loaded is not None]
    # Files with errors are not built, but links and `related` naming them are
    # right, and their customer is checked: their own errors are the only ones.
    unreadable = [r.unreadable for r in results if r.unreadable is not None]
    broken_ids = {u.id for u in unreadable}

    loaded = _drop_clashing_ids(loaded, diagnostics)
    draft_ids = {m.moment.id for m in loaded if m.moment.draft}
    if not drafts:
        loaded = [m for m in loaded if not m.moment.draft]
    if profiles:
        index = index_profiles([(p.customer, p.file) for p in profiles], diagnostics)
    else:
        index = index_from_names((m.moment.customer for m in loaded), diagnostics)
    built_ids = {m.moment.id for m in loaded}
    links: dict[str, _Links] = {}  # moment id -> its customer's slug and related ids
    for n, item in enumerate(loaded):
        if n % PAUSE_EVERY == 0:
            reads.pause()
        links[item.moment.id] = _link_moment(
            item, index, built_ids, draft_ids, diagnostics, broken_ids
        )
    for broken in unreadable if profiles else ():  # without profiles any name is a customer
        if broken.customer is not None:
            _customer_slug(broken.customer, broken.file, broken.customer_at, index, diagnostics)

    moments = [m.moment for m in loaded]
    pages = {m.source_path: m.url for m in moments}
    pages.update((u.source_path, moment_url(u.id)) for u in unreadable)
    targets = LinkTargets(pages=pages, files=assets)
    by_path = {r.loaded.moment.source_path: r for r in results if r.loaded is not None}
    rendered: dict[str, Moment] = {}
    digests: dict[str, str] = {}
    for n, moment in enumerate(sorted(moments, key=Moment.sort_key)):
        if n % PAUSE_EVERY == 0:
            reads.pause()
        body, lookups = reads.body(by_path[moment.source_path], targets, config, style)
        diagnostics.extend(body.problems)
        rendered[moment.id] = _made(moment, links[moment.id], body, keep_bodies)
        digests[moment.id] = _digest(reads.key_of(moment.source_path), links[moment.id], lookups)
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
    return site, Linking(index, targets, style, built_ids, draft_ids, digests, keep_bodies)


def swap_moments(
    site: Site, linking: Linking, sources: list[Source], reads: Reads
) -> tuple[Site, Linking, list[str]] | None:
    """The site with these edited moment files read again and swapped in, and their ids.

    A shortcut for the preview, to show an edited moment at once: None when
    an edit reaches beyond the moment itself (a problem, a new id, another
    customer, a draft), which only a full load handles. The full load that
    follows corrects anything else the edit changed (listings, taxonomies).
    """
    targets = linking.targets
    results = reads.read(sources, site.config, linking.style, targets.files, known=targets)
    moments = dict(site.moments)
    digests = dict(linking.digests)
    reorder = False
    for result in results:
        if result.loaded is None or result.problems:
            return None
        new = result.loaded.moment
        # Looked up by the id just read (not by path, which takes an index of the
        # whole site): a file whose id changed finds no moment, or another file's.
        old = site.moments.get(new.id)
        if old is None or old.source_path != new.source_path or new.draft != old.draft:
            return None
        quiet = Diagnostics()
        linked = _link_moment(
            result.loaded, linking.index, linking.built_ids, linking.draft_ids, quiet
        )
        body, lookups = reads.body(result, linking.targets, site.config, linking.style)
        if len(quiet) or body.problems or linked.customer != old.customer:
            return None
        moments[new.id] = _made(new, linked, body, linking.keep_bodies)
        digests[new.id] = _digest(reads.key_of(new.source_path), linked, lookups)
        reorder = reorder or new.when != old.when
    if reorder:
        moments = dict(sorted(moments.items(), key=lambda item: item[1].sort_key()))
    ids = [r.loaded.moment.id for r in results if r.loaded]
    return replace(site, moments=moments), replace(linking, digests=digests), ids


def _digest(key: str, links: _Links, lookups: tuple[Lookup, ...]) -> str:
    """A moment is made from its file, its customer, its related ids and the links its
    body resolved: a digest of those stands for all of it."""
    return hash_text(key, links.customer, repr(links.related), repr(lookups))


def _made(moment: Moment, links: _Links, body: RenderedBody, keep_body: bool) -> Moment:
    """The moment as read, linked and with its body, made in one copy: a moment has 28
    fields, and a copy takes 5 µs (a copy for each step took 1 s at 100,000)."""
    return replace(
        moment,
        customer=links.customer,
        related=links.related,
        body=moment.body if keep_body else "",
        narrative=body.narrative,
        learnings=body.learnings,
        do_differently=body.do_differently,
        assumptions=body.assumptions,
        plan=body.plan,
    )


@dataclass(frozen=True, slots=True)
class _Links:
    """What linking gives a moment: its customer's slug, and the related ids kept."""

    customer: str
    related: tuple[str, ...]


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


def newest_moment_folder(
    site_dir: Path, config: Config, slug: str, index: CustomerIndex
) -> Path | None:
    """The folder of the customer's newest moment, drafts included; None when it has
    none. Reads only each file's customer and date, so `new` stays quick on a big site."""
    sources = find_sources(site_dir, site_dir / config.content_dir, Diagnostics())
    newest: tuple[When, str] | None = None
    folder = None
    for source in sources.moments:
        doc, _ = parse_document(source.abs_path.read_bytes(), file=source.file)
        fields = doc.front.fields if doc is not None and doc.front is not None else {}
        if "customer" not in fields or "date" not in fields:
            continue
        when = parse_when(fields["date"].value.text)
        if when is None or index.lookup(fields["customer"].value.text) != slug:
            continue
        if newest is None or (when, source.source_path) > newest:
            newest, folder = (when, source.source_path), source.abs_path.parent
    return folder


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


def _customer_slug(
    name: str, file: str, at: tuple[int, int], index: CustomerIndex, diagnostics: Diagnostics
) -> str:
    """The slug of the customer a moment names; an error when it names none."""
    slug = index.lookup(name)
    if slug is None:
        hint = did_you_mean(name, index.names())
        diagnostics.error(
            file, *at, f"customer '{name}' matches no profile in content/customers/{hint}"
        )
        slug = slugify(name)
    return slug


def _link_moment(
    item: LoadedMoment,
    index: CustomerIndex,
    built_ids: set[str],
    draft_ids: set[str],
    diagnostics: Diagnostics,
    broken_ids: set[str] | None = None,
) -> _Links:
    """Resolve the customer name to a slug and check `related` ids.

    A related moment in a file with errors is left out without a word: its own
    errors say what is wrong."""
    moment = item.moment
    slug = _customer_slug(moment.customer, moment.file, item.customer_at, index, diagnostics)
    related = []
    for n, related_id in enumerate(moment.related):
        line, col = item.related_at[n] if n < len(item.related_at) else item.id_at
        if related_id in built_ids:
            related.append(related_id)
        elif broken_ids and related_id in broken_ids:
            continue
        elif related_id in draft_ids:
            diagnostics.warning(
                moment.file, line, col, f"related moment '{related_id}' is a draft; link left out"
            )
        else:
            hint = did_you_mean(related_id, built_ids)
            diagnostics.error(
                moment.file, line, col, f"related moment '{related_id}' does not exist{hint}"
            )
    return _Links(slug, tuple(related))


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
