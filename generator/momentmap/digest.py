"""One hash for every key and digest: the cache's, the pages', the moments'."""

from __future__ import annotations

import hashlib


def hash_text(*parts: str | bytes) -> str:
    """SHA-256 of the parts, each length-prefixed so that ('ab', 'c') != ('a', 'bc')."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()
