"""Implant log tables: the rows a 'placed' column marks as not placed.

Templated notes list every implant opened in a pipe table ("| Level | Side | Implant | Size | Implanted |").
A row whose cell under the placed column says "N/A", "No" or "--" names a device that was not put in,
however many cells stand between the device and that cell (a ConText cue reads only a few tokens).
The column names and cell values are data: rules/decisions.json, devices.placed_columns and
devices.not_placed_cells.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..resources import load_json

_LINE = re.compile(r"[^\n]*")


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[frozenset[str], frozenset[str]]:
    config = load_json("decisions.json")["devices"]
    return frozenset(config["placed_columns"]), frozenset(config["not_placed_cells"])


def _cells(line: str) -> list[tuple[str, int, int]]:
    """The cells of a pipe-table row: (stripped lower-case text, start, end) within the line; nothing
    before a leading pipe or after a closing one."""
    cells, start = [], 0
    for end in [i for i, ch in enumerate(line) if ch == "|"] + [len(line)]:
        cells.append((" ".join(line[start:end].split()).lower(), start, end))
        start = end + 1
    if line.lstrip().startswith("|"):
        cells = cells[1:]
    if line.rstrip().endswith("|"):
        cells = cells[:-1]
    return cells


def rows_not_placed(text: str) -> list[tuple[int, int, int, int]]:
    """Table rows whose placed column says the implant was not placed: (row start, row end, cell start,
    cell end) offsets in ``text``."""
    columns, not_placed = _vocabulary()
    found: list[tuple[int, int, int, int]] = []
    column: int | None = None
    width = 0
    for match in _LINE.finditer(text):
        line = match.group()
        if line.count("|") < 2:
            if line.strip() and not set(line.strip()) <= set("+-=: "):
                column = None  # the table ended (ruler lines such as +----+ keep it going)
            continue
        cells = _cells(line)
        header = [i for i, (c, _, _) in enumerate(cells) if c in columns]
        if header:
            column, width = header[0], len(cells)
        elif column is not None and len(cells) == width and cells[column][0] in not_placed:
            _, start, end = cells[column]
            cell = line[start:end]
            start += len(cell) - len(cell.lstrip())  # the cell's words, without the padding
            found.append((match.start(), match.end(), match.start() + start,
                          match.start() + start + len(cell.strip())))
    return found
