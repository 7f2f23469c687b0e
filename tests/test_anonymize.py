"""`build --anonymize`: pseudonyms everywhere, stable, consistent, links intact."""

from __future__ import annotations

import html
import json
import posixpath
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from conftest import EXAMPLE_AS_OF, REPO, Run, run_cli, tree_bytes, write_site

from momentmap.site.names import NameMatcher, customer_pseudonym

# Looking for names in output ------------------------------------------------


def fold(text: str) -> str:
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_words(name: str) -> list[str]:
    return re.findall(r"[^\W_]+", fold(name))


def name_pattern(name: str) -> re.Pattern[str]:
    """A name's words as whole words, any punctuation between them: catches
    'Brandt & Vogel', 'brandt-vogel', 'Brandt &amp; Vogel' (unescaped) alike."""
    words = name_words(name)
    return re.compile(r"(?<![^\W_])" + r"[\W_]{0,5}".join(map(re.escape, words)) + r"(?![^\W_])")


_JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")  # 'B\u0026V' in JSON embedded in pages


def find_names(root: Path, names: set[str]) -> list[str]:
    """'path: name: context' for every name found in a file's path or text under root."""
    patterns = [(n, name_words(n)[0], name_pattern(n)) for n in sorted(names) if name_words(n)]
    found = []
    for rel, data in tree_bytes(root).items():
        text = data.decode("utf-8", errors="replace")
        unescaped = html.unescape(_JSON_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text))
        for variant in dict.fromkeys((rel, text, unescaped, unquote(unescaped))):
            folded = fold(variant)
            for name, first_word, pattern in patterns:
                if first_word not in folded:
                    continue
                for match in pattern.finditer(folded):
                    context = folded[max(0, match.start() - 30) : match.end() + 30]
                    found.append(f"{rel}: {name}: {context!r}")
    return found


def front_matter(path: Path) -> dict[str, object]:
    _, front, _ = path.read_text(encoding="utf-8").split("---", 2)
    data = yaml.safe_load(front)
    assert isinstance(data, dict)
    return data


def real_names(site: Path) -> set[str]:
    """Every customer name, alias, file stem and folder, owner, contact, promise owner and
    person of a site, and the first and last names of the people ('Nadia' of 'Nadia
    Fenwick'), since text often uses only one of them."""
    content = site / "content"
    names: set[str] = set()
    people: set[str] = set()
    for profile in (content / "customers").glob("*.md"):
        data = front_matter(profile)
        names.add(profile.stem)
        names.add(str(data["name"]))
        names.update(map(str, data.get("aliases") or []))  # type: ignore[call-overload]
        people.update(str(v) for v in [data.get("owner"), *(data.get("contacts") or [])] if v)  # type: ignore[misc]
    for moment in (content / "moments").rglob("*.md"):
        data = front_matter(moment)
        names.add(str(data["customer"]))
        people.update(map(str, data.get("people") or []))  # type: ignore[call-overload]
        people.update(str(p["by"]) for p in data.get("promises") or [] if p.get("by"))  # type: ignore[attr-defined]
        names.update(moment.relative_to(content / "moments").parent.parts)
    for person in people:
        names.add(person)
        names.update(part for part in person.split() if part[:1].isupper() and len(part) > 1)
    return names


# Reading output -------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.urls.append(value)
            elif name == "id" and value:
                self.ids.add(value)


def parse_page(data: bytes) -> _Links:
    parser = _Links()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return parser


def resolve(page: str, url: str) -> tuple[str, str] | None:
    """(output path, fragment) a relative url on `page` leads to; None for external urls."""
    if re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", url) or url.startswith("//"):
        return None
    path, _, fragment = url.partition("#")
    path = unquote(path.partition("?")[0])
    if not path:
        return page, fragment
    joined = (
        path.lstrip("/") if path.startswith("/") else posixpath.join(posixpath.dirname(page), path)
    )
    target = posixpath.normpath(joined)
    if url.split("#")[0].endswith("/") or target == ".":
        target = (target + "/index.html").removeprefix("./")
    return target, fragment


