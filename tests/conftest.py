"""Test helpers: tiny sites written inline, and the real CLI run as a user runs it."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_AS_OF = "2026-01-15"
# Debian's Chromium (browsers cannot be downloaded here), started without the
# background networking that this machine's closed network would refuse.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def copy_example(root: Path) -> Path:
    """A copy of the example site (content/ and momentmap.yaml) in root/site, to build or edit."""
    site = root / "site"
    site.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "momentmap.yaml", site / "momentmap.yaml")
    return site


def write_site(root: Path, spec: str) -> Path:
    """Write files from a block of '-- path --' headers each followed by the file's text."""
    current: str | None = None
    lines: list[str] = []

    def flush() -> None:
        if current is not None:
            path = root / current
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("\n".join(lines).strip("\n") + "\n", encoding="utf-8")

    for line in textwrap.dedent(spec).splitlines():
        if line.startswith("-- ") and line.endswith(" --"):
            flush()
            current, lines = line[3:-3].strip(), []
        else:
            lines.append(line)
    flush()
    return root


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_cli(*args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """`python -m momentmap ARGS` in a subprocess, exactly as a user would call it."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "NO_COLOR")}
    full_env["PYTHONPATH"] = str(REPO / "generator")
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "momentmap", *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright, one per test module."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs {CHROMIUM}")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serving(root: Path) -> Iterator[tuple[str, list[str]]]:
    """Python's http.server on `root` in a thread: its origin, and the paths it was asked for."""
    requested: list[str] = []

    class Handler(_QuietHandler):
        def send_head(self) -> Any:
            requested.append(self.path)
            return super().send_head()

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requested
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def build_example(out: Path, *args: str, as_of: str = EXAMPLE_AS_OF) -> Path:
    """The example site in this repository built into `out` (the repository is not written)."""
    run = run_cli("build", "--site", REPO, "--out", out, "--as-of", as_of, *args)
    assert run.code == 0, run.err
    return out


def summary_counts(err: str) -> tuple[int, int | None]:
    """(pages updated, changed files) from build's summary line; (pages, None) when it
    rendered every page and so says only how many it built."""
    found = re.search(r"^Built (\d+) pages .*? into \S+?(?:: (.*))?$", err, re.M)
    assert found, err
    pages, changes = int(found.group(1)), found.group(2)
    if changes is None:
        return pages, None
    if changes == "nothing changed":
        return 0, 0
    counts = re.fullmatch(
        r"(?:(\d+) pages? updated(?: from (\d+) changed files?)?, the rest unchanged"
        r"|no page changed \((\d+) changed files?\))",
        changes,
    )
    assert counts, changes
    updated, read, unchanged_read = counts.groups()
    if updated is None:
        return 0, int(unchanged_read)
    return int(updated), int(read or 0)


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file below root with its bytes, keyed by '/'-separated relative path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return tmp_path / "site"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        help="Rewrite tests/goldens/ from the current output.",
    )


class _Elements(HTMLParser):
    """Every element with its attributes and the text inside it (nested text included)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, [])
        for parent in self.open:
            parent.parts.append(" ")  # a new element starts a new word
        self.found.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.open) - 1, -1, -1):
            if self.open[i].tag == tag:
                del self.open[i:]
                break

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.parts.append(data)


VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parts: list[str]

    @property
    def text(self) -> str:
        return " ".join("".join(self.parts).split())

    def has_class(self, name: str) -> bool:
        return name in self.attrs.get("class", "").split()


def elements(path: Path) -> list[Element]:
    """The parsed elements of an HTML file, in document order."""
    parser = _Elements()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser.found
