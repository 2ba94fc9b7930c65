"""The text the pipeline sees: a same-length, offset-preserving view of the note.

Running every component over every word of a note is too slow for batch work, so this module
decides cheaply, on raw text, what can matter:

* markup remnants (HTML tags and entities, RTF control words) and control characters are blanked;
* section headers are found with a regex built from the section rules, also mid-line in notes an
  export flattened onto one line; each header is put at the start of a line in the view;
* the note is split into sentences, and only headers and sentences holding a trigger word of the
  target rules are kept. Everything else becomes spaces.

Every replacement keeps the length, so a character offset into the view is the same offset into
the original note, and evidence can always be sliced from the original text.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from .levels import next_levels_pattern, repeated_at_pattern, spoken_levels, thoracic_from_dorsal, told_next_pattern
from .resources import load_json
from .section_roles import SectionSpan, assign_sections, unknown_category
from .sentences import FIELD_LABEL, INTERBODY_LEVELS_LABEL, PROCEDURE_LEVELS_FIELD, SHORT_LINE, TABLE_HEADER, ends_open, next_field, split_sentences
from .target_rules import TARGET_RULE_FILES, asserted_categories, load_target_rules

_HTML_TAG = re.compile(r"</?[A-Za-z][^<>]{0,300}>")
_HTML_ENTITY = re.compile(r"&(?:[A-Za-z]{2,8}|#\d{2,5});")
# RTF destinations that hold no note text (font and colour tables, style sheets, document info), then
# control words and symbols, then group braces.
_RTF_CONTROL = re.compile(r"\{\\(?:fonttbl|colortbl|stylesheet|info|\*)[^{}]{0,2000}(?:\{[^{}]{0,500}\}[^{}]{0,500}){0,50}\}"
                          r"|\\[a-z]{1,32}-?\d*[ ]?|\\[{}\\'*~_-]|[{}]")
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
_ENTITY_CHARS = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&nbsp;": " ", "&quot;": '"', "&#39;": "'"}


def _blank(match: re.Match) -> str:
    return " " * (match.end() - match.start())


_BLOCK_TAG = re.compile(r"</?(?:p|div|br|li|tr|h[1-6]|table|ul|ol)\b", re.IGNORECASE)


def _rtf(match: re.Match) -> str:
    """RTF markup becomes spaces; an escaped brace or backslash is the note's own character."""
    token = match.group(0)
    if token in ("\\{", "\\}", "\\\\"):
        return " " + token[1]
    return _blank(match)


def _tag(match: re.Match) -> str:
    """A tag becomes spaces; one that breaks a line (``<p>``, ``<br>``, ``<li>``...) starts with a line
    break, unless a line break already follows it ("<br>\\n"), so paragraphs stay paragraphs."""
    text = match.string
    if _BLOCK_TAG.match(text, match.start()) and text[match.end():match.end() + 1] != "\n":
        return "\n" + " " * (match.end() - match.start() - 1)
    return _blank(match)


def _entity(match: re.Match) -> str:
    """Replace an entity by its character padded to the same length."""
    char = _ENTITY_CHARS.get(match.group(0).lower(), " ")
    return char + " " * (match.end() - match.start() - 1)


_LINE_END = re.compile(r"\r+\n|\r|[\x85\u2028\u2029]")


def _line_end(match: re.Match) -> str:
    """CRLF (and CR CR LF, a line ending converted twice) becomes spaces + LF; a lone CR (old Mac
    exports) or a Unicode line break becomes LF."""
    return " " * (match.end() - match.start() - 1) + "\n"


def _line_ends(text: str) -> str:
    """Every line break as "\n", offsets kept."""
    if "\r" in text or "\x85" in text or "\u2028" in text or "\u2029" in text:
        return _LINE_END.sub(_line_end, text)
    return text


def _blank_comments(text: str) -> str:
    """Blank closed ``<!-- ... -->`` comments in one pass (a regex would rescan the rest of the text
    from every unclosed ``<!--``: quadratic on hostile input)."""
    pieces, pos = [], 0
    while (start := text.find("<!--", pos)) != -1:
        end = text.find("-->", start + 4)
        if end == -1:
            break  # no comment closes after this point
        pieces += [text[pos:start], " " * (end + 3 - start)]
        pos = end + 3
    return "".join(pieces) + text[pos:] if pieces else text


def clean(text: str) -> str:
    """Normalise line endings, blank markup remnants and control characters, and read dorsal levels
    as thoracic and spoken levels as levels, without changing any offset."""
    text = _CONTROL_CHARS.sub(" ", _line_ends(text))
    if "<" in text:
        text = _HTML_TAG.sub(_tag, _blank_comments(text))
    if "&" in text:
        text = _HTML_ENTITY.sub(_entity, text)
    if text.lstrip().startswith("{\\rtf") or text.count("\\par") > 2:
        text = _RTF_CONTROL.sub(_rtf, text)  # first: an escaped "\\{" may open a smart list
    text = unflatten(text)  # before the checkboxes are read: "...,[x] Osteotomy" joins a line
    if "{" in text:
        text = _SMART_LIST.sub(_smart_list_value, text)
    if "[" in text:
        text = _CHECKBOX.sub(_checkbox, _YES_NO_BOXES.sub(_yes_no, text))
    return spoken_levels(thoracic_from_dorsal(text))


# An EHR smart list left in the text as "{LIST NAME:chosen value}" ("{YES/NO:Yes}", "{LEVELS:T10-11}"):
# only the value is text; the list's name ("YES/NO") is not a negation.
_SMART_LIST = re.compile(r"\{[A-Z0-9][A-Z0-9 /()#&'._-]{0,40}:([^{}\n]{0,200})\}")


_NEGATIVE_ANSWER = re.compile(r"\s*(?:no|none|n/?a|not\s+done|negative)\s*", re.IGNORECASE)


def _smart_list_value(match: re.Match) -> str:
    """The chosen value alone, blanks for the braces and the list's name; a negative answer
    ("{YES/NO:No}") is left as written, so that its "NO" still negates the item it answers."""
    if _NEGATIVE_ANSWER.fullmatch(match.group(1)):
        return match.group()
    start, end = match.span(1)
    offset = match.start()
    return " " * (start - offset) + match.group(1) + " " * (match.end() - end)


# A template's checkbox before its item: "[x] Allograft chips" was done, "[ ] BMP" was not. The ticked box
# is blanked; the empty one reads "No" (same length), which ConText takes as a negation of the item.
_CHECKBOX = re.compile(r"\[(?: |[xX✓])\](?=[ \t]*[A-Za-z])")


_CHECKBOX_OPTION = re.compile(r"\[(?: |[xX✓])\](?:(?!\[(?: |[xX✓])\])[^\n])*")
_CHECKBOX_ROW = re.compile(r"^(?:[ \t]*|[^\n\[:]{1,40}:[ \t,]*)(?=\[(?: |[xX✓])\])[^\n]*", re.MULTILINE)  # "[x] ...", "Graft placed: [x] ..."
# On a collapsed line an option also ends before the next field's label ("[ ] Grade 6  Osteotomy level(s): ...").
_COLLAPSED_OPTION = re.compile(r"\[(?: |[xX✓])\][ \t]*[^\s\[]*(?:(?!\[(?: |[xX✓])\]|[ \t]+[A-Z][A-Za-z/()-]*"
                               r"(?:[ \t][A-Za-z][A-Za-z/()-]*){0,2}[ \t]*:)[^\n])*")