def linked_moments(tree: dict[str, bytes], page: str) -> Counter[str]:
    """The moment pages (their ids) that `page` links to, with how often."""
    found: Counter[str] = Counter()
    for url in parse_page(tree[page]).urls:
        target = resolve(page, url)
        if (
            target
            and target[0].startswith("moments/")
            and target[0].endswith("/index.html")
            and target[0] != page
        ):
            found[target[0].removeprefix("moments/").removesuffix("/index.html")] += 1
    return found


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(data: bytes) -> str:
    """A page's text: markup dropped, entities decoded, whitespace collapsed."""
    parser = _Text()
    parser.feed(data.decode("utf-8"))
    return " ".join("".join(parser.parts).split())


def moments_by_id(tree: dict[str, bytes]) -> dict[str, dict[str, object]]:
    return {m["id"]: m for m in json.loads(tree["moments.json"])["moments"]}


# The example site -----------------------------------------------------------


@dataclass
class Builds:
    plain: dict[str, bytes]
    anonymized: dict[str, bytes]
    anonymized_out: Path
    plain_run: Run
    anonymized_run: Run
    again: dict[str, bytes]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Builds:
    root = tmp_path_factory.mktemp("example")
    runs = []
    for name, extra in (("plain", ()), ("anon", ("--anonymize",)), ("again", ("--anonymize",))):
        run = run_cli(
            "build", "--site", REPO, "--out", root / name, "--as-of", EXAMPLE_AS_OF, *extra
        )
        assert run.code == 0, run.err
        runs.append(run)
    return Builds(
        plain=tree_bytes(root / "plain"),
        anonymized=tree_bytes(root / "anon"),
        anonymized_out=root / "anon",
        plain_run=runs[0],
        anonymized_run=runs[1],
        again=tree_bytes(root / "again"),
    )


def pair_moments(example: Builds) -> dict[str, str]:
    """Real moment id -> anonymized id, matched on what anonymizing leaves alone."""

    def key(m: dict[str, object]) -> str:
        promises = [(p["due"], p["kept"], p["status"]) for p in m["promises"]]  # type: ignore[attr-defined]
        fields = (m["date"], m["type"], m["stage"], m["sentiment"], len(m["people"]), promises)  # type: ignore[arg-type]
        return json.dumps(fields)

    plain = {key(m): i for i, m in moments_by_id(example.plain).items()}
    anonymized = {key(m): i for i, m in moments_by_id(example.anonymized).items()}
    assert len(plain) == len(moments_by_id(example.plain)), "pairing key must be unique"
    assert plain.keys() == anonymized.keys()
    return {plain[k]: anonymized[k] for k in plain}


def test_no_real_name_appears_anywhere_in_the_output(example: Builds) -> None:
    names = real_names(REPO)
    assert {"B&V", "Société Thermique du Rhône", "Tomás", "Lee", "brandt-vogel"} <= names
    assert {"Nadia Fenwick", "Nadia", "Katrin"} <= names  # the customers' own people
    assert find_names(example.anonymized_out, names) == []


def test_the_name_search_finds_names_in_a_normal_build(tmp_path: Path, example: Builds) -> None:
    # The check above is only as good as its search: the plain build must fail it.
    for rel, data in example.plain.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    found = "\n".join(find_names(tmp_path, real_names(REPO)))
    for name in (
        "B&V",
        "brandt-vogel",
        "Société Thermique du Rhône",
        "STR",
        "Tomás",
        "Lee",
        "Nadia",
    ):
        assert f": {name}: " in found


def test_two_anonymized_builds_are_byte_identical(example: Builds) -> None:
    assert example.anonymized == example.again


def test_counts_equal_the_normal_build(example: Builds) -> None:
    def counts(run: Run) -> str:
        match = re.search(r"Built (\d+) pages \((\d+) moments, (\d+) customers\)", run.err)
        assert match, run.err
        return match.group(0)

    assert counts(example.anonymized_run) == counts(example.plain_run)

    def pages(tree: dict[str, bytes]) -> int:
        return sum(p.endswith(".html") for p in tree)

    assert pages(example.anonymized) == pages(example.plain)
    assert len(moments_by_id(example.anonymized)) == len(moments_by_id(example.plain))


