"""What one `render_body` call carries through markdown-it's hooks, in its `env`:
the file, the page, the link targets and the problems found so far.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from momentmap.diagnostics import Diagnostic
from momentmap.urls import LinkStyle

ENV_CALL = "momentmap"


@dataclass(frozen=True, slots=True)
class LinkTargets:
    pages: Mapping[str, str]  # moment source path ('moments/acme/kickoff.md') -> page url
    files: Mapping[str, str]  # any other published file's source path -> its url


@dataclass(slots=True)
class Call:
    """What the core and render rules need from one render_body call (lives in env)."""

    file: str
    body_line: int
    source_dir: str
    page_url: str
    targets: LinkTargets
    link_style: LinkStyle
    content_dir: str
    body: str = ""  # the Markdown as written: for the column of a problem
    problems: list[Diagnostic] = field(default_factory=list)
    in_item: bool = False
    cut_off: bool = False
