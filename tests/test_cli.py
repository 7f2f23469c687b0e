"""The command line as users call it: help, formats, exit codes, new, schema."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, run_cli, write_site

COMMANDS = ["init", "new", "build", "serve", "check", "schema", "review"]

SITE = """
-- content/customers/acme.md --
---
name: Acme Corp
---
-- content/moments/acme/2024-01-10-kickoff.md --
---
title: Kickoff
date: 2024-01-10
customer: Acme Corp
sentiment: postive
tagz: [x]
---
Hello.
"""


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_and_is_in_the_readme(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.code == 0
    assert "--site" in result.out
    assert f"momentmap {command}" in (REPO / "README.md").read_text(encoding="utf-8")


def test_installed_console_script_matches_python_m() -> None:
    proc = subprocess.run(["momentmap", "--help"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert proc.stdout.replace("momentmap", "") == run_cli("--help").out.replace("momentmap", "")


def test_bad_flag_is_a_usage_error() -> None:
    result = run_cli("build", "--links", "sideways")
    assert result.code == 2 and "sideways" in result.err


def test_check_text_format_goes_to_stderr(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    result = run_cli("check", "--site", site)
    assert result.code == 1 and result.out == ""
    assert (
        "content/moments/acme/2024-01-10-kickoff.md:5:12: error: sentiment must be one of"
        in result.err
    )
    assert (
        "content/moments/acme/2024-01-10-kickoff.md:6:1: warning: unknown key 'tagz'" in result.err
    )


def test_check_json_format(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    result = run_cli("check", "--site", site, "--format", "json")
    assert result.code == 1
    problems = json.loads(result.out)
    assert problems[0] == {
        "file": "content/moments/acme/2024-01-10-kickoff.md",
        "line": 5,
        "col": 12,
        "severity": "error",
        "message": problems[0]["message"],
    }
    assert {p["severity"] for p in problems} == {"error", "warning"}


def test_check_github_format(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    result = run_cli("check", "--site", site, "--format", "github")
    lines = result.out.splitlines()
    assert lines[0].startswith(
        "::error file=content/moments/acme/2024-01-10-kickoff.md,line=5,col=12::sentiment must be"
    )
    assert lines[1].startswith(
        "::warning file=content/moments/acme/2024-01-10-kickoff.md,line=6,col=1::unknown key"
    )


def test_check_strict_turns_warnings_into_errors(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE.replace("postive", "positive"))
    assert run_cli("check", "--site", site).code == 0
    strict = run_cli("check", "--site", site, "--strict")
    assert strict.code == 1 and ":6:1: error: unknown key 'tagz'" in strict.err


def test_no_color_is_honoured_and_pipes_get_no_escapes(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    for env in ({}, {"NO_COLOR": "1"}):
        assert "\x1b[" not in run_cli("check", "--site", site, env=env).err


def test_new_writes_the_template_and_refuses_to_overwrite(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE.replace("postive", "positive"))
    result = run_cli(
        "new", "No: really?", "--customer", "acme corp", "--date", "2024-05-02", "--site", site
    )
    assert result.code == 0, result.err
    path = Path(result.out.strip())
    assert path == site / "content/moments/acme/2024-05-02-no-really.md"
    text = path.read_text(encoding="utf-8")
    assert "<!-- What happened?" in text and "## Assumptions" in text
    again = run_cli(
        "new", "No: really?", "--customer", "acme corp", "--date", "2024-05-02", "--site", site
    )
    assert again.code == 2 and "never overwrites" in again.err
    assert path.read_text(encoding="utf-8") == text
    # the new file is a draft: left out until the writer deletes that line
    assert text.startswith("---\n# A draft: the site leaves it out until you delete the line")
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    titles = [m["title"] for m in json.loads((out / "moments.json").read_text())["moments"]]
    assert "No: really?" not in titles
    path.write_text(text.replace("draft: true\n", ""), encoding="utf-8")
    assert run_cli("build", "--site", site, "--out", out).code == 0
    titles = [m["title"] for m in json.loads((out / "moments.json").read_text())["moments"]]
    assert "No: really?" in titles  # and its title stays the text the writer gave


def test_new_warns_about_an_unknown_customer_but_writes(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    result = run_cli(
        "new", "Call", "--customer", "Acme Crop", "--date", "2024-05-02", "--site", site
    )
    assert result.code == 0
    assert (
        "warning: customer 'Acme Crop' matches no profile" in result.err
        and "did you mean" in result.err
    )
    assert Path(result.out.strip()).is_file()


def test_new_rejects_bad_date_and_type(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", SITE)
    assert run_cli("new", "X", "--customer", "Acme", "--date", "tomorrow", "--site", site).code == 2
    result = run_cli("new", "X", "--customer", "Acme", "--type", "regretfull", "--site", site)
    assert result.code == 2 and "did you mean 'regretful'" in result.err


def test_schema_describes_every_key_with_the_site_enums(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", "-- momentmap.yaml --\nstages: [intro, deal]\n")
    schema = json.loads(run_cli("schema", "--site", site).out)
    assert schema["required"] == ["title", "date", "customer"]
    assert schema["properties"]["stage"]["enum"] == ["intro", "deal"]
    assert set(schema["properties"]) >= {"promises", "related", "extra", "id", "draft"}
    assert schema["additionalProperties"] is False


# A call that parses but points at something momentmap cannot use fails the same way in
# every command, whichever stage noticed: one "Error: …" line, exit status 2, no usage
# text (the call itself was well formed) and no traceback.
USE_ERRORS = [
    (("build", "--as-of", "soon"), "Error: --as-of must be a date YYYY-MM-DD, not 'soon'"),
    (("serve", "--as-of", "soon", "--port", "0"), "Error: --as-of must be a date YYYY-MM-DD"),
    (("review", "--as-of", "soon"), "Error: --as-of must be a date YYYY-MM-DD"),
    (("check",), "Error: SOURCE_DATE_EPOCH must be a whole number of seconds"),
    (("new", "X", "--customer", "Acme", "--date", "tomorrow"), "Error: --date must be"),
    (("new", "X", "--customer", "Acme", "--type", "cal"), "Error: --type must be one of"),
    (("build", "--out", "site/content"), "Error: refusing to use the content folder"),
    (("review",), "is not in a git repository"),
]


@pytest.mark.parametrize(("args", "says"), USE_ERRORS, ids=lambda v: " ".join(v[:3]))
def test_every_command_fails_the_same_way(tmp_path: Path, args: tuple[str, ...], says: str) -> None:
    clean = SITE.replace("postive", "positive").replace("tagz: [x]\n", "")
    site = write_site(tmp_path / "site", clean)
    env = {"SOURCE_DATE_EPOCH": "yesterday"} if args == ("check",) else None
    result = run_cli(*args, "--site", site, cwd=tmp_path, env=env)
    assert result.code == 2, result.err
    assert result.err.startswith("Error: ") and result.err.count("\n") == 1, result.err
    assert says in result.err
    assert result.out == ""
    assert not any(path.name == "public" for path in site.iterdir())


def test_a_malformed_call_shows_the_usage() -> None:
    result = run_cli("build", "--no-such-option")
    assert result.code == 2
    assert result.err.startswith("Usage: momentmap build [OPTIONS]")
    assert "Error: No such option" in result.err


@pytest.mark.parametrize("command", ["build", "serve", "check", "new", "review"])
def test_a_missing_site_folder_is_named_with_its_absolute_path(
    tmp_path: Path, command: str
) -> None:
    extra = ("Call", "--customer", "Acme") if command == "new" else ()
    result = run_cli(command, *extra, "--site", "no-such-site", cwd=tmp_path)
    assert result.code == 2, result.err
    assert result.err == (
        f"Error: site folder not found: {tmp_path / 'no-such-site'}; "
        "`momentmap init no-such-site` creates one\n"
    )
    assert not (tmp_path / "no-such-site").exists()


def test_a_missing_and_an_empty_content_folder_say_where_they_looked(tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    missing = run_cli("build", "--site", bare, cwd=tmp_path)
    assert missing.code == 1
    assert f"content: error: content folder not found: looked for {bare / 'content'}\n" in (
        missing.err
    )
    assert not (bare / "public").exists()

    (bare / "content").mkdir()
    empty = run_cli("build", "--site", bare, cwd=tmp_path)
    assert empty.code == 0, empty.err
    assert (
        f"content: warning: content folder is empty: {bare / 'content'}; "
        "add a moment with `momentmap new`\n" in empty.err
    )

    (bare / "content" / "2025-01-02-call.md").write_text("---\ntitle: Call\n---\n")
    stray = run_cli("build", "--site", bare, cwd=tmp_path)
    assert (
        f"content: warning: no moments found: they live in {bare / 'content' / 'moments'}"
        "/<customer>/, but 1 Markdown file(s) are elsewhere, such as content/2025-01-02-call.md\n"
        in stray.err
    )


def test_new_writes_next_to_the_customers_newest_moment(tmp_path: Path) -> None:
    """The profile's slug is societe-thermique-du-rhone; its moments live elsewhere."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "content", site / "content")
    shutil.copy(REPO / "momentmap.yaml", site / "momentmap.yaml")
    result = run_cli(
        "new", "Test call", "--customer", "Thermique du Rhône", "--sentiment", "-1",
        "--date", "2025-12-02", "--site", site,
    )  # fmt: skip
    assert result.code == 0, result.err
    path = Path(result.out.strip())
    assert path == site / "content/moments/thermique-du-rhone/2025-12-02-test-call.md"
    fields = dict(
        line.split(": ", 1)
        for line in path.read_text().split("---")[1].splitlines()
        if ": " in line
    )
    assert fields["draft"] == "true"
    assert fields["sentiment"].startswith("-1  # very negative, negative, neutral")
    assert fields["type"].startswith("courageous  # courageous, competitor, regretful")
    # Not a customer's latest moment until it stops being a draft.
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out, "--as-of", "2025-12-03").code == 0
    data = json.loads((out / "moments.json").read_text())
    assert "Test call" not in [m["title"] for m in data["moments"]]
    # A customer with no moments gets a folder of its own slug.
    first = run_cli("new", "Hello", "--customer", "Nobody Yet", "--site", site)
    assert Path(first.out.strip()).parent == site / "content/moments/nobody-yet"
    bad = run_cli("new", "X", "--customer", "Quillon", "--sentiment", "postive", "--site", site)
    assert bad.code == 2 and "did you mean 'positive'?" in bad.err


