"""Rendering helpers that templates rely on."""

from __future__ import annotations

import datetime as dt
import json
from functools import partial
from pathlib import Path

import pytest
from conftest import copy_example

from momentmap.build.plan import BuildOptions, plan_build, site_config
from momentmap.cache import Store
from momentmap.diagnostics import Diagnostics
from momentmap.files import WrittenFiles, write_new
from momentmap.render.environment import render_files, script_json
from momentmap.site.reads import Reads


def test_script_json_cannot_close_the_script_element() -> None:
    value = {
        "title": "</script><script>alert(1)</script>",
        "note": "<!-- x -->",
        "amp": "a&b",
        "ls": "\u2028",
    }
    text = str(script_json(value))
    assert "</" not in text and "<!--" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value  # still the same data


def test_each_page_that_lists_the_whole_site_and_each_other_job_is_a_chunk_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They are the slowest: together in one chunk, one process would render them all
    while the others wait, and a build could not use many cores."""
    monkeypatch.setenv("MOMENTMAP_JOBS", "2")
    site = copy_example(tmp_path)
    options = BuildOptions(as_of=dt.date(2025, 12, 1))
    diagnostics = Diagnostics()
    config = site_config(site, options, diagnostics)
    plan = plan_build(site, config, options, diagnostics, reads=Reads(Store(None, "moments")))
    assert plan is not None, diagnostics.sorted()
    out = tmp_path / "out"
    out.mkdir()
    todo = [(page, str(out / f"{i}.html")) for i, (page, _) in enumerate(plan.pages.values())]
    whole_site = sum(page.moments is None for page, _ in todo)
    assert 10 < whole_site < len(todo) - 64  # enough of both kinds to tell them apart

    def other(name: str) -> WrittenFiles:
        return [(name, write_new(out / name, b"x"))]

    others = [partial(other, f"other-{i}.txt") for i in range(3)]
    reports = list(render_files(plan.env, todo, others))

    assert not diagnostics.items and not any(report.problems for report in reports)
    assert [len(r.files) for r in reports[:3]] == [1, 1, 1]
    assert [r.pages for r in reports[:3]] == [0, 0, 0]
    assert [r.pages for r in reports[3 : 3 + whole_site]] == [1] * whole_site
    assert max(r.pages for r in reports[3 + whole_site :]) > 1  # the rest, in chunks
    assert sum(r.pages for r in reports) == len(todo)
    assert len(list(out.iterdir())) == len(todo) + 3
