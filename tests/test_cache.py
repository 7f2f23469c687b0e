"""The read cache's shards on disk: what a save keeps, and a write started early."""

from __future__ import annotations

from pathlib import Path

from momentmap.cache import Store


def reopened(folder: Path) -> dict[str, object]:
    store = Store(folder, "moments")
    return {key: store.get(key) for key in ("aa1", "aa2", "bb1", "cc1", "dd1")}


def test_a_save_keeps_what_was_used_and_drops_the_rest(tmp_path: Path) -> None:
    first = Store(tmp_path, "moments")
    first.put("aa1", "one")
    first.put("bb1", "two")
    first.save()
    second = Store(tmp_path, "moments")
    assert second.get("aa1") == "one"  # used
    assert second.get("bb9") is None  # bb's shard is looked at, but bb1 is not used
    second.put("cc1", "three")
    second.save()
    assert reopened(tmp_path) == {
        "aa1": "one",
        "aa2": None,
        "bb1": None,
        "cc1": "three",
        "dd1": None,
    }


def test_an_early_write_then_a_save_of_what_changed_since(tmp_path: Path) -> None:
    """The build writes the shards in a child once the files are read (prune, then
    write), and saves what changed after that (a body rendered again) at the end."""
    first = Store(tmp_path, "moments")
    first.put("aa1", "one")
    first.put("bb1", "two")
    first.save()
    store = Store(tmp_path, "moments")
    assert store.get("aa1") == "one"
    assert store.get("bb9") is None
    store.put("cc1", "three")
    early = store.prune()
    assert set(early) == {"bb", "cc"}  # bb1 dropped (unused), cc1 new; aa unchanged
    store.write(early)
    assert reopened(tmp_path)["bb1"] is None and reopened(tmp_path)["cc1"] == "three"
    store.put("aa2", "rendered again")  # after the early write
    store.put("dd1", "four")
    store.save()
    assert reopened(tmp_path) == {
        "aa1": "one",  # still kept: it was used before the early write
        "aa2": "rendered again",
        "bb1": None,
        "cc1": "three",
        "dd1": "four",
    }
