"""The one builder: what a build publishes, every file with its key and how to make it.

`plan_build` runs the stages up to rendering (config, content, git info,
pages, keys) and decides every rule of what is published: which pages,
which files beside them, which theme and content files are copied, and which
of those collide. `build` writes a plan to the output folder and `serve`
keeps it in memory; neither decides anything about the site on its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2

from momentmap.build.keys import PageKeys, shows_whole_site, site_version, theme_version
from momentmap.content.config import load_config
from momentmap.diagnostics import Diagnostics
from momentmap.model import Config, Site
from momentmap.render.environment import CompiledTemplates, create_environment, theme_dirs
from momentmap.site.anonymize import anonymize_site
from momentmap.site.gitinfo import GitInfo, add_git_info, start_git_info
from momentmap.site.load import Linking, load_linked
from momentmap.site.reads import PAUSE_EVERY, Reads
from momentmap.urls import LinkStyle, output_path
from momentmap.views.extras import ExtraFiles, extra_files
from momentmap.views.pages import Page, list_pages


@dataclass(frozen=True, slots=True)
class BuildOptions:
    as_of: dt.date
    drafts: bool = False
    out_dir: Path | None = None  # default: the config's output_dir in the site
    base_url: str | None = None
    links: LinkStyle | None = None
    strict: bool = False
    anonymize: bool = False


@dataclass(frozen=True, slots=True)
class Plan:
    """Every output file of one build: made from a page, a group, or copied."""

    site: Site
    env: jinja2.Environment
    keys: PageKeys
    pages: dict[str, tuple[Page, str]]  # output path -> page and its key
    groups: list[ExtraFiles]  # files made together, each group with its key
    copies: dict[str, Path]  # output path -> theme or content file published as it is
    linking: Linking | None  # what the content was linked against (None once anonymized)
    git: GitInfo  # the history read, for the next plan to reuse
    notices: list[str]  # not problems: files left out, a shallow clone

    @property
    def page_count(self) -> int:
        """Pages a reader opens (index.html files), for the summary."""
        return sum(page.is_reader_page for page, _ in self.pages.values())


def site_config(site_dir: Path, options: BuildOptions, diagnostics: Diagnostics) -> Config:
    """momentmap.yaml with the command line's overrides applied."""
    config = load_config(site_dir, diagnostics)
    if options.base_url is not None:
        config = replace(
            config, base_url=options.base_url.rstrip("/") + "/" if options.base_url else ""
        )
    if options.links is not None:
        config = replace(config, links=options.links)
    if config.theme != "default" and not (site_dir / "themes" / config.theme).is_dir():
        diagnostics.error("momentmap.yaml", 0, 0, f"theme '{config.theme}' not found in themes/")
    return config


def resolve_out_dir(site_dir: Path, config: Config, options: BuildOptions) -> Path:
    return options.out_dir if options.out_dir is not None else site_dir / config.output_dir


def read_site(
    site_dir: Path,
    config: Config,
    options: BuildOptions,
    diagnostics: Diagnostics,
    *,
    skip: tuple[Path, ...] = (),
    reads: Reads | None = None,
) -> tuple[Site, Linking | None, list[str]]:
    """Load and check all content; look at `diagnostics` before using the result.

    Also returns what the content was linked against, with each moment's digest
    for page keys (None once anonymized: pseudonyms depend on the whole site,
    so then every moment is hashed), and notices for the terminal.
    """
    site, linking = load_linked(
        site_dir,
        config,
        diagnostics,
        as_of=options.as_of,
        drafts=options.drafts,
        skip=skip,
        reads=reads,
        keep_bodies=options.anonymize,
    )
    if options.anonymize and not diagnostics.has_errors:
        anonymized, summary = anonymize_site(site, diagnostics)
        return anonymized, None, [summary]
    return site, linking, []


def plan_build(
    site_dir: Path,
    config: Config,
    options: BuildOptions,
    diagnostics: Diagnostics,
    *,
    reads: Reads,
    git: GitInfo | None = None,
    compiled: CompiledTemplates | None = None,
) -> Plan | None:
    """The plan of a build of `config` (from `site_config`), or None when the content
    has errors (in `diagnostics`).

    `git` is the last plan's reading of the history (read again only when HEAD
    moved); `compiled` keeps compiled templates between plans.
    """
    out_dir = resolve_out_dir(site_dir, config, options)
    # `git log` runs while the content is read (off in anonymized builds: authors are people).
    pending = start_git_info(
        site_dir / config.content_dir,
        enabled=config.git_info and not options.anonymize,
        previous=git,
    )
    site, linking, read_notices = read_site(
        site_dir, config, options, diagnostics, skip=(out_dir,), reads=reads
    )
    if diagnostics.has_errors:
        pending.close()
        return None
    history = pending.result()
    site, digests = add_git_info(site, linking.digests if linking else None, history)
    env = create_environment(site, site_dir, link_style=site.config.links, compiled=compiled)
    keys = page_keys(site_dir, site, env, digests, options)
    pages: dict[str, tuple[Page, str]] = {}
    listed = list_pages(site)
    for n, page in enumerate(listed):
        if n % PAUSE_EVERY == 0:
            reads.pause()
        pages[output_path(page.url)] = (page, keys.key(page))
    groups, left_out = extra_files(site, keys.everything, listed)
    made = set(pages).union(*(group.paths for group in groups))
    copies = _copies(site_dir, site, made, diagnostics)
    notices = [*history.notices, *read_notices, *left_out]
    return Plan(site, env, keys, pages, groups, copies, linking, history, notices)


def page_keys(
    site_dir: Path,
    site: Site,
    env: jinja2.Environment,
    digests: dict[str, str] | None,
    options: BuildOptions,
) -> PageKeys:
    """The keys of a site's pages: equal keys, equal bytes (see keys.py)."""
    dirs = theme_dirs(site_dir, site.config.theme)
    return PageKeys(
        site,
        site_version(site, theme_version(dirs), repr(options)),
        whole_site=shows_whole_site(env, site_dir / "themes" / site.config.theme),
        digests=digests,
    )


def _copies(
    site_dir: Path, site: Site, made: set[str], diagnostics: Diagnostics
) -> dict[str, Path]:
    """Theme static files under static/ (a site's own theme file wins over the built-in
    one), then the content's other files at their own paths; a content file may not
    replace a generated or theme file."""
    copies: dict[str, Path] = {}
    for theme_dir in theme_dirs(site_dir, site.config.theme):
        static = theme_dir / "static"
        for path in sorted(static.rglob("*")) if static.is_dir() else ():
            parts = path.relative_to(static).parts
            if path.is_symlink() or not path.is_file() or _hidden(parts):
                continue
            rel = "static/" + "/".join(parts)
            if rel not in made:
                copies.setdefault(rel, path)
    content = site_dir / site.config.content_dir
    for source_path in site.assets:
        if source_path in made or source_path in copies:
            diagnostics.error(
                f"{site.config.content_dir}/{source_path}",
                0,
                0,
                "file would overwrite a page momentmap generates",
            )
            continue
        copies[source_path] = content / source_path
    return copies


def _hidden(parts: tuple[str, ...]) -> bool:
    return any(p.startswith((".", "_")) for p in parts)
