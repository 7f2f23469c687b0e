"""Git info: who wrote each moment and when, and who edited it last, from real repositories.

Every repository here is made by the test with fixed authors and dates (set
per commit through git's environment variables), and the site is built with
the real CLI.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import Element, elements, run_cli, summary_counts, tree_bytes, write_site
from test_serve import Server, poll

from momentmap.build.builder import BuildOptions
from momentmap.serve.preview import Preview
from momentmap.site.gitinfo import LOG_FAILED_NOTICE, SHALLOW_NOTICE, parse_log, read_git_info

AS_OF = "2024-06-01"
DANA = ("Dana Lee", "2023-03-14T09:30:00+01:00")
SAM = ("Sam Roe", "2023-04-02T23:45:00-05:00")  # 3 April in UTC: shown as written
LEE = ("Lee Park", "2023-05-20T08:00:00+00:00")

SITE = """
-- momentmap.yaml --
title: Git info
-- content/moments/acme/kickoff.md --
---
title: Kickoff
date: 2023-03-10
customer: Acme
---
We met the team.
-- content/moments/acme/renewal.md --
---
title: Renewal
date: 2023-03-12
customer: Acme
---
The renewal call.
-- content/moments/beta/intro.md --
---
title: Intro
date: 2023-03-11
customer: Beta
---
First call.
"""


def _git_env(author: tuple[str, str] = DANA) -> dict[str, str]:
    """git's environment for the tests' own commands: no user configuration, one author."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    name, date = author
    email = name.lower().replace(" ", ".") + "@example.com"
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME=name,
        GIT_AUTHOR_EMAIL=email,
        GIT_AUTHOR_DATE=date,
        GIT_COMMITTER_NAME=name,
        GIT_COMMITTER_EMAIL=email,
        GIT_COMMITTER_DATE=date,
    )
    return env


def git(repo: Path, *args: str, author: tuple[str, str] = DANA) -> str:
    done = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", *args],
        cwd=repo,
        env=_git_env(author),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def commit(repo: Path, author: tuple[str, str], message: str = "Update moments") -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message, author=author)


def make_repo(root: Path, spec: str = SITE, author: tuple[str, str] = DANA) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    write_site(root, spec)
    (root / ".gitignore").write_text("public/\n.momentmap-cache/\n", encoding="utf-8")
    commit(root, author, "First moments")
    return root


