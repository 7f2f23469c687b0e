"""The lists that listing pages are made of, written in Python.

A listing page is mostly one of these lists, thousands of items long, and a
Jinja loop pays for every attribute lookup, filter and `url()` call of every
item. These helpers write the same bytes the default theme's macros used to
write (tests/test_lists.py renders both and compares them), with every value a
writer typed escaped as Jinja's autoescape would. The default `_macros.html`
calls them with the macros' own arguments, in order; a theme that wants other markup defines the macro in its own
`_macros.html` in Jinja, as before (see the README's Themes section).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from markupsafe import Markup

from momentmap.model import Customer, Moment
from momentmap.views.insights import ItemRef, PromiseRef
from momentmap.words import counted

Url = Callable[[str], str]


def escape(text: str) -> str:
    """What Jinja's autoescape makes of a str, without building a Markup for each value
    (which costs more than the escaping): markupsafe's replacements, in its order."""
    if "&" in text or "<" in text or ">" in text or "'" in text or '"' in text:
        text = text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
        return text.replace("'", "&#39;").replace('"', "&#34;")
    return text


def _hrefs(url: Url) -> Url:
    """`url`, escaped, worked out once per target: lists name the same customer or
    moment on many rows."""
    made: dict[str, str] = {}

    def href(target: str) -> str:
        found = made.get(target)
        if found is None:
            found = made[target] = escape(url(target))
        return found

    return href


def moment_list(
    items: Iterable[Moment],
    url: Url,
    customers: Mapping[str, Customer],
    show_customer: bool = True,
) -> Markup:
    parts = ['<ol class="moment-list">\n']
    add = parts.append
    href = _hrefs(url)
    for m in items:
        add(f'  <li class="moment-row{" truth" if m.moment_of_truth else ""}">\n')
        add(f'    <time datetime="{escape(m.when.iso)}">{escape(str(m.when))}</time>\n')
        add(f'    <a class="moment-title" href="{href(m.url)}">{escape(m.title)}</a>\n')
        if show_customer:
            customer = customers[m.customer]
            add(
                f'    <a class="customer-name" href="{href(customer.url)}">'
                f"{escape(customer.name)}</a>\n"
            )
        mixed = " mixed" if m.sentiment == "mixed" else ""
        add(
            f'    <span class="meta"><span class="sentiment s{m.sentiment_score + 2}{mixed}">'
            f"{escape(m.sentiment)}</span>"
        )
        if m.type:
            add(f' <span class="tag">{escape(m.type)}</span>')
        if m.moment_of_truth:
            add(' <span class="tag truth-tag">moment of truth</span>')
        add("</span>\n  </li>\n")
    add("</ol>")
    return Markup("".join(parts))


def item_list(
    refs: Iterable[ItemRef],
    url: Url,
    customers: Mapping[str, Customer],
    show_customer: bool = False,
    show_age: bool = False,
    check: bool = False,
) -> Markup:
    parts = ['<ul class="item-list">\n']
    add = parts.append
    href = _hrefs(url)
    for ref in refs:
        item, moment = ref.item, ref.moment
        if check:
            state = "clarified" if item.clarified else "open"
            add(f'  <li class="{state}">\n')
            add(f'<span class="check">{"Clarified" if item.clarified else "Open"}</span>')
        else:
            add("  <li>\n")
        add(f'    <div class="item-text">{item.html}</div>\n    <p class="item-source">')
        if show_customer:
            add(f"{escape(customers[moment.customer].name)} · ")
        add(
            f'<a href="{href(moment.url)}">{escape(moment.title)}</a>, '
            f'<time datetime="{escape(moment.when.iso)}">{escape(str(moment.when))}</time>'
        )
        if show_age and not item.clarified:
            add(f" · {escape(counted(ref.age_days, 'day'))} open")
        add("</p>\n  </li>\n")
    add("</ul>")
    return Markup("".join(parts))


_STATUS = {
    "open": "open",
    "overdue": "overdue",
    "kept": "kept on time",
    "late": "kept late",
    "broken": "broken",
}


def promise_table(
    refs: Iterable[PromiseRef],
    url: Url,
    customers: Mapping[str, Customer],
    show_customer: bool = True,
    show_moment: bool = True,
) -> Markup:
    head = '<th scope="col">Customer</th>' if show_customer else ""
    tail = '<th scope="col">Moment</th>' if show_moment else ""
    parts = [
        '<div class="table-wrap">\n<table class="promises stack">\n'
        f'  <thead><tr><th scope="col">Promise</th>{head}<th scope="col">Due</th>'
        f'<th scope="col">Kept</th><th scope="col">Status</th>{tail}</tr></thead>\n  <tbody>\n'
    ]
    add = parts.append
    href = _hrefs(url)
    for ref in refs:
        promise, moment = ref.promise, ref.moment
        owner = f'<span class="owner">by {escape(promise.by)}</span>' if promise.by else ""
        add(f'    <tr>\n      <td class="promise-text">{escape(promise.promise)}{owner}</td>\n')
        if show_customer:
            customer = customers[moment.customer]
            add(
                f'      <td data-label="Customer"><a href="{href(customer.url)}">'
                f"{escape(customer.name)}</a></td>\n"
            )
        add('      <td class="short" data-label="Due">')
        if promise.due:
            add(
                f'<time class="when" datetime="{escape(promise.due.iso)}">'
                f"{escape(str(promise.due))}</time>"
            )
            if promise.within:
                add(f' <span class="muted">within {escape(promise.within)}</span>')
        else:
            add("—")
        add('</td>\n      <td class="short" data-label="Kept">')
        if promise.kept:
            add(
                f'<time class="when" datetime="{escape(promise.kept.iso)}">'
                f"{escape(str(promise.kept))}</time>"
            )
        else:
            add("—")
        add(
            '</td>\n      <td class="short status-cell" data-label="Status">'
            f'<span class="status status-{escape(ref.status)}">{_STATUS[ref.status]}</span>'
        )
        late = ref.late_text
        if late:
            add(f' <span class="late">by {escape(late)}</span>')
        add("</td>\n")
        if show_moment:
            add(
                f'      <td data-label="Moment"><a href="{href(moment.url)}">'
                f"{escape(moment.title)}</a></td>\n"
            )
        add("    </tr>\n")
    add("  </tbody>\n</table>\n</div>")
    return Markup("".join(parts))
