"""The reflection exercise (SPEC 8) through the real CLI: stories to share and plan
items with a done state and a due quarter or date, in `check`, `schema` and
moments.json."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import elements, run_cli, write_site

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
    assert 'kept late</span> <span class="late">by 1 minute</span>' in page
    assert 'overdue</span> <span class="late">by 18 days</span>' in page


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
        re.sub(r"<[^>]+>", "", who): re.findall(r"<td[^>]*>(.*?)</td>", cells)
        for who, cells in rows
    }
    # Dana is on the moment and answers for the promise without an owner (kept on
    # time); Lee owns the other two (one late, one overdue) and is on no moment.
    assert people["Dana Smith"] == ["1", "0", "0", "0", "100% of 1", "23 hours"]
    assert people["Lee Wong"] == ["0", "1", "0", "1", "0% of 2", "2 days"]


# -- the last 30 days (SPEC 8: the loyalty question) -------------------------------------

LOYALTY_AS_OF = "2025-06-30"  # the window is 2025-05-31 … 2025-06-30
LOYALTY = """
-- content/customers/truth.md --
---
name: Truth Co
---
-- content/customers/fine.md --
---
name: Fine Co
---
-- content/customers/gone.md --
---
name: Gone Co
---
-- content/customers/waiting.md --
---
name: Waiting Co
---
-- content/customers/new.md --
---
name: New Co
---
-- content/customers/sour.md --
---
name: Sour Co
---
-- content/customers/old.md --
---
name: Old Co
---
-- content/moments/truth/2025-06-20-outage.md --
---
title: The outage
date: 2025-06-20
customer: Truth Co
sentiment: positive
moment_of_truth: true
---
-- content/moments/truth/2025-06-25-postmortem.md --
---
title: The postmortem
date: 2025-06-25
customer: Truth Co
sentiment: very negative
moment_of_truth: true
---
-- content/moments/fine/2025-06-10-workshop.md --
---
title: Workshop
date: 2025-06-10
customer: Fine Co
sentiment: positive
promises:
  - {promise: Send the slides, due: 2025-06-12, kept: 2025-06-11}
  - {promise: Book the review, due: 2025-07-10}
---
-- content/moments/gone/2025-04-01-kickoff.md --
---
title: Kickoff
date: 2025-04-01
customer: Gone Co
sentiment: positive
---
-- content/moments/waiting/2025-03-01-demo.md --
---
title: Demo
date: 2025-03-01
customer: Waiting Co
promises:
  - {promise: Send the price list, due: 2025-03-05}
---
-- content/moments/waiting/2025-06-28-call.md --
---
title: Friendly call
date: 2025-06-28
customer: Waiting Co
sentiment: very positive
---
-- content/moments/sour/2025-06-02-call.md --
---
title: Tense call
date: 2025-06-02
customer: Sour Co
sentiment: negative
---
-- content/moments/sour/2025-06-15-mail.md --
---
title: Cool mail
date: 2025-06-15
customer: Sour Co
sentiment: neutral
---
-- content/moments/old/2025-01-10-audit.md --
---
title: Audit
date: 2025-01-10
customer: Old Co
promises:
  - {promise: Fix the export, due: 2025-01-20, kept: false}
