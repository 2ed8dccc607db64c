"""Reading a joint action plan from a plain-text document laid out like the Government Skills
plan: a title, a date, numbered purposes, an "Issue / Action" table whose cells hold <p>
fragments, then the numbered workplan ("Action Number / Action Detail / Action Owner /
Action By date"), cells separated by tabs.

The reader repairs what it safely can and says so (`repairs`), for every cell whose value as read
differs from its text as written: HTML fragments and entities, spaces, a
theme wrapped in tags, a row that continues the previous theme across a page break, a sentence
split across rows, a commitment that names no party (it takes the party of the sentence before).
Everything else is a `problem`, by line and column. Nothing is dropped: every cell's original
text is kept with what was read from it.
"""

from __future__ import annotations

import datetime
import difflib
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from accord.core.text import shorten

from .dates import DateWordingError, read

BLOCK_TAGS = {"p", "br", "li", "div", "tr", "td", "ul", "ol"}
TABLE_HEADER = ["issue", "action"]
WORKPLAN_COLUMNS = ["Action Number", "Action Detail", "Action Owner", "Action By date"]
SENTENCE_END = (".", "!", "?", ":", ";")


@dataclass(frozen=True)
class Source:
    """Where something was read from: the line, the column and the cell's text as written."""

    line: int
    column: str
    text: str


@dataclass(frozen=True)
class Note:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.column}: {self.message}"


@dataclass
class Commitment:
    text: str
    parties: list[str]
    sources: list[Source]


@dataclass
class Theme:
    title: str
    source: Source
    commitments: list[Commitment] = field(default_factory=list)


@dataclass
class WorkplanAction:
    number: int | None
    detail: str
    owner: str | None
    due_wording: str
    due_on: datetime.date | None
    sources: dict[str, Source]


@dataclass
class ParsedPlan:
    title: str = ""
    date_wording: str = ""
    adopted_on: datetime.date | None = None
    introduction: str = ""
    purposes: list[str] = field(default_factory=list)
    parties: list[str] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    actions: list[WorkplanAction] = field(default_factory=list)
    problems: list[Note] = field(default_factory=list)
    repairs: list[Note] = field(default_factory=list)


class _Fragments(HTMLParser):
    """Text split at block tags (<p>, <br>, ...), with entities decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = [""]

    def handle_starttag(self, tag: str, attrs: list) -> None:  # type: ignore[type-arg]
        if tag in BLOCK_TAGS:
            self.parts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCK_TAGS:
            self.parts.append("")

    def handle_data(self, data: str) -> None:
        self.parts[-1] += data


def fragments(cell: str) -> list[str]:
    """The paragraphs of a cell, tags removed and entities decoded, spaces tidied."""
    parser = _Fragments()
    parser.feed(cell)
    parser.close()
    tidy = (" ".join(html.unescape(part).split()) for part in parser.parts)
    return [part for part in tidy if part]


def has_markup(cell: str) -> bool:
    return bool(re.search(r"<[a-zA-Z/][^>]*>|&[#a-zA-Z0-9]+;", cell))


def note_change(plan: ParsedPlan, source: Source, value: str) -> None:
    """List a cell whose value as read is not its text as written, saying what changed: the
    importer never changes a cell silently."""
    if value == source.text:
        return
    if " ".join(source.text.split()) == value:
        message = "Spaces at the ends or between words were tidied."
    elif has_markup(source.text):
        message = f"HTML tags and entities were removed: read as “{_shortened(value)}”."
    else:
        message = f"Read as “{_shortened(value)}”."
    plan.repairs.append(Note(source.line, source.column, message))


def _shortened(text: str) -> str:
    return shorten(text, 60)


def cell_column(cells: list[str], index: int) -> str:
    """The name of a document's cell by its place in the line: a workplan row has four cells,
    an Issue / Action row two (or more, read as part of the Action)."""
    if len(cells) == len(WORKPLAN_COLUMNS):
        return WORKPLAN_COLUMNS[index]
    if len(cells) > 1:
        return "Issue" if index == 0 else "Action"
    return "text"


def _acronym(name: str) -> str:
    return "".join(word[0] for word in name.split() if word[:1].isalpha()).upper()


def aliases(parties: list[str]) -> dict[str, str]:
    """How each party may be written: its name, its initials, and for a union side 'the
    (relevant) trade unions' or 'the unions'."""
    found: dict[str, str] = {}
    for party in parties:
        found[party.lower()] = party
        acronym = _acronym(party)
        if len(acronym) >= 2:
            found[acronym.lower()] = party
        if "union" in party.lower():
            for alias in ("trade unions", "unions", "trade union side"):
                found.setdefault(alias, party)
    return found


