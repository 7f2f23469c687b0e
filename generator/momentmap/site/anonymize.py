"""Anonymized builds (`momentmap build --anonymize`, SPEC 4).

A copy of the site for a wider audience: customer names and aliases, owners
and the people of moments become stable pseudonyms ("Customer A",
"Person 3") in titles, bodies, reflection items, promises, profile notes,
`extra`, taxonomy values, ids, URLs, file names and moments.json.

`anonymize_site` takes the loaded, checked Site and returns a new one, so
every later stage (pages, templates, data) sees pseudonyms only:

- Front matter values are replaced field by field. Aliases are dropped.
- Bodies and profile notes are rendered again from their Markdown, with one
  more markdown-it core rule that replaces names on the token stream (text,
  code, alt text, link titles) before heading anchors are made, and with link
  targets that point at the moments' new URLs. Names are never searched for
  in HTML markup: raw HTML that a site allows is rewritten through an HTML
  parser, in text and attribute values only.
- A moment's id becomes `<customer-slug>/<date>-<slug of the anonymized
  title>` (`-2`, `-3`… when two clash), since the path of its file names the
  customer. Links whose URL holds a name elsewhere (`https://acme.com`,
  `mailto:dana@…`) lose their target and keep their (anonymized) text.
- Files copied as-is (images, PDFs) are left out with a warning: their names
  and contents can show what this module cannot replace (an SVG's title, a
  photo of a whiteboard). Links and images pointing at them keep their text.
- Git info is switched off: commit authors are real people.

Pseudonyms are stable: the same content gives the same ones, and someone who
first appears after everyone else gets the next free one without renaming
anybody. Order by first appearance:

- customers by the date of their first moment in the build, then name
  (ignoring case, accents and punctuation), then slug; customers with no
  moment follow, by profile `since` (none last), then name;
- people (`people` of moments, promise owners `by`, profile `owner`s;
  spellings that match ignoring case, accents and punctuation are one person)
  by the earliest date of a moment that lists them or of the first appearance
  of a customer they own, then name.

Only the moments in the build count: a draft that is someone's first moment
can change pseudonyms between builds with and without `--drafts`.

Name matching in free text is case-, accent- and punctuation-insensitive on
whole words, longest name first: 'Brandt & Vogel Logistik GmbH', 'brandt-vogel',
'B & V', 'BV' and "B&V's" all match. A customer is known by its name, aliases
and slug, and by the folder its moments are kept in when that folder's words
are words of those ('acme' of `moments/acme/` for 'Acme Corp'). People are known only by the names in
`people` and `owner` (and the capitalised parts of multi-word ones, 'Dana' of
'Dana Smith'): anyone mentioned only in prose, such as the customer's own
staff, is not replaced, and a listed name that is also an ordinary word
('Will') is replaced as that word too. A name split by formatting
('**Brandt** & Vogel') is not seen as one name. Dates, config `types` and
`stages`, and links to other sites whose URL holds no known name are kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import replace
from html import escape
from html.parser import HTMLParser
from urllib.parse import quote, unquote

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from momentmap.content.markdown import LinkTargets, RenderedBody, create_markdown, render_body
from momentmap.diagnostics import Diagnostics
from momentmap.model import Customer, Moment, Site, moment_url
from momentmap.site.names import NameMatcher, assign_pseudonyms, known_names
from momentmap.urls import slugify, unique_slugs
from momentmap.urlsafety import is_external

_URL_SAFE = "/-._~!$&'()*+,;=:@%"
_FAR_FUTURE = dt.date.max


# Bodies ---------------------------------------------------------------------


class _UrlPolicy:
    """What happens to a URL in a body: external ones that name someone are dropped,
    local ones keep their path (momentmap made it) and get their query and
    fragment anonymized, so '#notes-from-lee' still finds its heading."""

    def __init__(self, names: NameMatcher) -> None:
        self.names = names

    def __call__(self, url: str) -> str | None:
        if is_external(url.strip()):
            return None if self.names.contains(unquote(url)) else url
        path_query, hash_mark, fragment = url.partition("#")
        path, question_mark, query = path_query.partition("?")
        return path + question_mark + self._part(query) + hash_mark + self._part(fragment)

    def _part(self, value: str) -> str:
        decoded = unquote(value)
        if not self.names.contains(decoded):
            return value
        return quote(self.names.replace_slug(decoded), safe=_URL_SAFE)


class _TokenRule:
    """A markdown-it core rule that replaces names on the token stream.

    It runs after momentmap's link resolution and before heading anchors, so
    links already point at the new URLs and anchors are made from the
    anonymized headings.
    """

    def __init__(self, names: NameMatcher, *, raw_html: bool) -> None:
        self.names = names
        self.raw_html = raw_html
        self.url = _UrlPolicy(names)

    def __call__(self, state: StateCore) -> None:
        for token in state.tokens:
            if token.type == "inline":
                token.children = self._inline(token.children or [])
            elif token.type in ("fence", "code_block"):
                token.content = self.names.replace(token.content)
                token.info = self.names.replace_slug(token.info)
            elif token.type == "html_block":
                token.content = self._html(token.content)

    def _html(self, content: str) -> str:
        # Escaped raw HTML is text on the page; allowed raw HTML is markup.
        return rewrite_html(content, self.names) if self.raw_html else self.names.replace(content)

    def _inline(self, children: list[Token]) -> list[Token]:
        kept: list[Token] = []
        dropped: list[bool] = []  # for each open link: was its tag dropped?
        for child in children:
            kind = child.type
            if kind == "link_close":
                if not (dropped and dropped.pop()):
                    kept.append(child)
                continue
            if kind in ("text", "code_inline"):
                child.content = self.names.replace(child.content)
            elif kind == "html_inline":
                child.content = self._html(child.content)
            elif kind == "link_open":
                self._title(child)
                keep = self._url(child, "href")
                dropped.append(not keep)
                if not keep:
                    continue
            elif kind == "image":
                child.children = self._inline(child.children or [])
                child.content = self.names.replace(child.content)
                self._title(child)
                if not self._url(child, "src"):
                    kept.extend(child.children)  # the alt text stays visible
                    continue
            kept.append(child)
        return kept

    def _title(self, token: Token) -> None:
        title = token.attrGet("title")
        if isinstance(title, str):
            token.attrSet("title", self.names.replace(title))

    def _url(self, token: Token, attr: str) -> bool:
        url = token.attrGet(attr)
        if not isinstance(url, str):
            return True
        checked = self.url(url)
        if checked is None:
            return False
        token.attrSet(attr, checked)
        return True


_URL_ATTRIBUTES = frozenset(
    {"href", "src", "cite", "action", "formaction", "poster", "data", "background", "xlink:href"}
)
_ID_ATTRIBUTES = frozenset(
    {"id", "name", "for", "headers", "form", "list", "aria-labelledby", "aria-describedby"}
)


class _HtmlNames(HTMLParser):
    """Re-emits an HTML fragment with names replaced in text and attribute values.

    Comments and declarations are left out (they are never published), URLs
    follow `_UrlPolicy`, ids get the slug form. The result still goes through
    momentmap's sanitizer, which resolves relative URLs.
    """

    def __init__(self, names: NameMatcher) -> None:
        super().__init__(convert_charrefs=True)
        self.names = names
        self.url = _UrlPolicy(names)
        self.out: list[str] = []

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], end: str) -> str:
        parts = [f"<{tag}"]
        for name, value in attrs:
            if value is None:
                parts.append(f" {name}")
                continue
            if name in _URL_ATTRIBUTES or name == "srcset":
                checked = None if name == "srcset" else self.url(value)
                if checked is None:
                    continue
                value = checked
            elif name in _ID_ATTRIBUTES:
                value = self.names.replace_slug(value)
            else:
                value = self.names.replace(value)
            parts.append(f' {name}="{escape(value, quote=True)}"')
        return "".join(parts) + end + ">"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self._tag(tag, attrs, ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self._tag(tag, attrs, " /"))

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(escape(self.names.replace(data), quote=False))


def rewrite_html(fragment: str, names: NameMatcher) -> str:
    """An HTML fragment with names replaced in its text and attribute values."""
    parser = _HtmlNames(names)
    parser.feed(fragment)
    parser.close()
    return "".join(parser.out)


def create_anonymizing_markdown(names: NameMatcher, *, allow_html: bool) -> MarkdownIt:
    """momentmap's Markdown parser with the name-replacing core rule added."""
    md = create_markdown(allow_html=allow_html)
    rule = _TokenRule(names, raw_html=allow_html)
    if "anchor" in md.core.ruler.get_all_rules():
        md.core.ruler.before("anchor", "momentmap_anonymize", rule)
    else:
        md.core.ruler.push("momentmap_anonymize", rule)
    return md