---
-- content/moments/old/2025-06-20-visit.md --
---
title: Visit
date: 2025-06-20
customer: Old Co
sentiment: positive
---
"""


def answer(path: Path) -> tuple[str, list[str]]:
    """The verdict on a customer page, and its reasons as shown (text, tags dropped)."""
    page = elements(path)
    (section,) = [e for e in page if e.attrs.get("aria-labelledby") == "_last-days"]
    verdict = next(e.text for e in page[page.index(section) :] if e.has_class("status"))
    found = re.search(r'<ul class="reasons">(.*?)</ul>', path.read_text(encoding="utf-8"), re.S)
    assert found is not None
    items = re.findall(r"<li[^>]*>(.*?)</li>", found[1], re.S)
    return verdict, [html.unescape(re.sub(r"<[^>]+>", "", item)) for item in items]


@pytest.fixture(scope="module")
def loyalty_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = write_site(tmp_path_factory.mktemp("loyalty") / "site", LOYALTY)
    run = run_cli("build", "--site", site, "--as-of", LOYALTY_AS_OF)
    assert run.code == 0, run.err
    return site / "public"


@pytest.mark.parametrize(
    ("slug", "verdict", "reasons"),
    [
        (
            "truth",
            "at risk",
            [
                "a very negative moment of truth on 2025-06-25 (The postmortem)",
                "mean sentiment \u22120.5 over 2 moments in the last 30 days",
            ],
        ),
        (
            "fine",
            "on track",
            [
                "promise kept on time: Send the slides (Workshop)",
                "promise due 2025-07-10: Book the review (Workshop)",
                "mean sentiment +1 over 1 moment in the last 30 days",
            ],
        ),
        ("gone", "no contact", ["no moment in the last 30 days; the last was on 2025-04-01"]),
        (
            "waiting",
            "at risk",
            [
                "promise overdue by 117 days: Send the price list (Demo)",
                "mean sentiment +2 over 1 moment in the last 30 days",
            ],
        ),
        ("new", "no contact", ["no moments yet"]),
        ("sour", "at risk", ["mean sentiment \u22120.5 over 2 moments in the last 30 days"]),
        # Broken long before the window: the visit in it decides.
        ("old", "on track", ["mean sentiment +1 over 1 moment in the last 30 days"]),
    ],
)
def test_the_customer_page_answers_the_loyalty_question(
    loyalty_site: Path, slug: str, verdict: str, reasons: list[str]
) -> None:
    assert answer(loyalty_site / "customers" / slug / "index.html") == (verdict, reasons)


def test_the_dashboard_answers_it_for_every_customer(loyalty_site: Path) -> None:
    page = elements(loyalty_site / "index.html")
    (portfolio,) = [e for e in page if e.attrs.get("aria-labelledby") == "_all-customers"]
    rows = [e for e in page[page.index(portfolio) :] if e.tag == "li" and e.parts][:7]
    verdicts = {}
    for row in rows:
        name, _, rest = row.text.partition(" Co ")
        verdicts[name] = next(v for v in ("at risk", "on track", "no contact") if v in rest)
    assert verdicts == {
        "Fine": "on track",
        "Gone": "no contact",
        "New": "no contact",
        "Old": "on track",
        "Sour": "at risk",
        "Truth": "at risk",
        "Waiting": "at risk",
    }
    (at_risk,) = [e for e in page if e.attrs.get("aria-labelledby") == "_at-risk"]
    assert "Waiting Co promise overdue by 117 days" in at_risk.text
    assert "Fine Co" not in at_risk.text and "Gone Co" not in at_risk.text


# -- stories worth sharing (SPEC 8.3) ------------------------------------------------------

STORIES = """
-- content/customers/acme.md --
---
name: Acme <Corp>
---
-- content/customers/globex.md --
---
name: Globex
---
-- content/moments/acme/2023-05-01-rescue.md --
---
title: The <b>rescue</b>
date: 2023-05-01
customer: Acme <Corp>
sentiment: very positive
share: true
---
We flew in on a Sunday. The site was back by noon.

## Learnings

