"""Pelican plugin: read Markdown files that start with YAML front matter.

Pelican's own Markdown reader wants `Key: value` lines (its meta extension),
not a `---` YAML block, and the corpus must stay as it is for every tool. This
reader takes the place of Pelican's for `.md` files: it parses the front matter
with PyYAML, renders the rest with Pelican's Markdown settings, and maps the
keys Pelican gives a meaning to:

- `date`: PyYAML turns `2023-03-14` into a date but leaves `2023-03-14 10:30`
  a string; both go to Pelican as text, which its date parser reads in every
  form the corpus uses (with and without times, seconds and zones).
- `tags` and `people` (as Pelican's `authors`): lists joined with commas, as
  Pelican expects them.
- `draft: true` becomes `status: draft`, which pelicanconf.py does not write,
  as momentmap and Hugo leave drafts out.
- `name` (customer profiles) becomes the `title` Pelican requires of a page.

Other keys are passed through as they are (lists, mappings, dates) and are
available to the templates as `article.metadata`.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import yaml
from markdown import Markdown
from pelican import signals
from pelican.readers import MarkdownReader
from pelican.utils import pelican_open


class YamlFrontMatterReader(MarkdownReader):
    file_extensions: ClassVar[list[str]] = ["md"]

    def read(self, source_path: str) -> tuple[str, dict[str, object]]:
        self._source_path = source_path
        with pelican_open(source_path) as text:
            front, body = split_front_matter(text)
        values = yaml.safe_load(front) if front else {}
        self._md = Markdown(**self.settings["MARKDOWN"])
        self._md.preprocessors.deregister("meta")  # the body has no `Key: value` header
        content = self._md.convert(body)
        metadata: dict[str, object] = {}
        for key, value in (values or {}).items():
            name = str(key).lower()
            if name == "draft":
                if value is True:
                    metadata["status"] = self.process_metadata("status", "draft")
                continue
            if name == "people":
                name = "authors"
            if name in ("tags", "authors") and isinstance(value, list):
                value = ", ".join(str(item) for item in value)
            elif name == "date" and isinstance(value, dt.date | str):
                value = str(value)
            metadata[name] = self.process_metadata(name, value)
        if "title" not in metadata and "name" in metadata:
            metadata["title"] = metadata["name"]
        return content, metadata


def split_front_matter(text: str) -> tuple[str, str]:
    """('key: value', 'body') from '---\\nkey: value\\n---\\nbody'; ('', text) without."""
    if not text.startswith("---"):
        return "", text
    first = text.find("\n") + 1
    end = text.find("\n---", first - 1)
    if first == 0 or end == -1:
        return "", text
    rest = text.find("\n", end + 4)
    return text[first:end], "" if rest == -1 else text[rest + 1 :]


def add_reader(readers: object) -> None:
    readers.reader_classes["md"] = YamlFrontMatterReader  # type: ignore[attr-defined]


def register() -> None:
    signals.readers_init.connect(add_reader)
