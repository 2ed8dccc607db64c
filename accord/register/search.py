"""Word-prefix search over the register: SQLite's FTS5 or PostgreSQL's full-text search.

The text searched is normalised in Python (lower case, accents removed) both when it is
stored and when a query is read, so both databases compare the same words. A query becomes
words made of letters and digits only: nothing a visitor types reaches the search syntax.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import connection
from django.db.models import QuerySet

# Letters and digits; everything else (spaces, punctuation, quotes, operators) separates words.
_WORD = re.compile(r"[^\W_]+")
# A visitor's query is cut to this many words, each to this many characters.
MAX_TERMS = 8
MAX_TERM_LENGTH = 40

FTS_TABLE = "register_search"


def normalise(text: str) -> str:
    """`text` in lower case without accents, its words separated by single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_WORD.findall(plain))


def terms(query: str) -> list[str]:
    """The words of a visitor's query, as they are matched (each a prefix of a stored word)."""
    words = normalise(query).split()
    return list(dict.fromkeys(w[:MAX_TERM_LENGTH] for w in words))[:MAX_TERMS]


def search_text(*parts: str) -> str:
    return normalise(" ".join(p for p in parts if p))


def matching(entries: QuerySet, query: str) -> QuerySet:
    """`entries` (register rows) whose search text has a word starting with each term."""
    words = terms(query)
    if not words:
        # Only punctuation or symbols: no word can match them.
        return entries.none()
    table = entries.model._meta.db_table
    if connection.vendor == "postgresql":
        expression = " & ".join(f"'{w}':*" for w in words)
        return entries.extra(
            where=[
                f"to_tsvector('simple'::regconfig, {table}.search_text) "
                "@@ to_tsquery('simple'::regconfig, %s)"
            ],
            params=[expression],
        )
    if connection.vendor == "sqlite":
        expression = " ".join(f'"{w}"*' for w in words)
        return entries.extra(
            where=[
                f"{table}.membership_id IN (SELECT rowid FROM {FTS_TABLE} "
                f"WHERE {FTS_TABLE} MATCH %s)"
            ],
            params=[expression],
        )
    # Another database: every word anywhere in the text (slower, but the same answers for
    # words at the start of the text or after a space).
    for word in words:
        entries = entries.filter(search_text__regex=rf"(^| ){re.escape(word)}")
    return entries