def responsible_parties(sentence: str, known: dict[str, str]) -> list[str]:
    """The party the sentence is about (the first named), and a second joined by 'and'."""
    pattern = "|".join(sorted((re.escape(a) for a in known), key=len, reverse=True))
    if not pattern:
        return []
    matches = list(re.finditer(rf"\b(?:{pattern})\b", sentence, re.I))
    if not matches:
        return []
    first = matches[0]
    parties = [known[first.group(0).lower()]]
    rest = sentence[first.end() :]
    joined = re.match(rf"\s+and\s+(?:the\s+)?(?:relevant\s+)?({pattern})\b", rest, re.I)
    if joined and known[joined.group(1).lower()] not in parties:
        parties.append(known[joined.group(1).lower()])
    return parties


def _cells(line: str) -> list[str]:
    return line.rstrip("\r\n").split("\t")


def parse(text: str, *, parties: list[str] | None = None) -> ParsedPlan:
    """Read a plan document. `parties`: the plan's parties if known; otherwise the workplan's
    owners are taken as the parties."""
    plan = ParsedPlan()
    lines = text.splitlines()
    numbered = [(n, line) for n, line in enumerate(lines, start=1)]
    content = [(n, line) for n, line in numbered if line.strip()]
    if not content:
        plan.problems.append(Note(1, "document", "The document is empty."))
        return plan
    cursor = 0
    plan.title = " ".join(fragments(content[0][1])) or content[0][1].strip()
    cursor = 1
    if cursor < len(content) and "\t" not in content[cursor][1]:
        line_no, line = content[cursor]
        try:
            period = read(line)
        except DateWordingError:
            pass
        else:
            plan.date_wording, plan.adopted_on = line.strip(), period.first
            cursor += 1
    if not plan.date_wording:
        plan.problems.append(
            Note(
                content[0][0] + 1,
                "date",
                "No date under the title: give the date the plan was agreed.",
            )
        )
    introduction = []
    while cursor < len(content) and not _is_table_header(content[cursor][1]):
        line_no, line = content[cursor]
        purpose = re.match(r"^\s*(\d+)[.)]\s+(.*\S)", line)
        if purpose:
            plan.purposes.append(" ".join(fragments(purpose[2])) or purpose[2])
        elif not plan.purposes:
            introduction.append(" ".join(fragments(line)))
        else:
            plan.problems.append(
                Note(line_no, "purposes", "A line among the purposes that is not numbered.")
            )
        cursor += 1
    plan.introduction = " ".join(introduction)
    if cursor == len(content):
        plan.problems.append(
            Note(content[-1][0], "document", "No “Issue / Action” table was found.")
        )
        return plan
    cursor = _read_themes(plan, content, cursor + 1)
    workplan_rows = _workplan_rows(plan, content, cursor)
    plan.parties = parties or parties_from_owners(workplan_rows)
    known = aliases(plan.parties)
    _assign_parties(plan, known)
    read_workplan(plan, workplan_rows, known)
    return plan


def _is_table_header(line: str) -> bool:
    return [c.strip().lower() for c in _cells(line)] == TABLE_HEADER


def _is_workplan_header(line: str) -> bool:
    return [c.strip().lower() for c in _cells(line)] == [c.lower() for c in WORKPLAN_COLUMNS]


