"""Customer profiles, and matching the names moments use to customers."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace

from momentmap.content.fields import Reader
from momentmap.content.frontmatter import Document
from momentmap.content.moments import read_fields
from momentmap.content.schema import PROFILE_FIELDS
from momentmap.diagnostics import Diagnostics
from momentmap.model import Config, Customer
from momentmap.urls import slugify, unique_slugs


def match_key(name: str) -> str:
    """Names match ignoring case, accents and punctuation: 'ACME, Corp.' ~ 'acme corp'."""
    decomposed = unicodedata.normalize("NFKD", name)
    key = "".join(c for c in decomposed.casefold() if c.isalnum())
    return key or name.strip()  # a name of punctuation only ('???') matches itself exactly


def read_profile(
    doc: Document, *, source_path: str, file: str, diagnostics: Diagnostics
) -> Customer | None:
    read = Reader(file, diagnostics)
    if doc.front is None:
        diagnostics.error(
            file, 1, 1, "a customer profile starts with front matter: '---', 'name: …', '---'"
        )
        return None
    read.check_keys(doc.front, PROFILE_FIELDS, "customer profile")
    # A profile with an error still names its customer, so that the moments of that
    # customer get no diagnostic of their own; the error alone stops the build.
    values, _ = read_fields(read, doc.front, PROFILE_FIELDS, Config())
    if "name" not in values:
        return None
    stem = source_path.rsplit("/", 1)[-1].removesuffix(".md")
    return Customer(slug=slugify(stem), source_path=source_path, **values)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class CustomerIndex:
    """Resolves the customer names moments use to customer slugs."""

    customers: dict[str, Customer]
    by_key: dict[str, str]  # match key -> slug
    from_profiles: bool

    def lookup(self, name: str) -> str | None:
        return self.by_key.get(match_key(name))

    def names(self) -> list[str]:
        result = []
        for customer in self.customers.values():
            result.append(customer.name)
            result.extend(customer.aliases)
        return result


def index_profiles(profiles: list[tuple[Customer, str]], diagnostics: Diagnostics) -> CustomerIndex:
    """Index profiles by name, file stem and alias; a key claimed twice is an error."""
    customers: dict[str, Customer] = {}
    by_key: dict[str, str] = {}
    for customer, file in sorted(profiles, key=lambda p: p[0].slug):
        if customer.slug in customers:
            other = customers[customer.slug].source_path
            diagnostics.error(
                file,
                1,
                1,
                f"customer profile clashes with content/{other}: both have slug '{customer.slug}'",
            )
            continue
        customers[customer.slug] = customer
        stem = customer.source_path.rsplit("/", 1)[-1].removesuffix(".md")
        for label in (customer.name, stem, *customer.aliases):
            key = match_key(label)
            owner = by_key.setdefault(key, customer.slug)
            if owner != customer.slug:
                diagnostics.error(
                    file,
                    1,
                    1,
                    f"'{label}' also names customer '{customers[owner].name}'; names and aliases must be unique",
                )
    ordered = dict(sorted(customers.items(), key=lambda kv: (kv[1].name.casefold(), kv[0])))
    return CustomerIndex(ordered, by_key, from_profiles=bool(customers))


def index_from_names(names: Iterable[str], diagnostics: Diagnostics) -> CustomerIndex:
    """With no profiles, customers come from the names moments use.

    Spellings that match each other form one customer, named by its most
    used spelling (ties: the first in sorted order).
    """
    spellings: dict[str, Counter[str]] = {}
    for name in names:
        spellings.setdefault(match_key(name), Counter())[name] += 1
    display = {
        key: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[0][0] for key, c in spellings.items()
    }
    slugs, renamed = unique_slugs(display.values())
    for value, slug in renamed:
        diagnostics.warning(
            "content/moments",
            0,
            0,
            f"customer '{value}' gets slug '{slug}': its name's slug is taken",
        )
    customers = {slugs[name]: Customer(slug=slugs[name], name=name) for name in display.values()}
    by_key = {key: slugs[name] for key, name in display.items()}
    ordered = dict(sorted(customers.items(), key=lambda kv: (kv[1].name.casefold(), kv[0])))
    return CustomerIndex(ordered, by_key, from_profiles=False)


def with_notes(customer: Customer, notes_html: str) -> Customer:
    return replace(customer, notes_html=notes_html)
