"""The Python list helpers (render/lists.py) write exactly what the Jinja macros they
replaced (moment and item lists, the promise table) wrote, for every flag and for hostile text; and a theme can still define
the macros itself."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from conftest import REPO, run_cli, write_site

from momentmap.build.plan import BuildOptions, plan_build, site_config
from momentmap.cache import Store
from momentmap.diagnostics import Diagnostics
from momentmap.site.reads import Reads
from momentmap.views.insights import items, promise_refs

# The macros as the default theme had them before the helpers took over.
JINJA_MACROS = """\
{% macro moment_list(items, show_customer=true) -%}
<ol class="moment-list">
{% for m in items %}
  <li class="moment-row{% if m.moment_of_truth %} truth{% endif %}">
    <time datetime="{{ m.when.iso }}">{{ m.when }}</time>
    <a class="moment-title" href="{{ url(m.url) }}">{{ m.title }}</a>
{% if show_customer %}
    <a class="customer-name" href="{{ url(customers[m.customer].url) }}">{{ customers[m.customer].name }}</a>
{% endif %}
    <span class="meta"><span class="sentiment s{{ m.sentiment_score + 2 }}{% if m.sentiment == 'mixed' %} mixed{% endif %}">{{ m.sentiment }}</span>{% if m.type %} <span class="tag">{{ m.type }}</span>{% endif %}{% if m.moment_of_truth %} <span class="tag truth-tag">moment of truth</span>{% endif %}</span>
  </li>
{% endfor %}
</ol>
{%- endmacro %}
{% macro item_list(refs, show_customer=false, show_age=false, check=false) -%}
<ul class="item-list">
{% for ref in refs %}
  <li{% if check %} class="{{ 'clarified' if ref.item.clarified else 'open' }}"{% endif %}>
{% if check %}<span class="check">{{ 'Clarified' if ref.item.clarified else 'Open' }}</span>{% endif %}
    <div class="item-text">{{ ref.item.html|safe }}</div>
    <p class="item-source">{% if show_customer %}{{ customers[ref.moment.customer].name }} · {% endif %}<a href="{{ url(ref.moment.url) }}">{{ ref.moment.title }}</a>, <time datetime="{{ ref.moment.when.iso }}">{{ ref.moment.when }}</time>{% if show_age and not ref.item.clarified %} · {{ ref.age_days|counted('day') }} open{% endif %}</p>
  </li>
{% endfor %}
</ul>
{%- endmacro %}
{% macro promise_table(refs, show_customer=true, show_moment=true) -%}
{# Rows come sorted by due date. On a phone each row is a block with labelled cells (data-label). #}
<div class="table-wrap">
<table class="promises stack">
  <thead><tr><th scope="col">Promise</th>{% if show_customer %}<th scope="col">Customer</th>{% endif %}<th scope="col">Due</th><th scope="col">Kept</th><th scope="col">Status</th>{% if show_moment %}<th scope="col">Moment</th>{% endif %}</tr></thead>
  <tbody>
{% for ref in refs %}
    <tr>
      <td class="promise-text">{{ ref.promise.promise }}{% if ref.promise.by %}<span class="owner">by {{ ref.promise.by }}</span>{% endif %}</td>
{% if show_customer %}      <td data-label="Customer"><a href="{{ url(customers[ref.moment.customer].url) }}">{{ customers[ref.moment.customer].name }}</a></td>
{% endif %}
      <td class="short" data-label="Due">{% if ref.promise.due %}<time class="when" datetime="{{ ref.promise.due.iso }}">{{ ref.promise.due }}</time>{% if ref.promise.within %} <span class="muted">within {{ ref.promise.within }}</span>{% endif %}{% else %}—{% endif %}</td>
      <td class="short" data-label="Kept">{% if ref.promise.kept %}<time class="when" datetime="{{ ref.promise.kept.iso }}">{{ ref.promise.kept }}</time>{% else %}—{% endif %}</td>
      <td class="short status-cell" data-label="Status"><span class="status status-{{ ref.status }}">{{ {'open': 'open', 'overdue': 'overdue', 'kept': 'kept on time', 'late': 'kept late', 'broken': 'broken'}[ref.status] }}</span>{% if ref.late_text %} <span class="late">by {{ ref.late_text }}</span>{% endif %}</td>
{% if show_moment %}      <td data-label="Moment"><a href="{{ url(ref.moment.url) }}">{{ ref.moment.title }}</a></td>
{% endif %}
    </tr>
{% endfor %}
  </tbody>
</table>
</div>
{%- endmacro %}
"""

HOSTILE = """
-- content/customers/evil.md --
---
name: "Evil <b>&</b> \\"Co\\""
---
-- content/moments/evil/2025-01-02-x.md --
---
title: "<script>alert(1)</script> & 'quotes' \\"too\\""
date: 2025-01-02 10:00
customer: "Evil <b>&</b> \\"Co\\""
type: courageous
sentiment: mixed
moment_of_truth: true
promises:
  - {promise: "<i>Call</i> & \\"back\\"", due: 2025-01-03 09:00, kept: 2025-01-03 11:30, by: "O'Brien <x>"}
  - {promise: Send it, within: 48h}
  - {promise: Never, due: 2025-01-05, kept: false}
---
## Learnings
- A *learning* with <b>tags</b> & ampersands.

## Assumptions
- [ ] Open one.
- [x] Clarified one.
"""


@pytest.fixture(scope="module", params=["example", "hostile"])
def plan(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp(request.param)
    if request.param == "example":
        shutil.copytree(REPO / "content", root / "content")
        shutil.copy(REPO / "momentmap.yaml", root / "momentmap.yaml")
    else:
        write_site(root, HOSTILE)
    options = BuildOptions(as_of=dt.date(2025, 12, 1))
    diagnostics = Diagnostics()
    config = site_config(root, options, diagnostics)
    made = plan_build(root, config, options, diagnostics, reads=Reads(Store(None, "moments")))
    assert made is not None, diagnostics.sorted()
    return made


@pytest.mark.parametrize("page_url", ["", "customers/acme/2024/", "moments/evil/x/"])
def test_the_helpers_write_what_the_jinja_macros_wrote(plan, page_url: str) -> None:  # type: ignore[no-untyped-def]
    moments = sorted(plan.site.moments.values(), key=lambda m: m.sort_key())
    refs = items(moments, "learnings", plan.site.as_of) + items(
        moments, "assumptions", plan.site.as_of
    )
    assert moments and refs
    promises = promise_refs(moments, plan.site.as_of)
    assert promises
    page = type("P", (), {"url": page_url})()
    calls = [
        f"promise_table(promises, {c}, {m})" for c in ("true", "false") for m in ("true", "false")
    ]
    calls += ["moment_list(moments, true)", "moment_list(moments, false)"] + [
        f"item_list(refs, {c}, {a}, {k})"
        for c in ("true", "false")
        for a in ("true", "false")
        for k in ("true", "false")
    ]
    for call in calls:
        name = call.split("(")[0]
        body = "{% from '_macros.html' import " + name + " with context %}{{ " + call + " }}"
        old = plan.env.from_string(JINJA_MACROS + "{{ " + call + " }}")
        new = plan.env.from_string(body)
        variables = {"page": page, "moments": moments, "refs": refs, "promises": promises}
        assert new.render(**variables) == old.render(**variables), call


def test_a_theme_can_still_write_the_list_in_jinja(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "momentmap.yaml", site / "momentmap.yaml")
    (site / "momentmap.yaml").write_text(
        (site / "momentmap.yaml").read_text() + "\ntheme: mine\n", encoding="utf-8"
    )
    own = (REPO / "themes/default/templates/_macros.html").read_text(encoding="utf-8")
    start = own.index("{% macro moment_list(")
    end = own.index("{%- endmacro %}", start) + len("{%- endmacro %}")
    mine = (
        own[:start]
        + (
            "{% macro moment_list(items, show_customer=true) -%}"
            '<ol class="mine">{% for m in items %}<li>{{ m.title }}</li>{% endfor %}</ol>'
            "{%- endmacro %}"
        )
        + own[end:]
    )
    templates = site / "themes" / "mine" / "templates"
    templates.mkdir(parents=True)
    (templates / "_macros.html").write_text(mine, encoding="utf-8")
    run = run_cli("build", "--site", site, "--as-of", "2025-12-01")
    assert run.code == 0, run.err
    page = (site / "public" / "customers" / "brandt-vogel" / "2024" / "index.html").read_text()
    assert '<ol class="mine"><li>Renewal call went sideways</li>' in page