def _read_themes(plan: ParsedPlan, content: list[tuple[int, str]], cursor: int) -> int:
    """Read the Issue / Action rows; returns where the workplan part begins."""
    while cursor < len(content):
        line_no, line = content[cursor]
        if _is_workplan_header(line) or line.strip().lower().startswith("workplan and action"):
            return cursor
        cells = _cells(line)
        if len(cells) < 2:
            plan.problems.append(
                Note(line_no, "Issue", "A row with no Action cell (no tab after the issue).")
            )
            cursor += 1
            continue
        issue_raw, action_raw = cells[0], "\t".join(cells[1:])
        if len(cells) > 2:
            plan.repairs.append(
                Note(line_no, "Action", "Extra tabs in the row: read as part of the Action cell.")
            )
        title = " ".join(fragments(issue_raw))
        pieces = fragments(action_raw)
        action_source = Source(line_no, "Action", action_raw)
        if has_markup(action_raw):
            plan.repairs.append(Note(line_no, "Action", "HTML tags and entities removed."))
        else:
            note_change(plan, action_source, " ".join(pieces))
        if not title:
            if not plan.themes:
                plan.problems.append(Note(line_no, "Issue", "The first row names no issue."))
                cursor += 1
                continue
            theme = plan.themes[-1]
            plan.repairs.append(
                Note(
                    line_no,
                    "Issue",
                    f"No issue: the row continues “{theme.title}” (line {theme.source.line}) "
                    "across a page break, so it was joined to it.",
                )
            )
            if (
                pieces
                and theme.commitments
                and _unfinished(theme.commitments[-1].text)
                and pieces[0][:1].islower()
            ):
                last = theme.commitments[-1]
                last.text = f"{last.text} {pieces[0]}"
                last.sources.append(action_source)
                plan.repairs.append(
                    Note(
                        line_no,
                        "Action",
                        f"A sentence split across rows was joined: “…{last.text[-60:]}”.",
                    )
                )
                pieces = pieces[1:]
        else:
            if has_markup(issue_raw):
                plan.repairs.append(
                    Note(
                        line_no,
                        "Issue",
                        "The issue was wrapped in HTML tags; the tags were removed.",
                    )
                )
            else:
                note_change(plan, Source(line_no, "Issue", issue_raw), title)
            theme = Theme(title, Source(line_no, "Issue", issue_raw))
            plan.themes.append(theme)
        if not pieces and title:
            plan.problems.append(Note(line_no, "Action", f"“{title}” has no actions."))
        theme.commitments.extend(Commitment(p, [], [action_source]) for p in pieces)
        cursor += 1
    return cursor


def _unfinished(sentence: str) -> bool:
    return not sentence.rstrip().endswith(SENTENCE_END)


def _workplan_rows(
    plan: ParsedPlan, content: list[tuple[int, str]], cursor: int
) -> list[tuple[int, list[str]]]:
    while cursor < len(content) and not _is_workplan_header(content[cursor][1]):
        cursor += 1
    if cursor == len(content):
        plan.problems.append(
            Note(
                content[-1][0],
                "document",
                "No workplan (“Action Number / Action Detail / Action Owner / "
                "Action By date”) was found.",
            )
        )
        return []
    return [(n, _cells(line)) for n, line in content[cursor + 1 :]]


def _owners_in_order(rows: list[tuple[int, list[str]]]) -> list[str]:
    owners: list[str] = []
    for _, cells in rows:
        if len(cells) >= 3:
            owner = " ".join(fragments(cells[2])) or cells[2].strip()
            if owner and owner not in owners:
                owners.append(owner)
    return owners


def parties_from_owners(rows: list[tuple[int, list[str]]]) -> list[str]:
    """The workplan's owners as the plan's parties, leaving out an owner written so like
    another, more used one that it is most likely a misspelling of it (reported then as an
    owner that is not a party, with the likely party named)."""
    counts: dict[str, int] = {}
    for _, cells in rows:
        if len(cells) >= 3:
            owner = " ".join(fragments(cells[2])) or cells[2].strip()
            counts[owner] = counts.get(owner, 0) + 1
    parties = []
    for owner in _owners_in_order(rows):
        likely = _likely_party(owner, [o for o in counts if counts[o] > counts[owner]])
        if likely is None:
            parties.append(owner)
    return parties


def _likely_party(name: str, parties: list[str]) -> str | None:
    """The party `name` is most likely a misspelling of, if any."""
    close = difflib.get_close_matches(name.lower(), [p.lower() for p in parties], n=1, cutoff=0.85)
    if not close:
        return None
    return next(p for p in parties if p.lower() == close[0])