# The site -------------------------------------------------------------------


def anonymize_site(site: Site, diagnostics: Diagnostics) -> tuple[Site, str]:
    """The site with pseudonyms for every customer, alias, owner, contact and person,
    and a line for the terminal that says how many names were replaced in text."""
    config = site.config
    for source_path in site.assets:
        diagnostics.warning(
            f"{config.content_dir}/{source_path}",
            0,
            0,
            "left out of the anonymized build: names in a file's name or content cannot be replaced",
        )
    anonymizer = _Anonymizer(site)
    customers = [anonymizer.customer(site.customers[slug]) for slug in anonymizer.customer_order]
    moments = sorted(map(anonymizer.moment, site.moments.values()), key=Moment.sort_key)
    anonymized = Site(
        config=replace(
            config,
            title=anonymizer.names.replace(config.title),
            description=anonymizer.names.replace(config.description),
            git_info=False,  # commit authors are people too
        ),
        as_of=site.as_of,
        customers={c.slug: c for c in customers},
        moments={m.id: m for m in moments},
        assets={},
        terms=_terms(site, moments),
    )
    return anonymized, anonymizer.names.summary()


class _Anonymizer:
    """What anonymizing one site needs: pseudonyms, new slugs and ids, and a parser."""

    def __init__(self, site: Site) -> None:
        self.pseudonyms = assign_pseudonyms(site)
        self.customer_order = list(self.pseudonyms.customers)
        self.names = NameMatcher(known_names(site, self.pseudonyms))
        self.slugs = {slug: slugify(p) for slug, p in self.pseudonyms.customers.items()}
        self.ids = _moment_ids(site, self.slugs, self.names)
        self.config = site.config
        self.md = create_anonymizing_markdown(self.names, allow_html=site.config.allow_html)
        # Links between moments lead to their new pages; files copied as-is are left out.
        pages = {m.source_path: moment_url(self.ids[m.id]) for m in site.moments.values()}
        self.targets = LinkTargets(pages=pages, files={})

    def customer(self, customer: Customer) -> Customer:
        slug = self.slugs[customer.slug]
        new = Customer(
            slug=slug,
            name=self.pseudonyms.customers[customer.slug],
            owner=self.pseudonyms.person(customer.owner) if customer.owner else "",
            contacts=_unique(self.pseudonyms.person(c) for c in customer.contacts),
            segment=self.names.replace(customer.segment),
            since=customer.since,
            source_path=f"customers/{slug}.md" if customer.source_path else "",
        )
        if not customer.source_path:
            return new
        file = f"{self.config.content_dir}/{customer.source_path}"
        notes = self._render(
            customer.notes, customer.notes_line, file, customer.source_path, new.url, sections=False
        )
        return replace(new, notes_html=notes.html)

    def moment(self, moment: Moment) -> Moment:
        names, person = self.names, self.pseudonyms.person
        new_id = self.ids[moment.id]
        body = self._render(
            moment.body,
            moment.body_line,
            moment.file,
            moment.source_path,
            moment_url(new_id),
            sections=True,
        )
        return replace(
            moment,
            id=new_id,
            source_path=f"moments/{new_id}.md",
            file=f"{self.config.content_dir}/moments/{new_id}.md",
            title=names.replace(moment.title),
            customer=self.slugs[moment.customer],
            people=_unique(person(p) for p in moment.people),
            tags=_unique(names.replace(t) for t in moment.tags),
            factors=_unique(names.replace(f) for f in moment.factors),
            promises=tuple(
                replace(p, promise=names.replace(p.promise), by=person(p.by) if p.by else "")
                for p in moment.promises
            ),
            related=tuple(self.ids[r] for r in moment.related),
            extra=_anonymize_mapping(moment.extra, names),
            narrative=body.narrative,
            learnings=body.learnings,
            do_differently=body.do_differently,
            assumptions=body.assumptions,
            plan=body.plan,
            body="",  # the source names real people: it goes no further
            body_line=0,
        )

    def _render(
        self, body: str, line: int, file: str, source_path: str, page_url: str, *, sections: bool
    ) -> RenderedBody:
        """A body rendered again from its source, names replaced, for its new page.

        Its problems were reported when the site was loaded; the ones found
        again here (links to files left out) are not repeated.
        """
        return render_body(
            self.md,
            body,
            body_line=line,
            file=file,
            source_path=source_path,
            page_url=page_url,
            targets=self.targets,
            link_style=self.config.links,
            sections=sections,
        )