def test_each_customer_and_person_has_one_pseudonym_everywhere(example: Builds) -> None:
    plain, anonymized = moments_by_id(example.plain), moments_by_id(example.anonymized)
    customers: dict[object, set[object]] = {}
    people: dict[object, set[object]] = {}
    for real_id, new_id in pair_moments(example).items():
        real, new = plain[real_id], anonymized[new_id]
        customers.setdefault(real["customer"], set()).add(new["customer"])
        for person, pseudonym in zip(real["people"], new["people"], strict=True):  # type: ignore[call-overload]
            people.setdefault(person, set()).add(pseudonym)
    assert all(len(v) == 1 for v in customers.values()), customers
    assert all(len(v) == 1 for v in people.values()), people
    assert len({v.pop() for v in customers.values()}) == len(customers)
    # One pseudonym per person; the customers' contacts are numbered among them.
    pseudonyms = [str(p.pop()) for p in people.values()]
    assert len(set(pseudonyms)) == len(pseudonyms)
    assert all(re.fullmatch(r"Person \d+", p) for p in pseudonyms)

    data = json.loads(example.anonymized["moments.json"])
    names = {c["slug"]: c["name"] for c in data["customers"]}
    assert sorted(names.values()) == [customer_pseudonym(n) for n in range(len(names))]
    for slug, name in names.items():
        assert slug == name.lower().replace(" ", "-")
        assert f"<h1>{name}</h1>" in example.anonymized[f"customers/{slug}/index.html"].decode()
    for moment in data["moments"]:
        assert moment["id"].startswith(moment["customer"] + "/")
        page = example.anonymized[f"moments/{moment['id']}/index.html"].decode()
        assert names[moment["customer"]] in page
        assert all(person in page for person in moment["people"])


def test_pseudonyms_follow_first_appearance(example: Builds) -> None:
    data = json.loads(example.anonymized["moments.json"])
    first_seen: dict[str, str] = {}
    for moment in data["moments"]:  # sorted by date
        first_seen.setdefault(moment["customer"], moment["date"])
    assert list(first_seen) == sorted(first_seen, key=lambda s: (first_seen[s], s))
    assert next(iter(first_seen)) == "customer-a"


def test_every_relative_link_resolves(example: Builds) -> None:
    tree = example.anonymized
    ids = {rel: parse_page(data).ids for rel, data in tree.items() if rel.endswith(".html")}
    broken = []
    for rel in ids:
        for url in parse_page(tree[rel]).urls:
            target = resolve(rel, url)
            if target is None:
                continue
            path, fragment = target
            if path not in tree:
                broken.append(f"{rel}: {url}")
            elif fragment and path in ids and fragment not in ids[path]:
                broken.append(f"{rel}: {url} (no id {fragment!r})")
    assert broken == []


def test_links_between_moments_lead_to_the_same_moments(example: Builds) -> None:
    pairs = pair_moments(example)
    checked = 0
    for real_id, new_id in pairs.items():
        real = linked_moments(example.plain, f"moments/{real_id}/index.html")
        new = linked_moments(example.anonymized, f"moments/{new_id}/index.html")
        assert Counter({pairs[i]: n for i, n in real.items()}) == new, real_id
        checked += bool(real)
    assert checked > 10
    referral = next(i for i in pairs if i.endswith("referral-from-brandt-vogel"))
    go_live = next(i for i in pairs if i.endswith("go-live-day-140-drivers-zero-paper"))
    assert linked_moments(example.anonymized, f"moments/{pairs[referral]}/index.html")[
        pairs[go_live]
    ]


def test_files_copied_as_is_are_left_out_with_a_warning(example: Builds) -> None:
    svg = "moments/thermique-du-rhone/rollout-plan.svg"
    assert svg in example.plain
    assert not any(p.endswith(".svg") and p.startswith("moments/") for p in example.anonymized)
    assert f"content/{svg}: warning: left out of the anonymized build" in example.anonymized_run.err
    lyon = next(p for p in example.anonymized if "region-one-go-live-in-lyon" in p)
    assert "Rollout plan" in text_of(example.anonymized[lyon])  # the image's alt text


# The matching rules, on tiny sites -------------------------------------------

