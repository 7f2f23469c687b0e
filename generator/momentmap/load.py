"""Phase one of a build: every file read and checked, then the whole-site checks.

Per-file work (`_read_*`) depends on nothing but the file and the config, so
it can later run in parallel; the checks that need every id and customer
(clashes, customer matching, `related`, links) run once all files are read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from .config import Config
from .customers import CustomerIndex, index_from_names, index_profiles, read_profile
from .diagnostics import Diagnostics, did_you_mean
from .frontmatter import parse_document
from .markdown import LinkTargets, create_markdown, render_body
from .model import Customer, Moment, Site
from .moments import LoadedMoment, read_moment
from .sources import Source, find_sources, is_ignored
from .urls import LinkStyle, slugify, unique_slugs


def load_site(
    site_dir: Path,
    config: Config,
    diagnostics: Diagnostics,
    *,
    as_of: dt.date,
    drafts: bool = False,
    link_style: LinkStyle | None = None,
    skip: tuple[Path, ...] = (),
) -> Site:
    """Read and check every content file; the result is valid only if no error was reported."""
    content_dir = site_dir / config.content_dir
    sources = find_sources(site_dir, content_dir, diagnostics, skip=skip)
    profiles = [p for p in (_read_profile(s, diagnostics) for s in sources.customers) if p]
    loaded = [m for m in (_read_moment(s, config, diagnostics) for s in sources.moments) if m]

    loaded = _drop_clashing_ids(loaded, diagnostics)
    draft_ids = {m.moment.id for m in loaded if m.moment.draft}
    if not drafts:
        loaded = [m for m in loaded if not m.moment.draft]
    if profiles:
        index = index_profiles([(p.customer, p.file) for p in profiles], diagnostics)
    else:
        index = index_from_names((m.moment.customer for m in loaded), diagnostics)
    built_ids = {m.moment.id for m in loaded}
    moments = [_link_moment(m, index, built_ids, draft_ids, diagnostics) for m in loaded]

    style = link_style or config.links
    assets = {s.source_path: s.source_path for s in sources.assets}
    targets = LinkTargets(pages={m.source_path: m.url for m in moments}, files=assets)
    md = create_markdown(allow_html=config.allow_html)
    rendered: dict[str, Moment] = {}
    bodies = {m.moment.id: m for m in loaded}
    for moment in sorted(moments, key=Moment.sort_key):
        item = bodies[moment.id]
        body = render_body(
            md,
            item.body,
            body_line=item.body_line,
            file=moment.file,
            source_path=moment.source_path,
            page_url=moment.url,
            targets=targets,
            link_style=style,
        )
        diagnostics.extend(body.problems)
        rendered[moment.id] = replace(
            moment,
            html=body.html,
            text=body.text,
            learnings=body.learnings,
            do_differently=body.do_differently,
            assumptions=body.assumptions,
            plan=body.plan,
        )
    notes = {p.customer.source_path: p for p in profiles}
    customers = {}
    for slug, customer in index.customers.items():
        profile = notes.get(customer.source_path)
        if profile is not None:
            body = render_body(
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
            diagnostics.extend(body.problems)
            customer = replace(customer, notes_html=body.html)
        customers[slug] = customer
    return Site(
        config=config,
        as_of=as_of,
        customers=customers,
        moments=rendered,
        assets=assets,
        terms=_terms(config, rendered.values(), diagnostics),
    )


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


def _read_moment(source: Source, config: Config, diagnostics: Diagnostics) -> LoadedMoment | None:
    doc, problems = parse_document(source.abs_path.read_bytes(), file=source.file)
    diagnostics.extend(problems)
    if doc is None:
        return None
    return read_moment(
        doc,
        source_path=source.source_path,
        file=source.file,
        config=config,
        diagnostics=diagnostics,
    )


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
