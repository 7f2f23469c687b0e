"""Turning pages into HTML with the theme's Jinja templates.

One Environment per build, autoescaping on, StrictUndefined so that a typo
in a template is an error with the template's name and line instead of an
empty string.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from momentmap.diagnostics import Diagnostic, Diagnostics
from momentmap.files import WrittenFiles, write_new
from momentmap.model import Moment, Site
from momentmap.parallel import give_back_freed_memory, map_chunks
from momentmap.render import charts, lists
from momentmap.urls import LinkStyle, relative_href
from momentmap.views.factors import FactorPattern
from momentmap.views.insights import KeepRate
from momentmap.views.pages import Page, term_url
from momentmap.words import counted

_PACKAGE_DIR = Path(__file__).resolve().parents[1]  # momentmap/
NOT_FOUND_URL = "404.html"


def builtin_theme_dir() -> Path:
    """The default theme: inside the package when installed, beside it in a checkout."""
    installed = _PACKAGE_DIR / "themes" / "default"
    if installed.is_dir():
        return installed
    return _PACKAGE_DIR.parent.parent / "themes" / "default"


def theme_dirs(site_dir: Path, theme: str) -> list[Path]:
    """Theme folders, most specific first: the site's own, then the built-in one,
    so a site's theme need only hold the files it changes."""
    own = site_dir / "themes" / theme
    return [d for d in (own, builtin_theme_dir()) if d.is_dir()]


class TemplateProblem(Exception):
    def __init__(self, file: str, line: int, message: str) -> None:
        super().__init__(message)
        self.file, self.line, self.message = file, line, message


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory across builds (serve), keyed by name and source."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


