"""The answers to the reflection questions across the site: learnings, what
we would do differently, assumptions and plans, each seen by customer (the main page) and by type,
stage, tag and factor (one more page each, so no JavaScript is needed to regroup).

The main page lists every item. The other views show each group's
GROUP_LIMIT most telling items (the newest learnings and plans, the oldest
open assumptions) with the group's full count and a link to its page: every
item is already on the main page, and listing it again under each view and
tag would multiply the size and build time of the site.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache, partial

from momentmap.model import Moment, Site
from momentmap.views.insights import ItemRef, items

# view key -> (label, url suffix); '' is the page's main view, by customer
VIEWS = {
    "customer": ("Customer", ""),
    "type": ("Type", "by-type/"),
    "stage": ("Stage", "by-stage/"),
    "tag": ("Tag", "by-tag/"),
    "factor": ("Factor", "by-factor/"),
}


GROUP_LIMIT = 20


@dataclass(frozen=True, slots=True)
class Group:
    title: str
    url: str  # the group's own page ('' when it has none)
    refs: list[ItemRef]  # what the page shows
    total: int  # how many items the group has
    newest: bool = True  # when cut to a limit: shows the newest items, else the oldest


def group_refs(
    refs: Iterable[ItemRef], site: Site, view: str, *, limit: int | None = None, newest: bool = True
) -> list[Group]:
    """Items grouped by the moment's customer, type, stage or tags, in a stable order.

    An item whose moment has several tags appears under each; items without a
    value come last under 'no type' / 'no stage' / 'untagged'. With `limit`, a
    group shows at most that many items: the newest first, or the oldest.
    """
    keyed: dict[str, list[ItemRef]] = defaultdict(list)
    for ref in refs:
        for key in _keys(ref.moment, view):
            keyed[key].append(ref)
    titled: list[tuple[str, str, str]] = []  # (key, title, url)
    if view == "customer":
        titled = [(slug, c.name, c.url) for slug, c in site.customers.items()]
    else:
        kind = {"type": "types", "stage": "stages", "tag": "tags", "factor": "factors"}[view]
        values = (
            site.config.types
            if view == "type"
            else site.config.stages
            if view == "stage"
            else sorted(site.terms[kind], key=str.casefold)
        )
        titled = [(value, value, f"{kind}/{site.terms[kind][value]}/") for value in values]
        none = {"type": "no type", "stage": "no stage", "tag": "untagged", "factor": "no factor"}
        titled.append(("", none[view], ""))
    groups = []
    for key, title, url in titled:
        found = keyed.get(key)
        if not found:
            continue
        shown = found
        if limit is not None and len(found) > limit:
            shown = found[-limit:][::-1] if newest else found[:limit]
        groups.append(Group(title, url, shown, len(found), newest))
    return groups


def _keys(moment: Moment, view: str) -> tuple[str, ...]:
    if view == "customer":
        return (moment.customer,)
    if view == "type":
        return (moment.type or "",)
    if view == "stage":
        return (moment.stage or "",)
    if view == "factor":
        return moment.factors or ("",)
    return moment.tags or ("",)


def _views(base: str) -> list[tuple[str, str, str]]:
    return [(key, label, base + suffix) for key, (label, suffix) in VIEWS.items()]


def reflection_pages(
    site: Site, moments: list[Moment], open_assumptions: Callable[[], list[ItemRef]]
) -> list[tuple[str, str, str, Callable[[], dict[str, object]]]]:
    """(url, template, title, variables) of the learnings, do-differently,
    assumptions and plans pages.

    The variables are made when a page is rendered, from lists made once.
    """
    as_of = site.as_of

    @cache
    def learnings() -> list[ItemRef]:
        return items(moments, "learnings", as_of)

    @cache
    def differently() -> list[ItemRef]:
        return items(moments, "do_differently", as_of)

    @cache
    def clarified() -> list[ItemRef]:
        return list(reversed([r for r in items(moments, "assumptions", as_of) if r.item.clarified]))

    @cache
    def plans() -> list[ItemRef]:
        refs = items(moments, "plan", as_of)
        return sorted(refs, key=lambda r: (-r.moment.year, r.moment.sort_key()))

    def learnings_page(view: str, label: str, limit: int | None) -> dict[str, object]:
        return {
            "view": view,
            "view_label": label,
            "views": _views("learnings/"),
            "groups": group_refs(learnings(), site, view, limit=limit),
            "count": len(learnings()),
        }

    def differently_page(view: str, label: str, limit: int | None) -> dict[str, object]:
        return {
            "view": view,
            "view_label": label,
            "views": _views("differently/"),
            "groups": group_refs(differently(), site, view, limit=limit),
            "count": len(differently()),
        }

    def assumptions_page(view: str, label: str, limit: int | None) -> dict[str, object]:
        open_groups = group_refs(open_assumptions(), site, view, limit=limit, newest=False)
        if view == "customer":
            open_groups.sort(key=lambda g: g.refs[0].moment.sort_key())  # oldest open first
        return {
            "view": view,
            "view_label": label,
            "views": _views("assumptions/"),
            "open_groups": open_groups,
            "open_count": len(open_assumptions()),
            "clarified": clarified(),
        }

    def plans_page(view: str, label: str, limit: int | None) -> dict[str, object]:
        return {
            "view": view,
            "view_label": label,
            "views": _views("plans/"),
            "years": _plans_by_year(plans(), site, view, limit),
        }

    pages: list[tuple[str, str, str, Callable[[], dict[str, object]]]] = []
    for view, (label, suffix) in VIEWS.items():
        title_suffix = "" if view == "customer" else f" by {label.lower()}"
        limit = None if view == "customer" else GROUP_LIMIT
        for base, template, title, make in (
            ("learnings/", "learnings.html", "Learnings", learnings_page),
            ("differently/", "differently.html", "Do differently", differently_page),
            ("assumptions/", "assumptions.html", "Assumptions", assumptions_page),
            ("plans/", "plans.html", "Plans", plans_page),
        ):
            pages.append(
                (base + suffix, template, title + title_suffix, partial(make, view, label, limit))
            )
    return pages


def _plans_by_year(
    plans: list[ItemRef], site: Site, view: str, limit: int | None
) -> list[tuple[int, list[Group]]]:
    """Newest year first; within a year, groups as the view says."""
    years: dict[int, list[ItemRef]] = defaultdict(list)
    for ref in plans:
        years[ref.moment.year].append(ref)
    return [(year, group_refs(refs, site, view, limit=limit)) for year, refs in years.items()]
