"""Small golden pages: a moment and a customer of a two-moment site.

Review changes with `git diff tests/goldens/`; rewrite them with
`pytest tests/test_goldens.py --update-goldens`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli, write_site

GOLDENS = Path(__file__).parent / "goldens"

SITE = """
-- momentmap.yaml --
title: Golden
-- content/customers/acme.md --
---
name: Acme Corp
owner: Dana
segment: Enterprise
since: 2022-05-01
---
Makes *anvils*.
-- content/moments/acme/2024-01-10-kickoff.md --
---
title: Kickoff
date: 2024-01-10
customer: Acme Corp
type: satisfying
sentiment: positive
stage: onboarding
people: [Dana]
tags: [launch]
---
We met the team.
-- content/moments/acme/2024-03-14-renewal.md --
---
title: Renewal <call>
date: 2024-03-14 09:30
customer: Acme Corp
type: regretful
sentiment: negative
stage: renewal
moment_of_truth: true
factors: [quota pressure]
promises:
  - promise: Send pricing
    due: 2024-03-16
    kept: 2024-03-18
related: [acme/2024-01-10-kickoff]
---
The CFO joined. See [kickoff](2024-01-10-kickoff.md).

## Learnings
- Confirm attendees.

## Assumptions
- [ ] Still preferred vendor.
- [x] Budget frozen.

## Plan
- Exec check-ins.
"""


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("golden")
    write_site(root / "site", SITE)
    result = run_cli(
        "build", "--site", root / "site", "--out", root / "out", "--as-of", "2024-04-01"
    )
    assert result.code == 0, result.err
    return root / "out"


@pytest.mark.parametrize(
    ("page", "golden"),
    [
        ("moments/acme/2024-03-14-renewal/index.html", "moment.html"),
        ("customers/acme/index.html", "customer.html"),
    ],
)
def test_page_matches_golden(
    out: Path, page: str, golden: str, request: pytest.FixtureRequest
) -> None:
    actual = (out / page).read_text(encoding="utf-8")
    path = GOLDENS / golden
    if request.config.getoption("--update-goldens"):
        path.write_text(actual, encoding="utf-8")
    assert actual == path.read_text(encoding="utf-8")
