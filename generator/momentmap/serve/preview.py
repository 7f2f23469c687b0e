"""The site kept in memory for `serve`: built once, then updated as files change.

Nothing is written to disk but the cache. A rebuild re-reads only the files
whose size or modification time changed and re-renders only the pages whose
key changed (see `keys.py`), so the served site always equals what `build`
would write. An edit to one moment takes a shortcut first: its own page is
rendered and published at once, then the full pass brings listings,
customers and taxonomies up to date.

A failed rebuild leaves the last good site in place and publishes its
diagnostics instead, for the terminal and the browser overlay.
"""

from __future__ import annotations

import functools
import threading
import time
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from html import escape
from pathlib import Path

import jinja2

from momentmap.build.builder import save_cache
from momentmap.build.plan import BuildOptions, Plan, plan_build, site_config
from momentmap.cache import CACHE_DIR, Store
from momentmap.content.sources import Source
from momentmap.diagnostics import Diagnostic, Diagnostics
from momentmap.files import Text, whole
from momentmap.render.environment import (
    CompiledTemplates,
    check_templates,
    create_environment,
    render_pages,
)
from momentmap.site.gitinfo import GitInfo, history_digest
from momentmap.site.load import swap_moments
from momentmap.site.reads import PAUSE_EVERY, Reads
from momentmap.urls import output_path
from momentmap.views.pages import Page, moment_page

File = typing.Union[bytes, Path, "Deferred"]  # bytes, a file to read, or a page to render
RENDER_AT_ONCE = 200  # pages a rebuild renders before it defers the rest to their first request


@dataclass(frozen=True, slots=True)
class Published:
    """One state of the served site; replaced as a whole, never changed in place."""

    generation: int
    files: dict[str, File]  # output path ('moments/x/index.html') -> content
    keys: dict[str, str]  # output path -> page key
    problems: tuple[Diagnostic, ...] = ()  # of the last rebuild; errors mean it failed
    changed: frozenset[str] = frozenset()  # output paths that differ from the last state
    failed: bool = False


@dataclass(slots=True)
class Rebuild:
    """What one rebuild did, for the terminal."""

    ok: bool
    seconds: float
    rendered: int = 0
    read: int = 0
    problems: list[Diagnostic] = field(default_factory=list)


