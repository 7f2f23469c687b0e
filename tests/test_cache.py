"""The read cache's shards on disk: what a save keeps, shards written by read workers,
and shards of another generation left unread."""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import EXAMPLE_AS_OF, REPO, tree_bytes

from momentmap import cache
from momentmap.build.builder import build_site
from momentmap.build.plan import BuildOptions, site_config
from momentmap.cache import CACHE_DIR, Store
from momentmap.content.moments import ReadResult
from momentmap.content.sources import find_sources
from momentmap.diagnostics import Diagnostics
from momentmap.model import Narrative, share_buffer
from momentmap.site.load import load_linked
from momentmap.site.reads import Reads


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


def test_a_shard_written_by_a_worker_then_a_save_of_what_changed_since(tmp_path: Path) -> None:
    """A build's read workers write each shard whose files they read, with the entries
    kept from before; the save at the end writes only what changed after that (a
    body rendered again) and the shards that lost an entry."""
    first = Store(tmp_path, "moments")
    for key in ("aa1", "bb1", "cc1"):
        first.put(key, "old " + key)
    first.save()
    store = Store(tmp_path, "moments")
    assert store.get("aa1") == "old aa1"
    assert store.get("bb9") is None and store.get("cc9") is None  # bb1, cc1: unused
    kept = store.kept("aa")
    assert kept == {"aa1": "old aa1"}
    store.write_shard("aa", store.pickle_entries(kept | {"aa2": "new"}))  # as a worker does
    store.put("aa2", "new")
    store.written("aa")
    store.write_shard("bb", store.pickle_entries(store.kept("bb") | {"bb2": "new"}))
    store.put("bb2", "new")
    store.written("bb")
    assert reopened(tmp_path) == {
        "aa1": "old aa1",
        "aa2": "new",
        "bb1": None,
        "cc1": "old cc1",  # not written yet: the save drops it
        "dd1": None,
    }
    store.put("aa2", "rendered again")
    written: list[str] = []
    store.save(pause=lambda: written.append("shard"))
    assert len(written) == 2  # aa (changed since) and cc (lost its entry), not bb
    assert reopened(tmp_path) == {
        "aa1": "old aa1",
        "aa2": "rendered again",
        "bb1": None,
        "cc1": None,
        "dd1": None,
    }


@pytest.fixture
def unpickled(monkeypatch: pytest.MonkeyPatch) -> list[set[str]]:
    """The keys of each shard's entries unpickled in this process, shard by shard (a spy
    that calls the real function)."""
    calls: list[set[str]] = []
    real = cache._entries

    def recording(blob: object) -> dict[str, object]:
        entries = real(blob)
        calls.append(set(entries))
        return entries

    monkeypatch.setattr(cache, "_entries", recording)
    return calls


