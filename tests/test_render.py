"""Rendering helpers that templates rely on."""

from __future__ import annotations

import json

from momentmap.render.environment import script_json


def test_script_json_cannot_close_the_script_element() -> None:
    value = {
        "title": "</script><script>alert(1)</script>",
        "note": "<!-- x -->",
        "amp": "a&b",
        "ls": "\u2028",
    }
    text = str(script_json(value))
    assert "</" not in text and "<!--" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == value  # still the same data