class Preview:
    def __init__(self, site_dir: Path, options: BuildOptions) -> None:
        self.site_dir = site_dir
        self.options = options
        self.reads = Reads(Store(site_dir / CACHE_DIR, "moments"), trust_unchanged_stat=True)
        self.published = Published(0, {}, {})
        self._plan: Plan | None = None  # of the last full pass that succeeded
        self._git: GitInfo | None = None  # the last reading of the git history
        self._changed = threading.Condition()  # guards `published` and `_shown_at`
        self._compiled = CompiledTemplates()
        # The quick pass may run while a full pass is under way: pages it shows
        # are stamped, and a full pass that started earlier leaves them alone.
        self._stamp = 0
        self._shown_at: dict[str, int] = {}  # output path -> stamp of its quick pass
        # Clear while a quick pass runs: a full pass waits at its next pause.
        self._idle = threading.Event()
        self._idle.set()
        self.reads.pause = self._idle.wait

    # --- reading the published state (any thread) ---------------------------

    def wait_for_change(self, generation: int, timeout: float) -> Published:
        """The published state once its generation passes `generation`, or after `timeout`."""
        with self._changed:
            self._changed.wait_for(lambda: self.published.generation > generation, timeout)
            return self.published

    def _publish(
        self,
        files: dict[str, File],
        keys: dict[str, str],
        problems: Iterable[Diagnostic],
        *,
        failed: bool = False,
        since: int | None = None,
        changed: frozenset[str] | None = None,
    ) -> None:
        """Make a new state current; with `since` (a full pass's start), pages that a
        later quick pass showed are kept as they are. `changed` saves comparing every
        file when the caller knows which ones it replaced."""
        with self._changed:
            old = self.published
            if since is not None:
                for rel, stamp in list(self._shown_at.items()):
                    if stamp > since and rel in old.files:
                        files[rel], keys[rel] = old.files[rel], old.keys[rel]
                    else:
                        del self._shown_at[rel]
            if changed is None:
                changed = frozenset(
                    rel for rel, content in files.items() if not _same(old.files.get(rel), content)
                ) | frozenset(old.files.keys() - files.keys())
            self.published = Published(
                old.generation + 1, files, keys, tuple(problems), changed, failed
            )
            self._changed.notify_all()

    # --- rebuilding (the watcher's thread) -----------------------------------

    def rebuild(self, changed: Iterable[Path] = ()) -> Rebuild:
        """Bring the served site up to date after `changed` files: both passes."""
        self.show_edited_moments(list(changed))
        return self.full_pass()

    def full_pass(self) -> Rebuild:
        """Re-read what changed on disk and re-render every page whose key changed."""
        started = time.perf_counter()
        with self._changed:
            since = self._stamp
        fresh_before = self.reads.fresh
        diagnostics = Diagnostics()
        plan = plan_build(
            self.site_dir,
            site_config(self.site_dir, self.options, diagnostics),
            self.options,
            diagnostics,
            reads=self.reads,
            git=self._git,
            compiled=self._compiled,
        )
        rendered = 0
        if plan is not None:
            self._git = plan.git
            rendered = self._render(plan, diagnostics, since)
        save_cache(self.reads, pause=self._idle.wait)
        seconds = time.perf_counter() - started
        result = Rebuild(
            not diagnostics.has_errors,
            seconds,
            rendered,
            self.reads.fresh - fresh_before,
            diagnostics.sorted(),
        )
        if result.ok and plan is not None:
            self._plan = plan
        else:
            old = self.published
            self._publish(dict(old.files), dict(old.keys), result.problems, failed=True)
        return result

    def _render(self, plan: Plan, diagnostics: Diagnostics, since: int) -> int:
        """Publish the plan: unchanged files as they were, the rest made now or on request."""
        if diagnostics.has_errors:
            return 0
        env, old = plan.env, self.published
        files: dict[str, File] = {}
        new_keys: dict[str, str] = {}
        todo: list[Page] = []
        for n, (rel, (page, key)) in enumerate(plan.pages.items()):
            if n % PAUSE_EVERY == 0:
                self._idle.wait()
            new_keys[rel] = key
            if old.keys.get(rel) == key and rel in old.files:
                files[rel] = old.files[rel]
            else:
                todo.append(page)
        # Render now the pages of a few moments each; pages that list the whole
        # site (slow on a big one) are rendered when first asked for. Every
        # template is compiled now, so that a syntax error shows at once.
        now: list[Page] = []
        for page in todo:
            if page.moments is not None and len(now) < RENDER_AT_ONCE:
                now.append(page)
            else:
                files[output_path(page.url)] = Deferred(functools.partial(_render_one, env, page))
        check_templates(env, {page.template for page in todo}, diagnostics)
        for page, html in render_pages(env, now, diagnostics):
            files[output_path(page.url)] = html.encode("utf-8")
            self._idle.wait()
        for group in plan.groups:
            new_keys.update(dict.fromkeys(group.paths, group.key))
            if all(old.keys.get(p) == group.key and p in old.files for p in group.paths):
                files.update((p, old.files[p]) for p in group.paths)
                continue
            make = functools.cache(group.make)  # one pass for the whole group
            for rel in group.paths:
                files[rel] = Deferred(functools.partial(_made, make, rel))
        files.update(plan.copies)
        if diagnostics.has_errors:
            return 0
        self._publish(files, new_keys, diagnostics.sorted(), since=since)
        return sum(page.is_reader_page for page in todo)

    @property
    def notices(self) -> tuple[str, ...]:
        """What the terminal should know that is not a problem (a shallow clone)."""
        return self._git.notices if self._git is not None else ()

    def show_edited_moments(self, changed: list[Path]) -> None:
        """The quick pass: publish the pages of edited moments at once, when the edit
        allows; the full pass that must follow brings the rest up to date.

        Safe to run while a full pass is under way in another thread: it reads
        the files with its own reader and only adds pages to the current state.
        """
        self._idle.clear()
        try:
            self._show_edited_moments(changed)
        finally:
            self._idle.set()

    def _show_edited_moments(self, changed: list[Path]) -> None:
        plan, old = self._plan, self.published
        if plan is None or plan.linking is None or not changed or old.failed:
            return
        site, linking = plan.site, plan.linking
        content = (self.site_dir / site.config.content_dir).resolve()
        sources = []
        for path in changed:
            try:
                source_path = path.resolve().relative_to(content).as_posix()
            except (OSError, ValueError):
                return  # config, theme or anything outside content: the full pass
            if not source_path.startswith("moments/") or not path.is_file():
                return
            file = f"{site.config.content_dir}/{source_path}"
            sources.append(Source(source_path, file, path))
        swapped = swap_moments(site, linking, sources, Reads(Store(None, "moments")))
        if swapped is None:
            return
        site, linking, ids = swapped
        env = create_environment(
            site, self.site_dir, link_style=site.config.links, compiled=self._compiled
        )
        # The same keys as the full pass that follows will compute, which then
        # keeps these pages unless something else about them changed too.
        fresh = {i: history_digest(site, site.moments[i], linking.digests[i]) for i in ids}
        keys = plan.keys.swapped(site, fresh)
        diagnostics = Diagnostics()
        pages = [moment_page(site, moment_id) for moment_id in ids]
        shown = [
            (output_path(p.url), html.encode("utf-8"), keys.key(p))
            for p, html in render_pages(env, pages, diagnostics)
        ]
        if diagnostics.has_errors:
            return
        with self._changed:
            self._stamp += 1
            current = self.published
            files, new_keys = dict(current.files), dict(current.keys)
            for rel, data, key in shown:
                files[rel], new_keys[rel] = data, key
                self._shown_at[rel] = self._stamp
            replaced = frozenset(
                rel for rel, data, _ in shown if not _same(current.files.get(rel), data)
            )
            self._publish(files, new_keys, current.problems, changed=replaced)


class Deferred:
    """A page rendered when first asked for, then kept."""

    def __init__(self, make: Callable[[], bytes]) -> None:
        self._make: Callable[[], bytes] | None = make
        self._data = b""
        self._lock = threading.Lock()

    def get(self) -> bytes:
        with self._lock:
            if self._make is not None:
                self._data, self._make = self._make(), None
            return self._data


def _made(make: Callable[[], Mapping[str, Text]], path: str) -> bytes:
    return whole(make()[path]).encode("utf-8")


def _render_one(env: jinja2.Environment, page: Page) -> bytes:
    diagnostics = Diagnostics()
    for _, html in render_pages(env, [page], diagnostics):
        return html.encode("utf-8")
    # Only a template error gets here, and the same template rendered fine a
    # moment ago for another page: show what went wrong instead of the page.
    problems = "".join(f"<li>{escape(d.as_text())}</li>" for d in diagnostics)
    return f"<!doctype html><title>Template error</title><ul>{problems}</ul>".encode()


def _same(old: File | None, new: File) -> bool:
    return old is new or old == new
