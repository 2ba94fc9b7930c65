"""Rewrite a note the ways real exports do, to check that codes do not depend on layout.

Each transform takes the text of a note and returns the text an export would hold instead: flattened
onto one line as in the Kaggle-style transcription exports (line breaks become commas, headers are glued
to the text before them), newlines turned into spaces, CRLF or CR line endings, ALL CAPS, lower-case
headers, headers without colons, dictation hard-wrapped at 60 columns, numbered lists run inline, HTML and
RTF wrapping, extra blank lines. ``tests/test_invariance.py`` runs every corpus note through every
transform and expects the same codes and units as from the note itself.
"""
from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Callable

from .textview import find_headers

_LIST_LINE = re.compile(r"^[ \t]*\(?\d{1,2}[.)][ \t]+")


def _header_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each header the text view finds (end after its colon, when it has one)."""
    return [(h, e) for _, h, e in find_headers(text)]


def flatten_kaggle(text: str) -> str:
    """One line, as in the public transcription export: each line break becomes a comma, a header is
    glued to what precedes it ("Same.,PROCEDURES:"), its inline value follows ' , ' and the line after
    it a bare comma ("PROCEDURES: ,1.  L3 PSO"), numbered items keep their two spaces."""
    text = re.sub(r"[ \t]*\r?\n[ \t\r\n]*", "\n", text.strip())
    headers = {h: e for h, e in _header_lines(text)}
    out: list[str] = []
    for line_start, line in _lines(text):
        end = headers.get(line_start)
        if end is not None and text[end - 1] == ":":
            rest = line[end - line_start:].strip()
            line = text[line_start:end] + (" , " + rest if rest else " ")  # "EBL: , 60 mL", "PROCEDURES: ,1.  "
        out.append(_LIST_LINE.sub(lambda m: m.group(0).strip() + "  ", line))
    return ",".join(out)


def _lines(text: str) -> list[tuple[int, str]]:
    pos, out = 0, []
    for line in text.split("\n"):
        out.append((pos, line))
        pos += len(line) + 1
    return out


def newlines_to_spaces(text: str) -> str:
    return re.sub(r"\r?\n", " ", text)


def crlf(text: str) -> str:
    return re.sub(r"\r?\n", "\r\n", text)


def cr_only(text: str) -> str:
    return re.sub(r"\r?\n", "\r", text)


def all_caps(text: str) -> str:
    return text.upper()


def lower_case_headers(text: str) -> str:
    chars = list(text)
    for h, e in _header_lines(text):
        chars[h:e] = text[h:e].lower()
    return "".join(chars)


def headers_without_colons(text: str) -> str:
    """Every header on a line of its own, without its colon."""
    out, pos = [], 0
    for h, e in _header_lines(text):
        header = text[h:e].rstrip(" \t:,")
        out.append(text[pos:h].rstrip(" \t"))
        out.append(("\n" if out[-1] and not out[-1].endswith("\n") else "") + header + "\n")
        pos = e
        while pos < len(text) and text[pos] in " \t":
            pos += 1
    out.append(text[pos:])
    return "".join(out)


def hard_wrap_60(text: str) -> str:
    """Dictation wrapped at 60 columns: long lines broken at spaces, blank lines kept."""
    return "\n".join(textwrap.fill(line, 60, break_long_words=False, break_on_hyphens=False) if line.strip() else line
                     for line in text.split("\n"))


def numbered_lists_inline(text: str) -> str:
    """'1. A\\n2. B' becomes '1. A 2. B': list items run on one line."""
    return re.sub(r"\n(?=[ \t]*\(?\d{1,2}[.)][ \t])", " ", text)


def html_wrapped(text: str) -> str:
    paragraphs = re.split(r"\n[ \t]*\n", text)
    body = "".join("<p>" + html.escape(p).replace("\n", "<br>\n") + "</p>\n" for p in paragraphs)
    return f"<html><body>\n{body}</body></html>"


def rtf_wrapped(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("{", "\\{").replace("}", "\\}")
    body = escaped.replace("\n", "\\par\n")
    return "{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Arial;}}\\f0\\fs20 " + body + "}"


def extra_blank_lines(text: str) -> str:
    return re.sub(r"\n", "\n\n\n", text)


TRANSFORMS: dict[str, Callable[[str], str]] = {
    "flatten_kaggle": flatten_kaggle,
    "newlines_to_spaces": newlines_to_spaces,
    "crlf": crlf,
    "cr_only": cr_only,
    "all_caps": all_caps,
    "lower_case_headers": lower_case_headers,
    "headers_without_colons": headers_without_colons,
    "hard_wrap_60": hard_wrap_60,
    "numbered_lists_inline": numbered_lists_inline,
    "html": html_wrapped,
    "rtf": rtf_wrapped,
    "extra_blank_lines": extra_blank_lines,
}
