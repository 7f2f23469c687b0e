#!/usr/bin/env python3
"""Generate the standard momentmap benchmark corpus (SPEC section 7).

    python bench/generate_corpus.py N OUTDIR

Writes N moments over N/25 customers, dated 2021-01-01 to 2025-12-31, as a
momentmap site: OUTDIR/momentmap.yaml, OUTDIR/content/customers/<slug>.md and
OUTDIR/content/moments/<customer-slug>/<YYYY-MM-DD>-<title-slug>.md.

The tree depends on N only (a seeded random.Random, no clock, no set or hash
ordering), so the same N gives byte-identical files on any machine and day.
Every front matter key of SPEC 2.1 appears somewhere, in the forms a writer
would use: dates with and without times, customers by name, slug or alias,
sentiment as words and numbers, promises kept, broken and open.

The keys of SPEC 8 (share, promise times, `within` and `by`, plan items with a
done state and a quarter or date) are drawn from a second generator, so adding
them left every choice made by the first one, and so the rest of the corpus,
as it was.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import functools
import itertools
import random
import re
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

FIRST_DAY = dt.date(2021, 1, 1)
DAYS = (dt.date(2025, 12, 31) - FIRST_DAY).days + 1
MOMENTS_PER_CUSTOMER = 25
MIN_WORDS, MAX_WORDS = 250, 400  # body length, sections included
FILL_MARGIN = 30  # longer than any bank sentence

# --- word lists -------------------------------------------------------------
# fmt: off
# Accented letters are ones NFKD decomposes to ASCII, so every slugifier that
# follows SPEC 6 agrees on the slugs (and so on the ids `related` points at).

COMPANY_HEADS = (
    "Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne",
    "Tyrell", "Cyberdyne", "Soylent", "Gringotts", "Monarch", "Oceanic", "Pied Piper",
    "Nakatomi", "Wonka", "Aperture", "Massive", "Dunder", "Sterling", "Bluth",
    "Lumière", "Société Nouvelle", "Müller", "Café Olé", "Zürich Bâtiment", "Señor Pato",
    "Crème", "Ångström", "Hélio", "Forêt", "Björn", "Kärnten", "Porto Azul", "Ibérica",
    "Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Proseware", "Adatum",
    "Woodgrove", "Fourth Coffee", "Alpine Ski", "Blue Yonder", "Coho", "Humongous",
    "Lucerne", "Margie", "Trey", "Wingtip", "Wide World", "Graphic Design", "Southridge",
    "Consolidated", "Bright Harbor", "Red Cedar", "Silver Lake", "Iron Bridge",
    "Granite Peak", "Cobalt", "Quantum", "Helix", "Vertex", "Summit", "Beacon",
    "Keystone", "Meridian", "Harbor Point", "Evergreen", "Pinnacle", "Orion", "Atlas",
)
COMPANY_TAILS = (
    "Corp", "Industries", "Logistics", "Health", "Bank", "Insurance", "Retail",
    "Energy", "Foods", "Labs", "Systems", "Manufacturing", "Media", "Pharma",
    "Airlines", "Telecom", "Holdings", "Group", "Partners", "Analytics", "Mobility",
    "Robotics", "Textiles", "Chemicals", "Software", "Hotels", "Shipping", "Mining",
    "Semiconductors", "Publishing", "Freight", "Utilities", "Clinics", "Outfitters",
    "Brewing", "Motors", "Aerospace", "Finance", "Education", "Gaming",
)
REGIONS = (
    "Nordic", "Iberia", "Benelux", "Pacific", "Atlantic", "Alpine", "Baltic",
    "Central", "Eastern", "Western", "Southern", "Northern", "Andean", "Gulf",
    "Adriatic", "Celtic", "Danube", "Rhône", "Highland", "Coastal",
)
FIRST_NAMES = (
    "Dana", "Lee", "Priya", "Tomás", "Ingrid", "Kwame", "Mei", "Oliver", "Fatima",
    "Jonas", "Aisha", "Mateo", "Chloé", "Ravi", "Sofia", "Emeka", "Hana", "Lukas",
    "Noor", "Diego", "Elena", "Kenji", "Zoë", "Samir", "Agnès", "Bruno", "Carmen",
    "Dmitri", "Esther", "Felix", "Grace", "Hugo", "Imani", "Jorge", "Kira", "Liam",
    "Maya", "Nils", "Olga", "Pablo", "Quinn", "Rosa", "Stefan", "Tara", "Uma",
    "Victor", "Wen", "Ximena", "Yusuf", "Zara", "André", "Björk", "Céline", "Dário",
    "Erin", "Farid", "Gita", "Henrik", "Iris", "Jamal",
)
LAST_NAMES = (
    "Whitfield", "Okafor", "Nakamura", "García", "Lindqvist", "Mensah", "Chen",
    "Brennan", "Haddad", "Schmidt", "Patel", "Rossi", "Dubois", "Kowalski", "Novak",
    "Andersen", "Moreau", "Silva", "Tanaka", "Ibrahim", "Murphy", "Jansen", "Larsen",
    "Costa", "Fischer", "Kim", "Nguyen", "Hoffmann", "Almeida", "Ortiz", "Petrov",
    "Svensson", "Yilmaz", "Adeyemi", "Bauer", "Castillo", "Duarte", "Eriksen",
    "Ferreira", "González", "Hansen", "Ivanova", "Jovanović", "Keller", "Lambert",
    "Müller", "Nowak", "Oliveira", "Peeters", "Quintero", "Richter", "Sánchez",
    "Thompson", "Ueda", "Vasquez", "Weber", "Xu", "Young", "Zimmermann", "Abara",
)
SEGMENTS = ("enterprise", "mid-market", "small business", "public sector", "strategic")
TYPES = ("courageous", "competitor", "regretful", "satisfying", "imperfect", "elevating")
STAGES = (
    "awareness", "evaluation", "purchase", "onboarding", "adoption", "renewal", "advocacy",
)
SENTIMENT_WORDS = {
    -2: ("very negative",), -1: ("negative",), 0: ("neutral", "mixed"),
    1: ("positive",), 2: ("very positive",),
}
# How each moment type tends to feel to the customer (scores -2..2).
TYPE_SCORES = {
    "courageous": (-1, 0, 0, 1, 1), "competitor": (-2, -1, -1, 0, 1),
    "regretful": (-2, -2, -1, -1, 0), "satisfying": (0, 1, 1, 2, 2),
    "imperfect": (-1, -1, 0, 0, 1), "elevating": (1, 1, 2, 2, 2),
}
TAGS = (
    "pricing", "onboarding", "security", "integration", "support", "outage",
    "roadmap", "training", "billing", "contract", "escalation", "executive sponsor",
    "data migration", "performance", "compliance", "reporting", "api", "mobile",
    "single sign-on", "procurement", "legal", "references", "case study", "pilot",
    "workshop", "qbr", "churn risk", "expansion", "upsell", "discount", "sla",
    "documentation", "accessibility", "localisation", "uptime", "feature request",
    "bug", "handover", "champion", "budget",
)
FACTORS = (
    "quota pressure", "over-promising", "good enough engineering", "unclear ownership",
    "late handover", "missing follow-up", "understaffed support", "rushed discovery",
    "strong sponsorship", "early escalation", "clear communication", "proactive check-in",
    "competitor discounting", "budget freeze", "reorganisation", "tribal knowledge",
)
EVENTS = (
    "renewal call", "pricing review", "kickoff workshop", "security audit",
    "outage postmortem", "quarterly business review", "onboarding session",
    "contract negotiation", "support escalation", "executive briefing", "pilot readout",
    "training day", "roadmap preview", "invoice dispute", "migration cutover",
    "reference call", "steering committee", "competitive bake-off", "site visit",
    "user conference", "go-live weekend", "budget meeting", "product demo",
    "health check", "release rollout",
)
OUTCOMES = {
    -2: ("went sideways", "ended in a formal complaint", "nearly cost us the account"),
    -1: ("stalled", "exposed a gap", "turned tense", "was cancelled late"),
    0: ("raised new questions", "ran as planned", "moved to next quarter",
        "changed the agenda"),
    1: ("landed well", "won the sponsor over", "closed a long debate", "beat the plan"),
    2: ("earned a referral", "turned a critic into a champion", "set a new bar"),
}
COUNTERPARTS = (
    "the CFO", "their new CIO", "the procurement team", "the project sponsor",
    "the support lead", "the board", "their data team", "the operations director",
)
ROLES = (
    "CFO", "head of operations", "procurement lead", "project sponsor", "IT director",
    "new VP of sales", "data team", "steering committee", "support manager",
    "security officer", "finance controller", "product owner",
)
SUBJECTS = (
    "The CFO", "Their head of operations", "The procurement lead", "Our account manager",
    "The project sponsor", "Their IT director", "Our support engineer",
    "The new VP of sales", "Their data team", "The steering committee",
    "Our solutions architect", "The champion on their side", "Their security officer",
    "Our delivery manager", "The finance controller", "Their product owner",
)
VERBS = (
    "questioned", "praised", "challenged", "escalated", "welcomed", "postponed",
    "reviewed", "rejected", "accepted", "reopened", "clarified", "summarised",
    "criticised", "defended", "rewrote", "approved", "ignored", "celebrated",
)
OBJECTS = (
    "the renewal terms", "the migration timeline", "the pricing proposal",
    "the onboarding plan", "our product roadmap", "the integration with their ERP",
    "the service level report", "the security questionnaire", "the pilot results",
    "the support backlog", "the disputed invoice", "the training schedule",
    "the data retention policy", "the rollout checklist", "the statement of work",
    "the uptime figures", "the reference list", "the discount request",
)
CIRCUMSTANCES = (
    "during the quarterly review", "in a short call on a Friday afternoon",
    "after two weeks of silence", "in front of their whole team",
    "before the budget meeting", "while a competitor was still on site",
    "at the end of a long workshop", "over email late in the evening",
    "in the first ten minutes of the meeting", "without any warning",
    "after our third reminder", "in a hallway conversation",
)
CLAUSES = (
    "the budget had already been moved to another project",
    "nobody on our side owned the follow-up",
    "their team had built a workaround we never heard about",
    "the contract still listed the old service levels",
    "the real decision maker had not been in the room",
    "our release notes had answered the wrong question",
    "they valued speed of response more than the fix itself",
    "the competitor had offered a free migration",
    "their users loved the new reports more than anyone expected",
    "the original requirements came from a team that no longer existed",
    "the promised date had been set by sales without asking delivery",
    "their auditors needed the evidence in writing",
)
RESPONSES = (
    "We answered within the hour", "We asked for a week to come back",
    "We brought in an engineer on the spot", "We apologised and took notes",
    "We walked through the numbers line by line", "We offered a second workshop",
    "We escalated internally the same day", "We agreed on a written summary",
)
RESULTS = (
    "and the mood in the room changed noticeably.",
    "which bought us time but not trust.",
    "and they thanked us for being candid.",
    "but the follow-up slipped by several days.",
    "and the sponsor repeated it to their leadership.",
    "which nobody on their side expected from a vendor.",
    "although the main question stayed open.",
    "and the conversation moved on to next year's plans.",
)
LEARNINGS = (
    "Confirm the attendee list the day before", "Bring the numbers in writing",
    "Name one owner for every follow-up", "Ask who else needs to agree",
    "Check the contract before quoting service levels",
    "Share bad news early and in person", "Test the cutover on their data, not ours",
    "Listen for what the sponsor repeats", "Write down every promise as it is made",
    "Involve delivery before the date is promised",
)
WHEN = (
    "before every renewal", "for this account", "when a new stakeholder joins",
    "in the first month", "whenever pricing changes", "for every escalation",
)
DO_DIFFERENTLY = (
    "Send the pricing rationale before the call", "Invite their finance team earlier",
    "Agree the agenda in writing", "Escalate on the first day, not the fifth",
    "Offer a fixed date only after delivery signs off",
    "Bring the support lead to the review", "Prepare a one-page summary for the board",
    "Follow up the same afternoon", "Ask what success looks like for them",
)
ASSUMPTIONS = (
    "They still see us as their preferred vendor", "Budget is frozen until Q3",
    "The sponsor will stay in the role next year", "Their IT team supports the migration",
    "Procurement will accept a three-year term", "The competitor pilot has ended",
    "Users in the regions have the same needs", "Security review is a formality",
    "They plan to expand to a second business unit", "The outage did not reach their board",
)
PLANS = (
    "Quarterly executive sponsor check-ins in {year}", "A joint success plan by March {year}",
    "Monthly usage reviews with their operations team in {year}",
    "A reference call programme in {year}", "Move them to the new platform in {year}",
    "An onsite training week early in {year}", "A renewal proposal ready by Q2 {year}",
    "A shared roadmap session each half of {year}",
)
PROMISES = (
    "Send the revised pricing rationale", "Share the migration runbook",
    "Get back with a root cause analysis", "Call back within 24 hours",
    "Provide a fixed date for the patch", "Send the signed data processing agreement",
    "Set up a sandbox for their team", "Deliver the custom report",
    "Introduce them to a reference customer", "Confirm the training dates",
)
NOTES = (
    "Long-standing account with a strong operations champion.",
    "Decision making sits with a central procurement team.",
    "They benchmark us against two competitors every year.",
    "Most users work in regional offices with limited IT support.",
    "The relationship started with a small pilot that grew quickly.",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)
# fmt: on


@dataclass(frozen=True, slots=True)
class Customer:
    name: str
    slug: str
    aliases: tuple[str, ...]
    owner: str
    segment: str
    since: dt.date


@dataclass(frozen=True, slots=True)
class Moment:
    customer: Customer
    day: dt.date
    title: str
    score: int
    type: str
    id: str  # what `related` must name: the override when there is one
    source: str  # path below content/moments/, without .md
    id_override: bool
    draft: bool


@functools.cache  # titles repeat; slugging them char by char is the hot spot
def slugify(value: str) -> str:
    """SPEC 6 slugs for the ASCII-decomposable names used here."""
    decomposed = unicodedata.normalize("NFKD", value)
    ascii_only = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", ascii_only.lower()).strip("-")


_PLAIN_YAML = re.compile(r"[A-Za-z\u00c0-\u024f][\w\u00c0-\u024f .,'()/+-]*")
_WORD = re.compile(r"[^\W_]\S*")
_YAML_WORDS = {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}


@functools.cache  # names, titles and tags repeat
def yaml_str(value: str) -> str:
    """A YAML scalar for `value`: plain when that is safe, else double-quoted."""
    if (
        _PLAIN_YAML.fullmatch(value)
        and value.lower() not in _YAML_WORDS
        and value == value.strip()
        and "," not in value  # plain scalars also go into [flow, lists]
    ):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def yaml_list(values: list[str]) -> str:
    return "[" + ", ".join(yaml_str(v) for v in values) + "]"


def make_people(rng: random.Random, count: int) -> list[str]:
    names = [f"{f} {last}" for f in FIRST_NAMES for last in LAST_NAMES]
    rng.shuffle(names)
    return names[:count]


def make_customers(rng: random.Random, count: int, people: list[str]) -> list[Customer]:
    pairs = [f"{h} {t}" for h in COMPANY_HEADS for t in COMPANY_TAILS]
    triples = [f"{h} {r} {t}" for h in COMPANY_HEADS for r in REGIONS for t in COMPANY_TAILS]
    rng.shuffle(pairs)
    rng.shuffle(triples)
    names = (pairs + triples)[:count]
    if len(names) < count:
        sys.exit(f"cannot name {count} customers; add words to COMPANY_HEADS")
    # A short alias ("Acme") only where it names one customer, or matching is ambiguous.
    heads: dict[str, int] = {}
    for name in names:
        head = name.split(" ")[0]
        heads[head] = heads.get(head, 0) + 1
    customers = []
    for number, name in enumerate(names, 1):
        head = name.split(" ")[0]
        ticker = "".join(w[0] for w in slugify(name).split("-")).upper() + f"{number:04d}"
        aliases = (ticker, head) if heads[head] == 1 else (ticker,)
        since = dt.date(2012, 1, 1) + dt.timedelta(days=rng.randrange(365 * 12))
        customers.append(
            Customer(name, slugify(name), aliases, rng.choice(people), rng.choice(SEGMENTS), since)
        )
    return customers


def plan_moments(rng: random.Random, n: int, customers: list[Customer]) -> list[Moment]:
    """Who, when and what of every moment, sorted by date; no text yet."""
    # Accounts differ in size (large ones get 6x the moments of small ones), yet
    # every customer has at least one moment.
    weights = [rng.choice((1, 1, 1, 2, 2, 3, 6)) for _ in customers]
    owners = customers + rng.choices(customers, weights=weights, k=n - len(customers))
    taken: set[str] = set()
    moments = []
    for customer in owners:
        day = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
        mtype = rng.choice(TYPES)
        score = rng.choice(TYPE_SCORES[mtype])
        title = f"{rng.choice(EVENTS).capitalize()} {rng.choice(OUTCOMES[score])}"
        if rng.random() < 0.3:
            title += f" with {rng.choice(COUNTERPARTS)}"
        stem = f"{customer.slug}/{day.isoformat()}-{slugify(title)}"
        source, k = stem, 2
        while source in taken:
            source, k = f"{stem}-{k}", k + 1
        taken.add(source)
        override = rng.random() < 0.01
        # Three segments: cannot clash with a derived two-segment id.
        mid = f"{customer.slug}/key-moments/{source.split('/')[1]}" if override else source
        moments.append(
            Moment(customer, day, title, score, mtype, mid, source, override, rng.random() < 0.02)
        )
    moments.sort(key=lambda m: (m.day, m.source))
    return moments


def format_date(rng: random.Random, day: dt.date) -> str:
    """A date as a writer types it: mostly plain, sometimes with a time in any SPEC form."""
    roll = rng.random()
    if roll < 0.7:
        return day.isoformat()
    hh, mm, ss = rng.randrange(8, 19), rng.randrange(0, 60, 5), rng.randrange(60)
    if roll < 0.82:
        return f"{day} {hh:02d}:{mm:02d}"
    if roll < 0.9:
        return f"{day}T{hh:02d}:{mm:02d}"
    if roll < 0.94:
        return f"{day} {hh:02d}:{mm:02d}:{ss:02d}"
    if roll < 0.97:
        return f"{day}T{hh:02d}:{mm:02d}:{ss:02d}"
    return f"{day}T{hh:02d}:{mm:02d}{rng.choice(('Z', '+01:00', '-05:00'))}"


def format_customer(rng: random.Random, customer: Customer) -> str:
    """Mostly the name; sometimes the slug, an alias, or the name typed loosely."""
    roll = rng.random()
    if roll < 0.7:
        return customer.name
    if roll < 0.82:
        return customer.slug
    if roll < 0.95:
        return rng.choice(customer.aliases)
    return customer.name.upper()


def format_sentiment(rng: random.Random, score: int) -> str:
    if rng.random() < 0.3:
        return str(score)
    return rng.choice(SENTIMENT_WORDS[score])


def promise_lines(
    rng: random.Random, more: random.Random, day: dt.date, owners: list[str]
) -> list[str]:
    lines = ["promises:"]
    for _ in range(rng.choice((1, 1, 2))):
        due = day + dt.timedelta(days=rng.randrange(1, 22))
        lines.append(f"  - promise: {yaml_str(rng.choice(PROMISES))}")
        roll, hour = more.random(), f" {more.randrange(9, 18):02d}:{more.choice((0, 30)):02d}"
        timed = roll < 0.5
        if roll < 0.2:  # "within 48h", counted from the moment's date
            lines.append(f"    within: {(due - day).days * 24}h")
            timed = False
        else:
            lines.append(f"    due: {due}{hour if timed else ''}")
        if owners and more.random() < 0.6:
            lines.append(f"    by: {yaml_str(more.choice(owners))}")
        roll = rng.random()
        if roll < 0.55:  # kept: mostly on time, some late
            kept = max(day, due + dt.timedelta(days=rng.randrange(-5, 6)))
            late = f" {more.randrange(9, 19):02d}:{more.randrange(0, 60, 5):02d}"
            lines.append(f"    kept: {kept}{late if timed else ''}")
        elif roll < 0.7:
            lines.append("    kept: false")
        # else: still open
    return lines


def front_matter(
    rng: random.Random, more: random.Random, m: Moment, people: list[str], related: list[Moment]
) -> tuple[list[str], list[str]]:
    """The front matter lines and the people named in them."""
    lines = [
        "---",
        f"title: {yaml_str(m.title)}",
        f"date: {format_date(rng, m.day)}",
        f"customer: {yaml_str(format_customer(rng, m.customer))}",
    ]
    if m.id_override:
        lines.append(f"id: {m.id}")
    if rng.random() < 0.95:
        lines.append(f"type: {m.type}")
    if rng.random() < 0.95:
        lines.append(f"sentiment: {format_sentiment(rng, m.score)}")
    if rng.random() < 0.92:
        lines.append(f"stage: {rng.choice(STAGES)}")
    roll = rng.random()
    if roll < 0.35:
        lines.append("moment_of_truth: true")
    elif roll < 0.6:
        lines.append("moment_of_truth: false")
    who = rng.sample(people, rng.choice((1, 1, 2, 2, 3))) if rng.random() < 0.9 else []
    if who:
        lines.append(f"people: {yaml_list(who)}")
    if rng.random() < 0.8:
        lines.append(f"tags: {yaml_list(rng.sample(TAGS, rng.choice((1, 2, 2, 3))))}")
    if rng.random() < 0.5:
        lines.append(f"factors: {yaml_list(rng.sample(FACTORS, rng.choice((1, 1, 2))))}")
    if rng.random() < 0.3:
        lines += promise_lines(rng, more, m.day, who)
    if related:
        lines.append(f"related: {yaml_list([r.id for r in related])}")
    if rng.random() < 0.1:
        lines += [
            "extra:",
            f"  crm_id: OPP-{rng.randrange(1_000_000):06d}",
            f"  region: {rng.choice(('EMEA', 'APAC', 'Americas'))}",
            f"  arr_change: {rng.randrange(-50, 51) * 1000}",
        ]
    if more.random() < 0.04:
        lines.append("share: true")
    if m.draft:
        lines.append("draft: true")
    elif rng.random() < 0.03:
        lines.append("draft: false")
    lines.append("---")
    return lines, who


class Prose:
    """Banks of sentences and list items, built once per corpus, so that a body
    costs a handful of rng calls rather than one per word or sentence."""

    def __init__(self, rng: random.Random) -> None:
        sentences: list[str] = []
        for _ in range(4000):
            kind = rng.random()
            if kind < 0.45:
                what = rng.choice(OBJECTS)
                if rng.random() < 0.1:
                    what = f"**{what}**"  # some inline markup for the Markdown renderer
                who, verb, when = rng.choice(SUBJECTS), rng.choice(VERBS), rng.choice(CIRCUMSTANCES)
                sentences.append(f"{who} {verb} {what} {when}.")
            elif kind < 0.75:
                sentences.append(f"It became clear that {rng.choice(CLAUSES)}.")
            else:
                sentences.append(f"{rng.choice(RESPONSES)}, {rng.choice(RESULTS)}")
        counts = [count_words(s) for s in sentences]
        # The fill in body() relies on no sentence being longer than this margin.
        assert max(counts) < FILL_MARGIN
        # A narrative is a run of consecutive bank sentences; the bank is doubled so a
        # run may start anywhere, and `ends` holds running word totals for bisect.
        self.sentences = sentences + sentences
        self.ends = list(itertools.accumulate(counts + counts))
        self.learnings = [f"{a} {b}." for a in LEARNINGS for b in WHEN]
        self.do_differently = [f"{a}." for a in DO_DIFFERENTLY]

    def body(
        self,
        rng: random.Random,
        more: random.Random,
        m: Moment,
        who: list[str],
        related: list[Moment],
    ) -> str:
        person = who[0] if who else m.customer.owner
        opening = (
            f"On {WEEKDAYS[m.day.weekday()]} {m.day.day} {MONTHS[m.day.month - 1]}, {person} "
            f"met the {rng.choice(ROLES)} of {m.customer.name} for the {rng.choice(EVENTS)}."
        )
        later = m.day + dt.timedelta(days=rng.randrange(3, 60))
        sections = [
            "## Learnings",
            *(f"- {s}" for s in rng.sample(self.learnings, rng.randint(1, 3))),
            "",
            "## Do differently",
            *(f"- {s}" for s in rng.sample(self.do_differently, rng.randint(1, 2))),
            "",
            "## Assumptions",
            *(self._assumption(rng, a, later) for a in rng.sample(ASSUMPTIONS, rng.randint(1, 3))),
            "",
            "## Plan",
        ]
        plans = [p.format(year=m.day.year + 1) + "." for p in rng.sample(PLANS, rng.randint(1, 2))]
        sections += [f"- {p}" for p in plans]
        tail = []  # paragraphs after the narrative
        if related:  # same customer, so the same folder
            stem = related[0].source.split("/")[1]
            tail.append(f"See also [the earlier {related[0].type} moment]({stem}.md).")
        if rng.random() < 0.05:
            tail.append("<!-- private: check with legal before sharing this one -->")
        words = count_words("\n".join([opening, *tail, *sections]))
        # Fill the narrative up to a target: stopping before the first sentence that
        # would overshoot leaves at least target - FILL_MARGIN >= MIN_WORDS words.
        target = rng.randint(MIN_WORDS + FILL_MARGIN, MAX_WORDS)
        start = rng.randrange(len(self.sentences) // 2)
        before = self.ends[start - 1] if start else 0
        stop = bisect.bisect_right(self.ends, before + target - words, lo=start)
        narrative = [opening, *self.sentences[start:stop]]
        cuts = sorted(rng.sample(range(2, len(narrative)), min(2, len(narrative) - 2)))
        paragraphs = [" ".join(p) for p in _split(narrative, cuts)] + tail
        # The plan items get their SPEC 8.2 prefixes only now: counted without them,
        # the narrative is the one the corpus had before the prefixes existed.
        sections[-len(plans) :] = [_plan_item(more, m.day.year + 1, p) for p in plans]
        return "\n\n".join(paragraphs) + "\n\n" + "\n".join(sections) + "\n"

    @staticmethod
    def _assumption(rng: random.Random, text: str, later: dt.date) -> str:
        roll = rng.random()
        if roll < 0.35:
            return f"- [x] {text} — confirmed by their {rng.choice(ROLES)} on {later}."
        if roll < 0.9:
            return f"- [ ] {text}."
        return f"- {text}."  # a plain item counts as open


def _plan_item(more: random.Random, year: int, text: str) -> str:
    """A plan item as SPEC 8.2 has it: open, done or plain, often with when it is due."""
    box = more.choice(("[ ] ", "[ ] ", "[x] ", ""))
    roll = more.random()
    if roll < 0.5:
        when = f"Q{more.randint(1, 4)}: "
    elif roll < 0.6:
        when = f"by {dt.date(year, more.randint(1, 12), more.randint(1, 28))}: "
    else:
        when = ""
    return f"- {box}{when}{text}"


def count_words(text: str) -> int:
    """Words as a reader counts them: tokens with a letter or digit ('-' and '##' are not)."""
    return len(_WORD.findall(text))  # one match per such token, from its first letter on


def _split(items: list[str], cuts: list[int]) -> list[list[str]]:
    bounds = [0, *cuts, len(items)]
    return [items[a:b] for a, b in itertools.pairwise(bounds) if a < b]


def write_profile(root: Path, rng: random.Random, c: Customer) -> None:
    text = "\n".join(
        [
            "---",
            f"name: {yaml_str(c.name)}",
            f"owner: {yaml_str(c.owner)}",
            f"segment: {c.segment}",
            f"since: {c.since}",
            f"aliases: {yaml_list(list(c.aliases))}",
            "---",
            " ".join(rng.sample(NOTES, 2)),
            "",
        ]
    )
    (root / f"{c.slug}.md").write_text(text, encoding="utf-8", newline="\n")


def generate(n: int, out: Path) -> None:
    rng = random.Random(f"momentmap-bench-{n}")  # str seeds hash with SHA-512: stable
    more = random.Random(f"momentmap-bench-{n}-spec8")
    people = make_people(rng, min(max(n // 40, 25), len(FIRST_NAMES) * len(LAST_NAMES)))
    customers = make_customers(rng, max(1, n // MOMENTS_PER_CUSTOMER), people)
    moments = plan_moments(rng, n, customers)
    prose = Prose(rng)

    out.mkdir(parents=True, exist_ok=True)
    (out / "momentmap.yaml").write_text(
        f'title: "momentmap benchmark: {n} moments"\n', encoding="utf-8", newline="\n"
    )
    profiles = out / "content" / "customers"
    profiles.mkdir(parents=True)
    for c in customers:
        write_profile(profiles, rng, c)
        (out / "content" / "moments" / c.slug).mkdir(parents=True)

    earlier: dict[str, list[Moment]] = {}  # customer slug -> published moments so far
    moments_dir = out / "content" / "moments"
    for m in moments:
        history = earlier.setdefault(m.customer.slug, [])
        related: list[Moment] = []
        if history and rng.random() < 0.25:
            related = rng.sample(history, min(len(history), rng.choice((1, 1, 2))))
        lines, who = front_matter(rng, more, m, people, related)
        text = "\n".join(lines) + "\n" + prose.body(rng, more, m, who, related)
        (moments_dir / f"{m.source}.md").write_text(text, encoding="utf-8", newline="\n")
        if not m.draft:  # a related draft is a warning; keep the corpus clean
            history.append(m)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of moments")
    parser.add_argument("outdir", type=Path, help="site folder to create (must be empty)")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    if args.outdir.exists() and any(args.outdir.iterdir()):
        parser.error(f"{args.outdir} is not empty")
    generate(args.n, args.outdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
