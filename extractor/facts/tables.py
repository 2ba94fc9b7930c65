"""Implant log tables: the rows a 'placed' column marks as not placed.

Templated notes list every implant opened in a pipe table ("| Level | Side | Implant | Size | Implanted |").
A row whose cell under the placed column says "N/A", "No" or "--" names a device that was not put in (under an
"Action" or "Status" column only "Removed", "Retained", "Existing" and the like do),
however many cells stand between the device and that cell (a ConText cue reads only a few tokens).
The column names and cell values are data: rules/decisions.json, devices.placed_columns and
devices.not_placed_cells, devices.action_columns and devices.removed_cells. Read on the cleaned text (textview.clean: same offsets, markup blanked, line
ends normalised, a flattened export's lines restored).
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..resources import load_json

_LINE = re.compile(r"[^\n]*")
_RULER = frozenset("+-=: \t")

Cell = tuple[str, int, int]  # stripped lower-case text, start, end (offsets in the text)


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, frozenset[str]]:
    """Each column a table may head, with the cell values that mean "not placed" under it."""
    config = load_json("decisions.json")["devices"]
    placed, removed = frozenset(config["not_placed_cells"]), frozenset(config["removed_cells"])
    return {**{c: placed for c in config["placed_columns"]}, **{c: removed for c in config["action_columns"]}}


def worth_reading(text: str) -> bool:
    """Can the text hold such a table at all? (a cheap test before cleaning it)"""
    lower = text.lower()
    return "|" in text and any(column in lower for column in _vocabulary())


def _rows(line: str, offset: int) -> list[list[Cell]]:
    """The rows of a line of a pipe table. A line holds several rows where an export flattened the table
    ("| Yes |, | L3-4 | ...": the comma between two pipes ends a row); nothing before a leading pipe or
    after a closing one belongs to a row."""
    cells, start = [], 0
    for end in [i for i, ch in enumerate(line) if ch == "|"] + [len(line)]:
        cells.append((line[start:end], start, end))
        start = end + 1
    rows: list[list[Cell]] = [[]]
    for i, (raw, start, end) in enumerate(cells):
        edge = (i == 0 or i == len(cells) - 1) and not raw.strip()
        if edge or raw.rstrip().endswith(",") or raw.lstrip().startswith(","):
            rows.append([])  # between two rows (or outside the table)
            continue
        rows[-1].append((" ".join(raw.split()).lower(), offset + start, offset + end))
    return [row for row in rows if row]


def _table_rows(text: str) -> list[list[Cell] | None]:
    """The rows of the text's pipe tables in order, None where a table ends. A row an export wrapped
    before its last cell ("| L3-4 | -- | Interbody device | -- |" / "N/A |") is one row."""
    out: list[list[Cell] | None] = []
    for match in _LINE.finditer(text):
        line = match.group()
        stripped = line.strip()
        if line.count("|") == 1 and stripped.endswith("|") and out and out[-1]:
            out[-1].append((" ".join(stripped[:-1].split()).lower(), match.start(), match.start() + line.rindex("|")))
        elif line.count("|") >= 2:
            out += _rows(line, match.start())
        elif stripped and not set(stripped) <= _RULER:
            out.append(None)  # ruler lines (+----+) keep a table going, text ends it
    return out


def rows_not_placed(text: str) -> list[tuple[int, int, int, int]]:
    """Table rows whose placed column says the implant was not placed: (row start, row end, cell start,
    cell end) offsets in ``text`` (the cell's words, without its padding)."""
    columns = _vocabulary()
    found: list[tuple[int, int, int, int]] = []
    column: int | None = None
    width, not_placed = 0, frozenset()
    for cells in _table_rows(text):
        if cells is None:
            column = None
            continue
        header = [i for i, (c, _, _) in enumerate(cells) if c in columns]
        if header:
            column, width, not_placed = header[0], len(cells), columns[cells[header[0]][0]]
        elif column is not None and len(cells) == width and cells[column][0] in not_placed:
            _, start, end = cells[column]
            raw = text[start:end]
            start += len(raw) - len(raw.lstrip())
            found.append((cells[0][1], cells[-1][2], start, start + len(raw.strip())))
    return found
