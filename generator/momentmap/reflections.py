"""The answers to the reflection questions across the site: learnings,
assumptions and plans, each seen by customer (the main page) and by type,
stage and tag (one more page each, so no JavaScript is needed to regroup).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .insights import ItemRef, items
from .model import Moment, Site

# view key -> (label, url suffix); '' is the page's main view, by customer
VIEWS = {
    "customer": ("Customer", ""),
    "type": ("Type", "by-type/"),
    "stage": ("Stage", "by-stage/"),
    "tag": ("Tag", "by-tag/"),
}


@dataclass(frozen=True, slots=True)
class Group:
    title: str
    url: str  # the group's own page ('' when it has none)
    refs: list[ItemRef]


def group_refs(refs: Iterable[ItemRef], site: Site, view: str) -> list[Group]:
    """Items grouped by the moment's customer, type, stage or tags, in a stable order.

    An item whose moment has several tags appears under each; items without a
    value come last under 'no type' / 'no stage' / 'untagged'.
    """
    keyed: dict[str, list[ItemRef]] = defaultdict(list)
    for ref in refs:
        for key in _keys(ref.moment, view):
            keyed[key].append(ref)
    if view == "customer":
        return [
            Group(c.name, c.url, keyed[slug]) for slug, c in site.customers.items() if slug in keyed
        ]
    kind = {"type": "types", "stage": "stages", "tag": "tags"}[view]
    order = list(
        site.config.types
        if view == "type"
        else site.config.stages
        if view == "stage"
        else sorted(site.terms["tags"], key=str.casefold)
    )
    groups = [
        Group(value, f"{kind}/{site.terms[kind][value]}/", keyed[value])
        for value in order
        if value in keyed
    ]
    if "" in keyed:
        groups.append(
            Group({"type": "no type", "stage": "no stage", "tag": "untagged"}[view], "", keyed[""])
        )
    return groups


def _keys(moment: Moment, view: str) -> tuple[str, ...]:
    if view == "customer":
        return (moment.customer,)
    if view == "type":
        return (moment.type or "",)
    if view == "stage":
        return (moment.stage or "",)
    return moment.tags or ("",)


def _views(base: str) -> list[tuple[str, str, str]]:
    return [(key, label, base + suffix) for key, (label, suffix) in VIEWS.items()]


def reflection_pages(
    site: Site, moments: list[Moment], open_assumptions: list[ItemRef]
) -> list[tuple[str, str, str, dict[str, object]]]:
    """(url, template, title, context) of the learnings, assumptions and plans pages."""
    as_of = site.as_of
    learnings = items(moments, "learnings", as_of)
    clarified = list(
        reversed([r for r in items(moments, "assumptions", as_of) if r.item.clarified])
    )
    plans = sorted(
        items(moments, "plan", as_of), key=lambda r: (-r.moment.year, r.moment.sort_key())
    )
    pages: list[tuple[str, str, str, dict[str, object]]] = []
    for view, (label, suffix) in VIEWS.items():
        title_suffix = "" if view == "customer" else f" by {label.lower()}"
        common = {"view": view, "view_label": label}
        pages.append(
            (
                "learnings/" + suffix,
                "learnings.html",
                "Learnings" + title_suffix,
                {
                    **common,
                    "views": _views("learnings/"),
                    "groups": group_refs(learnings, site, view),
                    "count": len(learnings),
                },
            )
        )
        open_groups = group_refs(open_assumptions, site, view)
        if view == "customer":
            open_groups.sort(
                key=lambda g: g.refs[0].moment.sort_key()
            )  # oldest open assumption first
        pages.append(
            (
                "assumptions/" + suffix,
                "assumptions.html",
                "Assumptions" + title_suffix,
                {
                    **common,
                    "views": _views("assumptions/"),
                    "open_groups": open_groups,
                    "open_count": len(open_assumptions),
                    "clarified": clarified,
                },
            )
        )
        pages.append(
            (
                "plans/" + suffix,
                "plans.html",
                "Plans" + title_suffix,
                {**common, "views": _views("plans/"), "years": _plans_by_year(plans, site, view)},
            )
        )
    return pages


def _plans_by_year(plans: list[ItemRef], site: Site, view: str) -> list[tuple[int, list[Group]]]:
    """Newest year first; within a year, groups as the view says."""
    years: dict[int, list[ItemRef]] = defaultdict(list)
    for ref in plans:
        years[ref.moment.year].append(ref)
    return [(year, group_refs(refs, site, view)) for year, refs in years.items()]
