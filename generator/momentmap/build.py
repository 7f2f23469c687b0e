"""The build, top to bottom: config, content, pages, render, write.

`build_site` is the one entry point for `build` and (later) `serve`; `check`
runs its first half.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from .anonymize import anonymize_site
from .cache import CACHE_DIR, Manifest, Store
from .config import Config, load_config
from .diagnostics import Diagnostics
from .extras import extra_files, write_files
from .gitinfo import add_git_info, start_git_info
from .keys import PageKeys, shows_whole_site, site_version, theme_version
from .load import Reads, load_linked
from .model import Site
from .output import OutputWriter, check_output_dir
from .pages import Page, list_pages
from .render import create_environment, render_files, theme_dirs
from .urls import LinkStyle, output_path


@dataclass(frozen=True, slots=True)
class BuildOptions:
    as_of: dt.date
    drafts: bool = False
    out_dir: Path | None = None  # default: the config's output_dir in the site
    base_url: str | None = None
    links: LinkStyle | None = None
    strict: bool = False
    anonymize: bool = False


@dataclass(slots=True)
class BuildResult:
    diagnostics: Diagnostics
    out_dir: Path | None = None
    pages: int = 0
    moments: int = 0
    customers: int = 0
    seconds: float = 0.0
    written: bool = False
    files: list[str] = field(default_factory=list)
    read: int = 0  # content files read and rendered afresh (not from the cache)
    rendered: int = 0  # pages rendered afresh (not reused from the last output)
    notices: list[str] = field(default_factory=list)  # files left out, and why


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


def read_site(
    site_dir: Path,
    config: Config,
    options: BuildOptions,
    diagnostics: Diagnostics,
    *,
    skip: tuple[Path, ...] = (),
    reads: Reads | None = None,
) -> tuple[Site, dict[str, str] | None]:
    """Load and check all content; look at `diagnostics` before using the result.

    Also returns each moment's digest for page keys (None once anonymized:
    pseudonyms depend on the whole site, so then every moment is hashed).
    """
    site, linking = load_linked(
        site_dir,
        config,
        diagnostics,
        as_of=options.as_of,
        drafts=options.drafts,
        skip=skip,
        reads=reads,
    )
    if options.anonymize and not diagnostics.has_errors:
        return anonymize_site(site, site_dir, diagnostics), None
    return site, linking.digests


def resolve_out_dir(site_dir: Path, config: Config, options: BuildOptions) -> Path:
    return options.out_dir if options.out_dir is not None else site_dir / config.output_dir


Progress = Callable[[str], None]


def _silent(_: str) -> None:
    pass


def build_site(
    site_dir: Path, options: BuildOptions, *, progress: Progress = _silent
) -> BuildResult:
    """Build the site into its output folder; nothing is written when there is an error.

    Files and pages unchanged since the last build come from the cache in
    `.momentmap-cache/` and from the previous output; the rest is read and
    rendered in parallel. `progress` hears what the build is doing, for a
    terminal's status line.
    """
    started = time.perf_counter()
    diagnostics = Diagnostics()
    result = BuildResult(diagnostics)
    config = site_config(site_dir, options, diagnostics)
    out_dir = resolve_out_dir(site_dir, config, options)
    check_output_dir(out_dir, site_dir=site_dir, content_dir=site_dir / config.content_dir)
    cache_dir = site_dir / CACHE_DIR
    reads = Reads(Store(cache_dir, "moments"))
    # `git log` runs while the content is read (off in anonymized builds: authors are people).
    git = start_git_info(
        site_dir / config.content_dir, enabled=config.git_info and not options.anonymize
    )
    progress("reading content")
    site, digests = read_site(site_dir, config, options, diagnostics, skip=(out_dir,), reads=reads)
    result.read = reads.fresh
    save_cache(reads.store)
    if _failed(diagnostics, options):
        git.close()
        return result
    history = git.result()
    site, digests = add_git_info(site, digests, history)
    env = create_environment(site, site_dir, link_style=site.config.links)
    pages = list_pages(site)
    dirs = theme_dirs(site_dir, site.config.theme)
    keys = PageKeys(
        site,
        site_version(site, theme_version(dirs), repr(options)),
        whole_site=shows_whole_site(env, site_dir / "themes" / site.config.theme),
        digests=digests,
    )
    manifest = Manifest(cache_dir, out_dir)
    writer = OutputWriter(out_dir)
    made: dict[str, str] = {}  # output file -> key
    try:
        todo: list[tuple[Page, Path]] = []
        for page in pages:
            rel, key = output_path(page.url), keys.key(page)
            made[rel] = key
            if not _reuse(writer, manifest, rel, key):
                todo.append((page, writer.reserve(rel)))
        result.rendered = len(todo)
        jobs: list[Callable[[], None]] = []
        groups, result.notices = extra_files(site, keys, pages)
        for group in groups:
            made.update(dict.fromkeys(group.paths, group.key))
            if all(manifest.reusable(out_dir, p, group.key) for p in group.paths):
                for path in group.paths:
                    writer.keep(path)
            else:
                targets = {p: writer.reserve(p) for p in group.paths}
                jobs.append(partial(write_files, group.make, targets))
        for done, problems in enumerate(render_files(env, todo, jobs), 1):
            diagnostics.extend(problems)
            progress(f"rendering pages {min(done * 200, len(todo))}/{len(todo)}")
        progress("copying files")
        _copy_static(site_dir, site, writer, diagnostics)
        for source_path in site.assets:
            if writer.has(source_path):
                diagnostics.error(
                    f"{site.config.content_dir}/{source_path}",
                    0,
                    0,
                    "file would overwrite a page momentmap generates",
                )
                continue
            writer.copy_file(source_path, site_dir / site.config.content_dir / source_path)
        if _failed(diagnostics, options):
            writer.discard()
            return result
        writer.commit(diagnostics)
    except BaseException:
        writer.discard()
        raise
    with contextlib.suppress(OSError):  # the cache is optional: a read-only site still builds
        manifest.record(out_dir, made.items())
    result.out_dir = out_dir
    result.written = True
    result.notices = [*history.notices, *result.notices]
    result.pages = sum(1 for p in pages if p.url.endswith("/") or p.url == "")
    result.moments = len(site.moments)
    result.customers = len(site.customers)
    result.files = sorted(writer.written)
    result.seconds = time.perf_counter() - started
    return result


def _reuse(writer: OutputWriter, manifest: Manifest, rel: str, key: str) -> bool:
    """Keep the output's `rel` when it was made from the same key and is untouched since."""
    if manifest.reusable(writer.out_dir, rel, key) is None:
        return False
    writer.keep(rel)
    return True


def save_cache(store: Store) -> None:
    """Write what changed in the cache; the cache is optional, so a read-only site still builds."""
    with contextlib.suppress(OSError):
        store.save()


def _failed(diagnostics: Diagnostics, options: BuildOptions) -> bool:
    return diagnostics.has_errors or (options.strict and len(diagnostics) > 0)


def _copy_static(
    site_dir: Path, site: Site, writer: OutputWriter, diagnostics: Diagnostics
) -> None:
    """Theme static files under static/; a site's own theme file wins over the built-in one."""
    for theme_dir in theme_dirs(site_dir, site.config.theme):
        static = theme_dir / "static"
        if not static.is_dir():
            continue
        for path in sorted(static.rglob("*")):
            if (
                path.is_symlink()
                or not path.is_file()
                or any(p.startswith((".", "_")) for p in path.relative_to(static).parts)
            ):
                continue
            rel = "static/" + path.relative_to(static).as_posix()
            if not writer.has(rel):
                writer.copy_file(rel, path)