def _checkbox_rows(text: str) -> list[tuple[int, int]]:
    """Each option of a checkbox list (on a line that starts with a box or with a label and its boxes, or
    any box on a line an export collapsed), up to the next box or its line end, is a sentence of its own,
    so that the "No" of an empty box never reaches a ticked option or the fields around it, and levels stay
    with their option ("[x] Posterolateral T12-S1  [x] Interbody L5-S1"). A box in a table column is a cell."""
    if "[" not in text:
        return []
    rows = [m.span() for m in _CHECKBOX_ROW.finditer(text)]
    options = [m.span() for start, end in rows for m in _CHECKBOX_OPTION.finditer(text, start, end)]
    options += [m.span() for m in _COLLAPSED_OPTION.finditer(text) if _collapsed_line(text, m.start())]
    answers = [m.span() for m in _YES_NO_BOXES.finditer(text)]  # "used: [ ] Yes  [x] No" is one answer, not options
    return [(s, e) for s, e in options if not any(a <= s < b for a, b in answers)]


# A yes/no question answered by ticking one of two boxes ("Interbody device:  [ ] Yes   [x] No").
_BOX = r"\[(?P<{0}> |[xX✓])\][ \t]*(?P<{1}>Yes|No|YES|NO|yes|no)\b"
_YES_NO_BOXES = re.compile(_BOX.format("box1", "word1") + r"[ \t]*" + _BOX.format("box2", "word2"))


def _yes_no(match: re.Match) -> str:
    """The ticked answer alone, padded to the same length ("No" for "[ ] Yes  [x] No"): the field then
    reads as answered; with no box or both ticked, nothing."""
    ticked = [match.group(w) for b, w in (("box1", "word1"), ("box2", "word2")) if match.group(b) != " "]
    answer = ticked[0] if len(ticked) == 1 else ""
    return answer.ljust(len(match.group()))


def _checkbox(match: re.Match) -> str:
    """ "No " for an empty box, blanks for a ticked one."""
    return "No " if match.group() == "[ ]" else "   "


_FLAT_MAX_NEWLINES = 2
_FLAT_MIN_CHARS = 200
_JOINER = re.compile(r",(?=\S)")
_LEVEL_AFTER = re.compile(r"[A-Z]?\d(?!\d?[.)][ \t]{2})")  # "L4,5", "T10,T11"; not "T7-8,2.  T8-9" (list items)


def unflatten(text: str) -> str:
    """``text`` with its line breaks back when an export flattened it onto one line (see ``_restore_lines``)."""
    if text.count("\n") <= _FLAT_MAX_NEWLINES and len(text) >= _FLAT_MIN_CHARS:
        return _restore_lines(text)
    return text


def _restore_lines(text: str) -> str:
    """A note an export flattened onto one line, joining its lines with bare commas ("...None.,ESTIMATED
    BLOOD LOSS: , 60 mL.,1.  Anterior...", "with Ponte,osteotomies"), gets its line breaks back, so
    headers, lists and sentences read as in the original. A comma between digits or in a level list
    ("1,000", "L4,5", "T10,T11") is not a joiner, nor the first of two (a line ended with a comma); a text with fewer than three joiners is left alone."""
    joiners = [m.start() for m in _JOINER.finditer(text) if text[m.end()] != "," and not (
               text[m.start() - 1:m.start()].isdigit() and _LEVEL_AFTER.match(text, m.end()))]
    if len(joiners) < 3:
        return text
    chars = list(text)
    for i in joiners:
        chars[i] = "\n"
    return "".join(chars)


_PLURAL = r"(?:\((?:e?s|E?S)\))?"  # "OPERATION(S)", "DIAGNOSIS(ES)"


_SMALL_WORDS = frozenset({"of", "and", "the", "for", "in", "to", "at", "on", "with", "or"})


def _title(literal: str) -> str:
    """Title Case as notes write it: "Description of the Procedure"."""
    words = literal.split()
    return " ".join(w.title() if i == 0 or w not in _SMALL_WORDS else w for i, w in enumerate(words))


def _literal_pattern(literal: str, case: str | None = None) -> str:
    """A header literal as a regex: words separated by any run of spaces or tabs, each word allowed
    an "(s)"/"(es)" suffix."""
    cased = {"upper": literal.upper(), "title": _title(literal), "title_all": literal.title(),
             "sentence": literal[:1].upper() + literal[1:]}.get(case, literal)
    return r"[ \t]+".join(re.escape(w) + _PLURAL for w in cased.split())


_NOTE = r"(?:[ \t]*\([^()\n:]{1,30}\))?"  # a bracketed note after a header: "(stage 2 of 2)", "(neural elements)"


@lru_cache(maxsize=1)
def _header_patterns() -> tuple[re.Pattern, ...]:
    """Header regexes built from the literals of rules/sections.json, each anchored where it is tried:
    at a line start, or where a flattened export joined lines (see ``find_headers``)."""
    literals = sorted({r["literal"] for r in load_json("sections.json")["section_rules"]}, key=len, reverse=True)
    alternation = "|".join(_literal_pattern(lit) for lit in literals)
    upper = "|".join(_literal_pattern(lit, "upper") for lit in literals)
    # At the start of a line (after optional numbering or a bullet), perhaps with a note in brackets
    # ("Findings (neural elements):"), ending with a colon, the line, or a numbered list run onto the
    # header's line ("Procedure 1) Kyphoplasty T12 2) ...").
    line_start = re.compile(
        rf"(?P<prefix>[ \t]*(?:(?:\d{{1,2}}|[A-Za-z])[.)][ \t]*|[-*•#]+[ \t]*)?)"
        rf"(?P<header>(?:{alternation}){_NOTE}"
        rf"[ \t]*(?::|(?=[ \t]*\r?(?:\n|$))|(?=[ \t]+\(?1[.)][ \t])))",
        re.IGNORECASE,
    )
    # Mid-line, as in flattened exports: with a colon ...
    inline = re.compile(rf"(?P<header>(?:{alternation})[ \t]*:)", re.IGNORECASE)
    # ... or in capitals followed by a comma, where the export joined lines with ", " ...
    inline_caps = re.compile(rf"(?P<header>(?:{upper}))(?P<comma>,)(?=[ \t]|[A-Z0-9(\[])")
    # ... or, for headers of two words or more, in capitals or Title Case and followed by a capital
    # or a digit, where the export joined lines with spaces or commas and the note had no colons.
    multi = [lit for lit in literals if " " in lit]
    words = "|".join(sorted({_literal_pattern(lit, case) for lit in multi
                             for case in ("upper", "title", "title_all", "sentence")}, key=len, reverse=True))
    single = "|".join(sorted({_literal_pattern(lit, case) for lit in literals if " " not in lit
                              for case in ("upper", "title")}, key=len, reverse=True))
    # A one-word header glued to a list: "Procedures,1.  L3 PSO".
    inline_bare = re.compile(rf"(?P<header>(?:{words}){_NOTE})(?P<gap>[ \t]+(?=[A-Z0-9(\[]|[-*•][ \t])|,(?=[ \t]?[A-Z0-9(\[]))"
                             rf"|(?P<single>(?:{single}))(?P<list>,(?=[ \t]?(?:\(?\d{{1,2}}[.)]|[-*•])))")
    # ... or in any case followed by a comma where a sentence ended before it, or (two words or more)
    # by a numbered list ("...death., description, The patient", "Same, procedures performed, 1. L4 PSO",
    # "NAME OF PROCEDURE 1) POSTERIOR...").
    inline_comma = re.compile(rf"(?P<header>(?:{alternation}))(?P<comma>,|[ \t])(?P<list>(?=[ \t]?\(?\d{{1,2}}[.)]))?",
                              re.IGNORECASE)
    # At a line start only: a header of two words or more in lower case run into its text, as an export
    # that lower-cases labels writes a dictation without colons ("description of procedure After...").
    lower = "|".join(sorted({_literal_pattern(lit) for lit in multi}, key=len, reverse=True))
    line_bare_lower = re.compile(rf"(?P<header>(?:{lower}){_NOTE})(?P<gap>[ \t]+(?=[A-Z]))")
    # ... and a one-word narrative header run into the sentence that opens the narrative, as speech
    # recognition writes it ("Description The patient was brought to the room...").
    # In an ALL-CAPS note only at a paragraph start and before a word that opens a sentence
    # ("DESCRIPTION THE PATIENT WAS BROUGHT..."; sections.json caps_narrative_openers).
    sections = load_json("sections.json")
    one_word = [r["literal"] for r in sections["section_rules"] if " " not in r["literal"] and r["category"] == "description"]
    narrative = "|".join(sorted({_literal_pattern(lit, case) for lit in one_word for case in ("title", None)},
                                key=len, reverse=True))
    line_narrative = re.compile(rf"(?P<header>(?:{narrative}))(?P<gap>[ \t]+(?=[A-Z][a-z]*[ \t]+[a-z]))")
    upper_narrative = "|".join(sorted({_literal_pattern(lit, "upper") for lit in one_word}, key=len, reverse=True))
    caps_narrative = re.compile(rf"(?P<header>(?:{upper_narrative}))(?P<gap>[ \t]+(?={_caps_opener().pattern}))")
    return line_start, inline, inline_caps, inline_bare, inline_comma, line_bare_lower, line_narrative, caps_narrative


