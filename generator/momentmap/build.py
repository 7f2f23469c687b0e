"""The build, top to bottom: config, content, pages, render, write.

`build_site` is the one entry point for `build` and (later) `serve`; `check`
runs its first half.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .anonymize import anonymize_site
from .config import Config, load_config
from .data import moments_json
from .diagnostics import Diagnostics
from .load import load_site
from .model import Site
from .output import OutputWriter, check_output_dir
from .pages import list_pages
from .render import create_environment, render_pages, theme_dirs
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
) -> Site:
    """Load and check all content; look at `diagnostics` before using the result."""
    site = load_site(
        site_dir, config, diagnostics, as_of=options.as_of, drafts=options.drafts, skip=skip
    )
    if options.anonymize and not diagnostics.has_errors:
        site = anonymize_site(site, site_dir, diagnostics)
    return site


def resolve_out_dir(site_dir: Path, config: Config, options: BuildOptions) -> Path:
    return options.out_dir if options.out_dir is not None else site_dir / config.output_dir


Progress = Callable[[str], None]


def _silent(_: str) -> None:
    pass


def build_site(
    site_dir: Path, options: BuildOptions, *, progress: Progress = _silent
) -> BuildResult:
    """Build the site into its output folder; nothing is written when there is an error.

    `progress` hears what the build is doing, for a terminal's status line.
    """
    started = time.perf_counter()
    diagnostics = Diagnostics()
    result = BuildResult(diagnostics)
    config = site_config(site_dir, options, diagnostics)
    out_dir = resolve_out_dir(site_dir, config, options)
    check_output_dir(out_dir, site_dir=site_dir, content_dir=site_dir / config.content_dir)
    progress("reading content")
    site = read_site(site_dir, config, options, diagnostics, skip=(out_dir,))
    if _failed(diagnostics, options):
        return result
    env = create_environment(site, site_dir, link_style=site.config.links)
    pages = list_pages(site)
    writer = OutputWriter(out_dir)
    try:
        for done, (page, html) in enumerate(render_pages(env, pages, diagnostics), 1):
            writer.write_text(output_path(page.url), html)
            if done % 250 == 0:
                progress(f"rendering pages {done}/{len(pages)}")
        progress("copying files")
        writer.write_text("moments.json", moments_json(site))
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
    result.out_dir = out_dir
    result.written = True
    result.pages = sum(1 for p in pages if p.url.endswith("/") or p.url == "")
    result.moments = len(site.moments)
    result.customers = len(site.customers)
    result.files = sorted(writer.written)
    result.seconds = time.perf_counter() - started
    return result


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
