"""Team review plumbing: the pre-commit hook as pre-commit runs it, `check --format
github` as GitHub reads it, and the README's CI recipes.

The hook tests copy this working tree's package and `.pre-commit-hooks.yaml`
into a throwaway git repository (pre-commit installs hooks from a git
revision) and let pre-commit build its own environment from it, once per run.
"""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, run_cli, write_site

GOOD_SITE = """
-- content/customers/acme.md --
---
name: Acme Corp
---
-- content/moments/acme/2024-01-10-kickoff.md --
---
title: Kickoff
date: 2024-01-10
customer: Acme Corp
sentiment: positive
---
Hello.
"""
BAD_MOMENT = "content/moments/acme/2024-01-10-kickoff.md"
BAD_SENTIMENT = f"{BAD_MOMENT}:5:12: error: sentiment must be one of"

# What pre-commit needs to install momentmap from a git revision.
PACKAGE_FILES = ["pyproject.toml", "README.md", ".pre-commit-hooks.yaml"]
PACKAGE_DIRS = ["generator/momentmap", "themes/default"]


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without anything that would change what git,
    pre-commit or Python do in a test repository."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "PRE_COMMIT")) and k not in ("PYTHONPATH", "NO_COLOR")
    }
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="Dana",
        GIT_AUTHOR_EMAIL="dana@example.com",
        GIT_COMMITTER_NAME="Dana",
        GIT_COMMITTER_EMAIL="dana@example.com",
        PRE_COMMIT_COLOR="never",
    )
    env.update(extra)
    return env


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=repo, env=clean_env(), capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def new_repo(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    return root


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding this working tree's momentmap and hook definition, and its commit."""
    root = new_repo(tmp_path_factory.mktemp("momentmap-hook"))
    for name in PACKAGE_FILES:
        shutil.copy2(REPO / name, root / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in PACKAGE_DIRS:
        shutil.copytree(REPO / name, root / name, ignore=ignore)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "momentmap as it is in the working tree")
    return root, git(root, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's store, shared by this module's tests so the hook's environment is built once."""
    return tmp_path_factory.mktemp("pre-commit-home")


def pre_commit(repo: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=repo,
        env=clean_env(PRE_COMMIT_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=300,
    )


def readme_hook_config() -> dict[str, Any]:
    """The `.pre-commit-config.yaml` the README tells teams to write."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in yaml_blocks(readme) if "id: momentmap-check" in b]
    assert len(blocks) == 1, "the README shows one .pre-commit-config.yaml"
    config: dict[str, Any] = yaml.safe_load(blocks[0])
    return config


def yaml_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```$", markdown, flags=re.S | re.M)


def site_repo(
    root: Path, hook: tuple[Path, str], *, args: list[str] | None = None, site: str = ""
) -> Path:
    """A team's repository: the README's pre-commit config pointed at the hook repo, and a good site."""
    repo = new_repo(root)
    config = readme_hook_config()
    entry = config["repos"][0]
    entry["repo"], entry["rev"] = str(hook[0]), hook[1]
    if args is not None:
        entry["hooks"][0]["args"] = args
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    write_site(repo / site, GOOD_SITE)
    git(repo, "add", "-A")
    return repo


def break_moment(moment: Path) -> None:
    moment.write_text(
        moment.read_text(encoding="utf-8").replace("sentiment: positive", "sentiment: postive"),
        encoding="utf-8",
    )


# --- the hook definition --------------------------------------------------------


def test_hook_manifest_is_valid_and_runs_check_once_for_the_whole_site() -> None:
    manifest = REPO / ".pre-commit-hooks.yaml"
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(manifest)],
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks = {h["id"]: h for h in yaml.safe_load(manifest.read_text(encoding="utf-8"))}
    hook = hooks["momentmap-check"]
    assert hook["entry"] == "momentmap check" and hook["language"] == "python"
    assert hook["pass_filenames"] is False and hook["always_run"] is False
    files = re.compile(hook["files"])
    for path in [
        "momentmap.yaml",
        "content/moments/acme/2024-01-10-kickoff.md",
        "content/customers/acme.md",
        "content/moments/acme/plan.svg",
        "themes/ours/templates/base.html",
        "docs/moments/momentmap.yaml",
        "docs/moments/content/moments/a.md",
        "notes/moments/a.md",
    ]:
        assert files.search(path), path
    for path in ["src/app.py", ".gitlab-ci.yml", "package.json", "contentious.txt"]:
        assert not files.search(path), path


# --- pre-commit running the hook ----------------------------------------------


def test_hook_passes_a_good_site_and_fails_a_bad_moment(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    repo = site_repo(tmp_path / "team", hook_repo)
    good = pre_commit(repo, pre_commit_home, "run", "--all-files")
    assert good.returncode == 0, good.stdout + good.stderr
    assert re.search(r"^momentmap check\.+Passed$", good.stdout, flags=re.M)

    break_moment(repo / BAD_MOMENT)
    bad = pre_commit(repo, pre_commit_home, "run", "--all-files")
    assert bad.returncode == 1
    assert re.search(r"^momentmap check\.+Failed$", bad.stdout, flags=re.M)
    assert BAD_SENTIMENT in bad.stdout and "(did you mean 'positive'?)" in bad.stdout
    assert "\x1b[" not in bad.stdout


def test_hook_stops_a_commit_with_a_bad_moment_and_skips_unrelated_commits(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    repo = site_repo(tmp_path / "team", hook_repo)
    installed = pre_commit(repo, pre_commit_home, "install")
    assert installed.returncode == 0, installed.stderr
    env = clean_env(PRE_COMMIT_HOME=str(pre_commit_home))

    def commit(message: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", "commit", "-m", message],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    first = commit("A good site")
    assert first.returncode == 0, first.stdout + first.stderr
    head = git(repo, "rev-parse", "HEAD")

    break_moment(repo / BAD_MOMENT)
    git(repo, "add", BAD_MOMENT)
    refused = commit("A typo")
    assert refused.returncode == 1
    assert BAD_SENTIMENT in refused.stdout + refused.stderr
    assert git(repo, "rev-parse", "HEAD") == head

    # a commit that touches nothing the site reads does not run the check
    git(repo, "reset", "-q")
    (repo / "notes.txt").write_text("not part of the site\n", encoding="utf-8")
    git(repo, "add", "notes.txt")
    unrelated = commit("Notes")
    assert unrelated.returncode == 0, unrelated.stdout + unrelated.stderr
    assert "(no files to check)Skipped" in unrelated.stdout + unrelated.stderr


def test_hook_checks_a_site_in_a_subfolder_with_args(
    tmp_path: Path, hook_repo: tuple[Path, str], pre_commit_home: Path
) -> None:
    repo = site_repo(
        tmp_path / "team",
        hook_repo,
        args=["--strict", "--site", "docs/moments"],
        site="docs/moments",
    )
    assert pre_commit(repo, pre_commit_home, "run", "--all-files").returncode == 0

    moment = repo / "docs/moments" / BAD_MOMENT
    moment.write_text(
        moment.read_text(encoding="utf-8").replace("title:", "tagz: [x]\ntitle:"), encoding="utf-8"
    )
    strict = pre_commit(repo, pre_commit_home, "run", "--all-files")
    assert strict.returncode == 1
    assert f"{BAD_MOMENT}:2:1: error: unknown key 'tagz'" in strict.stdout


# --- check --format github ------------------------------------------------------

# Problems in moment files and in momentmap.yaml, with values and a file name
# that hold the characters GitHub's workflow commands escape.
HOSTILE_SITE = """
-- momentmap.yaml --
title: CX
recent_days: "30%, or: more"
theme: "x,y"
"odd: key, 100%": 1
-- content/customers/acme.md --
---
name: Acme Corp
---
-- content/moments/acme/50%, off: deal.md --
---
title: Deal
date: "2024-01-10\\n::error file=evil.md::injected"
customer: Acme Corp
sentiment: positive
"a,b%c:d": 1
---
Hello.
-- content/moments/acme/ok.md --
---
title: OK
date: 2024-01-11
customer: Acme Corp
sentiment: positive
tagz: [x]
---
Hello.
"""
DEAL = "content/moments/acme/50%25%2C off%3A deal.md"

COMMAND = re.compile(
    r"::(?P<severity>error|warning) file=(?P<file>[^,:]*)"
    r"(?:,line=(?P<line>[1-9]\d*)(?:,col=(?P<col>[1-9]\d*))?)?::(?P<message>.*)"
)


def unescape(value: str, *, prop: bool) -> str:
    if prop:
        value = value.replace("%3A", ":").replace("%2C", ",")
    return value.replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")


def parse_github(output: str) -> list[dict[str, object]]:
    """Each line as a workflow command, unescaped; fails on any line GitHub would not read."""
    assert output.endswith("\n")
    found: list[dict[str, object]] = []
    for line in output.splitlines():
        match = COMMAND.fullmatch(line)
        assert match, f"not a workflow command: {line!r}"
        assert "\r" not in line and not re.search(r"%(?!25|0A|0D|3A|2C)", match["file"])
        assert not re.search(r"%(?!25|0A|0D)", match["message"]), line
        found.append(
            {
                "file": unescape(match["file"], prop=True),
                "line": int(match["line"] or 0),
                "col": int(match["col"] or 0),
                "severity": match["severity"],
                "message": unescape(match["message"], prop=False),
            }
        )
    return found


def hostile_site(root: Path) -> Path:
    site = write_site(root, HOSTILE_SITE)
    # a file name no header line can hold
    (site / "content/moments/acme/two\r\nlines.md").write_text(
        (site / "content/moments/acme/ok.md")
        .read_text(encoding="utf-8")
        .replace("tagz: [x]\n", "")
        .replace("positive", "postive"),
        encoding="utf-8",
    )
    return site


def test_github_format_escapes_every_property_and_message(tmp_path: Path) -> None:
    site = hostile_site(tmp_path / "site")
    result = run_cli("check", "--site", site, "--format", "github")
    assert result.code == 1 and result.err == ""
    lines = result.out.splitlines()
    assert lines == [
        f"::error file={DEAL},line=3,col=7::date must be a date YYYY-MM-DD, optionally with ' HH:MM' "
        "(e.g. 2023-03-14 or 2023-03-14 09:30), not '2024-01-10%0A::error file=evil.md::injected'",
        f"::warning file={DEAL},line=6,col=1::unknown key 'a,b%25c:d' in moment front matter",
        "::warning file=content/moments/acme/ok.md,line=6,col=1::unknown key 'tagz' in moment "
        "front matter (did you mean 'tags'?)",
        "::error file=content/moments/acme/two%0D%0Alines.md,line=5,col=12::sentiment must be one "
        "of very negative, negative, neutral, mixed, positive, very positive or -2…2, not 'postive' "
        "(did you mean 'positive'?)",
        "::error file=momentmap.yaml::theme 'x,y' not found in themes/",
        "::error file=momentmap.yaml,line=2,col=14::recent_days must be a whole number of at "
        "least 1, not '30%25, or: more'",
        "::warning file=momentmap.yaml,line=4,col=1::unknown key 'odd: key, 100%25' in momentmap.yaml",
    ]
    # read back as GitHub reads them, they are exactly the problems --format json lists
    as_json = run_cli("check", "--site", site, "--format", "json")
    assert as_json.code == 1 and as_json.err == ""
    assert parse_github(result.out) == json.loads(as_json.out)


def test_github_format_exit_status_follows_the_errors(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", GOOD_SITE)
    clean = run_cli("check", "--site", site, "--format", "github")
    assert (clean.code, clean.out, clean.err) == (0, "", "")

    moment = site / BAD_MOMENT
    moment.write_text(
        moment.read_text(encoding="utf-8").replace("title:", "tagz: [x]\ntitle:"), encoding="utf-8"
    )
    warned = run_cli("check", "--site", site, "--format", "github")
    assert warned.code == 0 and warned.err == ""
    assert [p["severity"] for p in parse_github(warned.out)] == ["warning"]

    strict = run_cli("check", "--site", site, "--format", "github", "--strict")
    assert strict.code == 1
    assert [p["severity"] for p in parse_github(strict.out)] == ["error"]


def test_github_format_paths_start_from_the_workspace_for_a_site_in_a_subfolder(
    tmp_path: Path,
) -> None:
    """GitHub places an annotation by its path from the repository's root, where CI runs."""
    site = write_site(tmp_path / "docs" / "moments", GOOD_SITE)
    moment = site / BAD_MOMENT
    moment.write_text(
        moment.read_text(encoding="utf-8").replace("title:", "tagz: [x]\ntitle:"), encoding="utf-8"
    )
    from_root = run_cli("check", "--site", "docs/moments", "--format", "github", cwd=tmp_path)
    assert [p["file"] for p in parse_github(from_root.out)] == [f"docs/moments/{BAD_MOMENT}"]
    # json and text keep paths from the site folder (SPEC 6)
    as_json = run_cli("check", "--site", "docs/moments", "--format", "json", cwd=tmp_path)
    assert [p["file"] for p in json.loads(as_json.out)] == [BAD_MOMENT]
    from_site = run_cli("check", "--format", "github", cwd=site)
    assert [p["file"] for p in parse_github(from_site.out)] == [BAD_MOMENT]


def run_on_a_terminal(*args: str | Path) -> tuple[int, str]:
    """`python -m momentmap ARGS` with stdout and stderr on a pseudo-terminal, where colour is allowed."""
    primary, secondary = pty.openpty()
    env = clean_env(PYTHONPATH=str(REPO / "generator"), TERM="xterm-256color")
    proc = subprocess.Popen(
        [sys.executable, "-m", "momentmap", *map(str, args)],
        stdin=subprocess.DEVNULL,
        stdout=secondary,
        stderr=secondary,
        env=env,
    )
    os.close(secondary)
    chunks: list[bytes] = []
    while True:
        try:
            data = os.read(primary, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(primary)
    return proc.wait(timeout=60), b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def test_github_and_json_formats_have_no_colour_even_on_a_terminal(tmp_path: Path) -> None:
    site = hostile_site(tmp_path / "site")
    code, text = run_on_a_terminal("check", "--site", site)
    assert code == 1 and "\x1b[" in text  # text on a terminal is coloured...
    code, github = run_on_a_terminal("check", "--site", site, "--format", "github")
    assert code == 1 and "\x1b" not in github  # ...workflow commands never are
    assert len(parse_github(github)) == 7
    code, as_json = run_on_a_terminal("check", "--site", site, "--format", "json")
    assert code == 1 and "\x1b" not in as_json
    assert len(json.loads(as_json)) == 7


# --- the README's recipes ---------------------------------------------------------


def ci_jobs(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The jobs of a GitHub workflow or of a .gitlab-ci.yml."""
    if "jobs" in doc:
        return list(doc["jobs"].values())
    return [job for job in doc.values() if isinstance(job, dict) and "script" in job]


def test_readme_ci_recipes_are_valid_yaml_and_fetch_the_whole_history() -> None:
    docs = [
        yaml.safe_load(b) for b in yaml_blocks((REPO / "README.md").read_text(encoding="utf-8"))
    ]
    assert all(isinstance(doc, dict) for doc in docs)
    jobs = [job for doc in docs for job in ci_jobs(doc)]
    running = [job for job in jobs if re.search(r"momentmap (build|review)", json.dumps(job))]
    assert len(running) == 4  # GitHub Pages, GitLab Pages, and a review job for each
    for job in running:
        text = json.dumps(job)
        # git info and the review digest need every commit, not a shallow clone
        assert '"fetch-depth": 0' in text or '"GIT_DEPTH": "0"' in text, text
