"""A content file's bytes as text: size and encoding checked, newlines normalised,
and characters YAML or HTML cannot hold refused with their place.
"""

from __future__ import annotations

import codecs
import re

from momentmap.diagnostics import Diagnostic

MAX_FILE_BYTES = 1_000_000
# Characters allowed in front matter: what libyaml reads, less U+0085/U+2028/
# U+2029, which YAML takes for line breaks; they would fold values and shift
# every line number after them.
_FRONT_CHARS = "\t\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff"
FRONT_OK, FRONT_BAD = re.compile(f"[{_FRONT_CHARS}]*"), re.compile(f"[^{_FRONT_CHARS}]")
CONTROLS = "\x00-\x08\x0b-\x1f\x7f"  # refused in the body; '\r' is gone by then
BODY_OK, BODY_BAD = re.compile(f"[^{CONTROLS}]*"), re.compile(f"[{CONTROLS}]")
# The same as bytes: in UTF-8 they never occur inside a multi-byte character.
CONTROL_BYTES = b"".join(bytes([b]) for b in [*range(0x20), 0x7F] if b not in b"\t\n\r")
_CHAR_NAMES = {
    0: " (NUL)",
    0x85: " (next line)",
    0x2028: " (line separator)",
    0x2029: " (paragraph separator)",
}


def read_text(raw: bytes, file: str, diags: list[Diagnostic]) -> str | None:
    """The file's text, without a BOM and with '\n' newlines; None if unreadable."""
    if len(raw) > MAX_FILE_BYTES:
        diags.append(
            Diagnostic(
                file,
                0,
                0,
                "error",
                f"file is {len(raw):,} bytes, more than the {MAX_FILE_BYTES:,} allowed; "
                "split it, or link large material instead of pasting it in",
            )
        )
        return None
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = _normalise_newlines(raw[: exc.start].decode("utf-8"))
        line, col = place(before, len(before))
        diags.append(
            Diagnostic(
                file,
                line,
                col,
                "error",
                f"the file is not UTF-8 text: byte 0x{raw[exc.start]:02X} here cannot be read; "
                "save the file with UTF-8 encoding",
            )
        )
        return None
    return _normalise_newlines(text)


def _normalise_newlines(text: str) -> str:
    if "\r" in text:
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def place(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of text[index]."""
    return text.count("\n", 0, index) + 1, index - text.rfind("\n", 0, index)


def check_chars(
    text: str,
    start: int,
    end: int,
    ok: re.Pattern[str],
    bad: re.Pattern[str],
    where: str,
    file: str,
    diags: list[Diagnostic],
) -> bool:
    """Report the first character in text[start:end] outside the `ok` run
    pattern, counting the `bad` ones after it. False when there is one."""
    run = ok.match(text, start, end)
    index = run.end() if run else start
    if index == end:
        return True
    line, col = place(text, index)
    message = f"{_describe_char(text[index])} is not allowed{where}; delete it"
    more = len(bad.findall(text, index + 1, end))
    if more:
        message += f" ({more} more after it)"
    diags.append(Diagnostic(file, line, col, "error", message))
    return False


def _describe_char(char: str) -> str:
    code = ord(char)
    kind = "control character" if code < 0x20 or 0x7F <= code <= 0x9F else "character"
    return f"invisible {kind} U+{code:04X}{_CHAR_NAMES.get(code, '')}"
