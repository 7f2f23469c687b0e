"""The reflection views computed right: dashboard rules, keep rates, ages,
journey cells and chain breaks, groupings; empty and single-moment sites."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import Element, elements, run_cli, write_site

AS_OF = "2025-06-30"

SITE = """
-- momentmap.yaml --
title: Views
recent_days: 30
quiet_days: 90
-- content/customers/acme.md --
---
name: Acme
---
-- content/customers/globex.md --
---
name: Globex
---
-- content/customers/initech.md --
---
name: Initech
---
-- content/moments/acme/a1.md --
---
title: Acme kickoff
date: 2025-01-10
customer: Acme
type: satisfying
stage: onboarding
sentiment: positive
moment_of_truth: true
people: [Dana]
tags: [launch]
promises:
  - {promise: Send plan, due: 2025-01-12, kept: 2025-01-11}
  - {promise: Send deck, due: 2025-01-12, kept: 2025-01-15}
---
Text.

## Learnings
- Kickoffs work.

## Assumptions
- [ ] They have budget.
- [x] IT is on board.
-- content/moments/acme/a2.md --
---
title: Acme outage
date: 2025-06-20
customer: Acme
type: regretful
stage: adoption
sentiment: very negative
moment_of_truth: true
people: [Dana, Lee]
tags: [launch, outage]
promises:
  - {promise: Root cause, due: 2025-06-25}
  - {promise: Credit note, due: 2025-07-30}
  - {promise: Call back, due: 2025-06-21, kept: false}
---
Down for a day.

## Learnings
- Monitor better.

## Plan
- Add a status page.
-- content/moments/globex/g1.md --
---
title: Globex demo
date: 2025-02-01
customer: Globex
type: competitor
stage: evaluation
sentiment: negative
moment_of_truth: true
people: [Lee]
---
Lost the demo.

## Assumptions
- [ ] They compare on price.
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("views")
    write_site(root / "site", SITE)
    result = run_cli("build", "--site", root / "site", "--out", root / "out", "--as-of", AS_OF)
    assert result.code == 0, result.err
    return root / "out"


def section(page: list[Element], heading_id: str) -> str:
    """The text of the <section> labelled by the heading with this id."""
    (found,) = [
        e for e in page if e.tag == "section" and e.attrs.get("aria-labelledby") == heading_id
    ]
    return found.text


def test_dashboard_flags_at_risk_and_quiet_customers(out: Path) -> None:
    page = elements(out / "index.html")
    # Acme: a very negative moment of truth 10 days before as-of; Globex's was 149 days ago
    assert "Acme" in section(page, "_at-risk") and "Globex" not in section(page, "_at-risk")
    # Globex last moment 2025-02-01 = 149 days; Initech has no moments at all
    quiet = section(page, "_quiet")
    assert "Globex: no moment for 149 days" in quiet and "Acme" not in quiet
    assert "Acme outage" in section(page, "_recent") and "Globex demo" not in section(
        page, "_recent"
    )
    counts = {e.text for e in page if e.tag == "li" and e.parts and "overdue promises" in e.text}
    assert counts == {"1 overdue promises"}


def test_open_assumptions_show_their_age_oldest_first(out: Path) -> None:
    page = elements(out / "assumptions/index.html")
    items = [
        e.text
        for e in page
        if e.tag == "p" and e.has_class("item-source") and "days open" in e.text
    ]
    assert items == [
        "Acme kickoff, 2025-01-10 · 171 days open",
        "Globex demo, 2025-02-01 · 149 days open",
    ]


def test_keep_rates_per_customer_and_person(out: Path) -> None:
    page = elements(out / "promises/index.html")
    rows = {r.text for r in page if r.tag == "tr" and r.parts}
    # Acme: kept on time 1, late 1, broken 1, overdue 1 (credit note is not due yet) -> 1 of 4
    # … and the median time from promising to keeping, of the two kept
    assert "Acme 1 1 1 1 25% of 4 1 day" in rows
    assert "Dana 1 1 1 1 25% of 4 1 day" in rows  # Dana was in both Acme moments
    assert "Lee 0 0 1 1 0% of 2 —" in rows  # kept none
    lead = next(e.text for e in page if e.tag == "p" and e.has_class("lead"))
    assert lead == (
        "25% of the 4 promises that are due were kept on time. Keeping one took 1 day (the median)."
    )
    statuses = [e.text for e in page if e.tag == "span" and e.has_class("status")]
    assert sorted(statuses) == ["broken", "kept late", "kept on time", "open", "overdue"]


