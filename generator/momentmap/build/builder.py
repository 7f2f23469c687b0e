"""`momentmap build`: the plan of a build written to the output folder.

The plan (plan.py) says what is published; this module makes what changed
since the last build (in parallel workers) and commits it to the output
folder, reusing every file whose key is unchanged. `serve` consumes the same
plan in memory (preview.py).
"""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from momentmap.build.output import OutputWriter, Survey, check_output_dir, survey, tidy_beside
from momentmap.build.plan import BuildOptions, Plan, plan_build, resolve_out_dir, site_config
from momentmap.build.publish import OutputLock
from momentmap.cache import CACHE_DIR, Manifest, Store
from momentmap.diagnostics import Diagnostics
from momentmap.errors import WriteError
from momentmap.files import Identity, WrittenFiles
from momentmap.model import Config
from momentmap.parallel import Background
from momentmap.render.environment import render_files
from momentmap.site.reads import Reads
from momentmap.views.extras import write_files
from momentmap.views.pages import Page


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
    read: int = 0  # content files read afresh (new or changed since the cache)
    rendered: int = 0  # reader pages rendered afresh (not reused from the last output)
    notices: list[str] = field(default_factory=list)  # files left out, and why


Progress = Callable[[str], None]


def _silent(_: str) -> None:
    pass


def build_site(
    site_dir: Path,
    options: BuildOptions,
    *,
    progress: Progress = _silent,
    waiting: Progress = _silent,
) -> BuildResult:
    """Build the site into its output folder; nothing is written when there is an error.

    Files and pages unchanged since the last build come from the cache in
    `.momentmap-cache/` and from the previous output; the rest is read and
    rendered in parallel. `progress` hears what the build is doing, for a
    terminal's status line; `waiting`, that another build of the same output
    must finish first.
    """
    started = time.perf_counter()
    diagnostics = Diagnostics()
    result = BuildResult(diagnostics)
    config = site_config(site_dir, options, diagnostics)
    out_dir = resolve_out_dir(site_dir, config, options)
    check_output_dir(out_dir, site_dir=site_dir, content_dir=site_dir / config.content_dir)
    lock = OutputLock(out_dir)
    try:
        lock.acquire(waiting)
        tidy_beside(out_dir)
    except OSError as exc:
        lock.release()
        raise WriteError(f"cannot write beside the output folder: {_reason(exc)}") from None
    try:
        # Listing the output and its spare takes a walk of every folder: the other
        # core does it while this one reads the content.
        with Background(partial(survey, out_dir)) as listing:
            _build_locked(site_dir, options, config, out_dir, listing, result, progress)
    finally:
        lock.release()
    result.seconds = time.perf_counter() - started
    return result


def _build_locked(
    site_dir: Path,
    options: BuildOptions,
    config: Config,
    out_dir: Path,
    listing: Background[Survey],
    result: BuildResult,
    progress: Progress,
) -> None:
    diagnostics = result.diagnostics
    cache_dir = site_dir / CACHE_DIR
    reads = Reads(Store(cache_dir, "moments"), workers_write=True, keep_bodies=options.anonymize)
    progress("reading content")
    # The collector stays off until rendering, and again after it (see collector_off).
    with collector_off():
        try:
            plan = plan_build(site_dir, config, options, diagnostics, reads=reads)
        finally:
            # The read workers wrote the shards of the files they read; what changed
            # since (entries of files gone dropped) is written before the render
            # workers fork.
            save_cache(reads)
        result.read = reads.fresh
        del reads  # the results read: the site keeps what it needs, the workers fork smaller
        if plan is None or _failed(diagnostics, options):
            return
        manifest = Manifest(cache_dir, out_dir)
        # A failure from here on leaves the spare folder half made: the next build sets
        # it right from its listing, as it does after a kill.
        try:
            writer = OutputWriter(out_dir)
            staged = _stage(plan, writer, manifest, listing.result(), diagnostics)
        except OSError as exc:
            raise _cannot_write(exc, out_dir) from None
    try:
        result.rendered, written = _render(plan, writer, staged, diagnostics, progress)
        if _failed(diagnostics, options):
            return
        progress("publishing")
        writer.commit()
    except OSError as exc:
        raise _cannot_write(exc, out_dir) from None
    with collector_off():
        made = {rel: key for rel, (_, key) in plan.pages.items()}
        for group in plan.groups:
            made.update(dict.fromkeys(group.paths, group.key))
        with contextlib.suppress(OSError):  # the cache is optional: a read-only site builds
            manifest.record(out_dir, made.items(), written)
    result.out_dir = out_dir
    result.written = True
    result.notices = plan.notices
    result.pages = plan.page_count
    result.moments = len(plan.site.moments)
    result.customers = len(plan.site.customers)
    result.files = sorted(writer.written)