- Show up in person.
-- content/moments/acme/2024-02-01-miss.md --
---
title: The miss
date: 2024-02-01
customer: Acme <Corp>
sentiment: negative
share: true
---
We missed the date and said so late.
-- content/moments/acme/2024-03-01-quiet.md --
---
title: Not shared
date: 2024-03-01
customer: Acme <Corp>
---
Nothing to see.
-- content/moments/globex/2024-06-01-pilot.md --
---
title: Pilot
date: 2024-06-01
customer: Globex
sentiment: mixed
share: true
---
A pilot with two branches.
"""


@pytest.fixture(scope="module")
def stories_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = write_site(tmp_path_factory.mktemp("stories") / "site", STORIES)
    run = run_cli(
        "build", "--site", site, "--as-of", "2024-12-01", "--base-url", "https://x.example/"
    )
    assert run.code == 0, run.err
    return site / "public"


def test_stories_lists_shared_moments_newest_first(stories_site: Path) -> None:
    page = elements(stories_site / "stories" / "index.html")
    items = [e for e in page if e.tag == "li" and "data-customer" in e.attrs]
    assert [(e.attrs["data-customer"], e.attrs["data-year"]) for e in items] == [
        ("globex", "2024"),
        ("acme", "2024"),
        ("acme", "2023"),
    ]
    titles = [e.text for e in page if e.tag == "h2" and e.attrs.get("id", "").startswith("_story-")]
    assert titles == ["Pilot", "The miss", "The <b>rescue</b>"]  # typed text, shown as text
    assert not any(e.tag == "b" for e in page)
    articles = [e for e in page if e.tag == "article"]
    assert [a.attrs["class"] for a in articles] == [
        "story story-mixed",
        "story story-bad",
        "story story-good",
    ]
    assert "We flew in on a Sunday. The site was back by noon." in articles[2].text
    assert "What we learned Show up in person." in articles[2].text
    options = [(e.attrs["value"], e.text) for e in page if e.tag == "option"]
    assert options == [
        ("", "All customers"),
        ("acme", "Acme <Corp>"),
        ("globex", "Globex"),
        ("", "All years"),
        ("2024", "2024"),
        ("2023", "2023"),
    ]


def test_the_dashboard_has_a_worth_sharing_panel(stories_site: Path) -> None:
    page = elements(stories_site / "index.html")
    (panel,) = [e for e in page if e.attrs.get("aria-labelledby") == "_sharing"]
    assert panel.text.startswith("Worth sharing Pilot Globex, 2024-06-01 · mixed")
    assert panel.text.endswith("All 3 stories")


def test_stories_have_their_own_feed(stories_site: Path) -> None:
    feedparser = pytest.importorskip("feedparser")
    feed = feedparser.parse((stories_site / "stories" / "feed.xml").read_bytes())
    assert not feed.bozo
    assert [e.title for e in feed.entries] == ["Pilot", "The miss", "The <b>rescue</b>"]
    assert feed.feed.title.endswith(": stories worth sharing")


@pytest.mark.parametrize("query", ["", "?customer=acme&year=2024"])
def test_stories_filter_in_the_browser_from_disk(
    browser: object, stories_site: Path, query: str
) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    try:
        page.goto((stories_site / "stories" / "index.html").as_uri() + query)
        visible = "document.querySelectorAll('#_stories > li:not([hidden])').length"
        status = page.locator("#_story-status")
        if query:
            assert page.evaluate(visible) == 1
            assert status.text_content() == "1 story of 3"
            page.select_option("select[name=year]", "")
        else:
            assert page.evaluate(visible) == 3
            page.select_option("select[name=customer]", "acme")
        assert page.evaluate(visible) == 2
        assert status.text_content() == "2 stories of 3"
        page.select_option("select[name=customer]", "")
        page.select_option("select[name=year]", "")
        assert page.evaluate(visible) == 3 and status.text_content() == "3 stories"
    finally:
        page.close()


# -- a customer's plan (SPEC 8.3, customers/<slug>/plan/) ---------------------------------

PLAN = """
-- content/customers/acme.md --
---
name: Acme
---
-- content/moments/acme/2023-06-01-old.md --
---
title: Long ago
date: 2023-06-01
customer: Acme
---
## Do differently

- Too old to count.

## Plan

- [ ] Q1: Set for 2024, never looked at again.
-- content/moments/acme/2024-03-01-kickoff.md --
---
title: Kickoff
date: 2024-03-01
customer: Acme
---
## Assumptions

- [ ] They have budget.

## Plan

- [x] Q1: Quarterly review.
- [ ] Q2: Value log.
- Train the admins.
-- content/moments/acme/2025-02-01-review.md --
---
title: Review
date: 2025-02-01
customer: Acme
promises:
  - {promise: Send the numbers, due: 2025-12-15}
  - {promise: Send the deck, due: 2025-02-05, kept: 2025-02-04}
---
## Do differently

- Bring the numbers.

## Assumptions

- [ ] Their CFO signs.
- [x] The pilot ends in May.