MATCHING_SITE = """
-- momentmap.yaml --
title: Moments with B&V
-- content/customers/brandt-vogel.md --
---
name: Brandt & Vogel Logistik GmbH
owner: Dana Whitfield
aliases: ["Brandt & Vogel", "B&V"]
---
Dana Whitfield looks after Brandt & Vogel since the [kickoff](../moments/brandt-vogel/kickoff.md).
-- content/customers/societe-generale.md --
---
name: Société Générale
aliases: [SocGen]
---
Notes.
-- content/moments/brandt-vogel/kickoff.md --
---
title: Kickoff with Brandt & Vogel Logistik GmbH
date: 2023-01-10
customer: B&V
people: [Lee, Sam]
tags: [B&V rollout, pricing]
factors: [Lee's follow-up]
promises:
  - promise: Lee sends B&V the deck
    due: 2023-01-20
extra:
  contact: Dana
  notes: [Brandt & Vogel, 3]
---
Lee's call with BRANDT & VOGEL went well: brandt-vogel, B & V and Brandt and Vogel were all there.

Sam's sample was the same as last time.

See [Brandt & Vogel's renewal](renewal.md#notes-from-lee), [their site](https://brandt-vogel.example/),
[mail Lee](mailto:lee@example.com) and [Corvane](https://corvane.example/).

## Learnings
- Lee learned that B&V reads `brandt-vogel` in code.
-- content/moments/brandt-vogel/renewal.md --
---
title: Renewal
date: 2023-06-01
customer: Brandt & Vogel
people: [Lee]
---
## Notes from Lee
Renewed.
-- content/moments/socgen/first.md --
---
title: First call with Societe Generale
date: 2023-03-01
customer: SOCIÉTÉ GÉNÉRALE
people: [Dana Whitfield]
---
We met SOCIETE GENERALE and Société Générale's team. Dana was there.
"""


@dataclass
class Tiny:
    tree: dict[str, bytes]
    out: Path
    moments: dict[str, dict[str, object]]  # by anonymized title
    run: Run

    def page(self, title: str) -> str:
        return self.tree[f"moments/{self.moments[title]['id']}/index.html"].decode()


def build_anonymized(root: Path, spec: str) -> Tiny:
    site = write_site(root / "site", spec)
    out = root / "out"
    run = run_cli("build", "--site", site, "--out", out, "--as-of", "2024-01-01", "--anonymize")
    assert run.code == 0, run.err
    tree = tree_bytes(out)
    moments = {str(m["title"]): m for m in moments_by_id(tree).values()}
    return Tiny(tree, out, moments, run)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Tiny:
    return build_anonymized(tmp_path_factory.mktemp("tiny"), MATCHING_SITE)


def test_tiny_site_shows_no_real_name(tiny: Tiny, tmp_path: Path) -> None:
    names = real_names(write_site(tmp_path, MATCHING_SITE)) | {"Dana", "Whitfield"}
    assert find_names(tiny.out, names) == []


def test_pseudonyms_by_first_appearance_then_name(tiny: Tiny) -> None:
    # B&V's first moment (2023-01-10) is older than Société Générale's (2023-03-01).
    # Dana Whitfield owns B&V, so she appears on 2023-01-10 too, with Lee and Sam: then by name.
    assert set(tiny.moments) == {"Kickoff with Customer A", "Renewal", "First call with Customer B"}
    assert tiny.moments["Kickoff with Customer A"]["people"] == ["Person 2", "Person 3"]
    assert tiny.moments["First call with Customer B"]["people"] == ["Person 1"]
    customers = json.loads(tiny.tree["moments.json"])["customers"]
    assert [(c["name"], c["owner"]) for c in customers] == [
        ("Customer A", "Person 1"),
        ("Customer B", None),
    ]


def test_longest_name_first(tiny: Tiny) -> None:
    # Not 'Customer A Logistik GmbH': the full name wins over its alias.
    assert "<h1>Kickoff with Customer A</h1>" in tiny.page("Kickoff with Customer A")


def test_case_punctuation_and_possessives(tiny: Tiny) -> None:
    text = tiny.moments["Kickoff with Customer A"]["text"]
    assert isinstance(text, str)
    assert text.startswith(
        "Person 2's call with Customer A went well: Customer A, Customer A and Customer A were all there."
    )


def test_whole_words_only(tiny: Tiny) -> None:
    assert "Person 3's sample was the same as last time." in str(
        tiny.moments["Kickoff with Customer A"]["text"]
    )


def test_accents_do_not_matter(tiny: Tiny) -> None:
    moment = tiny.moments["First call with Customer B"]
    assert moment["text"] == "We met Customer B and Customer B's team. Person 1 was there."
    assert str(moment["id"]).startswith("customer-b/2023-03-01-first-call-with-customer-b")


