"""A word-level comparison of two wordings of a principle, for the versions page."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# Words, and runs of punctuation, with the spaces after them: the pieces join back into the
# text exactly, and "wage;*" against "wage,*" shows the marks that changed, not the word.
_TOKENS = re.compile(r"\w+\s*|[^\w\s]+\s*|\s+")


@dataclass(frozen=True)
class Piece:
    """Some text that is the same in both wordings ("same"), or was removed or added."""

    kind: str  # "same", "removed" or "added"
    text: str


def _words(text: str) -> list[str]:
    return _TOKENS.findall(text)


def compare(before: str, after: str) -> list[Piece]:
    """The pieces of `after` against `before`: reading the "same" and "removed" pieces gives
    the old wording, the "same" and "added" ones the new."""
    old, new = _words(before), _words(after)
    # Compared without trailing spaces, so that a word moved to the end still matches.
    matcher = difflib.SequenceMatcher(
        a=[w.strip() for w in old], b=[w.strip() for w in new], autojunk=False
    )
    pieces: list[Piece] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Piece("same", "".join(new[j1:j2])))
            continue
        if tag in ("delete", "replace"):
            pieces.append(Piece("removed", "".join(old[i1:i2])))
        if tag in ("insert", "replace"):
            pieces.append(Piece("added", "".join(new[j1:j2])))
    return pieces
