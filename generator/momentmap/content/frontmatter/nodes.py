"""The YAML tree: every scalar as the text the writer typed, with its place in the
file, so the stage that knows each key's schema converts it. That is how
`title: No` stays a title.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

NodeKind = Literal["scalar", "seq", "map"]


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    key_line: int
    key_col: int
    value: Node


NO_FIELDS: Mapping[str, Field] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Node:
    """One YAML value. `line`/`col` are 1-based places in the whole file.

    The front matter mapping itself is placed at its opening '---' (1:1), so a
    missing key can be reported at the front matter's first line.
    """

    kind: NodeKind
    line: int
    col: int
    text: str = ""  # scalars: as written, after YAML unquoting/folding
    quoted: bool = False  # scalars: quoted or a block scalar (| or >)
    items: tuple[Node, ...] = ()  # seq
    # map, in source order; read-only. Left out of the hash, as a mapping has none.
    fields: Mapping[str, Field] = field(default_factory=lambda: NO_FIELDS, hash=False)


@dataclass(frozen=True, slots=True)
class Document:
    front: Node | None  # None when the file has no front matter
    body: str  # Markdown after the closing '---', newlines normalised to \n
    body_line: int  # 1-based line in the file where `body` starts


def to_plain(node: Node) -> object:
    """str / list / dict (nested) for passing untyped data on, e.g. `extra:`."""
    if node.kind == "scalar":
        return node.text
    if node.kind == "seq":
        return [to_plain(item) for item in node.items]
    # The builder caps nesting at MAX_DEPTH, so this recursion stays shallow.
    return {key: to_plain(f.value) for key, f in node.fields.items()}
