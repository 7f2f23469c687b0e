"""The base of the frozen records that cross process boundaries and the cache."""

from __future__ import annotations

import dataclasses
from typing import Any


class Record:
    """Pickles as a call of its constructor with its fields, in order.

    Twice as fast to load as the state dicts that slotted dataclasses pickle
    by default, and it lets the cache's unpickler allow these classes by name
    and nothing else (see cache.py).
    """

    __slots__ = ()

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        cls = type(self)
        names = _FIELDS.get(cls)
        if names is None:
            names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(self))  # type: ignore[arg-type]
        return cls, tuple(getattr(self, name) for name in names)


_FIELDS: dict[type, tuple[str, ...]] = {}  # each record type's field names, in order