# Labels outside the vocabulary ("OPERATIVE PROCEDURE IN DETAIL:", "Brief History And Indications:"):
# capitals or Title Case, no digits, ending with a colon; at a line start (not a numbered or bulleted
# list item, whose label belongs to the list), or (capitals, two words or a long one) where a
# flattened export joined lines.
_CAPS_WORD = r"[A-Z][A-Z/&'\-]*" + _PLURAL
_CAPS_LABEL = rf"{_CAPS_WORD}(?:[ \t]+(?:{_CAPS_WORD}|OF|AND|IN|THE|FOR|TO|&)){{0,5}}"
_TITLE_LABEL = (r"[A-Z][a-z]{2,}(?:-[a-z]+)*(?:[ \t]+(?:[A-Z][a-z]+(?:-[a-z]+)*|of|and|in|the|for|to|&)){0,4}"
                r"(?:[ \t]*\([A-Za-z /-]{1,20}\))?")
_CAPS_NOTE = r"(?:[ \t]*\([A-Z /-]{1,20}\))?"  # "NARRATIVE (SURGEON):"
_GENERIC_LINE = re.compile(rf"(?P<prefix>[ \t]*)(?P<header>(?:{_CAPS_LABEL}{_CAPS_NOTE}|{_TITLE_LABEL})[ \t]*:)(?![:/\\])")
# A template field in sentence case at a line start ("Graft type:", "Number of levels:"): a label only
# for the categories of sections.json "sentence_case_label_categories" ("Surgical alternative:" in the
# indications stays their text).
_SENTENCE_LINE = re.compile(r"(?P<prefix>[ \t]*)(?P<header>[A-Z][a-z]{2,}(?:[ \t]+[a-z]{2,}){1,2}[ \t]*:)(?![:/\\])")
# The same field with its label in lower case, as some exports write every label ("interbody/graft:").
_LOWER_LINE = re.compile(r"(?P<prefix>[ \t]*)(?P<header>[a-z]{3,}(?:[/ \t-][a-z]{2,}){0,2}[ \t]*:)(?![:/\\])")
# ... and a longer one alone on a paragraph's first line ("summary of surgery in detail:"), a header lower-cased
_LOWER_ALONE = re.compile(r"(?P<prefix>[ \t]*)(?P<header>[a-z]{3,}(?:[/ \t-][a-z]{2,}){3,4}[ \t]*:)(?![:/\\])")
# Inline, a label's words are one space apart: a wider gap is where the export joined two lines ("Elective  Operation:"
# is the word "Elective", then the label "Operation:").
_ONE_GAP = (r"[ \t]+", r"[ \t]")
_GENERIC_INLINE = re.compile(rf"(?P<header>(?:{_CAPS_WORD}[ \t]{_CAPS_LABEL.replace(*_ONE_GAP)}|[A-Z]{{6,}}{_PLURAL})[ \t]*:)(?![:/\\])")
_TITLE_INLINE = re.compile(rf"(?P<header>{_TITLE_LABEL.replace(*_ONE_GAP)}[ \t]*:)(?![:/\\])")  # after a collapsed line break
_SENTENCE_INLINE = re.compile(r"(?P<header>[A-Z][a-z]{2,}(?:[ \t][a-z]{2,}){1,2}[ \t]*:)(?![:/\\])")  # "Osteotomy type:"
_LABEL_WORD = re.compile(r"[A-Za-z]{3,}")


def _generic_label(match: re.Match | None) -> bool:
    """A label found by its shape has a word, and no verb that makes it a clause ("COSTOTRANSVERSECTOMY
    WAS THEN PERFORMED:" opens a list in the narrative; it is not a header)."""
    return bool(match) and bool(_LABEL_WORD.search(match.group("header"))) and not _CLAUSE_VERB.search(match.group("header"))


_CLAUSE_VERB = re.compile(r"\b(?:was|were|is|are|been|then)\b", re.IGNORECASE)


_LINE_STARTS = re.compile(r"\n")


@lru_cache(maxsize=1)
def _colon_required() -> frozenset[str]:
    return frozenset(load_json("sections.json")["colon_required"])


_LEADING_WORD = re.compile(r"[ \t]*(?:(?:\d{1,2}|[A-Za-z])[.)][ \t]*|[-*•#]+[ \t]*)?([A-Za-z]+)")


@lru_cache(maxsize=1)
def _first_words() -> frozenset[str]:
    """First words of the section literals (a header can only start with one of them)."""
    return frozenset(re.match(r"[a-z]+", r["literal"].lower()).group()
                     for r in load_json("sections.json")["section_rules"])


def _literal(header: str) -> str:
    """A header's words in lower case, without its colon and bracketed notes ("(S)", "(stage 2 of 2)")."""
    return " ".join(re.sub(r"\([^()]*\)", "", header.lower()).rstrip(":, \t").split())


@lru_cache(maxsize=1)
def _categories() -> dict[str, str]:
    return {r["literal"]: r["category"] for r in load_json("sections.json")["section_rules"]}


def in_vocabulary(header: str) -> bool:
    """Is this header one of the section literals (rather than a label found by its shape)?"""
    literal = _literal(header)
    singular = " ".join(w[:-1] if w.endswith("s") else w for w in literal.split())
    return literal in _categories() or singular in _categories()


def header_category(header: str) -> str:
    """Section category of a header found by ``find_headers`` ("Procedure Performed:" -> procedures);
    for a label outside the vocabulary, the category its words point to, or "unknown"."""
    literal = _literal(header)
    categories = _categories()
    if literal in categories:
        return categories[literal]
    singular = " ".join(w[:-1] if w.endswith("s") else w for w in literal.split())
    return categories.get(singular) or unknown_category(header)


# Where a flattened export may have joined a header to the text before it: after punctuation, a double
# space, or (text in mixed case) a lower-case word followed by words in capitals ("fixation PROCEDURE IN DETAIL").
_BREAKS = re.compile(r"[.;,!?)\]][ \t](?=[A-Za-z])|[ \t]{2}(?=[A-Za-z])|[.;,!?](?=[A-Z])|[a-z][ \t](?=[A-Z]{2,}[ \t]+[A-Z]{2})")


# Before a Title Case label and its colon mid-line ("...endotracheal Preoperative Diagnosis: C6-7", "Procedure(s):"):
# a header only on a line too long to be one (line breaks that became single spaces).
_TITLE_BREAK = re.compile(r"[A-Za-z0-9)\]}][ \t](?=[A-Z][a-z]+(?:[ \t][A-Za-z][a-z]+){0,3}(?:\((?:s|es)\))?[ \t]*:)")
_COLLAPSED_LINE = 200


