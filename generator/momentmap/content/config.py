"""momentmap.yaml: the site's settings, every one with a default."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from momentmap.content.fields import Reader
from momentmap.content.frontmatter import Node, parse_mapping
from momentmap.diagnostics import Diagnostics
from momentmap.model import Config

CONFIG_FILE = "momentmap.yaml"


CONFIG_KEYS = tuple(Config.__dataclass_fields__)


def load_config(site_dir: Path, diagnostics: Diagnostics) -> Config:
    """Read momentmap.yaml if there is one; problems go to `diagnostics`."""
    path = site_dir / CONFIG_FILE
    if not path.is_file():
        return Config()
    mapping, problems = parse_mapping(path.read_bytes(), file=CONFIG_FILE)
    diagnostics.extend(problems)
    if mapping is None:
        return Config()
    read = Reader(CONFIG_FILE, diagnostics)
    read.check_keys(mapping, CONFIG_KEYS, CONFIG_FILE)
    config = Config()
    changes: dict[str, object] = {}
    for key, field in mapping.fields.items():
        node = field.value
        value: object = None
        if key in ("title", "description", "language", "theme"):
            value = read.text(node, key, required=key in ("language", "theme"))
        elif key in ("content_dir", "output_dir"):
            value = _folder(read, node, key)
        elif key == "base_url":
            value = _base_url(read, node)
        elif key in ("types", "stages"):
            values = read.text_list(node, key)
            if not values:
                read.error(node, f"{key} must list at least one value")
            value = tuple(values) or None
        elif key in ("recent_days", "quiet_days"):
            value = read.integer(node, key, minimum=1)
        elif key in ("allow_html", "git_info"):
            value = read.boolean(node, key)
        elif key == "links":
            value = read.choice(node, key, ("portable", "pretty"))
        if value is not None:
            changes[key] = value
    return replace(config, **changes)  # type: ignore[arg-type]


def _folder(read: Reader, node: Node, key: str) -> str | None:
    value = read.text(node, key, required=True)
    if value is None:
        return None
    parts = Path(value).parts
    if Path(value).is_absolute() or ".." in parts:
        read.error(node, f"{key} must be a folder inside the site, not '{value}'")
        return None
    return Path(value).as_posix()


def _base_url(read: Reader, node: Node) -> str | None:
    value = read.text(node, "base_url")
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        read.error(
            node,
            f"base_url must be an absolute http(s) URL such as https://intranet.example/cx/, not '{value}'",
        )
        return None
    return value if value.endswith("/") else value + "/"