def test_a_shard_saved_under_another_generation_is_not_unpickled(
    tmp_path: Path, unpickled: list[set[str]]
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
    assert unpickled == [{"aa1"}]


def test_a_build_after_a_change_of_settings_unpickles_no_old_entry(
    tmp_path: Path, unpickled: list[set[str]]
) -> None:
    """The build process unpickles shards it loads and the shards its read workers
    wrote (their results travel in the same pickle)."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    settings = (REPO / "momentmap.yaml").read_text(encoding="utf-8")
    (site / "momentmap.yaml").write_text(settings, encoding="utf-8")
    options = BuildOptions(as_of=dt.date.fromisoformat(EXAMPLE_AS_OF))
    assert not build_site(site, options).diagnostics.has_errors
    old = set().union(*unpickled)
    changed = settings.replace("recent_days: 30", "recent_days: 31")
    (site / "momentmap.yaml").write_text(changed, encoding="utf-8")
    unpickled.clear()
    assert not build_site(site, options).diagnostics.has_errors
    new = set().union(*unpickled)
    assert old and new and not old & new  # every moment read afresh, no old entry unpickled
    unpickled.clear()
    assert not build_site(site, options).diagnostics.has_errors
    assert set().union(*unpickled) == new  # unchanged since: the shards are loaded


@pytest.fixture
def shard_writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every shard file written in this process (a spy on the real write)."""
    written: list[str] = []
    real = cache._write_atomically

    def recording(path: Path, data: bytes) -> None:
        if path.parent.name == "moments":
            written.append(path.name)
        real(path, data)

    monkeypatch.setattr(cache, "_write_atomically", recording)
    return written


POINTER = "moments/quillon/2024-02-02-pointer.md"  # links to a moment whose id is not its name


def example_with_a_renamed_moment(tmp_path: Path) -> Path:
    """A copy of the example site with a moment that sets its own `id:`, and one whose
    body links to that moment's file (`POINTER`)."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "momentmap.yaml", site / "momentmap.yaml")
    folder = site / "content" / "moments" / "quillon"
    (folder / "2024-02-01-renamed.md").write_text(
        "---\ntitle: Renamed\ndate: 2024-02-01\ncustomer: Quillon Medical Couriers\n"
        "type: satisfying\nsentiment: positive\nid: a-chosen-id\n---\nText.\n",
        encoding="utf-8",
    )
    (folder / "2024-02-02-pointer.md").write_text(
        "---\ntitle: Pointer\ndate: 2024-02-02\ncustomer: Quillon Medical Couriers\n"
        "type: satisfying\nsentiment: positive\n---\nSee [it](2024-02-01-renamed.md).\n",
        encoding="utf-8",
    )
    return site


def test_a_body_rendered_again_rewrites_no_shard(
    tmp_path: Path, shard_writes: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link to a moment whose id is not its file name resolves only once every id is
    known, so its body is rendered again after reading. The cache keeps what the file
    alone gives: no shard is written a second time for it, in this build or the next."""
    monkeypatch.setenv("MOMENTMAP_JOBS", "1")  # the shards are written in this process
    site = example_with_a_renamed_moment(tmp_path)
    options = BuildOptions(as_of=dt.date.fromisoformat(EXAMPLE_AS_OF))
    for _ in range(2):
        result = build_site(site, options)
        assert not result.diagnostics.has_errors
        page = site / "public" / "moments" / "quillon" / "2024-02-02-pointer" / "index.html"
        link = '<p>See <a href="../../a-chosen-id/index.html">it</a>.</p>'
        assert link in page.read_text(encoding="utf-8")  # in the narrative, not the pager
        assert len(shard_writes) == len(set(shard_writes))
        shard_writes.clear()


def read_with_workers_writing(site: Path, *, keep_bodies: bool) -> list[ReadResult]:
    """Every moment file of `site` read as `build` reads it: the workers write the cache."""
    config = site_config(
        site, BuildOptions(as_of=dt.date.fromisoformat(EXAMPLE_AS_OF)), Diagnostics()
    )
    sources = find_sources(site, site / config.content_dir, Diagnostics())
    reads = Reads(Store(site / CACHE_DIR, "moments"), workers_write=True, keep_bodies=keep_bodies)
    assets = {s.source_path: s.source_path for s in sources.assets}
    return reads.read(sources.moments, config, config.links, assets)


def test_the_build_process_gets_no_markdown_it_cannot_need_and_the_cache_keeps_all(
    tmp_path: Path,
) -> None:
    """A read worker hands back a body's Markdown only when a link to another moment's
    file may have it rendered again (or when anonymizing); the shards it writes keep
    every body, so a later anonymized build from the cache has every narrative."""
    site = example_with_a_renamed_moment(tmp_path)
    results = read_with_workers_writing(site, keep_bodies=False)
    bodies = {r.loaded.moment.source_path: r.loaded.moment.body for r in results if r.loaded}
    linking = {
        r.loaded.moment.source_path for r in results if r.loaded and any(k == "page" for k, _, _ in r.lookups)
    }  # fmt: skip
    assert POINTER in linking and len(linking) < len(bodies)
    assert {p for p, body in bodies.items() if body} == linking
    assert bodies[POINTER].strip() == "See [it](2024-02-01-renamed.md)."

    again = read_with_workers_writing(site, keep_bodies=False)  # all from the cache
    assert {r.loaded.moment.source_path: r.loaded.moment.body for r in again if r.loaded} == {
        p: body or markdown_of(site / "content" / p) for p, body in bodies.items()
    }

    kept = read_with_workers_writing(
        example_with_a_renamed_moment(tmp_path / "b"), keep_bodies=True
    )
    assert all(r.loaded.moment.body.strip() for r in kept if r.loaded)


def markdown_of(path: Path) -> str:
    """The body of a moment file: what follows its front matter."""
    return path.read_text(encoding="utf-8").split("\n---\n", 1)[1]


def test_an_anonymized_build_from_the_cache_equals_one_without(tmp_path: Path) -> None:
    """A plain build fills the cache; an anonymized build reusing it renders every
    narrative again from the cached Markdown, as one from scratch does."""
    options = BuildOptions(as_of=dt.date.fromisoformat(EXAMPLE_AS_OF), anonymize=True)
    sites = [example_with_a_renamed_moment(tmp_path / name) for name in ("warm", "cold")]
    assert not build_site(sites[0], replace(options, anonymize=False)).diagnostics.has_errors
    results = [build_site(site, options) for site in sites]
    assert (results[0].read, results[1].read) == (0, results[1].read) and results[1].read > 0
    trees = [tree_bytes(site / "public") for site in sites]
    assert trees[0] == trees[1]


def test_names_tags_and_sentiments_read_in_one_process_are_one_string_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Values that recur across moments are one string each in a process, so a pickle
    of many moments (a cache shard, a worker's results) holds each once."""
    monkeypatch.setenv("MOMENTMAP_JOBS", "1")
    as_of = dt.date.fromisoformat(EXAMPLE_AS_OF)
    config = site_config(REPO, BuildOptions(as_of=as_of), Diagnostics())
    site, _ = load_linked(REPO, config, Diagnostics(), as_of=as_of)
    moments = site.moments.values()
    for values in (
        [p for m in moments for p in m.people],
        [t for m in moments for t in m.tags],
        [f for m in moments for f in m.factors],
        [m.sentiment for m in moments],
    ):
        assert len(values) > len(set(values)) > 1  # the example repeats them
        assert len({id(v) for v in values}) == len(set(values))


def test_the_narratives_of_a_shard_share_one_buffer_and_each_pickles_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The narratives of a shard unpickled (from its file, or from a read worker) are
    moved into one buffer, so a render worker touching them copies one header, not
    every memory page they sit on. Their values do not change, and a pickle of one
    of them holds its own bytes, not the shard's."""
    monkeypatch.setenv("MOMENTMAP_JOBS", "1")
    config = site_config(
        REPO, BuildOptions(as_of=dt.date.fromisoformat(EXAMPLE_AS_OF)), Diagnostics()
    )
    sources = find_sources(REPO, REPO / config.content_dir, Diagnostics())
    assets = {s.source_path: s.source_path for s in sources.assets}
    read = Reads(Store(None, "moments")).read(sources.moments, config, config.links, assets)
    bodies = {f"aa{n:03}": r for n, r in enumerate(read) if r.body is not None}
    assert len(bodies) > 30 and any(not r.body.text.isascii() for r in bodies.values())  # type: ignore[union-attr]

    saved = Store(tmp_path, "moments")
    for key, result in bodies.items():
        saved.put(key, result)
    saved.save()
    reopened = Store(tmp_path, "moments")
    from_file = {key: reopened.get(key) for key in bodies}
    from_worker = Store.unpickle_entries(Store.pickle_entries(bodies))
    for loaded in (from_file, from_worker):
        assert loaded == bodies  # the same values, compared by value
        narratives = [r.body.narrative for r in loaded.values()]  # type: ignore[union-attr]
        buffers = {id(n._buffer) for n in narratives}
        assert len(buffers) == 1
        size = sum(len(n.html.encode()) + len(n.text.encode()) for n in narratives)
        assert len(narratives[0]._buffer) == size  # each once, nothing else
        one = next(iter(loaded.items()))
        assert len(Store.pickle_entries(dict([one]))) < size / 4
        assert hash(narratives[0]) == hash(next(iter(bodies.values())).body.narrative)  # type: ignore[union-attr]


def test_a_narrative_moved_into_a_shared_buffer_reads_as_before() -> None:
    written = [("<p>Café — ok 😀</p>", "Café — ok 😀"), ("", ""), ("<p>x</p>", "x")]
    narratives = [Narrative.of(html, text) for html, text in written]
    share_buffer(narratives)
    assert [(n.html, n.text) for n in narratives] == written
    assert narratives[0]._buffer is narratives[2]._buffer
    assert narratives == [Narrative.of(html, text) for html, text in written]
    assert pickle.loads(pickle.dumps(narratives[2])) == Narrative.of("<p>x</p>", "x")


def test_a_forged_shard_with_bytes_that_are_not_utf8_does_not_stop_the_build(
    tmp_path: Path,
) -> None:
    """A shard whose checksum matches but whose narrative is not UTF-8 (only a forged
    file can be) builds, with U+FFFD where the bytes were, instead of a traceback."""
    site = example_with_a_renamed_moment(tmp_path)
    options = BuildOptions(as_of=dt.date.fromisoformat(EXAMPLE_AS_OF))
    assert not build_site(site, options).diagnostics.has_errors
    for shard in sorted((site / CACHE_DIR / "moments").glob("*.bin")):
        saved = cache._read_checked(shard, binary=True)
        entries = Store.unpickle_entries(saved["entries"])
        # A body that is not rendered again: its narrative is the one read here.
        plain = [
            (k, r)
            for k, r in entries.items()
            if r.body is not None and not any(kind == "page" for kind, _, _ in r.lookups)
        ]
        if plain:
            key, result = plain[0]
            break
    html = b"<p>Forged caf\xe9.</p>\n"
    entries[key] = replace(result, body=replace(result.body, narrative=Narrative(html, len(html))))
    store = Store(site / CACHE_DIR, "moments")
    store.expect(saved["generation"])
    store.write_shard(shard.stem, Store.pickle_entries(entries))

    out = tmp_path / "again"
    rebuilt = build_site(site, replace(options, out_dir=out))
    assert not rebuilt.diagnostics.has_errors and rebuilt.read == 0  # all from the cache
    page = out / "moments" / result.loaded.moment.id / "index.html"
    assert "<p>Forged caf\ufffd.</p>" in page.read_text(encoding="utf-8")