def _column_title(text: str, header: tuple[int, int, int]) -> bool:
    """A header word in a row of three columns or more without any colon ("Interspace   Procedure   Approx.
    correction"): a table's column title, not a section (a collapsed line of fields has its colons)."""
    _, start, end = header
    line_start, line_end = text.rfind("\n", 0, start) + 1, text.find("\n", start)
    line = text[line_start:len(text) if line_end == -1 else line_end]
    return (not text[start:end].rstrip().endswith(":") and ":" not in line and len(line) <= _COLLAPSED_LINE
            and bool(TABLE_HEADER.search(line)))


def _indent(text: str, pos: int) -> bool:
    """Only blanks between the line start and ``pos``: an indented line (or a ``<p>`` blanked before it),
    not a place where an export joined two lines; the line-start rules decide its header."""
    return not text[text.rfind("\n", 0, pos) + 1:pos].strip()


def _collapsed_line(text: str, pos: int) -> bool:
    start, end = text.rfind("\n", 0, pos) + 1, text.find("\n", pos)
    return (len(text) if end == -1 else end) - start > _COLLAPSED_LINE


def find_headers(text: str) -> list[tuple[int, int, int]]:
    """(prefix_start, header_start, header_end) of every section header, in order.

    A header that an export followed by a comma instead of a colon ends after that comma; one with
    neither colon nor comma ends after the space that follows it.
    """
    found: dict[int, tuple[int, int, int]] = {}
    caps = _mostly_capitals(text)
    for pos in [0] + [m.end() for m in _LINE_STARTS.finditer(text)]:
        header = _line_header(text, pos, caps) or (None if caps else _caps_title_line(text, pos)) or (
            _block_title_line(text, pos)) or _ruled_title_line(text, pos) or (None if caps else _answered_label(text, pos))
        if header:
            found[header[1]] = header
    for pos in (m.end() for m in _BREAKS.finditer(text)):
        if pos not in found and not _indent(text, pos) and (header := _inline_header(text, pos, caps)) and not (
                _column_title(text, header)):
            found[pos] = header
    for pos in (m.end() for m in _TITLE_BREAK.finditer(text)):
        if pos not in found and _collapsed_line(text, pos) and (header := _inline_header(text, pos, caps, True)):
            found[pos] = header
    headers, end = [], -1
    for key in sorted(found):
        if found[key][1] >= end:  # not inside the header before ("OPERATION(S) PERFORMED:")
            headers.append(found[key])
            end = found[key][2]
    return headers


_NOT_UPPER = bytes(c for c in range(256) if not 65 <= c <= 90)  # deleted, they leave the capitals
_NOT_LOWER = bytes(c for c in range(256) if not 97 <= c <= 122)


def _mostly_capitals(text: str) -> bool:
    """ALL-CAPS dictation: there, capitals cannot tell a header from running text."""
    sample = text[:4000].encode("ascii", "ignore")
    upper = len(sample.translate(None, _NOT_UPPER))
    return upper > 0 and upper > 0.85 * (upper + len(sample.translate(None, _NOT_LOWER)))


_TITLE_LINES = 3  # a colon-only literal ("Procedure note") is a note title on the first lines, a header below


def _line_header(text: str, pos: int, caps: bool = False) -> tuple[int, int, int] | None:
    """A header starting the line at ``pos``: from the vocabulary, else a generic label. In mixed-case
    text a vocabulary header of two words or more in capitals or Title Case may run into its text
    without a colon, as speech recognition writes it ("Description of Procedure After induction...")."""
    line_start = _header_patterns()[0]
    word = _LEADING_WORD.match(text, pos)
    if word and word.group(1).lower() in _first_words():  # most lines cannot start a header
        m = line_start.match(text, pos)
        colon = m and m.group("header").endswith(":")
        if m and (colon or not _wrapped_word(text, pos, m.end("header"))) and (
                colon or _literal(m.group("header")) not in _colon_required() or text.count("\n", 0, pos) >= _TITLE_LINES):
            return m.start("prefix"), m.start("header"), m.end("header")
        if m:
            bare = None
        elif caps:
            bare = _caps_run_in(text, word.start(1)) if _paragraph_start(text, pos) else None
        else:
            bare = (_inline_bare_pattern().match(text, word.start(1)) or _header_patterns()[5].match(text, word.start(1))
                    or _header_patterns()[6].match(text, word.start(1)))
        if bare and bare.group("header") and _literal(bare.group("header")) not in _colon_required() and (
                not _wrapped_word(text, pos, bare.end("header"))):
            return pos, word.start(1), bare.end("gap") if bare.group("gap") is not None else bare.end("header")
    m = (_GENERIC_LINE.match(text, pos) or _SENTENCE_LINE.match(text, pos) or _LOWER_LINE.match(text, pos)
         or _LOWER_ALONE.match(text, pos))
    if m and " " not in m.group("header").strip() and _wrapped_word(text, pos, pos, after=False):
        return None  # "... COSTOTRANSVERSECTOMY WAS THEN" / "PERFORMED: ...": a wrapped clause, not a label
    if m is not None and m.re is _LOWER_ALONE:
        return (m.start("prefix"), m.start("header"), m.end("header")) if (
            _generic_label(m) and _label_alone(text, pos, m)) else None
    if _generic_label(m) and (m.re is _GENERIC_LINE or header_category(m.group("header")) in _sentence_case_categories()
                              or m.re is _LOWER_LINE and (_after_field(text, pos) or _label_alone(text, pos, m))):
        return m.start("prefix"), m.start("header"), m.end("header")
    return None


def _caps_run_in(text: str, pos: int) -> re.Match | None:
    """In ALL-CAPS dictation, a vocabulary header run into the paragraph it opens, before a word that opens
    a sentence: one narrative word ("DESCRIPTION THE PATIENT WAS...") or a header of two words or more
    ("DESCRIPTION OF PROCEDURE AFTER GENERAL ANESTHESIA...")."""
    one_word = _header_patterns()[7].match(text, pos)
    if one_word:
        return one_word
    multi = _inline_bare_pattern().match(text, pos)
    if multi and multi.group("header") and multi.group("gap") is not None and _caps_opener().match(text, multi.end("gap")):
        return multi
    return None


@lru_cache(maxsize=1)
def _caps_opener() -> re.Pattern:
    openers = "|".join(map(re.escape, load_json("sections.json")["caps_narrative_openers"]))
    return re.compile(rf"(?:{openers})[ \t]")


_BLANK_LINE_BEFORE = re.compile(r"\n[ \t]*\n[ \t]*$")


def _paragraph_start(text: str, pos: int) -> bool:
    """Does the line at ``pos`` open the note or follow a blank line?"""
    window = text[max(0, pos - 200):pos]
    return (pos < 200 and not window.strip()) or bool(_BLANK_LINE_BEFORE.search(window))


_FIELD_START = re.compile(r"[ \t]*" + FIELD_LABEL.pattern)
# A line that stops on a word its phrase goes on from ("Date of / surgery: [DATE]") was wrapped.
_RUNS_ON = re.compile(r"\b(?:of|the|and|or|to|a|an|for|with|at|in|on|by)[ \t]*\n?$", re.IGNORECASE)


def _label_alone(text: str, pos: int, label: re.Match) -> bool:
    """A lower-case label alone on a line that opens a paragraph ("findings and procedure:" / "- supine..."):
    a header an export lower-cased, not a wrapped sentence (which goes on after its colon or follows a line)."""
    line_end = text.find("\n", label.end())
    return _paragraph_start(text, pos) and not text[label.end():len(text) if line_end == -1 else line_end].strip()


