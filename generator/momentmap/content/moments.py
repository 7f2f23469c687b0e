"""Reading one moment file: front matter checked key by key, body kept for later.

This stage sees one file at a time, so it can run in any order or process;
checks that need the whole site (ids, customers, related) come in `load.py`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Literal

from momentmap.content.dates import DURATION_FORM, duration_hint, parse_duration
from momentmap.content.fields import Reader
from momentmap.content.frontmatter import Document, Node, to_plain
from momentmap.content.markdown import RenderedBody
from momentmap.content.schema import MOMENT_FIELDS, FieldSpec
from momentmap.diagnostics import Diagnostic, Diagnostics
from momentmap.model import Config, Moment, Promise, When
from momentmap.record import Record
from momentmap.urls import slugify

PROMISE_KEYS = ("promise", "due", "within", "kept", "by")
_SLUG_SEGMENT = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

Place = tuple[int, int]  # line, col


@dataclass(frozen=True, slots=True)
class LoadedMoment(Record):
    """A moment whose front matter is read but whose body is not yet rendered."""

    moment: Moment  # `customer` still holds the name as written
    customer_at: Place
    related_at: tuple[Place, ...]
    id_at: Place


@dataclass(frozen=True, slots=True)
class Unreadable(Record):
    """What a moment file with errors still tells the site, so that one mistake is
    reported once: its id, for links and `related` that name it, and its customer
    as written, which is checked like any other."""

    source_path: str
    file: str
    id: str
    customer: str | None  # None when the key is missing or has an error itself
    customer_at: Place

    @classmethod
    def by_path(cls, source_path: str, file: str) -> Unreadable:
        """A file with no front matter to read: known by its path alone."""
        return cls(source_path, file, derive_id(source_path), None, (1, 1))


# A link lookup made while rendering a body: ('page' or 'file', source path, url found).
Lookup = tuple[str, str, str | None]


@dataclass(frozen=True, slots=True)
class ReadResult(Record):
    """Everything one moment file gives on its own: what the build caches per file."""

    loaded: LoadedMoment | None  # None when the front matter had errors
    problems: tuple[Diagnostic, ...]  # from reading the file
    body: RenderedBody | None
    # The link targets the body looked up: the rendering holds as long as each
    # still resolves to the same url.
    lookups: tuple[Lookup, ...] = ()
    unreadable: Unreadable | None = None  # set when `loaded` is None


def derive_id(source_path: str) -> str:
    """'moments/Acme Corp/2023-01-10 Kickoff.md' -> 'acme-corp/2023-01-10-kickoff'."""
    inner = source_path.removeprefix("moments/").removesuffix(".md")
    return "/".join(slugify(part) for part in inner.split("/"))


def read_fields(
    read: Reader, mapping: Node, specs: dict[str, FieldSpec], config: Config
) -> tuple[dict[str, object], bool]:
    """Every key of `mapping` read by its spec, and whether all were: a key with an
    error is reported and left out, and the others are still read."""
    values: dict[str, object] = {}
    ok = True
    for key, required in specs.items():
        if required.required and key not in mapping.fields:
            read.require(mapping, key, "this file")
            ok = False
    for key, field in mapping.fields.items():
        spec = specs.get(key)
        if spec is None:
            continue
        value = _read_value(read, spec, field.value, key, config)
        if value is None:
            ok = False
        else:
            values[key] = value
    return values, ok


def _read_value(
    read: Reader, spec: FieldSpec, node: Node, key: str, config: Config
) -> object | None:
    match spec.kind:
        case "text":
            return read.text(node, key, required=spec.required)
        case "when":
            return read.when(node, key)
        case "day":
            return read.day(node, key)
        case "choice":
            return read.choice(
                node, key, config.types if spec.choices == "types" else config.stages
            )
        case "sentiment":
            return read.sentiment(node)
        case "bool":
            return read.boolean(node, key)
        case "text_list":
            return tuple(read.text_list(node, key))
        case "promises":
            promises = read.items(node, key, lambda n: _promise(read, n))
            count = len(node.items) if node.kind == "seq" else 1 if node.text.strip() else 0
            return tuple(promises) if len(promises) == count else None
        case "slug_path":
            return _id_override(read, node)
        case "mapping":
            mapping = read.mapping(node, key)
            return None if mapping is None else {k: to_plain(v.value) for k, v in mapping.items()}


def read_moment(
    doc: Document, *, source_path: str, file: str, config: Config, diagnostics: Diagnostics
) -> LoadedMoment | Unreadable:
    read = Reader(file, diagnostics)
    front = doc.front
    if front is None:
        diagnostics.error(
            file,
            1,
            1,
            "a moment starts with front matter: a line '---', keys such as 'title:', and '---'",
        )
        return Unreadable.by_path(source_path, file)
    read.check_keys(front, MOMENT_FIELDS, "moment front matter")
    values, ok = read_fields(read, front, MOMENT_FIELDS, config)
    f = front.fields
    moment_id = str(values.pop("id", None) or derive_id(source_path))
    if not ok:
        customer = values.get("customer")
        at = (f["customer"].value.line, f["customer"].value.col) if "customer" in f else (1, 1)
        return Unreadable(source_path, file, moment_id, customer, at)  # type: ignore[arg-type]
    values["when"] = values.pop("date")
    if "promises" in values:
        values["promises"] = _counted_from(values["when"], values["promises"])  # type: ignore[arg-type]
    if "sentiment" in values:
        values["sentiment"], values["sentiment_score"] = values["sentiment"]  # type: ignore[misc]
    related = f["related"].value if "related" in f else None
    related_nodes = (
        []
        if related is None
        else [n for n in (related.items if related.kind == "seq" else (related,))]
    )
    moment = Moment(
        id=moment_id,
        source_path=source_path,
        file=file,
        body=doc.body,
        body_line=doc.body_line,
        **values,  # type: ignore[arg-type]
    )
    return LoadedMoment(
        moment=moment,
        customer_at=(f["customer"].value.line, f["customer"].value.col),
        related_at=tuple((n.line, n.col) for n in related_nodes),
        id_at=(f["id"].value.line, f["id"].value.col) if "id" in f else (front.line, 1),
    )


def _promise(read: Reader, node: Node) -> Promise | None:
    if node.kind != "map":
        read.error(
            node, "each promise must be a mapping such as {promise: Send the deck, due: 2024-05-01}"
        )
        return None
    read.check_keys(node, PROMISE_KEYS, "a promise")
    fields = node.fields
    field = read.require(node, "promise", "a promise")
    text = read.text(field.value, "promise", required=True) if field else None
    due = read.when(fields["due"].value, "due") if "due" in fields else None
    within = _within(read, fields["within"].value) if "within" in fields else ""
    if "due" in fields and "within" in fields:
        read.error(fields["within"], "a promise has a due date or a 'within' duration, not both")
        return None
    kept: When | Literal[False] | None = None
    if "kept" in fields:
        kept_node = fields["kept"].value
        raw = (read.scalar(kept_node, "kept") or "").strip()
        if raw.lower() == "false":
            kept = False
        elif raw != "" or kept_node.quoted:
            kept = read.when(kept_node, "kept")
            if kept is None:
                return None
    by = (read.text(fields["by"].value, "by") or "") if "by" in fields else ""
    bad = ("due" in fields and due is None) or within is None or ("by" in fields and not by)
    if text is None or bad:
        return None
    return Promise(text, due, kept, node.line, by, within or "")


def _within(read: Reader, node: Node) -> str | None:
    """The duration as written ('24h'), or None (and an error) when it is not one."""
    value = read.scalar(node, "within")
    if value is None:
        return None
    if parse_duration(value) is None:
        read.error(node, f"within must be {DURATION_FORM}, not '{value}'{duration_hint(value)}")
        return None
    return value.strip()


def _counted_from(when: When, promises: tuple[Promise, ...]) -> tuple[Promise, ...]:
    """Promises with `within:` get their due date, counted from the moment's date."""
    return tuple(
        replace(p, due=when.plus(parse_duration(p.within) or dt.timedelta())) if p.within else p
        for p in promises
    )


def _id_override(read: Reader, node: Node) -> str | None:
    value = read.text(node, "id", required=True)
    if value is None:
        return None
    segments = value.split("/")
    if value.startswith("/") or any(s in ("", ".", "..") for s in segments):
        read.error(
            node, f"id must be slug segments joined by '/' (e.g. acme/kickoff), not '{value}'"
        )
        return None
    bad = [s for s in segments if not _SLUG_SEGMENT.fullmatch(s)]
    if bad:
        suggestion = "/".join(slugify(s) for s in segments)
        read.error(
            node,
            f"id must be lower-case slug segments joined by '/', not '{value}' "
            f"(did you mean '{suggestion}'?)",
        )
        return None
    return value
