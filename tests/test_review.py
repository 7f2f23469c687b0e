"""`momentmap review` on real git repositories made here: default and explicit refs,
uncommitted edits, a site in a subfolder, problems, escaping, JSON and usage errors."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import run_cli, write_site
from markdown_it import MarkdownIt

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

AS_OF = "2024-06-01"

# Fixed authors and dates (commit ids are then the same on every run) and no
# user or system git configuration.
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Dana",
    "GIT_AUTHOR_EMAIL": "dana@example.com",
    "GIT_AUTHOR_DATE": "2024-05-01T10:00:00+00:00",
    "GIT_COMMITTER_NAME": "Dana",
    "GIT_COMMITTER_EMAIL": "dana@example.com",
    "GIT_COMMITTER_DATE": "2024-05-01T10:00:00+00:00",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}

BASE_SITE = """
-- momentmap.yaml --
title: Review test
-- content/customers/acme.md --
---
name: Acme Corp
---
-- content/customers/globex.md --
---
name: Globex
---
-- content/moments/acme/2024-01-10-kickoff.md --
---
title: Kickoff
date: 2024-01-10
customer: Acme Corp
sentiment: positive
promises:
  - promise: Send the deck
    due: 2024-01-12
  - promise: Call back about pricing
    due: 2024-01-15
  - promise: Share the roadmap
    due: 2024-02-01
---
They liked the plan.

## Assumptions
- [ ] Budget is approved
- [ ] They run SAP
-- content/moments/acme/2024-02-01-demo.md --
---
title: Demo
date: 2024-02-01
customer: Acme Corp
---
The demo was *fast*.
-- content/moments/globex/2024-03-01-intro.md --
---
title: Intro call
date: 2024-03-01
customer: Globex
sentiment: neutral
promises:
  - promise: Send references
    due: 2024-09-01
---
Short call.

## Assumptions
- [ ] They have a champion
-- content/moments/globex/2024-04-01-pricing.md --
---
title: Pricing talk
date: 2024-04-01
customer: Globex
sentiment: negative
---
They found it expensive.
"""

# The feature branch: keeps one promise late and breaks another, clarifies an
# assumption (and says how), opens one, changes a sentiment, removes a moment,
# adds one, and reformats another without changing what it says.
FEATURE_EDITS = """
-- content/moments/acme/2024-01-10-kickoff.md --
---
title: Kickoff
date: 2024-01-10
customer: Acme Corp
sentiment: positive
promises:
  - promise: Send the deck
    due: 2024-01-12
    kept: 2024-01-13
  - promise: Call back about pricing
    due: 2024-01-15
    kept: false
  - promise: Share the roadmap
    due: 2024-02-01
---
They liked the plan.

## Assumptions
- [x] Budget is approved — confirmed by their CFO on 2024-02-02.
- [ ] They run SAP
- [ ] They renew in Q3
-- content/moments/acme/2024-02-01-demo.md --
---
customer: Acme Corp
title: Demo
date: 2024-02-01
---
<!-- a private note -->
The demo was _fast_.
-- content/moments/globex/2024-04-01-pricing.md --
---
title: Pricing talk
date: 2024-04-01
customer: Globex
sentiment: positive
---
They found it expensive, then saw the savings.
-- content/moments/acme/2024-05-01-workshop.md --
---
title: Workshop
date: 2024-05-01
customer: Acme Corp
sentiment: very positive
promises:
  - promise: Send the minutes
    due: 2024-05-03
---
Good workshop.

## Assumptions
- [ ] Their IT joins the rollout
"""

EXPECTED_FEATURE = """\
**Moments: 1 added, 2 changed, 1 removed · Assumptions: 2 opened, 1 clarified, 1 removed while open · Promises: 1 made, 1 kept, 1 broken, 1 overdue, 1 removed while open · Sentiment: 2 customers**

### Moments added (1)

- **Workshop** (Acme Corp, 2024-05-01) `content/moments/acme/2024-05-01-workshop.md`

### Moments changed (2)

- **Kickoff** (Acme Corp, 2024-01-10) `content/moments/acme/2024-01-10-kickoff.md`: promises; assumptions
- **Pricing talk** (Globex, 2024-04-01) `content/moments/globex/2024-04-01-pricing.md`: sentiment negative → positive; narrative