def create_environment(
    site: Site,
    site_dir: Path,
    *,
    link_style: LinkStyle,
    compiled: CompiledTemplates | None = None,
) -> jinja2.Environment:
    dirs = theme_dirs(site_dir, site.config.theme)
    env = jinja2.Environment(
        bytecode_cache=compiled,
        loader=jinja2.FileSystemLoader([d / "templates" for d in dirs]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # One environment per plan: a theme edit makes a new plan, so checking every
        # template file's mtime on each page (a stat per page) buys nothing.
        auto_reload=False,
    )

    # An href depends only on how deep the page is when the target is outside the
    # page's top folder (the site's chrome: navigation, styles, footer), so those are
    # worked out once per depth and target rather than on every page.
    outside: dict[tuple[int, str], str] = {}

    @jinja2.pass_context
    def url(ctx: jinja2.runtime.Context, target: str) -> str:
        page_url = ctx["page"].url
        if page_url == NOT_FOUND_URL:
            # 404.html is served at any depth: link from the root, absolutely when we know it.
            return (site.config.base_url or "/") + relative_href(
                "", target, link_style
            ).removeprefix("./")
        top = page_url.partition("/")[0]
        if top and not target.startswith(top + "/") and target != top:
            key = (page_url.count("/"), target)
            href = outside.get(key)
            if href is None:
                href = outside[key] = relative_href(page_url, target, link_style)
            return href
        return relative_href(page_url, target, link_style)

    def list_helper(write: Callable[..., Markup]) -> Callable[..., Markup]:
        """A list of `render/lists.py` as a template global: linked from the page being
        rendered, and called with the macro's flags."""

        @jinja2.pass_context
        def helper(ctx: jinja2.runtime.Context, rows: Iterable[Any], *flags: bool) -> Markup:
            return write(rows, functools.partial(url, ctx), site.customers, *flags)

        return helper

    @jinja2.pass_context
    def term(ctx: jinja2.runtime.Context, kind: str, value: str) -> str:
        return relative_href(ctx["page"].url, term_url(site, kind, value), link_style)

    first, last = site.span or (site.as_of, site.as_of)

    def marks(ctx: jinja2.runtime.Context, moments: Iterable[Moment]) -> list[charts.Mark]:
        return [
            charts.Mark(
                day=m.date,
                score=m.sentiment_score,
                sentiment=m.sentiment,
                label=mark_label(m),
                href=url(ctx, m.url),
                moment_of_truth=m.moment_of_truth,
            )
            for m in moments
        ]

    @jinja2.pass_context
    def timeline(
        ctx: jinja2.runtime.Context, moments: Iterable[Moment], title: str, year: int | None = None
    ) -> Markup:
        # A year in review spans its whole year, however early its first moment.
        span = {"start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31)} if year else {}
        return charts.timeline_svg(marks(ctx, moments), title=title, **span)

    @jinja2.pass_context
    def emotion_curve(ctx: jinja2.runtime.Context, moments: Iterable[Moment], title: str) -> Markup:
        return charts.emotion_curve_svg(marks(ctx, moments), title=title)

    @jinja2.pass_context
    def sparkline(ctx: jinja2.runtime.Context, moments: Iterable[Moment], title: str) -> Markup:
        # One time range for every customer, so their sparklines compare.
        return charts.sparkline_svg(marks(ctx, moments), start=first, end=last, title=title)

    @jinja2.pass_context
    def keep_rate_bars(
        ctx: jinja2.runtime.Context, rates: Iterable[KeepRate], title: str
    ) -> Markup:
        bars = [
            charts.Bar(
                label=r.label,
                value=r.kept / r.due if r.due else None,
                text=f"{r.percent}% of {r.due}" if r.due else "nothing due",
                href=url(ctx, r.url) if r.url else "",
            )
            for r in rates
        ]
        return charts.bars_svg(bars, title=title)

    def factor_strip(pattern: FactorPattern, largest: int) -> Markup:
        columns = [
            charts.Column(f"Q{q.quarter}", q.counts.negative, q.counts.neutral, q.counts.positive)
            for q in pattern.quarters
        ]
        said = "; ".join(
            f"{q.label}: {q.counts.negative} negative, {q.counts.neutral} neutral or mixed, "
            f"{q.counts.positive} positive"
            for q in pattern.quarters
        )
        return charts.strip_svg(
            columns, largest=largest, title=f"{pattern.name} by quarter: {said}"
        )

    env.globals.update(
        factor_strip=factor_strip,
        timeline=timeline,
        emotion_curve=emotion_curve,
        sparkline=sparkline,
        keep_rate_bars=keep_rate_bars,
        chart_legend=charts.legend_html,
        url=url,
        term=term,
        moment_rows=list_helper(lists.moment_list),
        item_rows=list_helper(lists.item_list),
        promise_rows=list_helper(lists.promise_table),
        site=site,
        config=site.config,
        customers=site.customers,
        moments=site.moments,
        as_of=site.as_of,
        link_style=link_style,
    )
    env.filters["json"] = script_json
    env.filters["counted"] = counted  # {{ n|counted('day') }}: '1 day', '2 days'
    return env


def mark_label(moment: Moment) -> str:
    """A chart mark's accessible name: date, title, sentiment, moment of truth."""
    truth = ", moment of truth" if moment.moment_of_truth else ""
    return f"{moment.when}: {moment.title} ({moment.sentiment}{truth})"


def script_json(value: Any) -> Markup:
    """JSON safe to embed in <script>: '<', '>', '&' and line separators escaped."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    for char, escape in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escape)
    return Markup(text)


def check_templates(
    env: jinja2.Environment, names: Iterable[str], diagnostics: Diagnostics
) -> None:
    """Compile templates without rendering them, to report syntax errors."""
    for name in sorted(names):
        try:
            env.get_template(name)
        except jinja2.TemplateNotFound as exc:
            diagnostics.error("themes", 0, 0, f"template '{exc.name}' not found in the theme")
        except jinja2.TemplateSyntaxError as exc:
            problem = _template_problem(exc, name)
            diagnostics.error(problem.file, problem.line, 0, problem.message)


def render_pages(
    env: jinja2.Environment, pages: list[Page], diagnostics: Diagnostics
) -> Iterator[tuple[Page, str]]:
    """Render every page; a template error is reported once per template, not per page."""
    failed: set[str] = set()
    for page in pages:
        if page.template in failed:
            continue
        try:
            template = env.get_template(page.template)
            html = template.render(page=page, **page.variables())
        except jinja2.TemplateNotFound as exc:
            failed.add(page.template)
            diagnostics.error("themes", 0, 0, f"template '{exc.name}' not found in the theme")
            continue
        except (jinja2.TemplateError, TypeError, AttributeError, KeyError, ValueError) as exc:
            failed.add(page.template)
            problem = _template_problem(exc, page.template)
            diagnostics.error(problem.file, problem.line, 0, problem.message)
            continue
        yield page, html


@dataclass(frozen=True, slots=True)
class ChunkReport:
    """What one chunk of `render_files` did: the problems found, each file written
    (its path, and its identity on disk), and how many of them were pages."""

    problems: list[Diagnostic]
    files: WrittenFiles
    pages: int


def render_files(
    env: jinja2.Environment,
    todo: list[tuple[Page, str]],
    others: Sequence[Callable[[], WrittenFiles]] = (),
) -> Iterator[ChunkReport]:
    """Render each page into its file, and run each other job (files beside the
    pages, each writing its own and returning what it wrote), in parallel.

    Yields what each chunk did. The other jobs and the pages that list the
    whole site are the slowest, so they go first, each in a chunk of its own:
    then no process is left with a long tail, however many there are.
    """
    todo = sorted(todo, key=lambda job: job[0].moments is not None)
    whole_site = sum(page.moments is None for page, _ in todo)
    work = functools.partial(_render_chunk, env, todo, list(others))
    indices = [-1 - i for i in range(len(others))] + list(range(len(todo)))
    for chunk in map_chunks(work, indices, alone=len(others) + whole_site):
        yield from chunk


def _render_chunk(
    env: jinja2.Environment,
    todo: list[tuple[Page, str]],
    others: list[Callable[[], WrittenFiles]],
    indices: Sequence[int],
) -> list[ChunkReport]:
    """Pages `todo[i]` for each i >= 0 in `indices`, and jobs `others[-1 - i]` for i < 0."""
    diagnostics = Diagnostics()
    files: WrittenFiles = []
    paths = {}
    pages = []
    for i in indices:
        if i < 0:
            files += others[-1 - i]()
            continue
        page, path = todo[i]
        paths[page.url] = path
        pages.append(page)
    for page, html in render_pages(env, pages, diagnostics):
        path = paths[page.url]
        files.append((path, write_new(path, html.encode("utf-8"))))
        if len(html) >= BIG_PAGE:
            # Its pieces leave free heap pages that this process would keep, and copy
            # from the other processes as it writes there: 10 ms to give them back at
            # 100,000 moments, 130 MiB less at the build's peak.
            del html
            give_back_freed_memory()
    return [ChunkReport(diagnostics.items, files, len(pages))]


BIG_PAGE = 1 << 20  # characters: at 10,000 moments, the site-wide listings (13 pages)


def _template_problem(exc: Exception, fallback: str) -> TemplateProblem:
    """Find the template and line an error came from in Jinja's rewritten traceback."""
    file, line = f"templates/{fallback}", 0
    if isinstance(exc, jinja2.TemplateSyntaxError):
        file, line = exc.filename or exc.name or file, exc.lineno
    else:
        for frame, lineno in traceback.walk_tb(exc.__traceback__):
            name = frame.f_code.co_filename
            if name.endswith((".html", ".xml", ".txt")):
                file, line = name, lineno
    return TemplateProblem(_display(file), line, f"template error: {type(exc).__name__}: {exc}")


def _display(path: str) -> str:
    """'…/themes/default/templates/x.html' -> 'themes/default/templates/x.html'."""
    parts = Path(path).parts
    if "themes" in parts:
        return "/".join(parts[len(parts) - 1 - parts[::-1].index("themes") :])
    return Path(path).name