def _after_field(text: str, pos: int) -> bool:
    """Is the line before ``pos`` another label's field ("decompression: None"), complete? Then a
    lower-case label is the next field of a template, not a wrapped sentence ("...were as / follows:
    ...") or the rest of a wrapped label ("Date of / surgery: [DATE]")."""
    start = text.rfind("\n", 0, max(pos - 1, 0)) + 1
    return pos > 0 and _FIELD_START.match(text, start, pos) is not None and not _RUNS_ON.search(text, start, pos)


@lru_cache(maxsize=1)
def _sentence_case_categories() -> frozenset[str]:
    return frozenset(load_json("sections.json")["sentence_case_label_categories"])


def _inline_bare_pattern() -> re.Pattern:
    """Vocabulary headers of two words or more in capitals or Title Case, without a colon."""
    return _header_patterns()[3]


_CAPS_TITLE_LINE = re.compile(r"[ \t]*(?P<header>[A-Z][A-Z/&'\-]+(?:[ \t]+[A-Z][A-Z/&'\-]*){1,4})[ \t]*(?=\n|$)")
# Words in capitals and a note in brackets, alone on its line ("TEMPLATING (planning software, standing films)",
# "TWO-STAGE PLAN (agreed with patient)").
_CAPS_NOTED_LINE = re.compile(r"[ \t]*(?P<header>[A-Z][A-Z/&'\-]{4,}(?:[ \t]+[A-Z][A-Z/&'\-]*){0,4})[ \t]+\([^()\n]{1,80}\)[ \t]*(?=\n)")


def _caps_title_line(text: str, pos: int) -> tuple[int, int, int] | None:
    """In a note written in mixed case, a line of two to five words in capitals after a blank line (or a ruler) is
    a header without a colon even outside the vocabulary ("RADIOGRAPHIC PARAMETERS", "TEMPLATING (planning
    software)"); so is one word in
    capitals over a block of labelled fields ("OSTEOTOMY" / " Osteotomy: [Schwab grade 4]"). Vocabulary
    headers follow their own rules (``_line_header``)."""
    m = _CAPS_TITLE_LINE.match(text, pos) or _CAPS_WORD_LINE.match(text, pos) or _CAPS_NOTED_LINE.match(text, pos)
    if m and not in_vocabulary(m.group("header")) and not _line_before(text, pos):
        return m.start("header"), m.start("header"), m.end("header")
    return None


def _block_title_line(text: str, pos: int) -> tuple[int, int, int] | None:
    """One word alone on its line over a bracketed template field ("OSTEOTOMY" / "[Osteotomy type: Ponte]"), after a
    blank line or a field's closed value, in any case: the block's title (in ALL-CAPS notes and lower-cased exports
    too)."""
    m = _BLOCK_WORD_LINE.match(text, pos)
    if m and not in_vocabulary(m.group("header")) and (not (before := _line_before(text, pos)) or before.endswith("]")):
        return m.start("header"), m.start("header"), m.end("header")
    return None


# A title set between rulers, in any case ("----" / "staged reconstruction plan" / "----").
_RULED_TITLE_LINE = re.compile(r"[ \t]*(?P<header>[A-Za-z][A-Za-z/&'\-]+(?:[ \t]+[A-Za-z(][A-Za-z/&'\-(),]*){0,7})[ \t]*"
                               r"(?=\n[ \t]*[-=_]{5,}[ \t]*(?:\n|$))")


def _ruled_title_line(text: str, pos: int) -> tuple[int, int, int] | None:
    """A plan's title between two rulers, in any case (a lower-cased export of "STAGED RECONSTRUCTION PLAN"); other
    ruled lines ("procedure performed today") stay the text they head."""
    m = _RULED_TITLE_LINE.match(text, pos)
    line = _previous_line(text, pos)
    if m and line and not line.strip("-=_") and not in_vocabulary(m.group("header")) and (
            unknown_category(m.group("header")) == "plan"):
        return m.start("header"), m.start("header"), m.end("header")
    return None


def _line_before(text: str, pos: int) -> str:
    """The line before ``pos``, stripped; "" for a blank line or a ruler ("-------") that sets a title apart."""
    line = _previous_line(text, pos)
    return "" if not line.strip("-=_*~") else line


def _previous_line(text: str, pos: int) -> str:
    """The line before the one starting at ``pos``, stripped (its last 80 characters; "" at the note's start)."""
    return "" if pos == 0 else text[max(0, pos - 80):pos - 1].rstrip(" \t").rpartition("\n")[2].strip()


# One capitalised word on its line, the next line a labelled field ("Osteotomy: ..." or "Osteotomy [...]").
_CAPS_WORD_LINE = re.compile(r"[ \t]*(?P<header>[A-Z]{4,})[ \t]*\n(?=\s*[A-Z][A-Za-z()/ \t-]{1,30}?(?::|\s*\[))")
# One word in any case over a bracketed field or a yes/no checkbox, on the next line or run onto its own ("OSTEOTOMY" /
# "[Osteotomy type: Ponte]", "osteotomy [osteotomy type: ponte]", "OSTEOTOMY" / "[x] Yes  [ ] No" as exports leave it).
_BLOCK_WORD_LINE = re.compile(r"[ \t]*(?P<header>[A-Za-z]{4,})(?:[ \t]*\n|[ \t]+(?=\[))"
                              r"(?=\s*(?:\[(?:[A-Za-z][A-Za-z()/ \t-]{1,30}?:|[ xX✓]\][ \t]*(?:yes|no)\b)"
                              r"|(?:yes|no)[ \t]+\[[A-Za-z][A-Za-z()/ \t-]{1,30}?:))", re.IGNORECASE)  # the checkbox read


# ... and the same run onto the line of the field before it ("[Rods x 2] OSTEOTOMY [Osteotomy type: Ponte]").
_CAPS_WORD_INLINE = re.compile(r"(?P<header>[A-Z]{4,})(?=[ \t]*,?[ \t]*\[[A-Z][A-Za-z()/ \t-]{1,30}?:)")


_LABEL_LINE = re.compile(r"[ \t]*(?P<header>[A-Z][A-Za-z/&'\-]{2,}(?:[ \t]+[A-Za-z][A-Za-z/&'\-]*){0,4})[ \t]*(?=\n)")


def _answered_label(text: str, pos: int) -> tuple[int, int, int] | None:
    """A short label line answered in the negative on the next line ("CAGE" / "None", "Interbody device" /
    "[ ] Yes  [x] No"): a field label an export set apart from its value, so a header (whose answer then
    negates it, see ``_answered_headers``)."""
    m = _LABEL_LINE.match(text, pos)
    if m and _NEGATIVE_LINE.match(text, m.end()):
        return m.start("header"), m.start("header"), m.end("header")
    return None


def _wrapped_word(text: str, pos: int, end: int, after: bool = True) -> bool:
    """A line of header words without a colon that is a wrapped piece of a sentence: the line before
    runs on (no closing punctuation or bracket) and the line after goes on in lower case ("induced by the /
    anesthesia / team without difficulty") or the line before ends on an open word ("LEADS WERE PLACED
    AND" / "NEUROMONITORING"); with ``after`` False, the line before alone decides."""
    window = text[max(0, pos - 80):pos]
    stripped = window.rstrip(" \t\n")
    line_before = stripped.rpartition("\n")[2]
    rest = text[end:end + 40].lstrip(" \t\r\n")
    return (len(line_before) >= _WRAPPED_LINE and window[len(stripped):].count("\n") == 1
            and line_before[-1] not in ".:;!?)]" and (not after or rest[:1].islower() or ends_open(line_before)))


_WRAPPED_LINE = 30  # a shorter line before is a field's value ("same" / "Proc" / "posterior wedge..."), not wrapped prose


_INLINE_NUMBER = re.compile(r"\(?\d{1,2}[.)][ \t]*")
_LABEL_COLON = re.compile(r"[A-Za-z/&'()\- \t]*:")  # what any label pattern needs before its colon
_LIST_NUMBER_BEFORE = re.compile(r"(?:^|[\s,;])\(?\d{1,2}[.)][ \t]*$")