### Moments removed (1)

- **Intro call** (Globex, 2024-03-01) `content/moments/globex/2024-03-01-intro.md`

### Assumptions opened (2)

- They renew in Q3 — **Kickoff** (Acme Corp, 2024-01-10) `content/moments/acme/2024-01-10-kickoff.md:21`
- Their IT joins the rollout — **Workshop** (Acme Corp, 2024-05-01) `content/moments/acme/2024-05-01-workshop.md:13`

### Assumptions clarified (1)

- Budget is approved — confirmed by their CFO on 2024-02-02. — **Kickoff** (Acme Corp, 2024-01-10) `content/moments/acme/2024-01-10-kickoff.md:19`

### Open assumptions removed (1)

- They have a champion — **Intro call** (Globex, 2024-03-01) `content/moments/globex/2024-03-01-intro.md:13`

### Promises made (1)

- Send the minutes (due 2024-05-03, 29 days overdue) — **Workshop** (Acme Corp, 2024-05-01) `content/moments/acme/2024-05-01-workshop.md:7`

### Promises kept (1)

- Send the deck (due 2024-01-12, kept 2024-01-13, 1 day late) — **Kickoff** (Acme Corp, 2024-01-10) `content/moments/acme/2024-01-10-kickoff.md:7`

### Promises broken (1)

- Call back about pricing (due 2024-01-15, broken) — **Kickoff** (Acme Corp, 2024-01-10) `content/moments/acme/2024-01-10-kickoff.md:10`

### Promises overdue (1)

- Share the roadmap (due 2024-02-01, 121 days overdue) — **Kickoff** (Acme Corp, 2024-01-10) `content/moments/acme/2024-01-10-kickoff.md:13`

### Open promises removed (1)

- Send references (due 2024-09-01, open) — **Intro call** (Globex, 2024-03-01) `content/moments/globex/2024-03-01-intro.md:7`

### Sentiment by customer (2)

- **Acme Corp**: latest neutral → very positive; mean +0.50 → +1.00 (2 → 3 moments)
- **Globex**: latest negative → positive; mean -0.50 → +1.00 (2 → 1 moments)
"""


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", *args],
        cwd=repo,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


def review(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = run_cli("review", "--as-of", AS_OF, *args, cwd=cwd, env={**GIT_ENV, **(env or {})})
    return result.code, result.out, result.err


def make_repo(
    root: Path, *, site: str = "", branch: str = "main", content: str = "content"
) -> Path:
    """A repository whose `branch` holds BASE_SITE (in the folder `site`, with its
    content in `content`), and a `feature` branch with FEATURE_EDITS on top, checked out."""

    def files(spec: str) -> str:
        return spec.replace("-- content/", f"-- {content}/")

    root.mkdir(parents=True)
    git(root, "-c", f"init.defaultBranch={branch}", "init", "-q")
    write_site(root / site, files(BASE_SITE))
    if content != "content":
        (root / site / "momentmap.yaml").write_text(f"content_dir: {content}\n")
    (root / "README.md").write_text("Not part of the site.\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Base moments")
    git(root, "checkout", "-qb", "feature")
    write_site(root / site, files(FEATURE_EDITS))
    (root / "README.md").write_text("Changed, and still not part of the site.\n")
    git(root, "rm", "-q", str(Path(site, content, "moments/globex/2024-03-01-intro.md")))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "Feature moments")
    return root


def header(base: str, head: str = "the working tree") -> str:
    return f"## Moment review\n\nComparing {base} with {head}, as of {AS_OF}.\n\n"


def test_default_base_is_the_merge_base_with_main(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    fork = git(repo, "rev-parse", "main")
    # main moves on after the branch was made: its new moment is not this branch's removal
    git(repo, "checkout", "-q", "main")
    write_site(
        repo,
        "-- content/moments/acme/2024-05-20-later.md --\n---\ntitle: Later\n"
        "date: 2024-05-20\ncustomer: Acme Corp\n---\nOn main only.\n",
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "Later on main")
    git(repo, "checkout", "-q", "feature")
    code, out, err = review(cwd=repo)
    assert code == 0, err
    assert out == header(f"`{fork[:12]}` (merge base with `main`)") + EXPECTED_FEATURE
    assert err == ""


def test_default_branch_comes_from_origin_head(tmp_path: Path) -> None:
    """A clone whose remote's default branch is 'trunk': origin/HEAD wins over a local main."""
    upstream = make_repo(tmp_path / "upstream", branch="trunk")
    git(upstream, "checkout", "-q", "trunk")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(upstream), str(clone))
    assert git(clone, "symbolic-ref", "refs/remotes/origin/HEAD") == "refs/remotes/origin/trunk"
    git(clone, "checkout", "-qb", "feature", "origin/feature")
    git(clone, "branch", "main", "feature")  # a decoy: compared with it, nothing changed
    code, out, err = review(cwd=clone)
    assert code == 0, err
    fork = git(clone, "rev-parse", "origin/trunk")
    assert out == header(f"`{fork[:12]}` (merge base with `origin/trunk`)") + EXPECTED_FEATURE


