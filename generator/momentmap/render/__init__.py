"""Turning pages into HTML: the Jinja environment and its filters (`environment`)
and the SVG charts (`charts`)."""