## Plan

- [ ] Q3: Renewal talk.
- [ ] by 2026-02-15: Budget workshop.
- [x] by 2025-06-30: Storm playbook.
- [ ] Q1: Case study.
- Admin training refresh.
"""


@pytest.fixture(scope="module")
def plan_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = write_site(tmp_path_factory.mktemp("plan") / "site", PLAN)
    run = run_cli("build", "--site", site, "--as-of", "2025-11-15")
    assert run.code == 0, run.err
    return site / "public"


def section_of(page: list, heading_id: str) -> str:  # type: ignore[type-arg]
    (found,) = [e for e in page if e.attrs.get("aria-labelledby") == heading_id]
    return found.text


def test_the_plan_groups_open_items_by_quarter_of_the_coming_year(plan_site: Path) -> None:
    page = elements(plan_site / "customers" / "acme" / "plan" / "index.html")
    assert [e.text for e in page if e.tag == "h1"] == ["Acme: the plan for 2026"]
    heads = [e.text for e in page if e.tag == "h3"]
    # 2025's moment aims at 2026: Q1 (the dated workshop falls in Q1 too), Q3,
    # then the year's item without a quarter.
    assert heads == ["2026 Q1", "2026 Q3", "2026, no quarter set"]
    text = section_of(page, "_open-plan")
    assert text.index("by 2026-02-15 Budget workshop") < text.index("Case study")
    assert text.index("Case study") < text.index("Renewal talk") < text.index("refresh")
    assert "Storm playbook" not in text and "Value log" not in text


def test_did_we_do_what_we_said_for_the_year_before(plan_site: Path) -> None:
    page = elements(plan_site / "customers" / "acme" / "plan" / "index.html")
    text = section_of(page, "_did-we")
    assert text.startswith("Did we do what we said for 2025? 2 of 4 plan items done (50%).")
    checks = [e.text for e in page if e.has_class("check")]
    assert checks == ["Done", "Not done", "Not done", "Done"]
    overdue = [e.text for e in page if e.has_class("status-overdue") and e.tag == "span"]
    # 2025's second quarter has passed; the year of the item without a quarter has not.
    assert overdue == ["overdue"]
    assert "Not done overdue Value log." in text
    assert "Set for 2024" not in text


def test_the_plan_page_carries_the_rest_of_the_exercise(plan_site: Path) -> None:
    page = elements(plan_site / "customers" / "acme" / "plan" / "index.html")
    assert section_of(page, "_differently").count("Bring the numbers") == 1
    assert "Too old to count" not in section_of(page, "_differently")
    clarify = section_of(page, "_clarify")
    assert clarify.index("They have budget") < clarify.index("Their CFO signs")
    assert "The pilot ends in May" not in clarify
    promises = section_of(page, "_open-promises")
    assert "Send the numbers" in promises and "Send the deck" not in promises


def test_the_customer_page_and_year_in_review_link_to_the_plan(plan_site: Path) -> None:
    for rel, href in [
        ("customers/acme/index.html", "plan/index.html"),
        ("customers/acme/2025/index.html", "../plan/index.html"),
    ]:
        links = [e.attrs["href"] for e in elements(plan_site / rel) if e.tag == "a"]
        assert href in links, rel


# -- factors as patterns (SPEC 8.3) ------------------------------------------------------------

FACTORS = """
-- content/customers/acme.md --
---
name: Acme
---
-- content/moments/acme/2024-11-05-a.md --
---
title: Crunch
date: 2024-11-05
customer: Acme
sentiment: very negative
factors: [quota pressure, over-promising]
---
## Learnings

- Quotas push deals before they are ready.

## Do differently

- Say no to a date we cannot make.

## Assumptions

