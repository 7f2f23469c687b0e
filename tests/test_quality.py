"""The example site checked by real tools: the W3C Nu HTML checker, axe-core, and a phone's width.

SPEC §4: pages pass the W3C HTML checker, meet WCAG 2.1 AA, suit phone and
desktop, and follow the reader's dark or light preference.

- One build of the example site, one validator JVM over the whole output
  (every HTML page, plus the standalone SVG and CSS files), one browser.
- axe-core runs on the dashboard, a customer, a moment, a year in review, the
  journey, the promises, the stories, a customer's plan and the factors, in light and dark, at 1280 and 390 px; violations
  of impact "serious" or "critical" fail.
- Screenshots of those pages go to tests/artifacts/ (git-ignored).
- No page scrolls sideways at 390 px (a table may, inside its .table-wrap).

The checkers live in .tools/ (git-ignored), installed by `scripts/tools`, which
`scripts/check` runs first. Without them the tests skip locally and fail in CI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, EXAMPLE_AS_OF, REPO, run_cli

TOOLS = REPO / ".tools" / "node_modules"
VNU_JAR = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = TOOLS / "axe-core" / "axe.min.js"
ARTIFACTS = REPO / "tests" / "artifacts"
PHONE, DESKTOP = 390, 1280
SCHEMES = ("light", "dark")
FAILING_IMPACTS = ("serious", "critical")


def need(ok: bool, what: str) -> None:
    """A missing checker fails the test in CI, and skips it (saying what to do) elsewhere."""
    if ok:
        return
    message = f"{what} is missing: run scripts/tools"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI must run every quality check)", pytrace=False)
    pytest.skip(message)


# --- the one build -------------------------------------------------------------------------


@dataclass
class Build:
    out: Path
    vnu: subprocess.Popen[str] | None = None

    def page(self, rel: str) -> Path:
        return self.out / rel


def vnu_command(out: Path) -> list[str]:
    return [
        "java",
        "-jar",
        str(VNU_JAR),
        "--format",
        "json",
        "--stdout",
        "--exit-zero-always",
        "--skip-non-html",  # HTML pages only, not moments.json ...
        "--also-check-svg",  # ... but the standalone .svg files too (favicon, attachments)
        "--also-check-css",  # ... and the theme's stylesheet
        str(out),
    ]


def have_vnu() -> bool:
    return VNU_JAR.is_file() and shutil.which("java") is not None


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    """The example site, built once; the validator starts at once and runs beside the browser."""
    out = tmp_path_factory.mktemp("quality") / "out"
    run = run_cli("build", "--site", REPO, "--out", out, "--as-of", EXAMPLE_AS_OF)
    assert run.code == 0, run.err
    result = Build(out)
    if have_vnu():
        result.vnu = subprocess.Popen(
            vnu_command(out), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    yield result
    if result.vnu is not None and result.vnu.poll() is None:
        result.vnu.kill()
        result.vnu.communicate()


@dataclass
class Pages:
    """Pages of the build, by the name used in screenshots and messages."""

    checked: dict[str, str] = field(default_factory=dict)  # axe + screenshots
    every_type: dict[str, str] = field(default_factory=dict)  # sideways-scroll check


@pytest.fixture(scope="module")
def pages(build: Build) -> Pages:
    data = json.loads(build.page("moments.json").read_text(encoding="utf-8"))
    moments = data["moments"]
    # The customer with the most moments, its longest moment and its busiest year:
    # the longest pages are the likeliest to break.
    by_customer = Counter(m["customer"] for m in moments)
    customer = max(data["customers"], key=lambda c: (by_customer[c["slug"]], c["slug"]))
    own = [m for m in moments if m["customer"] == customer["slug"]]
    moment = max(own, key=lambda m: (len(m.get("text", "")), m["id"]))
    year = Counter(m["date"][:4] for m in own).most_common(1)[0][0]
    year_url = f"{customer['url']}{year}/"
    assert build.page(year_url + "index.html").is_file(), f"no year in review at {year_url}"

    checked = {
        "dashboard": "index.html",
        "customer": customer["url"] + "index.html",
        "moment": moment["url"] + "index.html",
        "year": year_url + "index.html",
        "journey": "journey/index.html",
        "promises": "promises/index.html",
        "stories": "stories/index.html",
        "plan": customer["url"] + "plan/index.html",
        "factors": "factors/index.html",
    }
    every_type = dict(checked)
    for section in (
        "customers",
        "learnings",
        "differently",
        "assumptions",
        "plans",
        "types",
        "stages",
        "tags",
        "factors",
        "people",
        "search",
    ):
        if build.page(f"{section}/index.html").is_file():
            every_type[section] = f"{section}/index.html"
    for section in ("plans", "types", "stages", "tags", "factors", "people"):
        # One page of each kind below a section: the biggest, as the likeliest to be too wide.
        subs = sorted(build.page(section).glob("*/index.html"))
        if subs:
            sub = max(subs, key=lambda p: p.stat().st_size)
            every_type[f"{section}/{sub.parent.name}"] = sub.relative_to(build.out).as_posix()
    every_type["404"] = "404.html"
    return Pages(checked, every_type)


# --- the browser ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    need(Path(CHROMIUM).exists(), CHROMIUM + " (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "playwright (pip install -e '.[test]')")
        raise
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


AXE_RUN = """async () => {
    const results = await axe.run(document, {resultTypes: ['violations']});
    return results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map(n => ({
            target: n.target.map(String).join(' '), impact: n.impact,
            summary: n.failureSummary || ''}))}));
}"""


@pytest.mark.parametrize("width", [DESKTOP, PHONE])
@pytest.mark.parametrize("scheme", SCHEMES)
def test_axe_finds_no_serious_violations(
    browser: Any, build: Build, pages: Pages, scheme: str, width: int
) -> None:
    """axe-core on each checked page; screenshots of the same view go to tests/artifacts/."""
    need(AXE_JS.is_file(), f"axe-core ({AXE_JS.relative_to(REPO)})")
    ARTIFACTS.mkdir(exist_ok=True)
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, bypass_csp=True
    )
    page = context.new_page()
    failures: list[str] = []
    lesser: Counter[str] = Counter()
    try:
        for name, rel in pages.checked.items():
            page.goto(build.page(rel).as_uri())
            suffix = "" if scheme == "light" else "-dark"
            page.screenshot(path=ARTIFACTS / f"{name}-{width}{suffix}.png", full_page=True)
            page.add_script_tag(path=AXE_JS)
            for v in page.evaluate(AXE_RUN):
                if v["impact"] not in FAILING_IMPACTS:
                    lesser[f"{v['impact']} {v['id']} on {name}"] += len(v["nodes"])
                    continue
                failures.append(
                    f"- {v['id']} ({v['impact']}) on {name} [{rel}]: {v['help']}"
                    f"\n    {v['helpUrl']}"
                )
                for node in v["nodes"][:8]:
                    detail = node["summary"].replace("\n", " ")
                    failures.append(f"    {node['target']}\n      {detail}")
                if len(v["nodes"]) > 8:
                    failures.append(f"    … and {len(v['nodes']) - 8} more")
    finally:
        context.close()
    if lesser:
        print(f"\naxe, {scheme} {width}px, not failing:")
        for what, count in sorted(lesser.items()):
            print(f"  {count:3}x {what}")
    assert not failures, f"axe violations, {scheme} scheme, {width}px:\n" + "\n".join(failures)


# Elements whose right edge passes the viewport, outside any element that scrolls or clips.
WIDE_ELEMENTS = """(limit) => {
    const clips = el => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
            if (['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(p).overflowX))
                return true;
        }
        return false;
    };
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.right > limit + 0.5 && r.width > 0 && !clips(el)) {
            const cls = el.classList.length ? '.' + [...el.classList].join('.') : '';
            wide.push(`${el.tagName.toLowerCase()}${cls} right=${Math.round(r.right)}`);
        }
    }
    return wide.slice(0, 5);
}"""


def test_no_page_scrolls_sideways_on_a_phone(browser: Any, build: Build, pages: Pages) -> None:
    context = browser.new_context(viewport={"width": PHONE, "height": 900})
    page = context.new_page()
    too_wide: dict[str, str] = {}
    try:
        for name, rel in pages.every_type.items():
            page.goto(build.page(rel).as_uri())
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE:
                culprits = ", ".join(page.evaluate(WIDE_ELEMENTS, PHONE)) or "?"
                too_wide[name] = f"{rel}: scrollWidth {width} — {culprits}"
    finally:
        context.close()
    assert len(pages.every_type) >= 15
    assert not too_wide, "pages wider than a phone:\n" + "\n".join(
        f"- {name}: {why}" for name, why in too_wide.items()
    )


# --- W3C Nu HTML checker (last: it has been running beside the browser tests) -----------


def vnu_where(url: str, out: Path) -> str:
    path = Path(url2pathname(urlsplit(url).path))
    try:
        return path.relative_to(out).as_posix()
    except ValueError:
        return url


def test_w3c_checker_finds_no_errors(build: Build) -> None:
    need(have_vnu(), f"the W3C Nu HTML checker ({VNU_JAR.relative_to(REPO)} and java)")
    assert build.vnu is not None
    stdout, stderr = build.vnu.communicate(timeout=600)
    assert build.vnu.returncode == 0, f"vnu.jar exited {build.vnu.returncode}:\n{stderr}"
    try:
        report = json.loads(stdout)
    except json.JSONDecodeError:
        pytest.fail(f"vnu.jar printed no JSON report:\n{stdout[:2000]}\n{stderr[:2000]}")

    checked = sum(1 for p in build.out.rglob("*") if p.suffix in (".html", ".svg", ".css"))
    errors: dict[str, list[str]] = defaultdict(list)  # message -> ["file:line", ...]
    others: Counter[str] = Counter()
    for m in report["messages"]:
        where = f"{vnu_where(m.get('url', '?'), build.out)}:{m.get('lastLine', '?')}"
        kind = m.get("subType", m["type"]) if m["type"] == "info" else m["type"]
        if m["type"] in ("error", "non-document-error"):
            errors[m["message"]].append(where)
        else:
            others[f"{kind}: {m['message']}"] += 1

    print(
        f"\nW3C Nu checker {report.get('version')}: {checked} files, "
        f"{sum(map(len, errors.values()))} errors, {sum(others.values())} warnings/info"
    )
    for message, count in others.most_common():
        print(f"  {count:4}x {message}")

    lines = []
    for message, where in sorted(errors.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        where.sort()
        files = {w.rsplit(":", 1)[0] for w in where}
        shown = ", ".join(where[:5]) + (f", … {len(where) - 5} more" if len(where) > 5 else "")
        lines.append(f"- {message}\n    {len(where)}x in {len(files)} file(s): {shown}")
    assert not errors, "W3C Nu checker errors:\n" + "\n".join(lines)
