"""The one way momentmap runs git: for the pages' git info and for `review`.

Every call gets the same pinned settings, so the user's configuration never
changes what the parsers read, and the same environment, so variables that
point git at a repository keep working when git runs in another folder.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import IO

# Settings that would change what git prints, pinned to the defaults the
# parsers expect whatever the user's configuration says.
_PINNED_CONFIG = (
    "core.quotepath=off",
    "log.showSignature=false",
    "log.follow=false",
    "log.showRoot=true",
    "diff.relative=false",
)
# Variables that locate the repository; made absolute because git may run in another folder.
_LOCATING = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR")


def git_command(*args: str) -> list[str]:
    settings = (arg for setting in _PINNED_CONFIG for arg in ("-c", setting))
    return ["git", "--literal-pathspecs", *settings, *args]


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    for name in _LOCATING:
        if env.get(name):
            env[name] = os.path.abspath(env[name])
    return env


def run_git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """git's result; raises OSError when git is missing or `cwd` is not a folder."""
    return subprocess.run(
        git_command(*args),
        cwd=cwd,
        env=_environment(),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        check=False,
    )


def start_git(
    cwd: Path,
    *args: str,
    stdin: int | IO[bytes] = subprocess.DEVNULL,
    stdout: int | IO[bytes] = subprocess.PIPE,
) -> subprocess.Popen[bytes]:
    """git running in the background (its stderr discarded); raises OSError like `run_git`."""
    return subprocess.Popen(
        git_command(*args),
        cwd=cwd,
        env=_environment(),
        stdin=stdin,
        stdout=stdout,
        stderr=subprocess.DEVNULL,
    )