def test_a_tag_or_factor_holding_a_name(tiny: Tiny) -> None:
    moment = tiny.moments["Kickoff with Customer A"]
    assert moment["tags"] == ["Customer A rollout", "pricing"]
    assert moment["factors"] == ["Person 2's follow-up"]
    assert "tags/customer-a-rollout/index.html" in tiny.tree
    assert "factors/person-2-s-follow-up/index.html" in tiny.tree


def test_names_in_link_text_and_link_targets(tiny: Tiny) -> None:
    page = tiny.page("Kickoff with Customer A")
    renewal = str(tiny.moments["Renewal"]["id"]).split("/")[1]
    # A link to another moment leads to its new page, its #fragment to the renamed heading.
    link = f'<a href="../{renewal}/index.html#notes-from-person-2">Customer A\'s renewal</a>'
    assert link in page
    assert 'id="notes-from-person-2"' in tiny.page("Renewal")
    # External links that name someone lose their target, not their text.
    assert "their site" in page and "brandt" not in page.lower()
    assert "mail Person 2" in page and "mailto:" not in page
    assert '<a href="https://corvane.example/">Corvane</a>' in page
    assert "<code>Customer A</code>" in page


def test_front_matter_values_and_profile_notes(tiny: Tiny) -> None:
    data = json.loads(tiny.tree["moments.json"])
    moment = tiny.moments["Kickoff with Customer A"]
    assert moment["promises"][0]["promise"] == "Person 2 sends Customer A the deck"  # type: ignore[index]
    assert moment["extra"] == {"contact": "Person 1", "notes": ["Customer A", "3"]}
    assert moment["learnings"] == ["Person 2 learned that Customer A reads Customer A in code."]
    assert data["site"]["title"] == "Moments with Customer A"
    customer = tiny.tree["customers/customer-a/index.html"].decode()
    kickoff = tiny.moments["Kickoff with Customer A"]["id"]
    assert "Person 1 looks after Customer A since the" in text_of(customer.encode())
    assert f'href="../../moments/{kickoff}/index.html"' in customer
    assert "Also known as" not in customer  # aliases are dropped


def test_raw_html_is_anonymized_through_a_parser(tmp_path: Path) -> None:
    spec = """
    -- momentmap.yaml --
    allow_html: true
    -- content/moments/b-v/note.md --
    ---
    title: Note
    date: 2023-01-10
    customer: B&V
    people: [Lee]
    ---
    <p title="Lee's note" id="lee-note">Hello from <abbr title="B&amp;V">B&amp;V</abbr>,
    see <a href="https://b-v.example/">their site</a>.</p>
    """
    result = build_anonymized(tmp_path, spec)
    page = result.page("Note")
    assert '<p title="Person 1&#x27;s note" id="person-1-note">' in page
    assert '<abbr title="Customer A">Customer A</abbr>' in page
    assert "<a>their site</a>" in page
    assert result.moments["Note"]["text"] == "Hello from Customer A, see their site."
    assert find_names(result.out, {"Lee", "B&V", "b-v"}) == []


def test_the_folder_of_a_customers_moments_is_one_of_its_names(tmp_path: Path) -> None:
    spec = """
    -- content/moments/acme/kickoff.md --
    ---
    title: Kickoff
    date: 2023-01-10
    customer: Acme Corp
    tags: [Acme]
    ---
    Acme's team liked it.
    -- content/moments/2023/zeta.md --
    ---
    title: Zeta Labs in 2023
    date: 2023-02-10
    customer: Zeta Labs
    ---
    In 2023 we met Zeta Labs.
    """
    result = build_anonymized(tmp_path, spec)
    assert result.moments["Kickoff"]["text"] == "Customer A's team liked it."
    assert result.moments["Kickoff"]["tags"] == ["Customer A"]
    # '2023' holds Zeta Labs' moments but is not a word of its name.
    assert result.moments["Customer B in 2023"]["text"] == "In 2023 we met Customer B."


def test_a_later_customer_or_person_renames_nobody(tmp_path: Path, tiny: Tiny) -> None:
    later = (
        MATCHING_SITE
        + """
-- content/moments/acme/hello.md --
---
title: Hello from Acme
date: 2023-09-01
customer: Acme
people: [Aaron, Lee]
---
Aaron met Acme.
-- content/customers/acme.md --
---
name: Acme
---
New customer.
"""
    )
    result = build_anonymized(tmp_path, later)
    for title, moment in tiny.moments.items():
        assert result.moments[title]["people"] == moment["people"]
        assert result.moments[title]["customer"] == moment["customer"]
    hello = result.moments["Hello from Customer C"]
    assert hello["people"] == ["Person 4", "Person 2"]
    assert hello["text"] == "Person 4 met Customer C."


