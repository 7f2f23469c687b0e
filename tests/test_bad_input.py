"""Bad input, end to end: a diagnostic with file, line and words; exit 1; no
traceback; and the previous output left byte for byte as it was."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import copy_example, run_cli, tree_bytes, write_site

GOOD = """
-- content/customers/acme.md --
---
name: Acme Corp
aliases: [Acme]
---
-- content/moments/acme/2024-01-10-kickoff.md --
---
title: Kickoff
date: 2024-01-10
customer: Acme
---
Hello.
"""

BAD = "content/moments/acme/bad.md"
MOMENT = "---\ntitle: T\ndate: 2024-02-01\ncustomer: Acme\n{extra}---\nBody.\n"


def moment(extra: str) -> bytes:
    return MOMENT.format(extra=extra).encode()


# (case id, file content, expected diagnostic text)
CASES: list[tuple[str, bytes, str]] = [
    (
        "yes-for-bool",
        moment("moment_of_truth: yes\n"),
        f"{BAD}:5:18: error: moment_of_truth must be true or false, not 'yes'",
    ),
    (
        "on-for-bool",
        moment("draft: on\n"),
        f"{BAD}:5:8: error: draft must be true or false, not 'on'",
    ),
    ("duplicate-key", moment("title: Again\n"), f"{BAD}:5:1: error: duplicate key 'title'"),
    (
        "bad-date",
        b"---\ntitle: T\ndate: 2024-13-45\ncustomer: Acme\n---\n",
        f"{BAD}:3:7: error: date must be a date YYYY-MM-DD",
    ),
    (
        "date-words",
        b"---\ntitle: T\ndate: last tuesday\ncustomer: Acme\n---\n",
        "(e.g. 2023-03-14 or 2023-03-14 09:30), not 'last tuesday'",
    ),
    ("list-front-matter", b"---\n- a\n- b\n---\nBody\n", f"{BAD}:2:1: error:"),
    ("scalar-front-matter", b"---\njust text\n---\nBody\n", f"{BAD}:2:1: error:"),
    (
        "unclosed",
        b"---\ntitle: T\ndate: 2024-02-01\ncustomer: Acme\nBody.\n",
        f"{BAD}:1:1: error: front matter opened at line 1 is never closed",
    ),
    (
        "tab-indent",
        moment("people:\n\t- Dana\n"),
        "tabs are not allowed for indentation in YAML; use spaces",
    ),
    ("lone-surrogate", moment('tags: ["\\ud800"]\n'), f"{BAD}:5:"),
    ("deep-nesting", moment("extra: " + "[" * 500 + "]" * 500 + "\n"), f"{BAD}:5:"),
    ("alias-bomb", moment("extra:\n  a: &a [x, x]\n  b: [*a, *a]\n"), "alias"),
    ("invalid-utf8", moment("tags: [caf\xe9]\n").replace(b"\xc3\xa9", b"\xe9"), f"{BAD}:5:"),
    ("nul-byte", moment("tags: [a\x00b]\n"), f"{BAD}:5:"),
    ("python-tag", moment("extra: !!python/object:os.system {}\n"), f"{BAD}:5:8: error:"),
    (
        "missing-title",
        b"---\ndate: 2024-02-01\ncustomer: Acme\n---\n",
        f"{BAD}:1:1: error: this file needs 'title:'",
    ),
    (
        "no-front-matter",
        b"Just some notes.\n",
        f"{BAD}:1:1: error: a moment starts with front matter",
    ),
    (
        "typo-sentiment",
        moment("sentiment: postive\n"),
        f"{BAD}:5:12: error: sentiment must be one of very negative, negative, neutral, mixed, positive, very positive or -2…2, not 'postive' (did you mean 'positive'?)",
    ),
    (
        "sentiment-out-of-range",
        moment("sentiment: 3\n"),
        f"{BAD}:5:12: error: sentiment must be one of",
    ),
    (
        "bad-type",
        moment("type: regretfull\n"),
        f"{BAD}:5:7: error: type must be one of courageous, competitor, regretful, satisfying, imperfect or elevating, not 'regretfull' (did you mean 'regretful'?)",
    ),
    ("bad-stage", moment("stage: onbording\n"), "(did you mean 'onboarding'?)"),
    (
        "promise-not-mapping",
        moment("promises:\n  - call them back\n"),
        f"{BAD}:6:5: error: each promise must be a mapping",
    ),
    (
        "promise-bad-due",
        moment("promises:\n  - promise: Call\n    due: soon\n"),
        f"{BAD}:7:10: error: due must be a date YYYY-MM-DD",
    ),
    (
        "promise-bad-kept",
        moment("promises:\n  - promise: Call\n    kept: maybe\n"),
        f"{BAD}:7:11: error: kept must be a date",
    ),
    (
        "promise-missing-text",
        moment("promises:\n  - due: 2024-03-01\n"),
        f"{BAD}:6:5: error: a promise needs 'promise:'",
    ),
    (
        "unknown-related",
        moment("related: [acme/nope]\n"),
        f"{BAD}:5:11: error: related moment 'acme/nope' does not exist",
    ),
    (
        "unknown-customer",
        b"---\ntitle: T\ndate: 2024-02-01\ncustomer: Acmee Corp\n---\n",
        f"{BAD}:4:11: error: customer 'Acmee Corp' matches no profile in content/customers/ (did you mean 'Acme Corp'?)",
    ),
    (
        "id-clash",
        moment("id: acme/2024-01-10-kickoff\n"),
        f"{BAD}:5:5: error: moment id 'acme/2024-01-10-kickoff' is also the id of content/moments/acme/2024-01-10-kickoff.md",
    ),
    (
        "id-traversal",
        moment("id: ../../etc/passwd\n"),
        f"{BAD}:5:5: error: id must be slug segments joined by '/'",
    ),
    (
        "id-absolute",
        moment("id: /acme/x\n"),
        f"{BAD}:5:5: error: id must be slug segments joined by '/'",
    ),
    ("id-not-slug", moment("id: Acme/Kick Off\n"), "(did you mean 'acme/kick-off'?)"),
    (
        "title-as-list",
        moment("").replace(b"title: T", b"title: [a, b]"),
        f"{BAD}:2:8: error: title must be a single value, not a list",
    ),
    (
        "empty-title",
        moment("").replace(b"title: T", b'title: ""'),
        f"{BAD}:2:8: error: title must not be empty",
    ),
    ("too-large", moment("").replace(b"Body.", b"x" * 1_100_000), f"{BAD}: error:"),
]


@pytest.fixture(scope="module")
def good_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("good")
    write_site(root / "site", GOOD)
    result = run_cli(
        "build", "--site", root / "site", "--out", root / "out", "--as-of", "2024-06-01"
    )
    assert result.code == 0, result.err
    return root / "out"


@pytest.mark.parametrize(("content", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_moment_is_reported_and_nothing_changes(
    tmp_path: Path, good_output: Path, content: bytes, expected: str
) -> None:
    site = write_site(tmp_path / "site", GOOD)
    (site / BAD).write_bytes(content)
    out = tmp_path / "out"
    shutil.copytree(good_output, out)
    before = tree_bytes(out)
    result = run_cli("build", "--site", site, "--out", out, "--as-of", "2024-06-01")
    assert result.code == 1, result.err
    assert expected in result.err, result.err
    assert "Traceback" not in result.err
    assert tree_bytes(out) == before


def test_every_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", GOOD)
    (site / "content/moments/acme/a.md").write_bytes(moment("sentiment: postive\n"))
    (site / "content/moments/acme/b.md").write_bytes(moment("type: nope\nstage: nope\n"))
    result = run_cli("check", "--site", site)
    assert result.code == 1
    errors = [line for line in result.err.splitlines() if ": error: " in line]
    assert [e.split(":")[0] for e in errors] == ["content/moments/acme/a.md"] + [
        "content/moments/acme/b.md"
    ] * 2
    assert "3 error(s)" in result.err


def test_yaml_never_changes_meaning(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", GOOD)
    (site / "content/moments/acme/no.md").write_text(
        "---\ntitle: No\ndate: 2024-02-01\ncustomer: Acme\ntags: [yes, off, 0123, 1e3, null]\n---\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert run_cli("build", "--site", site, "--out", out).code == 0
    moments = {m["id"]: m for m in json.loads((out / "moments.json").read_text())["moments"]}
    assert moments["acme/no"]["title"] == "No"
    assert moments["acme/no"]["tags"] == ["yes", "off", "0123", "1e3", "null"]


def test_bom_and_crlf_are_accepted_with_right_lines(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", GOOD)
    text = "\ufeff---\r\ntitle: T\r\ndate: 2024-02-01\r\ncustomer: Acme\r\nsentiment: postive\r\n---\r\nBody\r\n"
    (site / BAD).write_bytes(text.encode("utf-8"))
    result = run_cli("check", "--site", site)
    assert f"{BAD}:5:12: error: sentiment must be one of" in result.err
    (site / BAD).write_bytes(text.replace("postive", "positive").encode("utf-8"))
    assert run_cli("build", "--site", site, "--out", tmp_path / "out").code == 0


def test_unknown_key_warns_and_strict_makes_it_an_error(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", GOOD)
    (site / BAD).write_bytes(moment("sentimnet: positive\n"))
    result = run_cli("build", "--site", site, "--out", tmp_path / "a")
    assert result.code == 0
    assert (
        f"{BAD}:5:1: warning: unknown key 'sentimnet' in moment front matter (did you mean 'sentiment'?)"
        in result.err
    )
    strict = run_cli("build", "--site", site, "--out", tmp_path / "b", "--strict")
    assert strict.code == 1 and f"{BAD}:5:1: error: unknown key 'sentimnet'" in strict.err
    assert not (tmp_path / "b").exists()


def test_link_to_missing_file_warns(tmp_path: Path) -> None:
    site = write_site(tmp_path / "site", GOOD)
    (site / BAD).write_bytes(moment("").replace(b"Body.", b"Intro.\n\nSee [the plan](missing.md)."))
    result = run_cli("build", "--site", site, "--out", tmp_path / "a")
    assert result.code == 0
    assert f"{BAD}:8:" in result.err and "missing.md" in result.err
    assert run_cli("build", "--site", site, "--out", tmp_path / "b", "--strict").code == 1


def test_bad_config_is_reported_with_its_line(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "site",
        GOOD + "-- momentmap.yaml --\ntitle: X\nrecent_days: soon\nlinks: prety\n",
    )
    result = run_cli("build", "--site", site, "--out", tmp_path / "out")
    assert result.code == 1
    assert (
        "momentmap.yaml:2:14: error: recent_days must be a whole number of at least 1, not 'soon'"
        in result.err
    )
    assert (
        "momentmap.yaml:3:8: error: links must be one of portable or pretty, not 'prety' (did you mean 'pretty'?)"
        in result.err
    )


def test_template_error_names_template_and_line(tmp_path: Path) -> None:
    site = write_site(
        tmp_path / "site",
        GOOD
        + '-- themes/default/templates/moment.html --\n{% extends "base.html" %}\n{% block content %}\n{{ moment.titel }}\n{% endblock %}\n',
    )
    result = run_cli("build", "--site", site, "--out", tmp_path / "out")
    assert result.code == 1
    assert "themes/default/templates/moment.html:3: error: template error" in result.err
    assert "titel" in result.err and "Traceback" not in result.err


def _check_json(site: Path) -> list[tuple[str, int, int, str]]:
    run = run_cli("check", "--site", site, "--format", "json")
    found = json.loads(run.out)
    return [(d["file"], d["line"], d["col"], d["message"]) for d in found]


def test_one_mistaken_file_is_reported_alone_and_for_every_mistake(tmp_path: Path) -> None:
    """Two other files link to this one and name it as related: they get nothing."""
    site = copy_example(tmp_path)
    name = "quillon/2023-03-13-lees-first-call-opened-with-an-apology.md"
    path = site / "content" / "moments" / name
    text = path.read_text(encoding="utf-8")
    text = text.replace("sentiment: positive", "sentiment: postive")
    text = text.replace("customer: Quillon\n", "customer: Quilon\n")
    text = text.replace("\n- Monthly check-in", "\n- Q5: Monthly check-in")
    path.write_text(text, encoding="utf-8")
    assert [d[:3] for d in _check_json(site)] == [
        (f"content/moments/{name}", 4, 11),
        (f"content/moments/{name}", 6, 12),
        (f"content/moments/{name}", 50, 3),
    ]
    messages = [d[3] for d in _check_json(site)]
    assert "customer 'Quilon' matches no profile" in messages[0]
    assert "did you mean 'positive'?" in messages[1]
    assert "'Q5'" in messages[2]


def test_a_profile_with_a_mistake_still_names_its_customer(tmp_path: Path) -> None:
    site = copy_example(tmp_path)
    path = site / "content" / "customers" / "quillon-medical-couriers.md"
    path.write_text(path.read_text().replace("since: 2023-02-06", "since: someday"))
    found = _check_json(site)
    assert [d[:2] for d in found] == [("content/customers/quillon-medical-couriers.md", 5)]


def test_a_file_without_front_matter_is_still_a_link_target(tmp_path: Path) -> None:
    site = copy_example(tmp_path)
    name = "quillon/2023-03-13-lees-first-call-opened-with-an-apology.md"
    path = site / "content" / "moments" / name
    path.write_text("Just some notes, no front matter yet.\n", encoding="utf-8")
    found = _check_json(site)
    assert [d[:2] for d in found] == [(f"content/moments/{name}", 1)]
