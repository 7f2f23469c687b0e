"""The front matter keys: one table that drives both validation and `momentmap schema`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from momentmap.content.fields import SENTIMENTS
from momentmap.model import Config

Kind = Literal[
    "text",
    "when",
    "day",
    "choice",
    "sentiment",
    "bool",
    "text_list",
    "promises",
    "slug_path",
    "mapping",
]


@dataclass(frozen=True, slots=True)
class FieldSpec:
    kind: Kind
    description: str
    required: bool = False
    choices: Literal["types", "stages", ""] = ""


MOMENT_FIELDS: dict[str, FieldSpec] = {
    "title": FieldSpec("text", "What happened, in a few words.", required=True),
    "date": FieldSpec(
        "when", "When it happened: YYYY-MM-DD, optionally with ' HH:MM'.", required=True
    ),
    "customer": FieldSpec("text", "Customer name, profile file stem or alias.", required=True),
    "type": FieldSpec("choice", "Kind of moment.", choices="types"),
    "sentiment": FieldSpec("sentiment", "How the customer experienced it."),
    "stage": FieldSpec("choice", "Journey stage.", choices="stages"),
    "moment_of_truth": FieldSpec("bool", "The customer formed or changed an opinion here."),
    "people": FieldSpec("text_list", "Who on our side was involved."),
    "tags": FieldSpec("text_list", "Free tags."),
    "factors": FieldSpec(
        "text_list", "What drove the outcome (e.g. quota pressure, over-promising)."
    ),
    "promises": FieldSpec(
        "promises",
        "What we promised: {promise, due or within, kept, by}. due and kept are dates, "
        "optionally with a time; within is a duration from the moment (24h, 3d, 2w); kept is "
        "false when broken, absent while open; by is who on our side owns it.",
    ),
    "related": FieldSpec("text_list", "Ids of related moments (e.g. acme/2023-01-10-kickoff)."),
    "draft": FieldSpec("bool", "Left out of the site unless built with --drafts."),
    "share": FieldSpec("bool", "A story worth sharing with the whole team, good or bad."),
    "id": FieldSpec("slug_path", "Overrides the id derived from the file's path."),
    "extra": FieldSpec("mapping", "Anything else; passed to templates untouched."),
}

PROFILE_FIELDS: dict[str, FieldSpec] = {
    "name": FieldSpec("text", "The customer's name.", required=True),
    "owner": FieldSpec("text", "Who owns the account on our side."),
    "segment": FieldSpec("text", "Market segment."),
    "since": FieldSpec("day", "Customer since: YYYY-MM-DD."),
    "aliases": FieldSpec("text_list", "Other names moments may use for this customer."),
    "contacts": FieldSpec(
        "text_list", "The customer's people we deal with; --anonymize replaces their names."
    ),
}

_DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:?\d{2})?)?$"
_DAY_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def _property(spec: FieldSpec, config: Config) -> dict[str, object]:
    text_list = {"type": "array", "items": {"type": "string", "minLength": 1}}
    kinds: dict[str, dict[str, object]] = {
        "text": {"type": "string"},
        "when": {"type": "string", "pattern": _DATE_PATTERN},
        "day": {"type": "string", "pattern": _DAY_PATTERN},
        "bool": {"type": "boolean"},
        "text_list": {"anyOf": [text_list, {"type": "string"}]},
        "slug_path": {
            "type": "string",
            "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)*$",
        },
        "mapping": {"type": "object"},
        "sentiment": {
            "anyOf": [{"enum": list(SENTIMENTS)}, {"type": "integer", "minimum": -2, "maximum": 2}]
        },
        "promises": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["promise"],
                "additionalProperties": False,
                "properties": {
                    "promise": {"type": "string", "minLength": 1},
                    "due": {"type": "string", "pattern": _DATE_PATTERN},
                    "within": {"type": "string", "pattern": r"^[1-9][0-9]{0,4}[hdw]$"},
                    "kept": {
                        "anyOf": [{"type": "string", "pattern": _DATE_PATTERN}, {"const": False}]
                    },
                    "by": {"type": "string", "minLength": 1},
                },
                # A due date or a duration from the moment, not both.
                "not": {"required": ["due", "within"]},
            },
        },
    }
    if spec.kind == "choice":
        prop: dict[str, object] = {
            "enum": list(config.types if spec.choices == "types" else config.stages)
        }
    else:
        prop = dict(kinds[spec.kind])
    prop["description"] = spec.description
    return prop


def _object(fields: dict[str, FieldSpec], config: Config, title: str) -> dict[str, object]:
    return {
        "title": title,
        "type": "object",
        "required": [k for k, s in fields.items() if s.required],
        "additionalProperties": False,
        "properties": {key: _property(spec, config) for key, spec in fields.items()},
    }


def json_schema(config: Config) -> dict[str, object]:
    """JSON Schema (draft 2020-12) of a moment's front matter, for editors."""
    schema: dict[str, object] = {"$schema": "https://json-schema.org/draft/2020-12/schema"}
    schema.update(_object(MOMENT_FIELDS, config, "momentmap moment front matter"))
    schema["$defs"] = {
        "customer_profile": _object(PROFILE_FIELDS, config, "momentmap customer profile")
    }
    return schema