def _moment_ids(site: Site, slugs: dict[str, str], names: NameMatcher) -> dict[str, str]:
    """Old id -> '<customer-slug>/<date>-<slug of the anonymized title>', unique."""
    taken: set[str] = set()
    ids: dict[str, str] = {}
    for moment in sorted(site.moments.values(), key=Moment.sort_key):
        title = slugify(names.replace(moment.title))
        base = f"{slugs[moment.customer]}/{moment.date.isoformat()}-{names.replace_slug(title)}"
        new_id, n = base, 2
        while new_id in taken:
            new_id, n = f"{base}-{n}", n + 1
        taken.add(new_id)
        ids[moment.id] = new_id
    return ids


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    """In order, without repeats ('B&V' and 'Brandt & Vogel' become one 'Customer A')."""
    return tuple(dict.fromkeys(values))


def _anonymize_value(value: object, names: NameMatcher) -> object:
    if isinstance(value, str):
        return names.replace(value)
    if isinstance(value, list | tuple):
        return [_anonymize_value(v, names) for v in value]
    if isinstance(value, dict):
        return _anonymize_mapping(value, names)
    return value


def _anonymize_mapping(mapping: dict[str, object], names: NameMatcher) -> dict[str, object]:
    """`extra`: names replaced in keys and values, at any depth."""
    return {
        names.replace(k) if isinstance(k, str) else k: _anonymize_value(v, names)
        for k, v in mapping.items()
    }


def _terms(site: Site, moments: Sequence[Moment]) -> dict[str, dict[str, str]]:
    """Slugs for the anonymized values of the taxonomies moments list (tags,
    factors, people); the config's (types, stages) are unchanged."""
    terms = dict(site.terms)
    for kind in site.terms:
        if kind in Moment.__dataclass_fields__:
            values = {value for m in moments for value in getattr(m, kind)}
            terms[kind] = unique_slugs(values)[0]
    return terms
