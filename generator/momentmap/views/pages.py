"""Phase two: the list of pages, each a url, a template and its variables.

Aggregates come from `insights` and are computed once here, then shared by
every page that shows them. The variables each template receives are listed
in the README.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, partial

from momentmap.content.fields import SENTIMENTS
from momentmap.model import TAXONOMIES, Moment, Site
from momentmap.views.attention import CustomerSummary, summarize_customers
from momentmap.views.factors import FactorPattern, factor_patterns
from momentmap.views.insights import (
    ItemRef,
    PromiseRef,
    items,
    keep_rate,
    open_assumptions_oldest_first,
    peak,
    promise_refs,
    promises_by_owner,
    recent,
)
from momentmap.views.journey import journey_pages
from momentmap.views.plan import customer_plan
from momentmap.views.reflections import reflection_pages
from momentmap.views.stories import STORIES_URL, Story, stories, stories_page_variables

Variables = dict[str, object]


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    template: str
    title: str
    # The template's variables, or a function that makes them: most pages are
    # listed only to compare keys, and only the pages that changed need theirs.
    context: Variables | Callable[[], Variables] = field(default_factory=dict)
    # The ids of the moments the page shows, for incremental builds; None means
    # it may show any moment, so any change re-renders it.
    moments: tuple[str, ...] | None = None

    def variables(self) -> Variables:
        return self.context() if callable(self.context) else self.context

    @property
    def is_reader_page(self) -> bool:
        """A page a reader opens (an index.html); what summaries count, unlike 404.html."""
        return self.url.endswith("/") or not self.url


def list_pages(site: Site) -> list[Page]:
    moments = list(site.moments.values())
    as_of = site.as_of
    by_customer: dict[str, list[Moment]] = defaultdict(list)
    for moment in moments:
        by_customer[moment.customer].append(moment)

    # Aggregates shared by several pages: made once, when a page first needs them.
    @cache
    def summaries() -> list[CustomerSummary]:
        return summarize_customers(site, by_customer)

    @cache
    def promises() -> list[PromiseRef]:
        return promise_refs(moments, as_of)

    @cache
    def told() -> list[Story]:
        return stories(moments)

    @cache
    def open_assumptions() -> list[ItemRef]:
        return open_assumptions_oldest_first(moments, as_of)

    def dashboard() -> Variables:
        return {
            "counts": {
                "moments": len(moments),
                "customers": len(site.customers),
                "moments_of_truth": sum(m.moment_of_truth for m in moments),
                "open_assumptions": len(open_assumptions()),
                "overdue_promises": sum(p.status == "overdue" for p in promises()),
            },
            "recent": recent(moments, as_of, site.config.recent_days),
            "at_risk": [s for s in summaries() if s.at_risk],
            "going_quiet": sorted(
                (s for s in summaries() if s.quiet_days), key=lambda s: -(s.quiet_days or 0)
            ),
            "oldest_assumptions": open_assumptions()[:10],
            "overdue_promises": sorted(
                (p for p in promises() if p.status == "overdue"), key=lambda p: -p.days_late
            ),
            "summaries": summaries(),
            "worth_sharing": told()[:3],
            "story_count": len(told()),
        }

    @cache
    def summaries_by_slug() -> dict[str, CustomerSummary]:
        return {s.customer.slug: s for s in summaries()}

    def summary_of(slug: str) -> CustomerSummary:
        return summaries_by_slug()[slug]

    pages = [
        Page("", "dashboard.html", "Dashboard", dashboard),
        Page("customers/", "customers.html", "Customers", lambda: {"summaries": summaries()}),
    ]
    for slug in site.customers:
        pages.extend(_customer_pages(site, slug, by_customer.get(slug, []), summary_of))
    for customer_moments in by_customer.values():
        for position in range(len(customer_moments)):
            pages.append(_moment_page(site, customer_moments, position))

    for url, template, title, make in reflection_pages(site, moments, open_assumptions):
        pages.append(Page(url, template, title, make))
    pages.append(
        Page("promises/", "promises.html", "Promises", lambda: _promises(site, promises()))
    )
    pages.append(
        Page(
            STORIES_URL,
            "stories.html",
            "Stories worth sharing",
            lambda: stories_page_variables(site, told()),
            moments=tuple(m.id for m in moments if m.share),
        )
    )
    for url, template, title, context in journey_pages(site, moments):
        pages.append(Page(url, template, title, context))
    pages.extend(_taxonomy_pages(site, moments))
    pages.append(Page("search/", "search.html", "Search", partial(_search, site, moments)))
    pages.append(Page("404.html", "404.html", "Page not found", moments=()))
    return pages


def _customer_pages(
    site: Site, slug: str, moments: list[Moment], summary_of: Callable[[str], CustomerSummary]
) -> list[Page]:
    customer = site.customers[slug]
    as_of = site.as_of
    years: dict[int, list[Moment]] = defaultdict(list)
    for moment in moments:
        years[moment.year].append(moment)

    def overview() -> Variables:
        open_items = [r for r in items(moments, "assumptions", as_of) if not r.item.clarified]
        promises = promise_refs(moments, as_of)
        return {
            "customer": customer,
            "summary": summary_of(slug),
            "moments": moments,
            "years": sorted(years.items(), reverse=True),
            "learnings": items(moments, "learnings", as_of),
            "open_assumptions": open_items,
            "plan": items(moments, "plan", as_of),
            "promises": promises,
            "keep": keep_rate(customer.name, customer.url, promises),
            "peak": peak(moments),
            "latest": moments[-1] if moments else None,
        }

    def review(year: int, year_moments: list[Moment]) -> Variables:
        assumptions = items(year_moments, "assumptions", as_of)
        return {
            "customer": customer,
            "year": year,
            "moments": year_moments,
            "learnings": items(year_moments, "learnings", as_of),
            "do_differently": items(year_moments, "do_differently", as_of),
            "assumptions": sorted(assumptions, key=lambda r: r.item.clarified),
            "plan": items(year_moments, "plan", as_of),
        }

    pages = [
        Page(
            customer.url,
            "customer.html",
            customer.name,
            overview,
            moments=tuple(m.id for m in moments),
        )
    ]
    pages.append(
        Page(
            f"{customer.url}plan/",
            "plan.html",
            f"{customer.name}: the plan",
            lambda: {"customer": customer, **customer_plan(moments, as_of)},
            moments=tuple(m.id for m in moments),
        )
    )
    for year, year_moments in sorted(years.items()):
        pages.append(
            Page(
                f"{customer.url}{year}/",
                "year.html",
                f"{customer.name}: {year} in review",
                partial(review, year, year_moments),
                moments=tuple(m.id for m in year_moments),
            )
        )
    return pages


def moment_page(site: Site, moment_id: str) -> Page:
    """One moment's page on its own, as `list_pages` makes it."""
    slug = site.moments[moment_id].customer
    customer_moments = [m for m in site.moments.values() if m.customer == slug]
    position = next(i for i, m in enumerate(customer_moments) if m.id == moment_id)
    return _moment_page(site, customer_moments, position)