# The matcher on its own -----------------------------------------------------

MATCHER = NameMatcher(
    [
        ("Brandt & Vogel Logistik GmbH", "Customer A"),
        ("Brandt & Vogel", "Customer A"),
        ("B&V", "Customer A"),
        ("Thermique du Rhône", "Customer B"),
        ("Lee", "Person 1"),
        ("Tomás", "Person 2"),
    ]
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lee's call", "Person 1's call"),
        ("Lee’s call", "Person 1’s call"),
        ("LEE and lee", "Person 1 and Person 1"),
        ("Fleet, sleep, Leeds, Lee2", "Fleet, sleep, Leeds, Lee2"),
        ("Tomas and Tomás and TOMÁS", "Person 2 and Person 2 and Person 2"),
        ("Toma\u0301s called", "Person 2 called"),  # decomposed accent
        ("Thermique du Rhone", "Customer B"),
        (
            "B&V, B & V, b-v, BV, B.V.",
            "Customer A, Customer A, Customer A, Customer A, Customer A.",
        ),
        ("Brandt & Vogel Logistik GmbH.", "Customer A."),
        ("Brandt & Vogel's depot", "Customer A's depot"),
        ("Brandt\n& Vogel", "Customer A"),
        ("Brandt went to see Vogel", "Brandt went to see Vogel"),
        ("", ""),
    ],
)
def test_matcher_replaces_names_in_text(text: str, expected: str) -> None:
    assert MATCHER.replace(text) == expected


def test_matcher_slug_form() -> None:
    assert (
        MATCHER.replace_slug("notes-from-lee-at-brandt-vogel")
        == "notes-from-person-1-at-customer-a"
    )


def test_customer_pseudonyms_go_on_after_z() -> None:
    assert [customer_pseudonym(n) for n in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "Customer A",
        "Customer B",
        "Customer Z",
        "Customer AA",
        "Customer AB",
        "Customer AZ",
        "Customer BA",
        "Customer ZZ",
        "Customer AAA",
    ]


NAMES_IN_PROSE = """
-- content/customers/acme.md --
---
name: Acme Corp
owner: Dana Smith
contacts: [Nadia Fenwick, Olu Bakare]
---
Nadia Fenwick decides; Olu runs their IT.
-- content/moments/acme/2024-01-10-kickoff.md --
---
title: Kickoff
date: 2024-01-10
customer: Acme Corp
people: [Dana Smith]
promises:
  - {promise: Send the plan, due: 2024-01-12, by: Priya Rao}
---
Nadia said yes. Olu was quiet. Lee was not in the room, and Priya promised the plan.
-- content/moments/acme/2024-02-01-review.md --
---
title: Review
date: 2024-02-01
customer: Acme Corp
people: [Lee]
---
Lee and Nadia went through the Acme numbers.
"""


def test_every_name_the_site_knows_is_replaced_in_text_and_counted(tmp_path: Path) -> None:
    """A contact of the profile, a person listed on another moment, a promise owner."""
    site = write_site(tmp_path / "site", NAMES_IN_PROSE)
    out = tmp_path / "out"
    run = run_cli("build", "--site", site, "--out", out, "--anonymize", "--as-of", "2024-03-01")
    assert run.code == 0, run.err
    found = find_names(out, {"Nadia", "Olu", "Lee", "Priya", "Dana", "Fenwick", "Acme"})
    assert found == []
    kickoff = json.loads((out / "moments.json").read_text())["moments"][0]
    assert re.fullmatch(
        r"Person \d+ said yes\. Person \d+ was quiet\. Person \d+ was not in the room, "
        r"and Person \d+ promised the plan\.",
        kickoff["text"].strip(),
    ), kickoff["text"]
    (summary,) = [line for line in run.err.splitlines() if line.startswith("note: anonymized")]
    counts = re.match(
        r"note: anonymized: (\d+) customer names? and (\d+) person names? replaced in text", summary
    )
    assert counts and int(counts.group(1)) >= 1 and int(counts.group(2)) >= 7, summary
