"""A fast rule-based sentence splitter for dictated operative notes.

Why not PyRuSH: it takes most of medSpaCy's pipeline time and logs per token. Op notes need only a
few rules, applied here with regular expressions on raw text (offsets into the text):

* sentence punctuation followed by whitespace and a capital, digit, bullet or bracket ends a
  sentence, except after common abbreviations and list numbers ("1.");
* a semicolon does not end a sentence ("screws T2-T5; T9 through L3"): ConText stops at it instead;
* a blank line ends a sentence; a single line break ends one only when the next line starts a list
  item, or when the current line is short (a list or label line), so hard-wrapped dictation stays whole;
* section headers are sentences of their own;
* no sentence is longer than ``MAX_SENTENCE_CHARS``: a longer run of text (an unpunctuated export,
  a list flattened without separators) is cut at the last comma or space before the bound. ConText
  compares every modifier with every target of a sentence, so an unbounded sentence makes its work
  grow with the square of the note's length.
"""
from __future__ import annotations

import re

_ABBREVIATIONS = {
    "dr", "mr", "mrs", "ms", "vs", "no", "approx", "st", "fig", "e.g", "i.e", "cf", "pt", "pts", "hx",
    "dx", "tx", "sx", "inc", "ltd", "co", "jr", "sr", "prof", "mt", "ft", "min", "max", "wt", "ht",
}
_PUNCT_BREAK = re.compile(r"(?<=[.?!])[\"')\]]*,?(?=\s+[\"'(\[]?(?:[A-Z0-9•*\-]|$))")
# ", 2. Revision ..." - numbered items of a list an export flattened onto one line.
_FLAT_ITEM = re.compile(r"(?<=[,;] )\(?\d{1,2}[.)] (?=[A-Z])")
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
_LINE_BREAK = re.compile(r"\r?\n")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*•▪◦>]|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)](?=\s))\s")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
_LIST_NUMBER = re.compile(r"(?:^|\n)[ \t]*\(?(?:\d{1,2}|[A-Za-z])[.)]$")
_SHORT_LINE = 50
MAX_SENTENCE_CHARS = 1000  # the longest corpus sentence has 753 characters


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period ending at ``dot`` belongs to an abbreviation or a list number."""
    head = text[max(0, dot - 12): dot + 1]
    m = _WORD_BEFORE.search(head)
    if m and m.group(1).lower().rstrip(".") in _ABBREVIATIONS:
        return True
    return bool(_LIST_NUMBER.search(text[max(0, dot - 6): dot + 1]))


def _line_breaks(text: str, cuts: set[int]) -> None:
    lines = list(_LINE_BREAK.finditer(text))
    previous_start = 0
    for m in lines:
        line = text[previous_start: m.start()].strip()
        nxt = text[m.end(): m.end() + 8]
        if line and (_LIST_ITEM.match(nxt) or (len(line) < _SHORT_LINE and nxt[:1].isupper())
                     or line.endswith(":")):
            cuts.add(m.start())
        previous_start = m.end()


def split_sentences(text: str, headers: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` over ``text``, trimmed of surrounding whitespace."""
    cuts: set[int] = {0, len(text)}
    for m in _PUNCT_BREAK.finditer(text):
        if text[m.start() - 1] == "." and _is_abbreviation(text, m.start() - 1):
            continue
        cuts.add(m.end())
    cuts.update(m.start() for m in _FLAT_ITEM.finditer(text))
    cuts.update(m.start() for m in _BLANK_LINE.finditer(text))
    if "\n" in text:
        _line_breaks(text, cuts)
    for start, end in headers or ():
        cuts.add(start)
        cuts.add(end)
    spans = []
    ordered = sorted(cuts)
    for a, b in zip(ordered, ordered[1:]):
        chunk = text[a:b]
        stripped = chunk.strip()
        if stripped:
            s = a + (len(chunk) - len(chunk.lstrip()))
            spans += _bounded(text, s, s + len(stripped))
    return spans


def _bounded(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``(start, end)`` cut into pieces of at most MAX_SENTENCE_CHARS, each cut after the last
    punctuation-and-space (else the last whitespace) of the second half of the piece, else hard."""
    pieces = []
    half = MAX_SENTENCE_CHARS // 2
    while end - start > MAX_SENTENCE_CHARS:
        window = text[start + half: start + MAX_SENTENCE_CHARS]
        cut = max(window.rfind(", "), window.rfind("; "), window.rfind(": "))
        cut = cut + 1 if cut != -1 else max(window.rfind(" "), window.rfind("\n"), window.rfind("\t"))
        cut = start + half + cut if cut > 0 else start + MAX_SENTENCE_CHARS
        piece_end = cut
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        pieces.append((start, piece_end))
        start = cut
        while start < end and text[start].isspace():
            start += 1
    return pieces + [(start, end)] if end > start else pieces