def _inline_header(text: str, pos: int, caps: bool, collapsed: bool = False) -> tuple[int, int, int] | None:
    """A header where a flattened export joined lines, at ``pos`` (just after a break), perhaps
    numbered ("3) PROCEDURES"). In ALL-CAPS text only a colon or a comma (see ``_caps_comma_header``) marks a header. A one-word header
    without a colon counts only where a paragraph or a numbered heading marks it ("Same.  Procedure
    Second stage...", "2) DIAGNOSES Pre-op")."""
    _, inline, inline_caps, inline_bare, inline_comma, *_ = _header_patterns()
    if (block := _CAPS_WORD_INLINE.match(text, pos)) and text[max(0, pos - 3):pos].rstrip(" \t,").endswith("]"):
        return pos, pos, block.end("header")  # "...[Rods x 2] OSTEOTOMY [Osteotomy type: Ponte]": a block over its fields
    number = _INLINE_NUMBER.match(text, pos)
    start = number.end() if number else pos
    word = _LEADING_WORD.match(text, start)
    vocabulary = bool(word) and word.group(1).lower() in _first_words()
    if not vocabulary and not _LABEL_COLON.match(text, start):
        return None  # neither a vocabulary header nor a label and its colon (most sentence starts)
    if vocabulary:
        patterns = ((inline, "header"), (inline_caps, "comma")) + (() if caps else ((inline_bare, "gap"),))
        for pattern, group in patterns:
            m = pattern.match(text, start)
            if m and not (_literal(m.group(0)) in _colon_required() and not m.group(0).endswith(":")) and (
                    not caps or group == "header" or _caps_comma_header(text, pos, m.group("header"))):
                return pos, start, m.end(group) if m.group(group) is not None else m.end("list")
        m = inline_comma.match(text, start)
        if m and (m.group("list") is not None and " " in _literal(m.group("header"))
                  or m.group("comma") == "," and _after_sentence(text, pos)):
            return pos, start, m.end("comma")
        marked = number is not None or text[max(0, pos - 2):pos] == "  " or bool(
            _LIST_NUMBER_BEFORE.search(text, max(0, pos - 6), pos))
        m = _single_word_header().match(text, start) if marked else None
        if m and _literal(m.group("header")) not in _colon_required() and not _generic_label(_GENERIC_INLINE.match(text, start)):  # "FINDINGS AND PROCEDURE:" is one label
            return pos, start, m.end("gap")
    if _LIST_NUMBER_BEFORE.search(text, max(0, pos - 6), pos) or _in_list_item(text, pos):
        return None  # "3. ALLOGRAFT: DBM ...", "7. ROD SEATED. CORRECTION: ...": a list item's label
    if caps and not _after_sentence(text, pos):
        return None  # "PONTE OSTEOTOMIES, FIVE IN TOTAL, ONE AT EACH OF:": a clause of the sentence, not a label
    m = _GENERIC_INLINE.match(text, start)
    if not m and (collapsed or text[max(0, pos - 2):pos] == "  "):  # a label after a line break an export lost
        m = _TITLE_INLINE.match(text, start) or _SENTENCE_INLINE.match(text, start)
        if m and m.re is _SENTENCE_INLINE and header_category(m.group("header")) not in _sentence_case_categories():
            m = None  # as at a line start: "Osteotomy type:" opens a section, "Operative notes:" does not
    return (pos, start, m.end("header")) if _generic_label(m) else None


_LIST_ITEM_LINE = re.compile(r"[ \t]*\(?\d{1,2}[.)][ \t]")


def _in_list_item(text: str, pos: int) -> bool:
    """Is ``pos`` on a numbered list line (a label there belongs to the item)?"""
    return bool(_LIST_ITEM_LINE.match(text, text.rfind("\n", 0, pos) + 1))


def _caps_comma_header(text: str, pos: int, header: str) -> bool:
    """In ALL-CAPS text, a header a flattened export followed by a comma: one of two words or more
    ("HISTORY AND INDICATIONS,"), or one word after a sentence end ("...DEATH., DESCRIPTION, THE")."""
    return " " in _literal(header) or _after_sentence(text, pos)


def _after_sentence(text: str, pos: int) -> bool:
    """Does a sentence end just before ``pos`` (". ", ".,", "., ")?"""
    return text[max(0, pos - 4):pos].rstrip(" \t,").endswith(".")


@lru_cache(maxsize=1)
def _single_word_header() -> re.Pattern:
    literals = {r["literal"] for r in load_json("sections.json")["section_rules"] if " " not in r["literal"]}
    words = "|".join(sorted({_literal_pattern(lit, case) for lit in literals for case in ("upper", "title")},
                            key=len, reverse=True))
    return re.compile(rf"(?P<header>(?:{words}){_NOTE})(?P<gap>[ \t]+)(?=[A-Z0-9(\[]|[-*•][ \t]|[a-z][.)][ \t])")


_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")


@dataclass(frozen=True)
class Triggers:
    """What makes a sentence worth parsing (see ``triggers``): words, phrases keyed by their first
    word, and word prefixes. Looked up word by word, which is much faster than one big regex."""

    words: frozenset[str]
    phrases: dict[str, tuple[re.Pattern, ...]]
    prefixes: tuple[str, ...]

    def in_chunk(self, chunk: "_Chunk") -> bool:
        """Does the chunk hold a trigger? (set intersection on its words: fast)"""
        if chunk.words & self.words:
            return True
        if any(p in chunk.lower for p in self.prefixes):
            return True
        return any(p.search(chunk.text) for w in chunk.words & self.phrases.keys() for p in self.phrases[w])


class _Chunk:
    """A span's text with its lower-case form and word set, computed once for every trigger set asking."""

    __slots__ = ("text", "lower", "words")

    def __init__(self, text: str):
        self.text, self.lower = text, text.lower()
        self.words = {w.lower() for w in _WORD.findall(text)}


@lru_cache(maxsize=16)
def triggers(rule_files: tuple[str, ...] | None = None, categories: frozenset[str] | None = None) -> Triggers:
    """For every target rule of ``rule_files`` (the pipeline's configured rules) in ``categories``
    (default: the categories ConText asserts; the others only qualify a mention in the same
    sentence), words that must occur wherever the rule matches.

    A literal contributes its words minus common op-note words; a literal made only of common words
    ("posterior approach") contributes itself as a phrase. A token pattern contributes the
    alternatives of one required token.
    """
    config = load_json("triage.json")
    common = set(config["common_words"])
    wanted = categories or asserted_categories()
    quiet = set(config["quiet_rules"])
    words: set[str] = set()
    phrases: dict[str, set[str]] = {}
    literals: list[set[str]] = []
    for rule in load_target_rules(rule_files or TARGET_RULE_FILES)[0]:
        if rule["category"] not in wanted or rule["metadata"]["id"] in quiet:
            continue
        if rule.get("pattern"):
            words.update(_pattern_triggers(rule["pattern"], common))
            continue
        distinctive = _words(rule["literal"]) - common
        if distinctive:
            literals.append(distinctive)
        else:
            literal = rule["literal"].lower()
            phrases.setdefault(_WORD.match(literal).group(), set()).add(literal)
    # One word per literal is enough: a greedy cover, single-word literals first, longest word next.
    for distinctive in sorted(literals, key=len):
        if not distinctive & words:
            words.add(max(sorted(distinctive), key=len))
    compiled = {first: tuple(re.compile(re.escape(p).replace(r"\ ", r"\s+"), re.IGNORECASE) for p in sorted(ps))
                for first, ps in phrases.items()}
    prefixes = tuple(config["extra_prefixes"]) if categories is None or "OSTEOTOMY" in categories else ()
    return Triggers(frozenset(words), compiled, prefixes)


