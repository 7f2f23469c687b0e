"""Moment bodies: Markdown to safe HTML, reflection sections and plain text.

`create_markdown` (`parser`) builds one parser per build (or per worker
process); `render_body` (`body`) renders one body with it. The work happens in
markdown-it's own hooks: `validateLink` for unsafe schemes, an inline rule for
lone '[', a core rule that drops HTML comments and resolves links on the token
stream (`cleanup`, `links`), render rules that escape or sanitize raw HTML
(`sanitize`), and a walk over the top-level tokens that takes the reflection
sections out of the narrative (`sections`).
"""

from momentmap.content.markdown.body import MAX_BODY_CHARS, RenderedBody, render_body
from momentmap.content.markdown.call import LinkTargets
from momentmap.content.markdown.parser import create_markdown

__all__ = ["MAX_BODY_CHARS", "LinkTargets", "RenderedBody", "create_markdown", "render_body"]
