"""`init` and `new`: files a writer starts from. Neither ever overwrites."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from momentmap.content.fields import SENTIMENT_FORMS, parse_sentiment, sentiment_problem
from momentmap.diagnostics import did_you_mean
from momentmap.errors import UsageError
from momentmap.urls import slugify

CONFIG_TEMPLATE = """\
# momentmap settings; every key has a default (see the README).
title: Customer moments
description: Our customers' seminal moments, what we learned, and what we will do next.
# base_url: https://intranet.example.com/moments/   # needed for the feed and sitemap
# recent_days: 30
# quiet_days: 90
"""

GITIGNORE = "public/\n.public.momentmap-*\n.momentmap-cache/\n"

PROFILE_TEMPLATE = """\
---
name: Example Customer
owner: {owner}
segment: Mid-market
since: {since}
aliases: [Example]
---
Account notes: who they are, who we talk to, what they care about.
"""

MOMENT_TEMPLATE = """\
---
{draft}title: {title}
date: {date}
customer: {customer}
type: {type}  # {types}
sentiment: {sentiment}  # {sentiments}
stage: {stage}  # {stages}
moment_of_truth: false
people: []
tags: []
factors: []
# promises:
#   - promise: What we said we would do
#     due: {date}
---
<!-- What happened? Tell it as a story: who was there, what was said, how the customer reacted. -->

## Learnings
<!-- What did we learn from this moment? One item per line. -->

## Do differently
<!-- What would we do differently next time? -->

## Assumptions
<!-- Which assumptions must we still clarify with the customer? '- [ ]' open, '- [x]' clarified. -->

## Plan
<!-- What does this mean for next year's plan with this customer? -->
"""

# Like Hugo's archetypes: a new moment stays out of the site until the writer says
# it is ready, so an unfilled file never becomes a customer's latest moment.
DRAFT = """\
# A draft: the site leaves it out until you delete the line 'draft: true' below.
draft: true
"""


@dataclass(frozen=True, slots=True)
class Choices:
    """What the site allows for the keys the template fills in, shown beside them."""

    types: tuple[str, ...]
    stages: tuple[str, ...]

    def fill(
        self,
        *,
        type_: str | None = None,
        sentiment: str | None = None,
        stage: str | None = None,
        draft: bool,
    ) -> dict[str, str]:
        """The template's fields: what was asked for, else the first type and stage and
        'neutral'. A value the site does not allow is a UsageError naming the option."""
        for value, choices, name in (
            (type_, self.types, "--type"),
            (stage, self.stages, "--stage"),
        ):
            if value is not None and value not in choices:
                raise UsageError(
                    f"{name} must be one of {', '.join(choices)}, not '{value}'"
                    f"{did_you_mean(value, choices)}"
                )
        if sentiment is not None and parse_sentiment(sentiment) is None:
            raise UsageError("--" + sentiment_problem(sentiment))
        return {
            "type": type_ or self.types[0],
            "types": ", ".join(self.types),
            "sentiment": sentiment or "neutral",
            "sentiments": SENTIMENT_FORMS,
            "stage": stage or self.stages[0],
            "stages": ", ".join(self.stages),
            "draft": DRAFT if draft else "",
        }


def init_site(site_dir: Path, *, today: dt.date, choices: Choices) -> list[Path]:
    """Create whatever is missing of a new site; returns the files written.

    Its first moment is not a draft, so the first build shows it."""
    files = {
        site_dir / "momentmap.yaml": CONFIG_TEMPLATE,
        site_dir / ".gitignore": GITIGNORE,
        site_dir / "content" / "customers" / "example-customer.md": PROFILE_TEMPLATE.format(
            owner="Your name", since=today.isoformat()
        ),
        site_dir
        / "content"
        / "moments"
        / "example-customer"
        / f"{today.isoformat()}-first-call.md": MOMENT_TEMPLATE.format(
            title="First call",
            date=today.isoformat(),
            customer="Example Customer",
            **choices.fill(type_="satisfying", sentiment="positive", draft=False),
        ),
    }
    written = []
    for path, text in files.items():
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def quote_yaml(text: str) -> str:
    """A YAML double-quoted scalar, so a title like 'No: really' stays text."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def new_moment(
    *,
    title: str,
    customer: str,
    folder: Path,
    date: str,
    values: dict[str, str],
) -> Path:
    """Write a new draft moment into `folder`; raises FileExistsError instead of
    overwriting. `values` are the template's other fields (`Choices.fill`)."""
    path = folder / f"{date[:10]}-{slugify(title)}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = MOMENT_TEMPLATE.format(
        title=quote_yaml(title), date=date, customer=quote_yaml(customer), **values
    )
    with path.open("x", encoding="utf-8") as handle:  # 'x': never overwrite
        handle.write(text)
    return path
