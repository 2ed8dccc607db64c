"""Text that can be stored and shown safely: finding and removing control characters and the
bidirectional overrides that make text read differently from what is stored."""

from __future__ import annotations

import re

# C0 and C1 controls (DEL included), and the bidi embedding, override and isolate marks that
# can disguise text (U+202A–U+202E, U+2066–U+2069).
_UNSAFE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
# Tab, line feed and carriage return are text in multi-line fields, and nowhere else.
_LINE_BREAKS = "\t\n\r"
UNSAFE_IN_LINE = re.compile(f"[{_UNSAFE}{_LINE_BREAKS}]")
UNSAFE_IN_TEXT = re.compile(f"[{_UNSAFE}]")


def _pattern(multiline: bool) -> re.Pattern[str]:
    return UNSAFE_IN_TEXT if multiline else UNSAFE_IN_LINE


def unsafe_characters(value: str, *, multiline: bool = True) -> list[str]:
    """The characters of `value` that cannot be stored, each once, in order of appearance."""
    return list(dict.fromkeys(_pattern(multiline).findall(value)))


def describe(characters: list[str]) -> str:
    """'U+0001, U+202E': how a person can find the characters in an editor."""
    return ", ".join(f"U+{ord(c):04X}" for c in characters)


def refusal(what: str, value: str, *, multiline: bool = True) -> str | None:
    """'<what> contains characters that cannot be stored (U+0001)', or None if it has none:
    the one wording for a field, cell, column or correction that is refused."""
    unsafe = unsafe_characters(value, multiline=multiline)
    if not unsafe:
        return None
    return f"{what} contains characters that cannot be stored ({describe(unsafe)})"


def removal(value: str) -> str | None:
    """The repair note for a cell the characters that cannot be stored are removed from, or
    None if it has none."""
    unsafe = unsafe_characters(value)
    if not unsafe:
        return None
    return f"Characters that cannot be stored were removed ({describe(unsafe)})."


def clean_text(value: str, *, multiline: bool = True) -> str:
    """`value` without the characters that cannot be stored."""
    return _pattern(multiline).sub("", value)


ELLIPSIS = "…"


def shorten(text: str, limit: int) -> str:
    """`text` on one line, at most `limit` characters: cut after a whole word and ended with
    "…" when it is longer, never in the middle of a word."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    kept = text[: limit - len(ELLIPSIS)]
    if text[len(kept)] != " " and " " in kept:  # the cut falls inside a word: drop it
        kept = kept.rsplit(" ", 1)[0]
    return kept.rstrip(" ,;:—–-") + ELLIPSIS
