"""The review as Markdown for a merge request, every text a writer typed escaped, or as JSON."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable

from momentmap.diagnostics import Diagnostic
from momentmap.model import Moment, When
from momentmap.review.changes import (
    AssumptionChange,
    MomentChange,
    Mood,
    MoodChange,
    PromiseChange,
    Review,
)
from momentmap.review.compare import SHOWN_VALUES
from momentmap.review.revisions import Label
from momentmap.views.insights import late_words
from momentmap.views.plan import plan_due
from momentmap.words import counted

# -- render: Markdown ----------------------------------------------------------

# Characters that could start markup inline in CommonMark, GitHub or GitLab Markdown
# (emphasis, links, images, code, raw HTML and entities, tables, strikethrough, math,
# references). All are ASCII punctuation, which CommonMark lets a backslash escape.
_MARKUP = re.compile(r"([\\`*_{}\[\]()<>#!|~$@^&])")


def md_text(text: str) -> str:
    """Text a writer typed, made inert for Markdown: one line, markup characters escaped."""
    return _MARKUP.sub(r"\\\1", _one_line(text))


def _one_line(text: str) -> str:
    """Line breaks, tabs and other control characters become single spaces."""
    return " ".join("".join(" " if unicodedata.category(c) == "Cc" else c for c in text).split())


def md_code(text: str) -> str:
    """A code span holding `text` literally (file paths), whatever backticks it holds."""
    plain = _one_line(text)
    longest = max((len(run) for run in re.findall(r"`+", plain)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if plain.startswith("`") or plain.endswith("`") else ""
    return f"{fence}{pad}{plain}{pad}{fence}"


def summary_line(review: Review) -> str:
    """'Moments: 1 added, 2 changed · Promises: 1 kept · Problems: 1 error, 0 warnings'."""
    groups = {
        "Moments": (
            (review.added, "added"),
            (review.changed, "changed"),
            (review.removed, "removed"),
        ),
        "Assumptions": (
            (review.opened, "opened"),
            (review.clarified, "clarified"),
            (review.dropped_assumptions, "removed while open"),
        ),
        "Plan items": (
            (review.planned, "added"),
            (review.checked_off, "checked off"),
        ),
        "Stories": ((review.shared, "shared"),),
        "Promises": (
            (review.made, "made"),
            (review.kept, "kept"),
            (review.broken, "broken"),
            (review.overdue, "overdue"),
            (review.dropped_promises, "removed while open"),
        ),
    }
    parts = []
    for noun, counts in groups.items():
        shown = [f"{len(found)} {what}" for found, what in counts if found]
        if shown:
            parts.append(f"{noun}: {', '.join(shown)}")
    if review.moods:
        parts.append(f"Sentiment: {counted(len(review.moods), 'customer')}")
    if review.diagnostics:
        errors = sum(d.severity == "error" for d in review.diagnostics)
        warnings = len(review.diagnostics) - errors
        parts.append(f"Problems: {counted(errors, 'error')}, {counted(warnings, 'warning')}")
    return " · ".join(parts)


def _describe(label: Label) -> str:
    if label.commit is None:
        return "the working tree"
    short = md_code(label.commit[:12])
    if label.merge_base:
        return f"{short} (merge base with {md_code(label.ref or '')})"
    return f"{md_code(label.ref)} ({short})" if label.ref else short


def _customer(review: Review, slug: str) -> str:
    return md_text(review.customers.get(slug, slug))


def _moment_text(review: Review, moment: Moment) -> str:
    draft = ", draft" if moment.draft else ""
    return (
        f"**{md_text(moment.title)}** ({_customer(review, moment.customer)}, {moment.when}{draft})"
    )


def _value(name: str, moment: Moment, review: Review) -> str:
    if name == "title":
        return md_text(moment.title)
    if name == "date":
        return str(moment.when)
    if name == "customer":
        return _customer(review, moment.customer)
    if name == "sentiment":
        return moment.sentiment
    if name == "draft":
        return "yes" if moment.draft else "no"
    value = moment.type if name == "type" else moment.stage
    return md_text(value) if value else "none"


def _change_text(review: Review, change: MomentChange) -> str:
    """What changed: 'sentiment negative → positive; learnings; moved from `…`'."""
    if change.changes == ("errors",):
        return "cannot be read (see the problems below)"
    if change.changes == ("repaired",):
        return "could not be read before"
    before, after = change.before, change.after
    if before is None or after is None:
        return ""
    parts = []
    for name in change.changes:
        if name in SHOWN_VALUES:
            parts.append(f"{name} {_value(name, before, review)} → {_value(name, after, review)}")
        elif name == "file":
            parts.append(f"moved from {md_code(before.file)}")
        elif name == "id":
            parts.append(f"id {md_code(before.id)} → {md_code(after.id)}")
        else:
            parts.append(name)
    return "; ".join(parts)


def _moment_line(review: Review, change: MomentChange) -> str:
    moment = change.moment
    line = f"- {_moment_text(review, moment)} " if moment else "- "
    line += md_code(change.file)
    detail = _change_text(review, change)
    return f"{line}: {detail}" if detail else line


def _assumption_line(review: Review, change: AssumptionChange) -> str:
    moment, line = change.moment, change.item.line
    return (
        f"- {md_text(change.item.text)} — {_moment_text(review, moment)} "
        f"{md_code(f'{moment.file}:{line}')}"
    )


def _promise_line(review: Review, change: PromiseChange) -> str:
    promise, status = change.promise, change.status
    facts = [f"due {promise.due}"] if promise.due is not None else []
    late = late_words(promise.late_by(review.as_of))
    if isinstance(promise.kept, When):
        facts.append(f"kept {promise.kept}" + (f", {late} late" if late else ""))
    elif status == "overdue" and late:
        facts.append(f"{late} overdue")
    else:
        facts.append(status)
    if promise.by:
        facts.append(f"owner {promise.by}")
    moment = change.moment
    return (
        f"- {md_text(promise.promise)} ({', '.join(facts)}) — {_moment_text(review, moment)} "
        f"{md_code(f'{moment.file}:{promise.line}')}"
    )


def _mood_line(review: Review, change: MoodChange) -> str:
    def show(before: str, after: str) -> str:
        return before if before == after else f"{before} → {after}"

    was, now = change.before, change.after
    return (
        f"- **{_customer(review, change.customer)}**: "
        f"latest {show(was.latest if was else 'none', now.latest if now else 'none')}; "
        f"mean {show(f'{was.mean:+.2f}' if was else 'none', f'{now.mean:+.2f}' if now else 'none')}"
        f" ({show(str(was.moments if was else 0), str(now.moments if now else 0))} moments)"
    )


def _diagnostic_line(d: Diagnostic) -> str:
    place = d.file + (f":{d.line}" if d.line else "") + (f":{d.col}" if d.line and d.col else "")
    return f"- {md_code(place)} {d.severity}: {md_text(d.message)}"


# Items shown per section: a merge request comment has a size limit (65,536
# characters on GitHub), and a bulk import is better read as data.
MAX_ITEMS = 40


def render_markdown(review: Review) -> str:
    """The review as Markdown for a merge request; only the sections that have items."""
    base, head = _describe(review.base), _describe(review.head)
    out = ["## Moment review", "", f"Comparing {base} with {head}, as of {review.as_of}.", ""]
    summary = summary_line(review)
    if not review.has_moment_changes:
        out += ["No moment changes." + (f" {summary}." if summary else ""), ""]
    else:
        out += [f"**{summary}**", ""]

    def section(title: str, lines: list[str]) -> None:
        count = len(lines)
        if count > MAX_ITEMS:
            more = f"- … and {count - MAX_ITEMS} more (all of them: `--format json`)"
            lines = [*lines[:MAX_ITEMS], more]
        if lines:
            out.extend([f"### {title} ({count})", "", *lines, ""])

    for title, moments in (
        ("Moments added", review.added),
        ("Moments changed", review.changed),
        ("Moments removed", review.removed),
    ):
        section(title, [_moment_line(review, c) for c in moments])
    for title, assumptions in (
        ("Assumptions opened", review.opened),
        ("Assumptions clarified", review.clarified),
        ("Open assumptions removed", review.dropped_assumptions),
    ):
        section(title, [_assumption_line(review, a) for a in assumptions])
    section("Plan items added", [_assumption_line(review, a) for a in review.planned])
    section("Plan items checked off", [_assumption_line(review, a) for a in review.checked_off])
    section(
        "Stories shared",
        [f"- {_moment_text(review, m)} {md_code(m.file)}" for m in review.shared],
    )
    for title, promises in (
        ("Promises made", review.made),
        ("Promises kept", review.kept),
        ("Promises broken", review.broken),
        ("Promises overdue", review.overdue),
        ("Open promises removed", review.dropped_promises),
    ):
        section(title, [_promise_line(review, p) for p in promises])
    section("Sentiment by customer", [_mood_line(review, m) for m in review.moods])
    section("Problems", [_diagnostic_line(d) for d in review.diagnostics])
    return "\n".join(out).rstrip("\n") + "\n"


# -- render: JSON --------------------------------------------------------------


def _moment_json(review: Review, moment: Moment | None, file: str) -> dict[str, object]:
    """A moment as the review names it; all None but the file for a file with errors."""
    if moment is None:
        keys = ("id", "title", "date", "customer", "customer_name", "type", "sentiment")
        return {**dict.fromkeys(keys), "stage": None, "draft": None, "file": file}
    return {
        "id": moment.id,
        "title": moment.title,
        "date": moment.when.iso,
        "customer": moment.customer,
        "customer_name": review.customers.get(moment.customer, moment.customer),
        "type": moment.type,
        "sentiment": moment.sentiment,
        "stage": moment.stage,
        "draft": moment.draft,
        "file": moment.file,
    }


def review_json(review: Review) -> dict[str, object]:
    """The review as plain data: the same content as the Markdown."""

    def moments(changes: Iterable[MomentChange]) -> list[dict[str, object]]:
        return [
            {
                **_moment_json(review, c.moment, c.file),
                "changes": list(c.changes),
                "before": None if c.before is None else _moment_json(review, c.before, ""),
            }
            for c in changes
        ]

    def assumptions(changes: Iterable[AssumptionChange]) -> list[dict[str, object]]:
        return [
            {
                "text": c.item.text,
                "clarified": c.item.clarified,
                "line": c.item.line,
                "moment": _moment_json(review, c.moment, ""),
            }
            for c in changes
        ]

    def plan_items(changes: Iterable[AssumptionChange]) -> list[dict[str, object]]:
        return [
            {
                "text": c.item.text,
                "done": c.item.done,
                "due": plan_due(c.item, c.moment),
                "line": c.item.line,
                "moment": _moment_json(review, c.moment, ""),
            }
            for c in changes
        ]

    def promises(changes: Iterable[PromiseChange]) -> list[dict[str, object]]:
        return [
            {
                "promise": c.promise.promise,
                "due": c.promise.due.iso if c.promise.due else None,
                "kept": c.promise.kept.iso if isinstance(c.promise.kept, When) else c.promise.kept,
                "by": c.promise.by or None,
                "status": c.status,
                "status_before": c.before,
                "line": c.promise.line,
                "moment": _moment_json(review, c.moment, ""),
            }
            for c in changes
        ]

    def mood(value: Mood | None) -> dict[str, object] | None:
        if value is None:
            return None
        return {"latest": value.latest, "mean": round(value.mean, 2), "moments": value.moments}

    return {
        "version": 1,
        "base": review.base.as_json(),
        "head": review.head.as_json(),
        "as_of": review.as_of.isoformat(),
        "moments": {
            "added": moments(review.added),
            "changed": moments(review.changed),
            "removed": moments(review.removed),
        },
        "assumptions": {
            "opened": assumptions(review.opened),
            "clarified": assumptions(review.clarified),
            "removed_open": assumptions(review.dropped_assumptions),
        },
        "plan": {
            "added": plan_items(review.planned),
            "checked_off": plan_items(review.checked_off),
        },
        "stories": [_moment_json(review, m, m.file) for m in review.shared],
        "promises": {
            "made": promises(review.made),
            "kept": promises(review.kept),
            "broken": promises(review.broken),
            "overdue": promises(review.overdue),
            "removed_open": promises(review.dropped_promises),
        },
        "sentiment": [
            {
                "customer": m.customer,
                "customer_name": review.customers.get(m.customer, m.customer),
                "before": mood(m.before),
                "after": mood(m.after),
            }
            for m in review.moods
        ],
        "diagnostics": [d.as_json() for d in review.diagnostics],
    }


def render_json(review: Review) -> str:
    return json.dumps(review_json(review), indent=2, ensure_ascii=False) + "\n"