- [ ] Their board will wait.
-- content/moments/acme/2025-02-10-b.md --
---
title: Rushed close
date: 2025-02-10
customer: Acme
sentiment: negative
factors: [quota pressure]
---
-- content/moments/acme/2025-05-10-c.md --
---
title: Good quarter
date: 2025-05-10
customer: Acme
sentiment: positive
factors: [quota pressure, exec sponsorship]
---
-- content/moments/acme/2025-08-20-d.md --
---
title: Sponsor steps in
date: 2025-08-20
customer: Acme
sentiment: very positive
factors: [exec sponsorship]
---
-- content/moments/acme/2025-09-01-e.md --
---
title: Mixed news
date: 2025-09-01
customer: Acme
sentiment: mixed
factors: [over-promising]
---
-- content/moments/acme/2025-09-15-f.md --
---
title: Saved by honesty
date: 2025-09-15
customer: Acme
sentiment: positive
factors: [over-promising]
---
"""


@pytest.fixture(scope="module")
def factors_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = write_site(tmp_path_factory.mktemp("factors") / "site", FACTORS)
    run = run_cli("build", "--site", site, "--as-of", "2025-10-15")
    assert run.code == 0, run.err
    return site / "public"


def test_factors_are_patterns_with_sabotaging_ones_first(factors_site: Path) -> None:
    page = elements(factors_site / "factors" / "index.html")
    heads = [e.text for e in page if e.tag == "th" and e.attrs.get("scope") == "col"]
    assert heads[-4:] == ["2025 Q1", "2025 Q2", "2025 Q3", "2025 Q4"]  # up to the as-of's
    rows = [e for e in page if e.tag == "tr"][1:]
    cells = [
        [c.text for c in page[page.index(r) + 1 :] if c.tag in ("th", "td")][:11] for r in rows
    ]
    # quota pressure: 2 negative (−2, −1) and 1 positive → sabotages, net −2.
    # over-promising: 1 negative (−2), 1 mixed, 1 positive (+1): as many bad as good
    # and net −1 → sabotages too, after the worse one. exec sponsorship helps: +3.
    assert [c[0] for c in cells] == [
        "quota pressure sabotages",
        "over-promising sabotages",
        "exec sponsorship",
    ]
    assert cells[0][1:5] == ["2", "0", "1", "\u22122"]
    assert cells[0][6:10] == ["1 / 0 / 0", "0 / 0 / 1", "0 / 0 / 0", "0 / 0 / 0"]
    assert cells[1][1:5] == ["1", "1", "1", "\u22121"]
    assert cells[2][1:5] == ["0", "0", "2", "+3"]
    assert cells[2][6:10] == ["0 / 0 / 0", "0 / 0 / 1", "0 / 0 / 1", "0 / 0 / 0"]
    strips = [e for e in page if e.tag == "svg" and e.has_class("mm-strip")]
    assert [s.attrs["role"] for s in strips] == ["img"] * 3
    assert (
        strips[0]
        .attrs["aria-label"]
        .startswith(
            "quota pressure by quarter: 2025 Q1: 1 negative, 0 neutral or mixed, 0 positive; "
        )
    )
    rects = [e.attrs["class"] for e in page[page.index(strips[2]) :] if e.tag == "rect"][:2]
    assert rects == ["mm-s4", "mm-s4"]  # exec sponsorship: positive in Q2 and Q3


def test_a_factor_page_shows_its_moments_and_reflections(factors_site: Path) -> None:
    page = elements(factors_site / "factors" / "quota-pressure" / "index.html")
    text = " ".join(e.text for e in page if e.tag == "main")
    assert "Factor: quota pressure" in text
    assert "sabotages 2 negative, 0 neutral or mixed and 1 positive moments; net \u22122." in text
    for shown in (
        "Crunch",
        "Rushed close",
        "Good quarter",
        "Quotas push deals",
        "Say no to a date",
        "Their board will wait",
    ):
        assert shown in text, shown
    assert "Sponsor steps in" not in text


def test_learnings_and_assumptions_are_grouped_by_factor(factors_site: Path) -> None:
    for section in ("learnings", "differently", "assumptions", "plans"):
        assert (factors_site / section / "by-factor" / "index.html").is_file(), section
    page = elements(factors_site / "learnings" / "by-factor" / "index.html")
    groups = [e.text for e in page if e.tag == "h2"]
    assert [g.split(" (")[0].rsplit(" ", 1)[0] for g in groups[:2]] == [
        "over-promising",
        "quota pressure",
    ]


def test_what_we_would_do_differently_has_its_own_page_in_every_view(factors_site: Path) -> None:
    for suffix in ("", "by-type/", "by-stage/", "by-tag/", "by-factor/"):
        assert (factors_site / "differently" / suffix / "index.html").is_file(), suffix
    page = elements(factors_site / "differently" / "by-factor" / "index.html")
    (quota,) = [e for e in page if e.tag == "h2" and e.text.startswith("quota pressure")]
    after = page[page.index(quota) + 1 :]
    end = next((i for i, e in enumerate(after) if e.tag == "h2"), len(after))
    listed = " ".join(e.text for e in after[:end] if e.tag == "li")
    assert "Say no to a date we cannot make." in listed
    assert "Sponsor steps in" not in listed  # a moment without the factor
    nav = [e for e in page if e.tag == "a" and e.attrs.get("aria-current") == "page"]
    assert [e.text for e in nav] == ["Do differently", "Factor"]  # the site nav, the view switch


# -- quarters (SPEC 8.3) -----------------------------------------------------------------------


def test_sparklines_and_timelines_mark_quarter_boundaries() -> None:
    from momentmap.render.charts.marks import Mark
    from momentmap.render.charts.sparkline import layout_sparkline
    from momentmap.render.charts.svg import timeline_svg

    day = dt.date(2024, 5, 1)
    mark = Mark(day, 1, "positive", "A moment", "a/")
    year = layout_sparkline([mark], start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    assert len(year.quarters) == 3  # April, July, October: the first day is the edge
    decades = layout_sparkline([mark], start=dt.date(2000, 1, 1), end=dt.date(2024, 12, 31))
    assert decades.quarters == ()  # 100 lines in 160 units would be a grey smear
    svg = timeline_svg([mark], title="t", start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
    root = ET.fromstring(str(svg))
    (quarters,) = [e for e in root.iter() if e.get("class") == "mm-grid mm-quarter"]
    assert quarters.get("d", "").count("M") == 3


def test_the_year_in_review_groups_its_moments_by_quarter(factors_site: Path) -> None:
    page = elements(factors_site / "customers" / "acme" / "2025" / "index.html")
    (section,) = [e for e in page if e.attrs.get("aria-labelledby") == "_seminal"]
    start = page.index(section)
    heads = [e.text for e in page[start:] if e.tag == "h3"][:3]
    assert heads == ["Q1 January to March", "Q2 April to June", "Q3 July to September"]
    listed = section.text  # the chart names every moment first; the lists come after it
    assert listed.rindex("Rushed close") < listed.index("Q2 April")
    assert listed.index("Q3 July") < listed.rindex("Sponsor steps in")


# -- promises: keep rates on customer and person pages, median time to keep -----------------


def test_promises_show_the_median_time_to_keep(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", PROMISES)
    run = run_cli("build", "--site", site, "--as-of", "2024-12-01")
    assert run.code == 0, run.err
    out = site / "public"
    promises = elements(out / "promises" / "index.html")
    lead = next(e.text for e in promises if e.tag == "p" and e.has_class("lead"))
    # Kept after 23 h 30 min (from 09:30 to 09:00 the next day) and after 2 days 7 h 31 min:
    # the lower middle of the two.
    assert lead == (
        "33% of the 3 promises that are due were kept on time. "
        "Keeping one took 23 hours (the median)."
    )
    rows = {
        e.text.split(" ")[0]: e.text
        for e in promises
        if e.tag == "tr" and e.text.startswith(("Acme", "Dana", "Lee"))
    }
    assert rows["Lee"].endswith("0% of 2 2 days")
    assert rows["Dana"].endswith("100% of 1 23 hours")
    customer = elements(out / "customers" / "acme" / "index.html")
    facts = next(e.text for e in customer if e.tag == "dl" and e.has_class("facts"))
    assert facts.endswith("Promises 33% of 3 kept on time, in 23 hours (median)")
    person = elements(out / "people" / "dana-smith" / "index.html")
    said = next(e.text for e in person if e.tag == "p" and e.has_class("lead"))
    assert said == "Promises this person answers for: 100% of 1 kept on time, in 23 hours (median)."


WAITING = """
-- content/customers/acme.md --
---
name: Acme
---
-- content/moments/acme/2025-03-01-outage.md --
---
title: Outage
date: 2025-03-01 08:00
customer: Acme
sentiment: very negative
moment_of_truth: true
promises:
  - {promise: Root cause, within: 24h, kept: 2025-03-01 20:30}
  - {promise: Credit note, within: 3d, kept: 2025-03-02 09:15}