def _pattern_triggers(pattern: list[dict], common: set[str]) -> set[str]:
    """The alternatives of the required token with the fewest common words (all of them are needed:
    the pattern cannot match without one)."""
    positions: list[set[str]] = []
    stop = set(load_json("triage.json")["function_words"])
    for token in pattern:
        if token.get("OP") in ("?", "*") or str(token.get("OP", "")).startswith("{0"):
            continue
        values: set[str] = set()
        for key in ("LOWER", "TEXT", "ORTH"):
            value = token.get(key)
            if isinstance(value, str):
                values.add(value.lower())
            elif isinstance(value, dict):
                values.update(v.lower() for v in value.get("IN", []))
        if values and not values <= stop:
            positions.append(values)
    # Prefer a position of long, distinctive words ("osteotomy", not "1"/"i" or "from").
    best = min(positions, key=lambda vs: (any(len(v) < 3 for v in vs), len(vs & common), len(vs)))
    return {w for v in best for w in _words(v)}


def _words(text: str) -> set[str]:
    """Words of a rule, without numbers and level names (which occur in most sentences)."""
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if not re.fullmatch(r"[ctls]?\d+", w)}


@lru_cache(maxsize=1)
def _spine_gate() -> re.Pattern:
    terms = load_json("triage.json")["spine_gate_terms"]
    return re.compile(r"\b(?:" + "|".join(terms) + ")", re.IGNORECASE)


def is_spine_note(text: str) -> bool:
    """Cheap gate on raw text: does the note mention the spine at all? Most notes of an export don't."""
    return _spine_gate().search(text) is not None


class Header(NamedTuple):
    """A section header in the note: its span (the words and colon) and its section category."""

    start: int
    end: int
    category: str


@dataclass
class TextView:
    """The original note, its same-length view and the headers and sentences the pipeline will use."""

    text: str
    view: str
    headers: list[Header] = field(default_factory=list)
    sentences: list[tuple[int, int]] = field(default_factory=list)
    header_sentences: list[tuple[int, int]] = field(default_factory=list)  # headers that stand alone (not run-in)
    kept_chars: int = 0
    sections: list[SectionSpan] = field(default_factory=list)

    def layout(self) -> dict:
        """What the pipeline components read from ``doc._.opnote`` (JSON-able, so a Doc still serialises)."""
        return {"text": self.view, "headers": [list(h) for h in self.headers],
                "sentences": [list(s) for s in self.sentences + self.header_sentences], "sections": [list(s) for s in self.sections]}


def build_view(text: str, triage: bool = True, rule_files: tuple[str, ...] | None = None) -> TextView:
    """Clean ``text``, find headers and sentences, and mask what cannot yield a fact.

    With ``triage=False`` every sentence is kept (the reference behaviour the triage must match);
    ``rule_files`` are the target rules whose trigger words keep a sentence.
    """
    cleaned = clean(text)
    found = find_headers(cleaned)
    headers = [Header(h, e, header_category(cleaned[h:e])) for _, h, e in found]
    # A label outside the vocabulary with text after it on its line ("GRAFT HARVEST: through the same
    # incision...") is a run-in heading: it opens a section but stays part of its sentence.
    run_in = [f for f in found if not in_vocabulary(cleaned[f[1]:f[2]]) and _text_follows(cleaned, f[2])]
    found = [f for f in found if f not in run_in]
    header_spans = _answered_headers(cleaned, [(h, e) for _, h, e in found])
    run_in_starts = _collapsed_field_starts(cleaned, run_in, [h for _, h, _ in found])
    # (header with the answer on its next line, the header's own end): "CAGE" / "None"
    answered = [(span, e) for span, (_, _, e) in zip(header_spans, found) if span[1] != e]
    sentences = split_sentences(cleaned, header_spans + run_in_starts + _checkbox_rows(unflatten(_line_ends(text))),
                                whole=[span for span, _ in answered])
    if triage:
        sentences = _triage(cleaned, sentences, rule_files)
    chars, kept = _mask(cleaned, sorted(header_spans + sentences))
    _join_wrapped_lines(chars, cleaned, sentences)
    _unglue(chars, cleaned, found)
    _place_headers(chars, cleaned, found)
    for _, e in answered:
        chars[e] = ":"  # "CAGE" / "None" reads "CAGE:None", as the field was written
    return TextView(text=text, view="".join(chars), headers=headers, sentences=sentences, kept_chars=kept,
                    header_sentences=header_spans, sections=assign_sections(cleaned, headers))


_LEVEL_START = re.compile(r"(?<![A-Za-z0-9])[CTLS][ -]?\d")
_LEVEL_ITEM_CHARS = 24  # a list item that is only a level: "3. T9-10"
_HEADING_CHARS = 30  # an osteotomy sentence this short, without a period, is a heading ("Posterior column osteotomies")


def _triage(cleaned: str, sentences: list[tuple[int, int]], rule_files: tuple[str, ...] | None) -> list[tuple[int, int]]:
    """The sentences holding a trigger word, and those that describe a resection near an osteotomy
    (its type is read from the elements resected around it: see facts.osteotomies.elements_near)."""
    chunks = [_Chunk(cleaned[s:e]) for s, e in sentences]
    trigger = triggers(rule_files)
    keep = [trigger.in_chunk(c) or bool(PROCEDURE_LEVELS_FIELD.match(c.text) or INTERBODY_LEVELS_LABEL.search(c.text))
            for c in chunks]  # "Level(s): [L3-4, L4-5]", "[Interbody level(s): L3-4, L4-5]"
    osteotomy = triggers(rule_files, frozenset({"OSTEOTOMY"}))
    elements = triggers(rule_files, frozenset({"RESECTION"}))
    window = load_json("decisions.json")["osteotomy_typing"]["window"]
    named = [i for i, c in enumerate(chunks) if keep[i] and osteotomy.in_chunk(c)]
    if named:  # a resection told far from any osteotomy word can be the one the procedure list names
        keep = [k or elements.in_chunk(c) for k, c in zip(keep, chunks)]
    _keep_purposes_after_resections(chunks, keep, elements, triggers(rule_files, frozenset({"PURPOSE"})))
    _keep_denials_after(chunks, keep, triggers(rule_files, frozenset({"GRAFT"})), graft_not_used_pattern())
    for i, (s, e) in enumerate(sentences):
        if not keep[i] or not osteotomy.in_chunk(chunks[i]):
            continue
        if i and _LEVEL_START.search(chunks[i - 1].text):
            keep[i - 1] = True  # the place an osteotomy told without a level is at ("Apex confirmed at T12/L1.")
        _keep_levels_below(chunks, i, keep)
        for j in range(i + 1, min(i + 3, len(chunks))):  # the label may be a sentence of its own
            if _LEVELS_LABEL_BETWEEN.fullmatch(cleaned, e, sentences[j][0]) and _LEVEL_START.search(chunks[j].text[:4]):
                keep[j] = True  # "Type: [Smith-Petersen]      Level(s):" / "[T12-L1, L1-2]": the field's value wrapped
        if i + 1 < len(chunks) and (told_next_pattern().match(chunks[i + 1].text.lstrip())
                                    or denied_by_next_pattern().search(chunks[i + 1].text)
                                    or next_levels_pattern().search(chunks[i + 1].text)):
            keep[i + 1] = True  # "These were at T7-8, T8-9 and T9-10."; "They were not done."
        for j in range(i - 1, -1, -1):
            if sentences[j][1] < s - window["before_chars"]:
                break
            keep[j] = keep[j] or elements.in_chunk(chunks[j])
        for j in range(i + 1, len(sentences)):
            if sentences[j][0] > e + window["after_chars"]:
                break
            keep[j] = keep[j] or elements.in_chunk(chunks[j]) or bool(repeated_at_pattern().search(chunks[j].text))
    return [span for span, kept in zip(sentences, keep) if kept]


