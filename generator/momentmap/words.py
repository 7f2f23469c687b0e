"""Numbers in a writer's words: one rule for plurals across the site and the terminal."""

from __future__ import annotations


def counted(n: int, noun: str) -> str:
    """'1 day', '2 days', '0 pages': English nouns that take an 's'."""
    return f"{n} {noun}{'s' * (n != 1)}"


def what_changed(updated: int, changed_files: int) -> str:
    """What an incremental build or a preview rebuild did: '3 pages updated from 1 changed
    file, the rest unchanged', 'nothing changed'."""
    files = counted(changed_files, "changed file")
    if not updated:
        return f"no page changed ({files})" if changed_files else "nothing changed"
    return (
        f"{counted(updated, 'page')} updated"
        + (f" from {files}" if changed_files else "")
        + ", the rest unchanged"
    )