def _moment_page(site: Site, customer_moments: list[Moment], position: int) -> Page:
    moment = customer_moments[position]
    previous = customer_moments[position - 1] if position else None
    following = customer_moments[position + 1] if position + 1 < len(customer_moments) else None
    shown = [moment.id, *moment.related]
    shown += [m.id for m in (previous, following) if m is not None]
    return Page(
        moment.url,
        "moment.html",
        moment.title,
        moments=tuple(shown),
        context=lambda: {
            "moment": moment,
            "customer": site.customers[moment.customer],
            "related": [site.moments[i] for i in moment.related],
            "promises": promise_refs([moment], site.as_of),
            "previous": previous,
            "next": following,
            "history": site.history.get(moment.source_path),
        },
    )


def _promises(site: Site, promises: list[PromiseRef]) -> Variables:
    groups = {
        status: [p for p in promises if p.status == status]
        for status in ("overdue", "open", "kept", "late", "broken")
    }
    by_customer: dict[str, list[PromiseRef]] = defaultdict(list)
    for ref in promises:
        by_customer[ref.moment.customer].append(ref)
    per_customer = [
        keep_rate(c.name, c.url, by_customer.get(slug, [])) for slug, c in site.customers.items()
    ]
    owned = promises_by_owner(promises)
    pages = site.terms["people"]
    per_person = [
        keep_rate(person, f"people/{pages[person]}/" if person in pages else "", owned[person])
        for person in sorted(owned, key=str.casefold)
    ]
    return {
        "groups": groups,
        "overall": keep_rate("All customers", "", promises),
        "per_customer": [r for r in per_customer if r.due],
        "per_person": [r for r in per_person if r.due],
    }


