"""Errors that stop a command, as opposed to problems in the writer's files
(those are `diagnostics`).

They subclass click's own, so click reports every one the same way, whichever
command and stage raised it: "Error: …" on stderr, no traceback, exit status 2.
"""

from __future__ import annotations

import click


class UsageError(click.ClickException):
    """A problem with how momentmap was called or what it was pointed at: an option
    value, a site or output folder it must not use, a git ref it cannot find.

    The call itself parsed, so there is no usage text to show (click shows that for
    calls it cannot parse, with the same exit status)."""

    exit_code = 2


class WriteError(click.ClickException):
    """The output could not be written: a full disk, a folder without write permission.
    The previous output is left as it was; exit status 1, like a failed build."""

    exit_code = 1
