"""Test helpers: tiny sites written inline, and the real CLI run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_AS_OF = "2026-01-15"


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


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file below root with its bytes, keyed by '/'-separated relative path."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return tmp_path / "site"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-goldens", action="store_true", help="Rewrite tests/goldens/ from the current output.")
