"""The read cache's shards on disk: what a save keeps, a write started early, and
shards of another generation left unread."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from conftest import EXAMPLE_AS_OF, REPO

from momentmap import cache
from momentmap.build.builder import build_site
from momentmap.build.plan import BuildOptions
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


@pytest.fixture
def unpickled(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many shards' entries have been unpickled, one count per shard (a spy that
    calls the real function)."""
    calls: list[int] = []
    real = cache._entries

    def counting(blob: bytes) -> object:
        calls.append(1)
        return real(blob)

    monkeypatch.setattr(cache, "_entries", counting)
    return calls


def test_a_shard_saved_under_another_generation_is_not_unpickled(
    tmp_path: Path, unpickled: list[int]
) -> None:
    """After an upgrade or a change of settings every key is salted anew, so no old
    entry can be found: its shards are skipped before their entries are unpickled."""
    first = Store(tmp_path, "moments")
    first.expect("code 1")
    first.put("aa1", "one")
    first.save()
    upgraded = Store(tmp_path, "moments")
    upgraded.expect("code 2")
    assert upgraded.get("aa1") is None
    assert unpickled == []
    same = Store(tmp_path, "moments")
    same.expect("code 1")
    assert same.get("aa1") == "one"
    assert unpickled == [1]


def test_a_build_after_a_change_of_settings_unpickles_no_old_entry(
    tmp_path: Path, unpickled: list[int]
) -> None:
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    settings = (REPO / "momentmap.yaml").read_text(encoding="utf-8")
    (site / "momentmap.yaml").write_text(settings, encoding="utf-8")
    options = BuildOptions(as_of=dt.date.fromisoformat(EXAMPLE_AS_OF))
    assert not build_site(site, options).diagnostics.has_errors
    renamed = settings.replace("recent_days: 30", "recent_days: 31")
    (site / "momentmap.yaml").write_text(renamed, encoding="utf-8")
    assert not build_site(site, options).diagnostics.has_errors
    assert unpickled == []  # every moment read afresh, none of the old shards unpickled
    build_site(site, options)
    assert len(unpickled) > 0  # unchanged since: the shards are loaded
