"""Finding a site's content files, without ever leaving the site folder."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from momentmap.diagnostics import Diagnostics


@dataclass(frozen=True, slots=True)
class Source:
    source_path: str  # content-relative, '/'-separated
    file: str  # site-relative, for diagnostics
    abs_path: Path


@dataclass(slots=True)
class Sources:
    moments: list[Source] = field(default_factory=list)
    customers: list[Source] = field(default_factory=list)
    assets: list[Source] = field(default_factory=list)


def is_ignored(name: str) -> bool:
    return name.startswith((".", "_"))


def find_sources(
    site_dir: Path,
    content_dir: Path,
    diagnostics: Diagnostics,
    *,
    skip: tuple[Path, ...] = (),
    pause: Callable[[], object] = lambda: None,
) -> Sources:
    """Walk the content folder. `skip` holds folders never to enter (the output);
    `pause` is called at each folder (the preview holds a long walk there)."""
    sources = Sources()
    if not content_dir.is_dir():
        diagnostics.error(
            _rel(content_dir, site_dir),
            0,
            0,
            f"content folder not found: looked for {content_dir.absolute()}",
        )
        return sources
    prefix = _rel(content_dir, site_dir) + "/"
    site_root = site_dir.resolve()
    skipped = {p.resolve() for p in skip}
    # Plain strings in the loop: it runs once per file on every build.
    content = str(content_dir)
    for dirpath, dirnames, filenames in os.walk(content):
        pause()
        kept = []
        for name in sorted(dirnames):
            path = Path(dirpath, name)
            if is_ignored(name) or path.resolve() in skipped:
                continue
            if path.is_symlink():
                diagnostics.warning(_rel(path, site_dir), 0, 0, "symlinked folder not followed")
                continue
            kept.append(name)
        dirnames[:] = kept
        folder = dirpath[len(content) + 1 :].replace(os.sep, "/")
        for name in sorted(filenames):
            if is_ignored(name):
                continue
            full = os.path.join(dirpath, name)
            if os.path.islink(full) and not _inside(Path(full).resolve(), site_root):
                diagnostics.warning(
                    _rel(Path(full), site_dir),
                    0,
                    0,
                    "symlink points outside the site; not followed",
                )
                continue
            if not os.path.isfile(full):
                continue
            source_path = f"{folder}/{name}" if folder else name
            source = Source(source_path, f"{prefix}{source_path}", Path(full))
            if source_path.startswith("moments/") and name.endswith(".md"):
                sources.moments.append(source)
            elif (
                source_path.count("/") == 1
                and source_path.startswith("customers/")
                and name.endswith(".md")
            ):
                sources.customers.append(source)
            else:
                sources.assets.append(source)
    if not sources.moments:
        _explain_no_moments(sources, content_dir, site_dir, diagnostics)
    return sources


def _explain_no_moments(
    sources: Sources, content_dir: Path, site_dir: Path, diagnostics: Diagnostics
) -> None:
    """A site with no moments builds, but a writer should know why it is empty."""
    where = f"{content_dir.absolute() / 'moments'}"
    stray = [s.file for s in sources.assets if s.source_path.endswith(".md")]
    if stray:
        message = (
            f"no moments found: they live in {where}/<customer>/, "
            f"but {len(stray)} Markdown file(s) are elsewhere, such as {stray[0]}"
        )
    elif sources.customers or sources.assets:
        message = f"no moments found in {where}/: add one with `momentmap new`"
    else:
        message = (
            f"content folder is empty: {content_dir.absolute()}; add a moment with `momentmap new`"
        )
    diagnostics.warning(_rel(content_dir, site_dir), 0, 0, message)


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _rel(path: Path, site_dir: Path) -> str:
    try:
        return path.relative_to(site_dir).as_posix()
    except ValueError:
        return path.as_posix()