---
-- content/moments/acme/2025-04-01-bad-demo.md --
---
title: Bad demo
date: 2025-04-01
customer: Acme
sentiment: negative
moment_of_truth: true
---
-- content/moments/acme/2025-04-11-call.md --
---
title: Follow-up call
date: 2025-04-11
customer: Acme
sentiment: neutral
---
-- content/moments/acme/2025-06-01-price-hike.md --
---
title: Price hike
date: 2025-06-01
customer: Acme
sentiment: negative
moment_of_truth: true
promises:
  - {promise: A discount plan}
---
"""


def test_the_journey_lists_who_was_left_waiting_longest_first(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", WAITING)
    run = run_cli("build", "--site", site, "--as-of", "2025-06-30")
    assert run.code == 0, run.err
    page = elements(site / "public" / "journey" / "index.html")
    waits = [e.text for e in page if e.tag == "ol" and e.has_class("waits")]
    items = [e.text for e in page if e.tag == "li" and e.parts and "(2025-" in e.text][-3:]
    assert waits and items == [
        "29 days still waiting: Acme, Price hike (2025-06-01)",
        "10 days until the next moment: Acme, Bad demo (2025-04-01)",
        # 08:00 to 09:15 the next day: 25 hours, shown in whole days.
        "1 day until its promises were kept: Acme, Outage (2025-03-01)",
    ]


# -- review reports the exercise's changes ----------------------------------------------------

REVIEW_BASE = """
-- content/customers/acme.md --
---
name: Acme
---
-- content/moments/acme/2024-01-10-kickoff.md --
---
title: Kickoff
date: 2024-01-10
customer: Acme
---
## Plan

