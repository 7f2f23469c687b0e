"""The package's layout keeps its promise (docs/architecture.md): stages are packages,
and imports between them go one way, down the pipeline."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "generator" / "momentmap"
# In pipeline order: a stage may import from the stages before it, never after.
STAGES = ["content", "site", "views", "render", "build", "serve", "review"]
# Shared modules at the top may use what every stage uses, and content's value types.
SHARED_MAY_IMPORT = {"content"}


def imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every momentmap import in `path`, inside functions too."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("momentmap."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.ImportFrom) and node.level:
            found.append((node.lineno, "relative"))
    return found


def stage_of(parts: tuple[str, ...]) -> str | None:
    """The stage of a module path inside the package ('site', 'load.py') or None."""
    return parts[0] if len(parts) > 1 and parts[0] in STAGES else None


def stage_of_module(module: str) -> str | None:
    """The stage of 'momentmap.site.load', None for 'momentmap.model'."""
    parts = module.split(".")[1:]
    return parts[0] if parts and parts[0] in STAGES else None


def test_imports_go_one_way_down_the_stages() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        here = stage_of(rel.parts)
        for line, module in imports(path):
            if module == "relative":
                wrong.append(f"{rel}:{line}: relative import (write momentmap.…)")
                continue
            target = stage_of_module(module)
            if target is None:
                continue  # a shared module
            if here is None:
                if rel.name != "cli.py" and target not in SHARED_MAY_IMPORT:
                    wrong.append(f"{rel}:{line}: shared module imports {module}")
            elif STAGES.index(target) > STAGES.index(here):
                wrong.append(f"{rel}:{line}: {here}/ imports the later {module}")
    assert wrong == []


def test_the_model_imports_no_stage() -> None:
    # The records every stage hands on depend on none of them.
    assert [m for _, m in imports(PACKAGE / "model.py") if stage_of_module(m)] == []


def test_every_stage_is_a_package_that_says_what_it_owns() -> None:
    for stage in STAGES:
        init = PACKAGE / stage / "__init__.py"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), stage


def test_no_module_is_much_over_four_hundred_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE)): count
        for path in PACKAGE.rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > 420
    }
    assert long == {}
