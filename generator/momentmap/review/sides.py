"""The two sides of a review, each a site folder: the working tree as it is, or a
commit's files written to a temporary folder (`revisions`), read by the same
loader as `check`, drafts included; then compared (`compare`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from pathlib import Path

from momentmap.build.plan import BuildOptions, read_site, site_config
from momentmap.cache import CACHE_DIR, Store
from momentmap.content.config import CONFIG_FILE
from momentmap.content.sources import find_sources
from momentmap.diagnostics import Diagnostics
from momentmap.model import Config
from momentmap.review.changes import Review, Side
from momentmap.review.compare import compare
from momentmap.review.revisions import Label, default_base, export_commit, open_repo, resolve_commit
from momentmap.site.reads import Reads

# -- load ------------------------------------------------------------------------


def load_side(site_dir: Path, label: Label, as_of: dt.date, reads: Reads) -> Side:
    """The site in `site_dir` read as `check` reads it, drafts included.

    `reads` is shared by both sides, so a file that is the same on both is read once.
    """
    diagnostics = Diagnostics()
    options = BuildOptions(as_of=as_of, drafts=True)
    config = site_config(site_dir, options, diagnostics)
    skip = (site_dir / config.output_dir,)
    site, _, _ = read_site(site_dir, config, options, diagnostics, skip=skip, reads=reads)
    files, moment_files = _file_digests(site_dir, config, skip)
    return Side(label, site, tuple(diagnostics.sorted()), files, moment_files)


def _file_digests(
    site_dir: Path, config: Config, skip: tuple[Path, ...]
) -> tuple[dict[str, str], frozenset[str]]:
    """A digest per text file that diagnostics can be about (line endings do not count),
    and which of them are moment files."""

    def digest(path: Path) -> str:
        return hashlib.sha1(path.read_bytes().replace(b"\r\n", b"\n")).hexdigest()

    digests = {}
    if (site_dir / CONFIG_FILE).is_file():
        digests[CONFIG_FILE] = digest(site_dir / CONFIG_FILE)
    sources = find_sources(site_dir, site_dir / config.content_dir, Diagnostics(), skip=skip)
    for source in [*sources.moments, *sources.customers, *sources.assets]:
        if source.source_path.endswith(".md"):
            digests[source.file] = digest(source.abs_path)
    return digests, frozenset(source.file for source in sources.moments)


def review_site(
    site_dir: Path, *, base: str | None = None, head: str | None = None, as_of: dt.date
) -> Review:
    """Compare the site at `base` (default: the merge base of HEAD with the default branch)
    with the site at `head` (default: the working tree)."""
    repo = open_repo(site_dir)
    base_label = Label(base, resolve_commit(repo, base)) if base else default_base(repo)
    head_label = Label(head, resolve_commit(repo, head)) if head else Label(None, None)
    # The build's cache, used but never written: a review writes nothing.
    reads = Reads(Store(site_dir / CACHE_DIR, "moments"))
    with tempfile.TemporaryDirectory(prefix="momentmap-review-") as tmp:
        sides = []
        for n, label in enumerate((base_label, head_label)):
            if label.commit is None:
                sides.append(load_side(site_dir, label, as_of, reads))
                continue
            folder = Path(tmp, str(n))
            export_commit(repo, label.commit, folder)
            sides.append(load_side(folder, label, as_of, reads))
    return compare(sides[0], sides[1], as_of=as_of)