- [ ] Q1: Pilot
- Train the admins
"""


def test_review_reports_plan_items_stories_and_owners(tmp_path: Path) -> None:
    from test_review import git, review

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "-c", "init.defaultBranch=main", "init", "-q")
    write_site(repo, REVIEW_BASE)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "Base")
    git(repo, "checkout", "-qb", "feature")
    head = REVIEW_BASE.replace(
        "customer: Acme\n---",
        "customer: Acme\nshare: true\n"
        "promises:\n  - {promise: Send the plan, due: 2024-01-20, by: Lee}\n---",
    ).replace("- [ ] Q1: Pilot", "- [x] Q1: Pilot\n- [ ] Q2: Renewal review")
    write_site(repo, head)
    code, out, err = review(cwd=repo)
    assert code == 0, err
    file = "content/moments/acme/2024-01-10-kickoff.md"
    assert "Plan items: 1 added, 1 checked off · Stories: 1 shared · Promises: 1 made" in out
    assert (
        f"### Plan items added (1)\n\n- Renewal review — **Kickoff** (Acme, 2024-01-10) `{file}:12`"
        in out
    )
    assert (
        f"### Plan items checked off (1)\n\n- Pilot — **Kickoff** (Acme, 2024-01-10) `{file}:11`"
        in out
    )
    assert f"### Stories shared (1)\n\n- **Kickoff** (Acme, 2024-01-10) `{file}`" in out
    assert "owner Lee" in out
    code, out, err = review("--format", "json", cwd=repo)
    data = json.loads(out)
    assert [(p["text"], p["done"], p["due"]) for p in data["plan"]["added"]] == [
        ("Renewal review", False, "2025-Q2")
    ]
    assert [p["text"] for p in data["plan"]["checked_off"]] == ["Pilot"]
    assert [s["id"] for s in data["stories"]] == ["acme/2024-01-10-kickoff"]
    assert data["promises"]["made"][0]["by"] == "Lee"
