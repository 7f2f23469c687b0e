"""moments.json: the whole site as data (SPEC 6)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

from momentmap.model import Moment, Site, When
from momentmap.views.plan import plan_due


def _date(value: dt.date | When | bool | None) -> str | bool | None:
    if isinstance(value, When):
        return value.iso
    return value.isoformat() if isinstance(value, dt.date) else value


def _moment(moment: Moment, as_of: dt.date) -> dict[str, object]:
    return {
        "id": moment.id,
        "url": moment.url,
        "title": moment.title,
        "date": moment.when.iso,
        "customer": moment.customer,
        "type": moment.type,
        "sentiment": moment.sentiment,
        "sentiment_score": moment.sentiment_score,
        "stage": moment.stage,
        "moment_of_truth": moment.moment_of_truth,
        "people": list(moment.people),
        "tags": list(moment.tags),
        "factors": list(moment.factors),
        "promises": [
            {
                "promise": p.promise,
                "due": _date(p.due),
                "kept": _date(p.kept),
                "status": p.status(as_of),
                "by": p.by or None,
            }
            for p in moment.promises
        ],
        "related": list(moment.related),
        "learnings": [i.text for i in moment.learnings],
        "do_differently": [i.text for i in moment.do_differently],
        "assumptions": [{"text": i.text, "clarified": i.clarified} for i in moment.assumptions],
        "plan": [{"text": i.text, "done": i.done, "due": plan_due(i, moment)} for i in moment.plan],
        "share": moment.share,
        "text": moment.text,
        "extra": moment.extra,
    }


def moments_json(site: Site) -> Iterator[str]:
    """moments.json in pieces, one moment at a time: at 100,000 moments the file is
    300 MB, and it is never held whole (the same bytes as one `json.dumps(indent=1)`)."""
    head = _dumps(
        {
            "version": 1,
            "as_of": site.as_of.isoformat(),
            "site": {"title": site.config.title, "base_url": site.config.base_url or None},
            "customers": [
                {
                    "slug": c.slug,
                    "name": c.name,
                    "owner": c.owner or None,
                    "segment": c.segment or None,
                    "since": _date(c.since),
                    "url": c.url,
                }
                for c in site.customers.values()
            ],
        }
    )
    yield head.removesuffix("\n}") + ',\n "moments": ['
    separator = "\n  "
    for moment in site.moments.values():
        # One level deeper than its own dump: JSON strings never hold a raw newline.
        yield separator + _dumps(_moment(moment, site.as_of)).replace("\n", "\n  ")
        separator = ",\n  "
    yield ("\n ]" if site.moments else "]") + "\n}\n"


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1, default=str)