def _search(site: Site, moments: list[Moment]) -> Variables:
    """The search page's filters: (name, label, no-filter text, [(value, text)]).
    The results come from the index in search/."""

    def same(values: Iterable[object]) -> list[tuple[str, str]]:
        return [(str(v), str(v)) for v in values]

    sentiments = [s for s in SENTIMENTS if any(m.sentiment == s for m in moments)]
    years = sorted({m.year for m in moments}, reverse=True)
    customers = [(c.slug, c.name) for c in site.customers.values()]
    return {
        "filters": [
            ("customer", "Customer", "All customers", customers),
            ("type", "Type", "All types", same(site.config.types)),
            ("stage", "Stage", "All stages", same(site.config.stages)),
            ("sentiment", "Sentiment", "Any sentiment", same(sentiments)),
            ("year", "Year", "All years", same(years)),
        ]
    }


def term_url(site: Site, kind: str, value: str) -> str:
    return f"{kind}/{site.terms[kind][value]}/"


def _taxonomy_pages(site: Site, moments: list[Moment]) -> list[Page]:
    pages = []

    @cache
    def owned_promises() -> dict[str, list[PromiseRef]]:
        return promises_by_owner(promise_refs(moments, site.as_of))

    owned: dict[str, list[str]] = defaultdict(list)  # owner -> ids of moments with their promises
    for moment in moments:
        for owner in dict.fromkeys(p.by for p in moment.promises if p.by):
            owned[owner].append(moment.id)

    for kind in TAXONOMIES:
        members: dict[str, list[Moment]] = defaultdict(list)
        for moment in moments:
            for value in _values(moment, kind):
                members[value].append(moment)
        values = list(
            site.config.types
            if kind == "types"
            else site.config.stages
            if kind == "stages"
            else sorted(members, key=str.casefold)
        )
        terms = [
            (value, term_url(site, kind, value), len(members.get(value, []))) for value in values
        ]
        if kind == "factors":
            pages.extend(_factor_pages(site, moments))
            continue
        pages.append(
            Page(
                f"{kind}/",
                "taxonomy.html",
                kind.capitalize(),
                {"kind": kind, "term": None, "terms": terms, "moments": []},
            )
        )
        for value in values:
            listed = list(reversed(members.get(value, [])))
            fixed: Variables = {
                "kind": kind,
                "term": value,
                "terms": [],
                "moments": listed,
                "keep": None,  # a person's page: the keep rate of what they answer for
            }
            context: Variables | Callable[[], Variables] = fixed
            shown = tuple(m.id for m in listed)
            if kind == "people":
                shown = tuple(dict.fromkeys((*shown, *owned.get(value, ()))))
                context = partial(_person, fixed, value, owned_promises)
            pages.append(
                Page(
                    term_url(site, kind, value),
                    "taxonomy.html",
                    value,
                    moments=shown,
                    # A term page lists its own moments only: listing every term
                    # on every term page would grow with the square of the terms.
                    context=context,
                )
            )
    return pages


def _person(
    context: Variables, person: str, owned: Callable[[], dict[str, list[PromiseRef]]]
) -> Variables:
    """A person's page adds the keep rate of the promises they answer for: those they
    own (`by`), and those without an owner on their moments."""
    return {**context, "keep": keep_rate(person, "", owned().get(person, []))}


def _factor_pages(site: Site, moments: list[Moment]) -> list[Page]:
    """factors/ as patterns, and a page per factor with its moments and reflections."""
    as_of = site.as_of

    @cache
    def patterns() -> list[FactorPattern]:
        return factor_patterns(site, moments)

    def largest(shown: Iterable[FactorPattern]) -> int:
        return max((q.counts.total for p in shown for q in p.quarters), default=0)

    def index() -> Variables:
        return {"patterns": patterns(), "largest": largest(patterns())}

    def one(name: str) -> Variables:
        pattern = next(p for p in patterns() if p.name == name)
        shown = list(reversed(pattern.moments))  # date order, as `items` lists them
        return {
            "pattern": pattern,
            "largest": largest(patterns()),
            "learnings": items(shown, "learnings", as_of),
            "do_differently": items(shown, "do_differently", as_of),
            "assumptions": [r for r in items(shown, "assumptions", as_of) if not r.item.clarified],
        }

    named = sorted({f for m in moments for f in m.factors}, key=str.casefold)
    pages = [Page("factors/", "factors.html", "Factors", index)]
    for name in named:
        pages.append(
            Page(
                term_url(site, "factors", name),
                "factor.html",
                name,
                partial(one, name),
                # Its strip shares a scale with every factor's, so any moment may move it.
                moments=None,
            )
        )
    return pages


def _values(moment: Moment, kind: str) -> tuple[str, ...]:
    if kind == "types":
        return (moment.type,) if moment.type else ()
    if kind == "stages":
        return (moment.stage,) if moment.stage else ()
    values: tuple[str, ...] = getattr(moment, kind)
    return values
