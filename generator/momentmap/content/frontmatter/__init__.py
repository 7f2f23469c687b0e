"""Front matter: a content file split into YAML front matter and a Markdown body.

The YAML is read without implicit typing (`nodes`): every scalar keeps the text
the writer typed ('No', '0123', '2023-03-14') with its place in the file. The
bytes are checked and decoded (`text`), split (`split`), and the YAML is built
into a tree from libyaml's events (`tree`), whose errors are explained for
writers (`explain`).
"""

from momentmap.content.frontmatter.nodes import Document, Field, Node, to_plain
from momentmap.content.frontmatter.split import parse_document, parse_mapping
from momentmap.content.frontmatter.text import MAX_FILE_BYTES
from momentmap.content.frontmatter.tree import MAX_DEPTH

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "Document",
    "Field",
    "Node",
    "parse_document",
    "parse_mapping",
    "to_plain",
]
