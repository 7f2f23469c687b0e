"""`init` and `new`: files a writer starts from. Neither ever overwrites."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from momentmap.urls import slugify

CONFIG_TEMPLATE = """\
# momentmap settings; every key has a default (see the README).
title: Customer moments
description: Our customers' seminal moments, what we learned, and what we will do next.
# base_url: https://intranet.example.com/moments/   # needed for the feed and sitemap
# recent_days: 30
# quiet_days: 90
"""

GITIGNORE = "public/\n.momentmap-cache/\n"

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
title: {title}
date: {date}
customer: {customer}
type: {type}
sentiment: neutral
stage: {stage}
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


def init_site(site_dir: Path, *, today: dt.date) -> list[Path]:
    """Create whatever is missing of a new site; returns the files written."""
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
            type="satisfying",
            stage="awareness",
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
    content_dir: Path,
    *,
    title: str,
    customer: str,
    customer_slug: str,
    date: str,
    type_: str,
    stage: str,
) -> Path:
    """Write a new moment file; raises FileExistsError instead of overwriting."""
    day = date[:10]
    path = content_dir / "moments" / customer_slug / f"{day}-{slugify(title)}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = MOMENT_TEMPLATE.format(
        title=quote_yaml(title), date=date, customer=quote_yaml(customer), type=type_, stage=stage
    )
    with path.open("x", encoding="utf-8") as handle:  # 'x': never overwrite
        handle.write(text)
    return path