def test_the_build_summary_counts_reader_pages_in_plain_words(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "site", SITE.replace("postive", "positive").replace("tagz: [x]\n", "")
    )
    first = run_cli("build", "--site", site, cwd=tmp_path)
    assert first.code == 0, first.err
    pages = sum(1 for _ in (site / "public").rglob("index.html"))
    last = first.err.strip().splitlines()[-1]
    assert re.fullmatch(
        rf"Built {pages} pages \(\d+ moments?, 1 customer\) in [\d.]+ s into site/public/", last
    ), last
    again = run_cli("build", "--site", site, cwd=tmp_path).err.strip().splitlines()[-1]
    assert again.endswith("into site/public/: nothing changed"), again


def test_counts_in_pages_use_the_singular_for_one(tmp_path: Path) -> None:
    from momentmap.words import counted

    assert [counted(n, "day") for n in (0, 1, 2)] == ["0 days", "1 day", "2 days"]
    site = write_site(
        tmp_path / "site",
        """
        -- content/moments/acme/2025-01-01-call.md --
        ---
        title: Call
        date: 2025-01-01
        customer: Acme
        ---
        ## Assumptions
        - [ ] They will renew.
        """,
    )
    assert run_cli("build", "--site", site, "--as-of", "2025-01-02").code == 0
    page = (site / "public" / "assumptions" / "index.html").read_text(encoding="utf-8")
    assert " · 1 day open</p>" in page and "1 days" not in page