def build(site: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Build into site/public; returns the CLI's stderr."""
    run = run_cli("build", "--site", site, "--as-of", AS_OF, *args, env=env)
    assert run.code == 0, run.err
    return run.err


def page(site: Path, moment_id: str) -> Path:
    return site / "public" / "moments" / moment_id / "index.html"


def history_line(path: Path) -> Element | None:
    found = [e for e in elements(path) if e.has_class("history")]
    assert len(found) <= 1
    return found[0] if found else None


def times(path: Path) -> list[str]:
    """The datetime attributes of the <time> elements in the history line."""
    found = elements(path)
    start = next(i for i, e in enumerate(found) if e.has_class("history"))
    return [e.attrs["datetime"] for e in found[start + 1 :] if e.tag == "time"][:2]


def rendered(err: str) -> int:
    return summary_counts(err)[0]


# --- what the moment page shows ---------------------------------------------------------------


def test_page_shows_creator_and_last_editor_with_their_dates(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    renewal = repo / "content/moments/acme/renewal.md"
    renewal.write_text(renewal.read_text() + "\nThe CFO joined.\n", encoding="utf-8")
    commit(repo, SAM)
    build(repo)

    line = history_line(page(repo, "acme/renewal"))
    assert line is not None and line.tag == "p"
    assert line.text == "Written by Dana Lee on 2023-03-14 · last edited by Sam Roe on 2023-04-02"
    assert times(page(repo, "acme/renewal")) == [
        "2023-03-14T09:30:00+01:00",
        "2023-04-02T23:45:00-05:00",
    ]
    # Written once, never edited: no "last edited".
    untouched = history_line(page(repo, "acme/kickoff"))
    assert untouched is not None and untouched.text == "Written by Dana Lee on 2023-03-14"


def test_a_moved_file_keeps_its_creator(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / "content/moments/acme/2023").mkdir()
    git(repo, "mv", "content/moments/acme/kickoff.md", "content/moments/acme/2023/kickoff.md")
    commit(repo, SAM, "Move a moment")  # a pure move: not an edit
    git(repo, "mv", "content/moments/acme/renewal.md", "content/moments/acme/2023/renewal.md")
    moved = repo / "content/moments/acme/2023/renewal.md"
    moved.write_text(moved.read_text() + "\nAnd a line more.\n", encoding="utf-8")
    commit(repo, LEE, "Move and edit a moment")  # a move with an edit
    build(repo)

    kickoff = history_line(page(repo, "acme/2023/kickoff"))
    assert kickoff is not None and kickoff.text == "Written by Dana Lee on 2023-03-14"
    renewal = history_line(page(repo, "acme/2023/renewal"))
    assert renewal is not None
    assert (
        renewal.text == "Written by Dana Lee on 2023-03-14 · last edited by Lee Park on 2023-05-20"
    )


def test_a_file_deleted_and_written_again_is_a_new_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    kickoff = repo / "content/moments/acme/kickoff.md"
    text = kickoff.read_text()
    kickoff.unlink()
    commit(repo, SAM, "Delete")
    kickoff.write_text(text, encoding="utf-8")
    commit(repo, LEE, "Write it again")

    info = read_git_info(repo / "content")
    history = info.files["moments/acme/kickoff.md"]
    assert history.created.author == "Lee Park" and history.edited is None
    assert info.files["moments/acme/renewal.md"].created.author == "Dana Lee"


def test_parse_log_maps_older_paths_to_the_current_ones() -> None:
    """Newest commit first, as `git log` prints it: in one commit `a.md` moved to
    `b.md` and `c.md` to `a.md`; `b.md` was an unrelated file, deleted before."""

    def commit(sha: str, author: str, date: str, *changes: str) -> bytes:
        return (
            f"{sha * 40}\0{author}\0{date}\0\n".encode()
            + "".join(f"{c}\0" for c in changes).encode()
        )

    log = b"".join(
        [
            commit("4", "Kim", "2023-04-01T10:00:00+00:00", "M", "site/a.md"),
            commit(
                "3",
                "Lee",
                "2023-03-01T10:00:00+00:00",
                "R100",
                "site/a.md",
                "site/b.md",
                "R090",
                "site/c.md",
                "site/a.md",
            ),
            commit("2", "Sam", "2023-02-01T10:00:00+00:00", "D", "site/b.md"),
            commit(
                "1",
                "Dana",
                "2023-01-01T10:00:00+00:00",
                "A",
                "site/a.md",
                "A",
                "site/b.md",
                "A",
                "site/c.md",
                "A",
                "other/x.md",
            ),
        ]
    )
    found = parse_log(log, "site/")
    assert set(found) == {"a.md", "b.md"}  # c.md is a.md now; other/ is outside the site
    b, a = found["b.md"], found["a.md"]
    assert b.created.author == "Dana" and b.edited is None  # the old a.md, moved unchanged
    assert a.created.author == "Dana"  # the old c.md
    assert a.edited is not None and a.edited.author == "Kim"
    assert a.created.time == dt.datetime(2023, 1, 1, 10, tzinfo=dt.UTC)


def test_site_in_a_subfolder_of_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    site = write_site(repo / "docs" / "customer moments", SITE)
    (repo / "README.md").write_text("The product.\n", encoding="utf-8")
    commit(repo, DANA)
    build(site)

    line = history_line(page(site, "beta/intro"))
    assert line is not None and line.text == "Written by Dana Lee on 2023-03-14"


def test_odd_file_names_are_parsed(tmp_path: Path) -> None:
    name = 'it\'s "quoted" — Société Générale.md'
    repo = make_repo(tmp_path / "repo")
    (repo / "content/moments/acme" / name).write_text(
        "---\ntitle: Odd\ndate: 2023-03-13\ncustomer: Acme\n---\nText.\n", encoding="utf-8"
    )
    commit(repo, SAM)
    info = read_git_info(repo / "content")
    assert info.files[f"moments/acme/{name}"].created.author == "Sam Roe"
    build(repo)
    line = history_line(page(repo, "acme/it-s-quoted-societe-generale"))
    assert line is not None and line.text == "Written by Sam Roe on 2023-04-02"


def test_a_file_not_committed_yet_has_no_git_line(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write_site(
        repo,
        """
        -- content/moments/beta/draft-idea.md --
        ---
        title: Not committed
        date: 2023-03-15
        customer: Beta
        ---
        Still writing.
        """,
    )
    build(repo)
    assert history_line(page(repo, "beta/draft-idea")) is None
    assert history_line(page(repo, "beta/intro")) is not None


def test_outside_git_the_build_works_and_shows_no_git_line(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    err = build(site, env={"GIT_CEILING_DIRECTORIES": str(tmp_path)})
    assert "note: git" not in err
    assert history_line(page(site, "acme/kickoff")) is None


def test_a_repository_without_commits_shows_no_git_line(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    git(site, "init", "-q")
    err = build(site)
    assert "note: git" not in err
    assert history_line(page(site, "acme/kickoff")) is None


def test_without_git_installed_the_build_works(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    err = build(repo, env={"PATH": str(empty)})
    assert "note: git" not in err
    assert history_line(page(repo, "acme/kickoff")) is None


def test_git_info_false_turns_it_off_and_runs_no_git(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    (repo / "momentmap.yaml").write_text("title: Git info\ngit_info: false\n", encoding="utf-8")
    calls = tmp_path / "calls.log"
    build(repo, env=logging_git(tmp_path, calls))
    assert history_line(page(repo, "acme/kickoff")) is None
    assert not calls.exists()


def test_anonymized_builds_show_no_authors(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    build(repo, "--anonymize")
    pages = list((repo / "public" / "moments").rglob("index.html"))
    assert pages and all(history_line(p) is None for p in pages)
    assert not any("Dana Lee" in p.read_text(encoding="utf-8") for p in pages)


def test_shallow_clone_shows_no_dates_and_says_why(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    renewal = repo / "content/moments/acme/renewal.md"
    renewal.write_text(renewal.read_text() + "\nMore.\n", encoding="utf-8")
    commit(repo, SAM)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", (repo.as_uri()), str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository").strip() == "true"

    err = build(clone, "--strict")  # a notice is not a warning
    assert err.count(f"note: {SHALLOW_NOTICE}") == 1
    pages = list((clone / "public" / "moments").rglob("index.html"))
    assert len(pages) == 3 and all(history_line(p) is None for p in pages)

    # serve says so too, once, before it starts serving
    shutil.rmtree(clone / "public")
    server = Server(clone)
    try:
        text = server.stderr()
        assert text.count(f"note: {SHALLOW_NOTICE}") == 1
        assert text.index("note: git info") < text.index("Serving http")
        moment = server.get("/moments/acme/kickoff/index.html")
        assert moment.status == 200 and b'class="history"' not in moment.body
    finally:
        server.stop()


def test_serve_shows_a_commit_without_waiting_for_an_edit(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    renewal = repo / "content/moments/acme/renewal.md"
    url = "/moments/acme/renewal/index.html"
    server = Server(repo)
    try:
        assert b"last edited by" not in server.get(url).body
        renewal.write_text(renewal.read_text(encoding="utf-8") + "\nMore.\n", encoding="utf-8")
        server.wait_until_quiet()
        assert b"last edited by" not in server.get(url).body  # saved, not committed yet
        commit(repo, SAM)  # changes only .git: HEAD's branch moved
        poll(lambda: b"last edited by Sam Roe" in server.get(url).body, what="the commit")
    finally:
        server.stop()


def test_author_names_are_escaped(tmp_path: Path) -> None:
    # git drops '<' and '>' from names, so markup can only arrive as entities.
    name = 'Sam &lt;b&gt;bold&lt;/b&gt; &amp; "Quote" O\'Brien'
    repo = make_repo(tmp_path / "repo", author=(name, DANA[1]))
    build(repo)
    path = page(repo, "acme/kickoff")
    line = history_line(path)
    assert line is not None
    assert line.text == f"Written by {name} on 2023-03-14"  # the entities shown as typed
    assert not any(e.tag == "b" for e in elements(path))


# --- incremental builds and one git pass ------------------------------------------------------


def inodes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_ino for p in root.rglob("*.html")}


def test_a_new_commit_rerenders_the_moments_it_touched(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    build(repo)
    assert rendered(build(repo)) == 0

    renewal = repo / "content/moments/acme/renewal.md"
    renewal.write_text(renewal.read_text() + "\nThe CFO joined.\n", encoding="utf-8")
    assert rendered(build(repo)) > 0  # the edit itself
    line = history_line(page(repo, "acme/renewal"))
    assert line is not None and "Sam Roe" not in line.text  # not committed yet
    before = inodes(repo / "public")

    commit(repo, SAM)  # the files are as built: only their history changed
    count = rendered(build(repo))
    after = inodes(repo / "public")
    changed = {rel for rel in after if before[rel] != after[rel]}
    assert "moments/acme/renewal/index.html" in changed
    assert "moments/beta/intro/index.html" not in changed  # another customer's moment
    assert count == len(changed)
    line = history_line(page(repo, "acme/renewal"))
    assert line is not None and line.text.endswith("last edited by Sam Roe on 2023-04-02")

    assert rendered(build(repo)) == 0  # an unchanged history re-renders nothing
    assert inodes(repo / "public") == after

    # The incremental output is what a clean build makes.
    run = run_cli("build", "--site", repo, "--as-of", AS_OF, "--out", tmp_path / "clean")
    assert run.code == 0, run.err
    assert tree_bytes(tmp_path / "clean") == tree_bytes(repo / "public")


def logging_git(tmp_path: Path, calls: Path) -> dict[str, str]:
    """An environment whose `git` logs each call's arguments to `calls`, then runs git."""
    real = shutil.which("git")
    assert real is not None
    folder = tmp_path / "logging-git"
    folder.mkdir(exist_ok=True)
    wrapper = folder / "git"
    wrapper.write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{calls}"\nexec "{real}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return {"PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"}


def git_calls(calls: Path) -> list[list[str]]:
    """Each logged git call's arguments, without the leading options and `-c name=value` settings."""
    found = []
    for line in calls.read_text().splitlines():
        words = line.split()
        while words[:1] == ["-c"] or words[:1] == ["--literal-pathspecs"]:
            words = words[2:] if words[0] == "-c" else words[1:]
        found.append(words)
    return found


def test_a_failing_git_log_is_a_notice_and_content_errors_stop_it(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    real = shutil.which("git")
    folder = tmp_path / "failing-git"
    folder.mkdir()
    wrapper = folder / "git"
    wrapper.write_text(
        f'#!/bin/sh\nfor a in "$@"; do [ "$a" = log ] && exit 1; done\nexec "{real}" "$@"\n'
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    env = {"PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"}
    err = build(repo, "--strict", env=env)
    assert err.count(f"note: {LOG_FAILED_NOTICE}") == 1
    assert history_line(page(repo, "acme/kickoff")) is None

    (repo / "content/moments/acme/bad.md").write_text("---\ntitle: Bad\n---\n", encoding="utf-8")
    run = run_cli("build", "--site", repo, "--as-of", AS_OF)
    assert run.code == 1 and "Traceback" not in run.err and "note: git" not in run.err


@pytest.mark.parametrize("moments", [3, 60])
def test_one_git_log_whatever_the_number_of_files(tmp_path: Path, moments: int) -> None:
    spec = "".join(
        f"-- content/moments/c{i % 4}/m{i}.md --\n---\ntitle: M{i}\ndate: 2023-01-{i % 28 + 1:02d}\n"
        f"customer: C{i % 4}\n---\nBody {i}.\n"
        for i in range(moments)
    )
    repo = make_repo(tmp_path / "repo", spec)
    for i in range(0, moments, 2):  # a second commit touching half the files
        path = repo / f"content/moments/c{i % 4}/m{i}.md"
        path.write_text(path.read_text() + "Edited.\n", encoding="utf-8")
    commit(repo, SAM)
    calls = tmp_path / "calls.log"
    build(repo, env=logging_git(tmp_path, calls))

    commands = [words[0] for words in git_calls(calls)]
    assert commands.count("log") == 1
    assert commands == ["rev-parse", "log"]
    line = history_line(page(repo, "c0/m0"))
    assert line is not None and "last edited by Sam Roe" in line.text


def test_preview_reads_the_log_again_only_when_head_moves(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repo")
    calls = tmp_path / "calls.log"
    monkeypatch.setenv("PATH", logging_git(tmp_path, calls)["PATH"])
    preview = Preview(repo, BuildOptions(as_of=dt.date(2024, 6, 1)))
    renewal_page = "moments/acme/renewal/index.html"

    assert preview.rebuild().ok
    assert b"Written by Dana Lee" in served(preview, renewal_page)
    renewal = repo / "content/moments/acme/renewal.md"
    renewal.write_text(renewal.read_text() + "\nMore.\n", encoding="utf-8")
    assert preview.rebuild([renewal]).ok  # an edit, HEAD unchanged: no new log
    assert [w[0] for w in git_calls(calls)].count("log") == 1

    commit(repo, SAM)
    result = preview.full_pass()
    assert result.ok and result.rendered > 0
    assert b"last edited by Sam Roe" in served(preview, renewal_page)
    assert [w[0] for w in git_calls(calls)].count("log") == 2
    assert preview.full_pass().rendered == 0


def served(preview: Preview, rel: str) -> bytes:
    content = preview.published.files[rel]
    assert isinstance(content, bytes)
    return content


def test_in_git_the_quick_pass_gives_an_edited_page_the_key_of_the_full_pass(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "repo")
    preview = Preview(repo, BuildOptions(as_of=dt.date(2024, 6, 1)))
    assert preview.full_pass().ok
    renewal = repo / "content/moments/acme/renewal.md"
    renewal.write_text(renewal.read_text() + "\nMore.\n", encoding="utf-8")
    rel = "moments/acme/renewal/index.html"

    preview.show_edited_moments([renewal])
    quick = preview.published
    assert quick.changed == {rel}
    assert b"More." in served(preview, rel)

    assert preview.full_pass().ok
    assert preview.published.keys[rel] == quick.keys[rel]
    assert preview.published.files[rel] == quick.files[rel]