@dataclass(slots=True)
class _Staged:
    """What a build makes: the pages to render with the file each goes to, the jobs
    that write the files beside them, and where each file is written -> its path in
    the output."""

    todo: list[tuple[Page, str]] = field(default_factory=list)
    jobs: list[Callable[[], WrittenFiles]] = field(default_factory=list)
    paths: dict[str, str] = field(default_factory=dict)

    def reserve(self, writer: OutputWriter, rel: str) -> str:
        path = writer.reserve(rel)
        self.paths[path] = rel
        return path


def _stage(
    plan: Plan, writer: OutputWriter, manifest: Manifest, listing: Survey, diagnostics: Diagnostics
) -> _Staged:
    """Keep every file of the plan that is unchanged in the output, reserve the rest,
    and bring the spare folder in line."""
    out_dir = writer.out_dir
    staged = _Staged()
    for rel, (page, key) in plan.pages.items():
        inode = manifest.reusable(out_dir, rel, key)
        if inode is not None:
            writer.keep(rel, inode)
        else:
            staged.todo.append((page, staged.reserve(writer, rel)))
    for group in plan.groups:
        found = {p: i for p in group.paths if (i := manifest.reusable(out_dir, p, group.key))}
        if len(found) == len(group.paths):
            for path, inode in found.items():
                writer.keep(path, inode)
        else:
            targets = {p: staged.reserve(writer, p) for p in group.paths}
            staged.jobs.append(partial(write_files, group.make, targets))
    writer.prepare(listing, diagnostics)
    return staged


def _render(
    plan: Plan,
    writer: OutputWriter,
    staged: _Staged,
    diagnostics: Diagnostics,
    progress: Progress,
) -> tuple[int, dict[str, Identity]]:
    """Write every staged file and copy the plan's files; returns the number of reader
    pages rendered, and the identity of each file written (by its path in the output)."""
    written: dict[str, Identity] = {}
    done = 0
    for chunk in render_files(plan.env, staged.todo, staged.jobs):
        diagnostics.extend(chunk.problems)
        written.update((staged.paths[path], made) for path, made in chunk.files)
        done += chunk.pages
        progress(f"rendering pages {done}/{len(staged.todo)}")
    progress("copying files")
    for rel, source in plan.copies.items():
        writer.copy_file(rel, source)
    return sum(page.is_reader_page for page, _ in staged.todo), written


@contextlib.contextmanager
def collector_off() -> Iterator[None]:
    """The cyclic garbage collector off for a while, then as it was.

    `build` reads the content, makes the plan and stages the files with it off: what
    they make lives until the build ends, with hardly any garbage in cycles (26
    objects at 10,000 moments), so each full collection walked every object for
    nothing (at 10,000 moments in one process, seven of them took 0.8 s, two in the
    serial phase after reading; at 100,000, 2.3 s while staging). Rendering makes
    garbage in cycles (Jinja's contexts) and runs with it on; recording the output
    after it, off again. `serve` runs each full pass with it off. Garbage without
    cycles is freed as ever.

    On the way out, what was made meanwhile joins the oldest generation at once
    (freezing and unfreezing splices the lists): left young, every object of the
    site would be walked by the first young collection after (0.15 s at 10,000)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def save_cache(reads: Reads, pause: Callable[[], object] = lambda: None) -> None:
    """Write what changed in the cache; the cache is optional, so a read-only site still builds."""
    with contextlib.suppress(OSError):
        reads.save(pause)


def _cannot_write(exc: OSError, out_dir: Path) -> WriteError:
    return WriteError(f"cannot write the new output: {_reason(exc)}; {out_dir} is as it was")


def _reason(exc: OSError) -> str:
    """'<file>: <what went wrong>' for a failed system call, as a compiler would say it."""
    where = f"{exc.filename}: " if exc.filename else ""
    return where + (exc.strerror or str(exc))


def _failed(diagnostics: Diagnostics, options: BuildOptions) -> bool:
    return diagnostics.has_errors or (options.strict and len(diagnostics) > 0)