def _assign_parties(plan: ParsedPlan, known: dict[str, str]) -> None:
    for theme in plan.themes:
        previous: list[str] = []
        for commitment in theme.commitments:
            commitment.parties = responsible_parties(commitment.text, known)
            source = commitment.sources[0]
            if not commitment.parties and previous:
                commitment.parties = list(previous)
                plan.repairs.append(
                    Note(
                        source.line,
                        source.column,
                        f"“{shorten(commitment.text, 50)}” names no party: taken as "
                        f"{' and '.join(previous)}, like the sentence before it.",
                    )
                )
            elif not commitment.parties:
                plan.problems.append(
                    Note(
                        source.line,
                        source.column,
                        f"“{shorten(commitment.text, 50)}” names no party responsible for it.",
                    )
                )
            previous = commitment.parties


def read_workplan(
    plan: ParsedPlan, rows: list[tuple[int, list[str]]], known: dict[str, str]
) -> None:
    seen: dict[int, int] = {}
    for line_no, cells in rows:
        if len(cells) != len(WORKPLAN_COLUMNS):
            plan.problems.append(
                Note(
                    line_no,
                    "row",
                    f"{len(cells)} cells where the workplan has "
                    f"{len(WORKPLAN_COLUMNS)}; the row was not read.",
                )
            )
            continue
        raw = dict(zip(WORKPLAN_COLUMNS, cells, strict=True))
        sources = {column: Source(line_no, column, text) for column, text in raw.items()}
        number_text = raw["Action Number"].strip()
        number = int(number_text) if re.fullmatch(r"-?\d+", number_text) else None
        if number is not None:
            note_change(plan, sources["Action Number"], str(number))
        if number is None:
            plan.problems.append(
                Note(line_no, "Action Number", f"“{number_text}” is not a whole number.")
            )
        elif number <= 0:
            plan.problems.append(
                Note(line_no, "Action Number", f"{number} is not a positive action number.")
            )
        elif number in seen:
            plan.problems.append(
                Note(
                    line_no,
                    "Action Number",
                    f"Action {number} appears again (first on line {seen[number]}).",
                )
            )
        else:
            seen[number] = line_no
        owner_text = " ".join(fragments(raw["Action Owner"]))
        owner = known.get(owner_text.lower())
        if owner is None:
            likely = _likely_party(owner_text, plan.parties)
            hint = f" Did you mean “{likely}”?" if likely else ""
            parties = ", ".join(plan.parties)
            plan.problems.append(
                Note(
                    line_no,
                    "Action Owner",
                    f"“{owner_text}” is not one of the plan's parties ({parties}).{hint}",
                )
            )
        else:
            note_change(plan, sources["Action Owner"], owner)
        wording = " ".join(raw["Action By date"].split())
        due_on = None
        try:
            due_on = read(wording).by
        except DateWordingError as error:
            plan.problems.append(Note(line_no, "Action By date", f"{error}."))
        else:
            note_change(plan, sources["Action By date"], wording)
        detail = " ".join(fragments(raw["Action Detail"]))
        note_change(plan, sources["Action Detail"], detail)
        plan.actions.append(WorkplanAction(number, detail, owner, wording, due_on, sources))
    _suggest_missing_numbers(plan, seen)


def _suggest_missing_numbers(plan: ParsedPlan, seen: dict[int, int]) -> None:
    """Where an action's number is wrong and exactly one number is missing from the run, say so
    (the reader does not change it: the person importing decides)."""
    if not seen:
        return
    missing = [n for n in range(1, len(plan.actions) + 1) if n not in seen]
    wrong = [
        a
        for a in plan.actions
        if a.number is None
        or a.number <= 0
        or seen.get(a.number) != a.sources["Action Number"].line
    ]
    if len(missing) == 1 and len(wrong) == 1:
        line = wrong[0].sources["Action Number"].line
        for index, note in enumerate(plan.problems):
            if note.line == line and note.column == "Action Number":
                plan.problems[index] = Note(
                    line,
                    note.column,
                    f"{note.message} The workplan runs "
                    f"{', '.join(str(n) for n in sorted(seen))}: it is probably {missing[0]}.",
                )