def test_master_when_there_is_no_main(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", branch="master")
    code, out, _ = review(cwd=repo)
    assert code == 0 and "(merge base with `master`)" in out
    assert "### Moments added (1)" in out


def test_explicit_base_and_head_ignore_the_working_tree(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    git(repo, "checkout", "-q", "main")
    page = repo / "content/moments/globex/2024-04-01-pricing.md"
    page.write_text(page.read_text().replace("negative", "very negative"))  # uncommitted
    code, out, err = review("main", "feature", cwd=repo)
    assert code == 0, err
    main, feature = git(repo, "rev-parse", "main"), git(repo, "rev-parse", "feature")
    assert out == header(f"`main` (`{main[:12]}`)", f"`feature` (`{feature[:12]}`)") + (
        EXPECTED_FEATURE
    )
    # the other way round, added and removed swap
    code, out, _ = review("feature", "main", cwd=repo)
    assert "### Moments added (1)\n\n- **Intro call** (Globex, 2024-03-01)" in out
    assert "### Moments removed (1)\n\n- **Workshop** (Acme Corp, 2024-05-01)" in out
    # a BASE alone compares with the working tree, uncommitted edit included
    code, out, _ = review("main", cwd=repo)
    assert code == 0
    assert out == header(f"`main` (`{main[:12]}`)") + (
        "**Moments: 1 changed · Sentiment: 1 customer**\n\n"
        "### Moments changed (1)\n\n"
        "- **Pricing talk** (Globex, 2024-04-01) `content/moments/globex/2024-04-01-pricing.md`: "
        "sentiment negative → very negative\n\n"
        "### Sentiment by customer (1)\n\n"
        "- **Globex**: latest negative → very negative; mean -0.50 → -1.00 (2 moments)\n"
    )


def test_uncommitted_and_untracked_files_count(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    git(repo, "checkout", "-q", "main")
    assert review(cwd=repo)[1].endswith("No moment changes.\n")
    write_site(
        repo,
        """
        -- content/moments/globex/2024-05-15-follow-up.md --
        ---
        title: Follow-up
        date: 2024-05-15
        customer: Globex
        ---
        Not committed yet.

        ## Assumptions
        - [ ] They read the proposal
        """,
    )
    demo = repo / "content/moments/acme/2024-02-01-demo.md"
    demo.write_text(demo.read_text().replace("Demo", "Live demo"))
    code, out, _ = review(cwd=repo)
    assert code == 0
    assert "**Moments: 1 added, 1 changed · Assumptions: 1 opened · Sentiment: 1 customer**" in out
    assert (
        "- **Follow-up** (Globex, 2024-05-15) `content/moments/globex/2024-05-15-follow-up.md`"
        in out
    )
    assert "`content/moments/acme/2024-02-01-demo.md`: title Demo → Live demo" in out


def test_nothing_changed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    # a symlinked moment reads the same from a commit as from the working tree
    (repo / "content/moments/acme/linked.md").symlink_to("2024-02-01-demo.md")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "A symlink")
    code, out, err = review("feature", cwd=repo)
    assert code == 0 and err == ""
    feature = git(repo, "rev-parse", "feature")
    assert out == header(f"`feature` (`{feature[:12]}`)") + "No moment changes.\n"
    code, out, err = review("main", "feature", "--format", "json", cwd=repo)
    added = json.loads(out)["moments"]["added"]
    assert [(m["id"], m["title"]) for m in added] == [
        ("acme/linked", "Demo"),
        ("acme/2024-05-01-workshop", "Workshop"),
    ]


def test_site_in_a_subfolder(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", site="docs/moments")
    fork = git(repo, "rev-parse", "main")
    expected = header(f"`{fork[:12]}` (merge base with `main`)") + EXPECTED_FEATURE
    # from outside, from the repository's top and from inside the site
    for cwd, args in (
        (tmp_path, ["--site", repo / "docs/moments"]),
        (repo, ["--site", "docs/moments"]),
        (repo / "docs/moments", []),
    ):
        code, out, err = review(*args, cwd=cwd)
        assert (code, err) == (0, "")
        assert out == expected


def test_site_in_a_subfolder_with_its_own_content_folder(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", site="docs/cx moments", content="notes")
    code, out, err = review("main", "--site", "docs/cx moments", cwd=repo)
    assert (code, err) == (0, "")
    main = git(repo, "rev-parse", "main")
    assert out == header(f"`main` (`{main[:12]}`)") + EXPECTED_FEATURE.replace(
        "`content/moments/", "`notes/moments/"
    )


BAD_EDITS = """
-- content/moments/acme/2024-05-10-typo.md --
---
title: Typo
date: 2024-05-10
customer: Acme Corp
type: regretful
sentiment: postive
---
Oops.
-- content/moments/acme/2024-02-01-demo.md --
---
title: Demo
date: 2024-02-01
customer: Acme Corp
related: [acme/2024-05-10-typo]
---
The demo was *fast*. [Notes](nowhere.md).
"""


def test_problems_in_the_change_are_listed_with_their_place(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    git(repo, "checkout", "-q", "main")
    # an old problem in a file the change leaves alone is not the change's business...
    pricing = repo / "content/moments/globex/2024-04-01-pricing.md"
    pricing.write_text(
        pricing.read_text().replace("date:", "tagz: [x]\nrelated: [globex/2024-03-01-intro]\ndate:")
    )
    git(repo, "commit", "-qam", "Old problem")
    git(repo, "checkout", "-qb", "bad")
    write_site(repo, BAD_EDITS)
    # ...but one that the change brings into it is
    git(repo, "rm", "-q", "content/moments/globex/2024-03-01-intro.md")
    code, out, err = review(cwd=repo)
    assert code == 0  # the review is made (and posted) anyway; `check` is the gate
    # The demo names the broken typo as related: only the typo's own error is listed.
    assert err == "review: 2 error(s) in the changed files\n"
    assert (
        "- `content/moments/acme/2024-05-10-typo.md`: cannot be read (see the problems below)"
        in out
    )
    assert out.endswith(
        "### Problems (3)\n\n"
        "- `content/moments/acme/2024-02-01-demo.md:7` warning: link to 'nowhere.md' does not "
        "match any file in content/\n"
        "- `content/moments/acme/2024-05-10-typo.md:6:12` error: sentiment must be one of very "
        "negative, negative, neutral, mixed, positive, very positive or -2…2, not 'postive' "
        "\\(did you mean 'positive'?\\)\n"
        "- `content/moments/globex/2024-04-01-pricing.md:4:11` error: related moment "
        "'globex/2024-03-01-intro' does not exist \\(did you mean 'globex/2024-04-01-pricing'?\\)\n"
    )
    # fixed, the file is a moment again
    typo = repo / "content/moments/acme/2024-05-10-typo.md"
    typo.write_text(typo.read_text().replace("postive", "positive"))
    code, out, err = review(cwd=repo)
    assert (code, err) == (0, "review: 1 error(s) in the changed files\n")
    assert "- **Typo** (Acme Corp, 2024-05-10) `content/moments/acme/2024-05-10-typo.md`\n" in out


def test_a_moment_that_stops_reading_is_changed_not_removed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    git(repo, "checkout", "-q", "main")
    page = repo / "content/moments/globex/2024-04-01-pricing.md"
    page.write_text(page.read_text().replace("date: 2024-04-01", "date: April"))
    _, out, _ = review(cwd=repo)
    assert out.endswith(
        "**Moments: 1 changed · Problems: 1 error, 0 warnings**\n\n"
        "### Moments changed (1)\n\n"
        "- **Pricing talk** (Globex, 2024-04-01) `content/moments/globex/2024-04-01-pricing.md`: "
        "cannot be read (see the problems below)\n\n"
        "### Problems (1)\n\n"
        "- `content/moments/globex/2024-04-01-pricing.md:3:7` error: date must be a date "
        "YYYY-MM-DD, optionally with ' HH:MM' \\(e.g. 2023-03-14 or 2023-03-14 09:30\\), "
        "not 'April'\n"
    )


HOSTILE = """
-- content/customers/evil.md --
---
name: "Evil *Corp* & <b>Sons</b>"
---
-- content/moments/evil/2024-05-05-x.md --
---
title: "<img src=x onerror=alert(1)> [x](javascript:alert(1)) | a | b `code` @all #1"
date: 2024-05-05
customer: "Evil *Corp* & <b>Sons</b>"
promises:
  - promise: "![pic](http://evil.example/p.png) <script>alert(1)</script>"
    due: 2024-07-01
---
Hi.

## Assumptions
- [ ] <a href="javascript:alert(1)">click</a> ~~gone~~ $x$
-- content/moments/evil/we`ird [name](x).md --
---
title: "line one\\nline two"
date: 2024-05-06
customer: "Evil *Corp* & <b>Sons</b>"
---
Hi.
"""


def test_user_text_cannot_inject_markup(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write_site(repo, HOSTILE)
    code, out, err = review(cwd=repo)
    assert code == 0, err
    customer = r"Evil \*Corp\* \& \<b\>Sons\</b\>"
    title = (
        r"\<img src=x onerror=alert\(1\)\> \[x\]\(javascript:alert\(1\)\) \| a \| b "
        r"\`code\` \@all \#1"
    )
    assert f"- **{title}** ({customer}, 2024-05-05) `content/moments/evil/2024-05-05-x.md`\n" in out
    assert (
        f"- **line one line two** ({customer}, 2024-05-06) "
        "``content/moments/evil/we`ird [name](x).md``\n"
    ) in out
    assert (
        r"- \!\[pic\]\(http://evil.example/p.png\) \<script\>alert\(1\)\</script\> "
        f"(due 2024-07-01, open) — **{title}** ({customer}, 2024-05-05) "
        "`content/moments/evil/2024-05-05-x.md:6`\n"
    ) in out
    # (the strikethrough is gone: items are plain text)
    assert r'- \<a href="javascript:alert\(1\)"\>click\</a\> gone \$x\$ — **\<img' in out
    # rendered as GitHub and GitLab would (CommonMark with raw HTML, tables and
    # strikethrough), the text stays text
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    html = md.render(out)
    for tag in ("<img", "<a ", "<script", "<b>", "<table", "<s>", "<em>"):
        assert tag not in html, tag
    assert (
        "&lt;img src=x onerror=alert(1)&gt; [x](javascript:alert(1)) | a | b `code` @all #1" in html
    )


def test_json_has_the_same_data(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    code, out, err = review("--format", "json", cwd=repo)
    assert code == 0, err
    data = json.loads(out)
    assert data["version"] == 1 and data["as_of"] == AS_OF
    assert data["base"] == {
        "ref": "main",
        "commit": git(repo, "rev-parse", "main"),
        "merge_base": True,
        "working_tree": False,
    }
    assert data["head"] == {"ref": None, "commit": None, "merge_base": False, "working_tree": True}
    moments = data["moments"]
    assert [m["id"] for m in moments["added"]] == ["acme/2024-05-01-workshop"]
    assert moments["added"][0] == {
        "id": "acme/2024-05-01-workshop",
        "title": "Workshop",
        "date": "2024-05-01",
        "customer": "acme",
        "customer_name": "Acme Corp",
        "type": None,
        "sentiment": "very positive",
        "stage": None,
        "draft": False,
        "file": "content/moments/acme/2024-05-01-workshop.md",
        "changes": [],
        "before": None,
    }
    changed = {m["id"]: m for m in moments["changed"]}
    assert changed["globex/2024-04-01-pricing"]["changes"] == ["sentiment", "narrative"]
    assert changed["globex/2024-04-01-pricing"]["before"]["sentiment"] == "negative"
    assert [m["id"] for m in moments["removed"]] == ["globex/2024-03-01-intro"]
    assumptions = data["assumptions"]
    assert [a["text"] for a in assumptions["opened"]] == [
        "They renew in Q3",
        "Their IT joins the rollout",
    ]
    assert assumptions["clarified"][0]["clarified"] is True
    assert assumptions["clarified"][0]["line"] == 19
    assert [a["text"] for a in assumptions["removed_open"]] == ["They have a champion"]
    promises = data["promises"]
    assert promises["kept"][0] | {"moment": None} == {
        "promise": "Send the deck",
        "due": "2024-01-12",
        "kept": "2024-01-13",
        "by": None,
        "status": "late",
        "status_before": "overdue",
        "line": 7,
        "moment": None,
    }
    assert promises["broken"][0]["kept"] is False
    assert [p["promise"] for p in promises["overdue"]] == ["Share the roadmap"]
    assert [(p["promise"], p["status"]) for p in promises["made"]] == [
        ("Send the minutes", "overdue")
    ]
    assert [p["promise"] for p in promises["removed_open"]] == ["Send references"]
    assert data["sentiment"][1] == {
        "customer": "globex",
        "customer_name": "Globex",
        "before": {"latest": "negative", "mean": -0.5, "moments": 2},
        "after": {"latest": "positive", "mean": 1.0, "moments": 1},
    }
    assert data["diagnostics"] == []


def test_as_of_defaults_to_source_date_epoch(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    result = run_cli("review", cwd=repo, env={**GIT_ENV, "SOURCE_DATE_EPOCH": "1717243200"})
    assert "as of 2024-06-01." in result.out and "121 days overdue" in result.out


def test_not_a_git_repository_is_a_usage_error(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", BASE_SITE)
    code, out, err = review("--site", site, cwd=tmp_path)
    assert code == 2 and out == ""
    assert err == (
        f"Error: {site} is not in a git repository; review compares the content at two git refs\n"
    )
    code, _, err = review("--site", tmp_path / "missing", cwd=tmp_path)
    assert code == 2 and "Traceback" not in err


def test_unknown_ref_is_a_usage_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    code, out, err = review("no-such-branch", cwd=repo)
    assert code == 2 and out == ""
    assert (
        err == f"Error: unknown git ref 'no-such-branch': not a branch, tag or commit of {repo}\n"
    )
    code, _, err = review("main", "--bogus-ref", cwd=repo)
    assert code == 2 and "Traceback" not in err


def test_no_default_branch_is_a_usage_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", branch="trunk")
    code, _, err = review(cwd=repo)
    assert code == 2
    assert err.startswith("Error: cannot tell the default branch (no origin/HEAD, main or master)")


def _git_verb(call: str) -> str:
    """'--literal-pathspecs -c a=b ls-tree -r …' -> 'ls-tree'."""
    words = call.split()
    while words and (words[0] == "-c" or words[0].startswith("--")):
        words = words[2:] if words[0] == "-c" else words[1:]
    return words[0]


def test_one_git_process_per_side_whatever_the_number_of_files(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    extra = "".join(
        f"-- content/moments/acme/2023-01-{n:02d}-m.md --\n---\ntitle: M{n}\ndate: 2023-01-{n:02d}\n"
        "customer: Acme Corp\n---\nText.\n"
        for n in range(1, 29)
    )
    write_site(repo, extra)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "Many")
    real_git = shutil.which("git")
    assert real_git is not None
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "git.log"
    wrapper = bin_dir / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real_git}" "$@"\n')
    wrapper.chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ['PATH']}"
    code, _, err = review("main", "feature", cwd=repo, env={"PATH": path})
    assert code == 0, err
    calls = log.read_text().splitlines()
    readers = sorted(_git_verb(c) for c in calls)
    assert readers.count("cat-file") == 2 and readers.count("ls-tree") == 2  # one each per side
    assert "archive" not in readers and "show" not in readers
    assert len(calls) == 7  # and three to find the repository and the two commits


def test_help() -> None:
    result = run_cli("review", "--help")
    assert result.code == 0
    assert result.out.startswith("Usage: momentmap review [OPTIONS] [BASE] [HEAD]")
    for option in ("--site", "--as-of", "--format [markdown|json]", "merge base", "working tree"):
        assert option in result.out