def test_journey_cells_count_and_link_to_their_moments(out: Path) -> None:
    page = elements(out / "journey/index.html")
    links = {
        a.attrs["href"]: a.text
        for a in page
        if a.tag == "a" and a.attrs.get("href", "").startswith("adoption/")
    }
    assert links == {"adoption/very-negative/index.html": "1"}
    cell = elements(out / "journey/adoption/very-negative/index.html")
    assert [a.text for a in cell if a.tag == "a" and a.has_class("moment-title")] == ["Acme outage"]
    breaks = section(page, "_breaks")
    assert "adoption: 1 of 2 moments of truth were negative" not in breaks  # one per stage
    assert "adoption: 1 of 1 moments of truth were negative" in breaks
    assert "Acme: Acme outage" in breaks and "Globex: Globex demo" in breaks


def test_reflections_regroup_by_type_stage_and_tag(out: Path) -> None:
    by_tag = elements(out / "learnings/by-tag/index.html")
    headings = [h.text for h in by_tag if h.tag == "h2"]
    # 'Monitor better' is under both of its moment's tags; 'Kickoffs work' under launch
    assert headings == ["launch 2", "outage 1"]
    by_stage = elements(out / "learnings/by-stage/index.html")
    assert [h.text for h in by_stage if h.tag == "h2"] == ["onboarding 1", "adoption 1"]
    plans = elements(out / "plans/by-type/index.html")
    assert [h.text for h in plans if h.tag == "h3"] == ["regretful 1"]
    current = [a.text for a in by_tag if a.tag == "a" and a.attrs.get("aria-current") == "page"]
    assert "Tag" in current


def test_customer_page_calls_out_peak_and_latest(out: Path) -> None:
    page = elements(out / "customers/acme/index.html")
    cards = [e.text for e in page if e.tag == "div" and e.has_class("card")]
    assert cards[0].startswith("Peak moment Acme outage")
    assert cards[1].startswith("Latest moment Acme outage")


def test_year_in_review_holds_that_year_only(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "site",
        SITE
        + """
-- content/moments/acme/old.md --
---
title: Last year's call
date: 2024-11-02
customer: Acme
---
## Assumptions
- [x] Old and clarified.
""",
    )
    assert run_cli("build", "--site", site, "--out", tmp_path / "out", "--as-of", AS_OF).code == 0
    page = elements(tmp_path / "out/customers/acme/2025/index.html")
    titles = [a.text for a in page if a.tag == "a" and a.has_class("moment-title")]
    assert "Last year's call" not in titles and "Acme outage" in titles
    checks = [e.text for e in page if e.tag == "span" and e.has_class("check")]
    assert checks == ["Open", "Clarified"]  # open first
    assert (tmp_path / "out/customers/acme/2024/index.html").is_file()


def test_empty_site_builds_every_page(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "site", "-- momentmap.yaml --\ntitle: Empty\n-- content/.keep --\n"
    )
    result = run_cli("build", "--site", site, "--out", tmp_path / "out", "--as-of", AS_OF)
    assert result.code == 0, result.err
    for page in (
        "index.html",
        "customers/index.html",
        "learnings/index.html",
        "journey/index.html",
        "promises/index.html",
    ):
        assert (tmp_path / "out" / page).is_file(), page
    assert "No moments in the last 30 days." in (tmp_path / "out/index.html").read_text()


def test_single_moment_site(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "site",
        "-- content/moments/solo.md --\n---\ntitle: Only one\ndate: 2025-06-01\ncustomer: Solo Ltd\n---\nHi.\n",
    )
    result = run_cli("build", "--site", site, "--out", tmp_path / "out", "--as-of", AS_OF)
    assert result.code == 0, result.err
    page = elements(tmp_path / "out/customers/solo-ltd/index.html")
    assert [e.text for e in page if e.tag == "h1"] == ["Solo Ltd"]
    assert (tmp_path / "out/customers/solo-ltd/2025/index.html").is_file()


def test_alternative_views_show_a_limited_number_per_group(tmp_path: Path) -> None:
    moments = "".join(
        f"-- content/moments/m{n:02}.md --\n---\ntitle: M{n}\ndate: 2025-01-{n:02}\ncustomer: Acme\ntags: [busy]\n---\n"
        f"## Learnings\n- Lesson {n}.\n"
        for n in range(1, 26)
    )
    site = write_site(tmp_path / "site", moments)
    assert run_cli("build", "--site", site, "--out", tmp_path / "out", "--as-of", AS_OF).code == 0
    main = elements(tmp_path / "out/learnings/index.html")
    assert len([e for e in main if e.tag == "div" and e.has_class("item-text")]) == 25
    by_tag = elements(tmp_path / "out/learnings/by-tag/index.html")
    shown = [e.text for e in by_tag if e.tag == "div" and e.has_class("item-text")]
    assert shown[:2] == ["Lesson 25.", "Lesson 24."] and len(shown) == 20
    assert any(e.text.startswith("The 20 newest of 25;") for e in by_tag if e.tag == "p")
    assert [h.text for h in by_tag if h.tag == "h2"] == ["busy 25"]