@lru_cache(maxsize=1)
def denied_by_next_pattern() -> re.Pattern:
    """A sentence denying, by a word pointing back, the osteotomies of the one before it ("They were not done.",
    "Not needed."): rules/decisions.json, assertions.denied_by_next. The triage keeps it; facts.doc_reader reads it."""
    return re.compile(load_json("decisions.json")["assertions"]["denied_by_next"], re.IGNORECASE)


@lru_cache(maxsize=1)
def graft_not_used_pattern() -> re.Pattern:
    """A clause or next sentence saying a graft named before it was not used ("it was not used and was recorded as
    wasted", "the bone bank had none in stock"): rules/decisions.json, assertions.graft_not_used. The triage keeps
    it; facts.doc_reader reads it."""
    return re.compile(load_json("decisions.json")["assertions"]["graft_not_used"], re.IGNORECASE)


def _keep_purposes_after_resections(chunks: list["_Chunk"], keep: list[bool], elements: Triggers,
                                    purpose: Triggers) -> None:
    """Keep the sentence saying why, right after one that resects ("The ligamentum flavum was resected at both
    interspaces. This was done to mobilize the stiff segment"): a release is told across them."""
    for i in range(len(chunks) - 1):
        if keep[i] and not keep[i + 1] and elements.in_chunk(chunks[i]) and purpose.in_chunk(chunks[i + 1]):
            keep[i + 1] = True


def _keep_denials_after(chunks: list["_Chunk"], keep: list[bool], named: Triggers, denial: re.Pattern) -> None:
    """Keep the sentence that denies what the kept one before it names ("A DBM syringe was opened. It was not used.")."""
    for i in range(len(chunks) - 1):
        if keep[i] and not keep[i + 1] and named.in_chunk(chunks[i]) and denial.search(chunks[i + 1].text):
            keep[i + 1] = True


_LEVELS_LABEL_BETWEEN = re.compile(r"\s*levels?(?:[ \t]*\(s\))?[ \t]*:?\s*", re.IGNORECASE)


def _keep_levels_below(chunks: list["_Chunk"], i: int, keep: list[bool]) -> None:
    """Keep the levels an osteotomy sentence lists below it: the items after a colon ("... at the
    following interspaces:" / "1. T7-8" / "2. T8-9"), the sentence under an osteotomy heading, or the rows of a table whose header names the
    osteotomy as a column ("Level  L screw  R screw  Ponte" / "T6  4.0 x 35  5.5 x 40  [x]")."""
    header = chunks[i].text
    if header.rstrip().endswith(":"):
        for j in range(i + 1, len(chunks)):
            if not _LEVEL_START.search(chunks[j].text) or len(chunks[j].text) > _LEVEL_ITEM_CHARS:
                break
            keep[j] = True
    elif len(header.strip()) <= _HEADING_CHARS and not header.rstrip().endswith(".") and i + 1 < len(chunks):
        keep[i + 1] = keep[i + 1] or bool(_LEVEL_START.search(chunks[i + 1].text))  # "Osteotomies" / "Gr 2 at L1-2, ..."
    elif TABLE_HEADER.search(header):
        for j in range(i + 1, len(chunks)):
            row = chunks[j].text.lstrip()
            if not (_ROW_SEPARATOR.match(row) or _LEVEL_START.match(row)):
                break
            keep[j] = True


_NEGATIVE_LINE = re.compile(r"\n[ \t]*(?:(?:none|n/?a|no|nil|not\s+done)\b[ \t.]*(?:[-–—][^\n]*)?|--[ \t]*)(?=\n|$)",
                            re.IGNORECASE)  # "None", "No - resected bone to pathology"


def _answered_headers(cleaned: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A header alone on its line answered on the next line in the negative ("CAGE" / "None", a field an
    export set apart from its value) is one sentence with its answer, so that the answer negates it."""
    return [(h, m.end()) if (m := _NEGATIVE_LINE.match(cleaned, e)) else (h, e) for h, e in spans]


def _collapsed_field_starts(cleaned: str, run_in: list[tuple[int, int, int]], others: list[int]) -> list[tuple[int, int]]:
    """On a line an export collapsed, a run-in field label starts its sentence where its own line would
    have (after a short field, see ``sentences.next_field``), unless it details the field before it
    ("Osteotomy: Yes  Osteotomy type: Ponte  Levels: T10-11"); a side field has no detail of its own
    ("Laterality: [Bilateral; TLIF right]  Level(s): [T10-L5]")."""
    starts = sorted(others + [h for _, h, _ in run_in])
    cuts = []
    for _, h, _ in run_in:
        i = bisect_left(starts, h)
        field = cleaned[starts[i - 1] if i else 0:h].strip()
        if _collapsed_line(cleaned, h) and len(field) < SHORT_LINE and (
                next_field(field, cleaned[h:h + 40]) or _SIDE_FIELD.match(field)):
            cuts.append((h, h))
    return cuts


_SIDE_FIELD = re.compile(r"(?:laterality|sides?)[ \t]*:", re.IGNORECASE)  # no procedure: the levels after it are not its


_ROW_SEPARATOR = re.compile(r"[-=|+ \t]{3,}$")


def _text_follows(text: str, end: int) -> bool:
    line_end = text.find("\n", end)
    return bool(text[end: len(text) if line_end == -1 else line_end].strip(" \t,;:-"))


def _mask(cleaned: str, keep: list[tuple[int, int]]) -> tuple[list[str], int]:
    """Spaces everywhere but the kept spans; a masked gap that held a newline still ends with one."""
    chars = [" "] * len(cleaned)
    kept = 0
    for s, e in keep:
        chars[s:e] = cleaned[s:e]
        kept += e - s
    previous_end = 0
    for s, e in keep:
        if s > previous_end and "\n" in cleaned[previous_end:s]:
            chars[s - 1] = "\n"
        previous_end = max(previous_end, e)
    return chars, kept


_LINE_BREAK_CHAR = re.compile(r"[\n\r]")


def _join_wrapped_lines(chars: list[str], cleaned: str, sentences: list[tuple[int, int]]) -> None:
    """A line break inside a sentence is a hard wrap: a space in the view, so that the words around
    it still make one phrase ("demineralized / bone matrix") for the matchers."""
    starts = [s for s, _ in sentences]
    for m in _LINE_BREAK_CHAR.finditer(cleaned):
        i = bisect_right(starts, m.start()) - 1
        if i >= 0 and m.start() < sentences[i][1]:
            chars[m.start()] = " "


_GLUE = re.compile(r"[.?!:],(?=\S)|:[ \t]*,(?=[ \t])")  # ".,The", ":,1.", "Local autograft used: , No"


def _unglue(chars: list[str], cleaned: str, headers: list[tuple[int, int, int]]) -> None:
    """Commas a flattened export put where a line broke (".,The", "Same.,PROCEDURES", ": ,1.", "used: , No") become
    spaces in the view, so the tokenizer sees the words they were glued to."""
    for m in _GLUE.finditer(cleaned):
        if chars[m.end() - 1] == ",":
            chars[m.end() - 1] = " "
    for _, h, _ in headers:
        if h > 0 and cleaned[h - 1] == ",":
            chars[h - 1] = " "


def _place_headers(chars: list[str], cleaned: str, headers: list[tuple[int, int, int]]) -> None:
    """Every header starts a line in the view (flattened exports put them mid-line) and ends with a
    colon (an export may have turned it into a comma)."""
    for prefix, h, e in headers:
        chars[prefix:h] = " " * (h - prefix)
        if h > 0 and chars[h - 1] in " \t\r\n":
            chars[h - 1] = "\n"
        if cleaned[e - 1] == ",":
            chars[e - 1] = ":"
        elif cleaned[e - 1] in " \t":  # "Operative Narrative The patient...": end the header's line
            chars[e - 1] = "\n"
