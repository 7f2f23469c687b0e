"""The reflection exercise (SPEC 8) through the real CLI: stories to share and plan
items with a done state and a due quarter or date, in `check`, `schema` and
moments.json."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import run_cli, write_site

SITE = """
-- content/customers/acme.md --
---
name: Acme Corp
---
-- content/moments/acme/2024-11-10-renewal.md --
---
title: Renewal call
date: 2024-11-10
customer: Acme Corp
share: true
---
It went well.

## Plan

- [x] Q1: Kick off the pilot
- [ ] by 2025-06-30: Budget signed
- Train the admins
"""


def test_share_and_plan_items_reach_moments_json(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    run = run_cli("build", "--site", site, "--as-of", "2024-12-01")
    assert run.code == 0, run.err
    data = json.loads((site / "public" / "moments.json").read_text(encoding="utf-8"))
    (moment,) = data["moments"]
    assert moment["share"] is True
    assert moment["plan"] == [
        {"text": "Kick off the pilot", "done": True, "due": "2025-Q1"},
        {"text": "Budget signed", "done": False, "due": "2025-06-30"},
        {"text": "Train the admins", "done": False, "due": None},
    ]


FILE = "content/moments/acme/2024-11-10-renewal.md"


def test_check_places_a_bad_plan_prefix(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE.replace("- Train", "- Q5: Train"))
    run = run_cli("check", "--site", site)
    assert run.code == 1
    assert run.err.splitlines()[0] == (
        f"{FILE}:13:3: error: a plan item's quarter is Q1 to Q4, not 'Q5'"
    )


def test_check_places_a_bad_share(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE.replace("share: true", "share: sometimes"))
    run = run_cli("check", "--site", site)
    assert run.code == 1
    assert run.err.splitlines()[0] == (
        f"{FILE}:5:8: error: share must be true or false, not 'sometimes'"
    )


def test_the_schema_describes_share() -> None:
    run = run_cli("schema")
    assert run.code == 0
    share = json.loads(run.out)["properties"]["share"]
    assert share["type"] == "boolean"


PROMISES = """
-- content/customers/acme.md --
---
name: Acme Corp
---
-- content/moments/acme/2024-11-10-escalation.md --
---
title: Escalation call
date: 2024-11-10 09:30
customer: Acme Corp
people: [Dana Smith]
promises:
  - {promise: Call back, within: 24h, kept: 2024-11-11 09:00}
  - {promise: Send the deck by 5 pm, due: 2024-11-12 17:00, kept: 2024-11-12 17:01, by: Lee Wong}
  - {promise: A quote, within: 3d, by: Lee Wong}
---
Tense.
"""


def test_promises_have_times_durations_and_owners(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", PROMISES)
    run = run_cli("build", "--site", site, "--as-of", "2024-12-01")
    assert run.code == 0, run.err
    data = json.loads((site / "public" / "moments.json").read_text(encoding="utf-8"))
    promises = data["moments"][0]["promises"]
    assert [(p["due"], p["kept"], p["status"], p["by"]) for p in promises] == [
        ("2024-11-11T09:30", "2024-11-11T09:00", "kept", None),
        ("2024-11-12T17:00", "2024-11-12T17:01", "late", "Lee Wong"),
        ("2024-11-13T09:30", None, "overdue", "Lee Wong"),
    ]
    page = (site / "public" / "promises" / "index.html").read_text(encoding="utf-8")
    assert "kept late</span> (1 minute)" in page
    assert "overdue</span> (18 days)" in page


@pytest.mark.parametrize(
    ("promise", "place", "message"),
    [
        (
            "{promise: Call back, within: 24 hours}",
            (7, 34),
            "within must be a duration such as 24h, 3d or 2w, not '24 hours' (did you mean 24h?)",
        ),
        (
            "{promise: Call back, due: 2024-11-11, within: 24h}",
            (7, 43),
            "a promise has a due date or a 'within' duration, not both",
        ),
        (
            "{promise: Call back, due: 2024-11-11 25:00}",
            (7, 31),
            "due must be a date YYYY-MM-DD, optionally with ' HH:MM' (e.g. 2023-03-14 or "
            "2023-03-14 09:30), not '2024-11-11 25:00'",
        ),
    ],
)
def test_check_places_a_bad_promise(
    tmp_path: Path, promise: str, place: tuple[int, int], message: str
) -> None:
    spec = PROMISES.replace(
        "  - {promise: Call back, within: 24h, kept: 2024-11-11 09:00}", f"  - {promise}"
    )
    site = write_site(tmp_path / "site", spec)
    run = run_cli("check", "--site", site)
    assert run.code == 1
    file = "content/moments/acme/2024-11-10-escalation.md"
    assert run.err.splitlines()[0] == f"{file}:{place[0]}:{place[1]}: error: {message}"


def test_an_anonymized_build_hides_promise_owners(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", PROMISES)
    run = run_cli("build", "--site", site, "--as-of", "2024-12-01", "--anonymize")
    assert run.code == 0, run.err
    published = "".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in (site / "public").rglob("*")
        if path.is_file()
    )
    assert "Lee" not in published and "Wong" not in published
    data = json.loads((site / "public" / "moments.json").read_text(encoding="utf-8"))
    assert [p["by"] for p in data["moments"][0]["promises"]][1:] == ["Person 2", "Person 2"]


def test_keep_rates_per_person_count_owners_when_given(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", PROMISES)
    run = run_cli("build", "--site", site, "--as-of", "2024-12-01")
    assert run.code == 0, run.err
    page = (site / "public" / "promises" / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', page)
    people = {
        re.sub(r"<[^>]+>", "", who): re.findall(r"<td>(.*?)</td>", cells) for who, cells in rows
    }
    # Dana is on the moment and answers for the promise without an owner (kept on
    # time); Lee owns the other two (one late, one overdue) and is on no moment.
    assert people["Dana Smith"] == ["1", "0", "0", "0", "100% of 1"]
    assert people["Lee Wong"] == ["0", "1", "0", "1", "0% of 2"]
