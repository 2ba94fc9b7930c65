"""A fast rule-based sentence splitter for dictated operative notes.

Why not PyRuSH: it takes most of medSpaCy's pipeline time and logs per token. Op notes need only a
few rules, applied here with regular expressions on raw text (offsets into the text):

* sentence punctuation followed by whitespace and a capital, digit, bullet or bracket ends a
  sentence, except after common abbreviations and list numbers ("1.");
* a semicolon does not end a sentence ("screws T2-T5; T9 through L3"): ConText stops at it instead;
* a blank line ends a sentence; a single line break ends one only when the next line starts a list
  item, after a colon, around a table row (columns set apart by runs of spaces or pipes), or when
  the current line is a short label or list line of a few words, so
  hard-wrapped dictation stays whole (ALL CAPS too); in a double-spaced export, where every line break
  became a blank line, the shortest blank runs are line breaks;
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
# ".,A pedicle subtraction osteotomy..." - sentences an export joined with a bare comma.
_FLAT_BREAK = re.compile(r"(?<=[.?!]),(?=[A-Z0-9(\[])")
# A row of a space-aligned table an export flattened: glued to the row before by a comma and opening on a
# level or a label before a column gap (",T10     side-by-side connector", ",Rods    5.5 mm").
_FLAT_ROW = re.compile(r"(?<=\S),(?=(?:[CTLS]\d{1,2}|[A-Z][A-Za-z]+)[ \t]{3,}\S)")
# A paragraph whose dictation left off its period, run onto the next by an export ("...or CSF leak  Pedicle screws were
# then placed"): a gap of two spaces or more before a clause that opens a sentence, on a line too long to be one.
_FLAT_PARAGRAPH = re.compile(r"(?<=[a-z]{3})[ \t]{2,}(?=(?:The|This|These|We|He|She|After|Next|Then|Attention|Once)[ \t]"
                             r"|[A-Z][a-z]+(?:[ \t]+[a-z]+){0,3}[ \t]+(?:was|were)[ \t])")
_FLAT_PARAGRAPH_LINE = 200
_FLAT_ITEM = re.compile(r"(?<=[,;])[ \t]*(?:\(?\d{1,2}[.)][ \t]+(?=[A-Z])|[-*•][ \t]+(?=[A-Za-z]))")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*•▪◦>]|\(?\d{1,2}[.)]|\(?[a-zA-Z][.)](?=\s))\s")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
_SPOKEN_LEVEL = re.compile(r"(?<![A-Za-z0-9])[CTLS]\.[ \t]?\d")
_LIST_NUMBER = re.compile(r"(?:^|\n)[ \t]*\(?(?:\d{1,2}|[A-Za-z])[.)]$")
SHORT_LINE = 50
MAX_SENTENCE_CHARS = 1000  # the longest corpus sentence has 753 characters


def _is_abbreviation(text: str, dot: int) -> bool:
    """True when the period ending at ``dot`` belongs to an abbreviation or a list number."""
    if _SPOKEN_LEVEL.match(text, max(0, dot - 1)):
        return True  # "T. 10-11": a level as speech recognition writes it
    head = text[max(0, dot - 12): dot + 1]
    m = _WORD_BEFORE.search(head)
    if m and m.group(1).lower().rstrip(".") in _ABBREVIATIONS:
        return True
    return bool(_LIST_NUMBER.search(text[max(0, dot - 6): dot + 1]))


_NEWLINES = re.compile(r"\n(?:[ \t\r]*\n)*")
_LABEL_WORDS = 5  # a short line of at most this many words before a capital is a label or list line
# Words that leave a sentence open at the end of a line, or carry it on at the start of the next:
# a wrapped line ending "SO THAT IT" or followed by "COULD BE CORRECTED" is not a label line.
_CONTINUATION = frozenset(
    "a an the of to and or nor with at that it was were is are be been being from for in on by as into onto "
    "this these those his her their its then than so but if which who whom whose had has have not no all each "
    "both could would should will shall may might can did does do also including under over through via per "
    "after before during while where when".split())
_WORDS = re.compile(r"[A-Za-z]+")


def _breaks(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Line breaks and paragraph breaks (blank lines). In a double-spaced export, where every line
    break became a blank line and paragraphs are set apart by more, the shortest runs are line breaks."""
    runs = [(m.start(), m.end(), m.group().count("\n")) for m in _NEWLINES.finditer(text)]
    counts = {n for *_, n in runs}
    unit = min(counts) if len(counts) > 1 or (counts and _wrapped(text, runs)) else 1
    return [(s, e) for s, e, n in runs if n <= unit], [(s, e) for s, e, n in runs if n > unit]


_LIST_START = re.compile(r"(?:^|\n|:)[ \t]*(?P<first>\(?1[.)])[ \t]+")
_NEXT_ITEM = re.compile(r"[ \t]\(?(\d{1,2})[.)][ \t]+(?=[A-Z])")


def _inline_list_items(text: str) -> list[int]:
    """"1. L3 PSO 2. Posterior fusion T10-L5 3. ...": a numbered list run onto one line; each next
    number in sequence opens an item, up to the line end or the next list; a last item that is only a
    level ends before the capitalised sentence run on after it ("3. T9-10 At each interspace...")."""
    cuts = []
    starts = list(_LIST_START.finditer(text))
    for start, following in zip(starts, starts[1:] + [None]):
        line_end = text.find("\n", start.end())
        end = min(len(text) if line_end == -1 else line_end, following.start() if following else len(text))
        expected = 2
        for item in _NEXT_ITEM.finditer(text, start.end(), end):
            if int(item.group(1)) == expected:
                cuts.append(item.start() + 1)
                expected += 1
        if expected > 2 and (last := _LEVEL_THEN_SENTENCE.match(text, cuts[-1])):
            cuts.append(last.end())
        if expected > 2 and text[start.start()] == ":":  # "interspaces: 1. T7-8 2. T8-9": the list starts at "1."
            cuts.append(start.start("first"))
    return cuts


# Items after the first may open in lower case ("Description: - GETA, Ancef ... - midline T2-L2 incision ... -
# freehand PS b/l T3-L1"), never on a level or a number, nor on a word that says what became of the item before
# ("- Ponte T11-12 - aborted"); so may the first when three items or more follow the label.
_NEXT_ITEM_START = (r"(?=[A-Za-z][A-Za-z0-9/])(?![CTLS]\d{1,2}(?![-/]?[A-Za-z]{2}))"
                    r"(?!(?i:aborted|abandoned|not|no|none|deferred|cancell?ed|declined|held|omitted|skipped|planned)\b)")
_BULLETS_START = re.compile(rf":[ \t]*([-*•])[ \t]+{_NEXT_ITEM_START}")
_LOWER_LIST_ITEMS = 3


def _inline_bullets(text: str) -> list[int]:
    """"Performed: - Anterior osteotomies T8-9 - Anterior instrumentation T7-T12": a bulleted list
    an export ran onto one line after its label; each next bullet of the same mark before a word or name
    ("- S2-alar-iliac screws", "- freehand PS"), never before a bare level or number ("L3 - L5", "71 - 19"),
    opens an item, up to the line end. A list opening in lower case ("Description: - prone Jackson, TO ...")
    is one only with three items or more."""
    cuts = []
    for start in _BULLETS_START.finditer(text):
        line_end = text.find("\n", start.end())
        bullet = re.compile(rf"[ \t]{re.escape(start.group(1))}[ \t]+{_NEXT_ITEM_START}")
        items = [m.start() + 1 for m in bullet.finditer(text, start.end(), len(text) if line_end == -1 else line_end)]
        if text[start.end()].isupper() or len(items) + 1 >= _LOWER_LIST_ITEMS:
            cuts += items
    return cuts


_ROW_START = re.compile(r"(?<=[^|\s][ \t])(?=[CTLS]\d{1,2}(?:-[CTLS]?\d{1,2})?[ \t]+\|)")
_MIN_PIPES = 6
_COLLAPSED_ROWS = 200  # a shorter line is one row; a table whose rows start with a pipe keeps its rows apart


def _collapsed_rows(text: str) -> list[int]:
    """"T1 | None - PSO level | None - PSO level T2 | Pedicle screw 4.5 x 30 | ...": the rows of a pipe
    table an export ran onto one line; each row is a sentence again, so a level never joins the row before it.
    Only on a line too long to be one row. Under a separator row ("|----|----|"), rows open with a pipe and have
    as many cells as the separator ("| Ponte L1-2 | - | 7 deg | | TLIF L4-5 | ..."); without one, a row opens on
    its level (in a table whose rows open with a pipe, "| 1 | Ponte osteotomy T10-11 |" is a cell's level)."""
    cuts = []
    for line in re.finditer(r"[^\n]+", text) if "|" in text else ():
        row = line.group()
        if row.count("|") < _MIN_PIPES or len(row) <= _COLLAPSED_ROWS:
            continue
        if _SEPARATOR_ROW.search(row):
            cuts += _counted_rows(text, line.start(), line.end())
        elif not row.lstrip().startswith("|"):
            cuts += [m.start() for m in _ROW_START.finditer(text, line.start(), line.end())]
    for line in re.finditer(r"[^\n]{%d,}" % _COLLAPSED_ROWS, text) if "   " in text else ():
        if TABLE_HEADER.search(line.group()):
            cuts += [m.end() for m in _ALIGNED_ROW_START.finditer(text, line.start(), line.end())]
    return cuts


# A row of a space-aligned table an export ran onto one line: it opens on a level cell between column gaps
# ("...5.0 x 35   T5      pedicle screw 5.0 x 35 ...").
_ALIGNED_ROW_START = re.compile(r"\S[ \t]{2,}(?=[CTLS]\d{1,2}(?:-[CTLS]?\d{1,2})?(?:AI)?[ \t]{3,}\S)")


_SEPARATOR_ROW = re.compile(r"\|(?:[ \t]*:?-{3,}:?[ \t]*\|)+")
_NEXT_PIPE = re.compile(r"[ \t]*\|")


def _counted_rows(text: str, start: int, end: int) -> list[int]:
    """Starts of the rows after each separator row of a collapsed pipe table: each row has the separator's
    number of cells, and the next opens at the next pipe."""
    cuts = []
    for separator in _SEPARATOR_ROW.finditer(text, start, end):
        cells, pos = separator.group().count("|") - 1, separator.end()
        cuts.append(separator.start())
        while (opening := _NEXT_PIPE.match(text, pos, end)) is not None:
            row_start = close = opening.end() - 1
            for _ in range(cells):
                close = text.find("|", close + 1, end)
                if close == -1:
                    return cuts
            cuts.append(row_start)
            pos = close + 1
    return cuts


def _wrapped(text: str, runs: list[tuple[int, int, int]]) -> bool:
    """Every break is a blank line, yet most long lines stop mid-sentence: hard-wrapped dictation an
    export double-spaced."""
    starts = [0] + [e for _, e, _ in runs]
    ends = [s for s, _, _ in runs] + [len(text)]
    lines = [text[a:b].rstrip() for a, b in zip(starts, ends)]
    long = [line for line in lines if len(line) >= 40]
    return len(long) >= 3 and sum(not line.endswith((".", ":", ";", "?", "!")) for line in long) > len(long) / 2


def _line_breaks(text: str, breaks: list[tuple[int, int]], cuts: set[int]) -> None:
    """A line break ends a sentence before a list item, after a colon, between bracketed fields ("[Graft: chips]" /
    "[Osteotomy type: Ponte]"), after a field answered "None", before a table row opening on its level cell, after a
    paragraph left without its period, or after a short label or
    list line (a few words) when a capital follows, or after a finished sentence before a field label in any case;
    a hard-wrapped line goes on, and so does the short
    tail of a wrapped line (a line re-wrapped by a narrower export: "...REMOVING THE INFERIOR AND /
    SUPERIOR ARTICULAR / PROCESSES IN THEIR ENTIRETY"), and so does a pipe-table row wrapped before its
    closing pipe."""
    wrapped = False
    for start, end in breaks:
        line = text[text.rfind("\n", 0, start) + 1:start].strip()  # from the last break, a blank line too
        nxt = text[end: end + 40]
        if _row_goes_on(line, text, end) or _bracket_goes_on(line, nxt):
            continue  # a table row or a bracketed field an export wrapped: it goes on on the next line
        if line and (_LIST_ITEM.match(nxt) or line.endswith(":") or _fields_apart(line, nxt) or TABLE_ROW.search(line) or _next_is_row(text, end)
                     or (":" in line and len(line) < SHORT_LINE and next_field(line, nxt))
                     or _label_after_sentence(text, start, line, nxt)
                     or (_LAST_LEVEL_ITEM.search(line) and nxt[:1].isupper()) or _level_rows(line, nxt)
                     or _LEVEL_CELL.match(nxt) or _paragraph_without_period(line, nxt) or (
                not wrapped and len(line) < SHORT_LINE and len(line.split()) <= _LABEL_WORDS and nxt[:1].isupper()
                and not _continues(line, nxt))):
            cuts.add(start)
        wrapped = len(line) >= SHORT_LINE and line[-1] not in ".:;!?" and start not in cuts


_PARAGRAPH_LINE = 250  # longer than any hard-wrap width (some wrap at 150): a line this long is a paragraph of its own


def _paragraph_without_period(line: str, nxt: str) -> bool:
    """A paragraph whose dictation left off its period, before a capitalised line ("...or CSF leak" / "Pedicle
    screws were then placed"): a line longer than any wrap width ends its sentence at the line break."""
    return len(line) > _PARAGRAPH_LINE and nxt[:1].isupper() and not _continues(line, nxt)


def _bracket_goes_on(line: str, nxt: str) -> bool:
    """A bracketed field wrapped inside its brackets ("[Autograft:" / "N/A] [BMP: N/A]")."""
    close = nxt.find("]")
    return line.rfind("[") > line.rfind("]") and close != -1 and "[" not in nxt[:close]


def _label_after_sentence(text: str, start: int, line: str, nxt: str) -> bool:
    """A finished sentence or bracketed value before a field label in lower case ("...with a burr." / "rods: Two
    5.5 mm rods...", "...TLIF L4-5]" / "laterality: [...]"): the label opens a sentence though no capital follows."""
    return line[-1] in ".?!]" and not _is_abbreviation(text, start - 1) and bool(_SHORT_LABEL.match(nxt))


_SHORT_LABEL = re.compile(r"[A-Za-z][A-Za-z/-]*(?:[ \t][A-Za-z/-]+){0,2}(?:\(s\))?[ \t]*:")  # "rods:", "level(s):"


def _row_goes_on(line: str, text: str, end: int) -> bool:
    """Does a table row an export wrapped go on at ``end``? A pipe row cut before its closing pipe ("| L3-4 |
    Ponte | N/A" / "| N/A - NOT PERFORMED |") or cut after a pipe with its last cell alone on the next line
    ("| L3-4 | -- | Interbody device | -- |" / "N/A |"), or a row whose cell goes on in parentheses."""
    line_end = text.find("\n", end)
    nxt = text[end: len(text) if line_end == -1 else line_end].strip()
    if line.startswith("|"):
        return (not line.endswith("|") and nxt.startswith("|")) or (
            bool(nxt) and not nxt.startswith(("|", "+")) and nxt.endswith("|") and nxt.count("|") == 1)
    return bool(TABLE_ROW.search(line)) and nxt.startswith("(")


# A list item that is only a level ("3. T9-10"): the capitalised line after it is a new sentence.
_LEVEL = r"[CTLS]\d{1,2}(?:[-/][CTLS]?\d{1,2})?"
_LEVEL_ITEM = re.compile(rf"(?:[-*•]|\(?\d{{1,2}}[.)])[ \t]*{_LEVEL}[.,;]?")
_LAST_LEVEL_ITEM = re.compile(rf"(?:^|[ \t]){_LEVEL_ITEM.pattern}$")  # "...interspaces: 1. T7-8 2. T8-9 3. T9-10"
# The last item of a run-on list that is only a level, before the next sentence: "3. T9-10 At each interspace".
_LEVEL_THEN_SENTENCE = re.compile(rf"\(?\d{{1,2}}[.)][ \t]+{_LEVEL}[ \t]+(?=[A-Z][a-z]+[ \t])")
_LEVEL_ROW = re.compile(rf"[ \t]*{_LEVEL}(?:AI|ai)?\b(?![-/])")  # "S2AI 8.5x90"
# A table row opening on its level cell ("  L3-4     Left lateral  PEEK cage    11"): a row of its own even after the
# wrapped tail of the row before ("mm x 18 x 50, 6 deg").
_LEVEL_CELL = re.compile(rf"[ \t]*{_LEVEL}(?:AI|ai)?[ \t]{{3,}}(?!(?:and|or|to|through)\b)\S")


def _level_rows(line: str, nxt: str) -> bool:
    """Lines that each open on a level, one per level or group ("L3 - no screws (osteotomy level)" /
    "  L4 7.5x45, L5 7.5x45, S1 7.5x40 bilateral" / "S2AI 8.5x90"): rows of a list, sentences of their own."""
    return bool(_LEVEL_ROW.match(line) and _LEVEL_ROW.match(nxt)) and not _continues(line, nxt)


# A template field answered in the negative ("decompression: None") ends before the next field
# ("osteotomy: Yes"), in any case, so that its "None" negates nothing after it; an indented sub-field
# ("  Levels: T10-11, T11-12") stays with the field above it.
FIELD_LABEL = re.compile(r"[A-Za-z][A-Za-z/ \t-]{1,30}:")
# A templated field giving the levels of the procedure named above it ("Level(s): [L3-4, L4-5]"; its colon may be
# lost, or its value wrapped onto the next line, or set after a comma by a flattened export: "Level(s): , [L3-4]").
PROCEDURE_LEVELS_FIELD = re.compile(
    r"[ \t]*(?:operative[ \t]+|surgical[ \t]+)?levels?[ \t]*(?:\(s\))?[ \t]*(?::[ \t,]*\n?|\n|(?=\[))[ \t,]*\[?[ \t]*[CTLS]\d",
    re.IGNORECASE)
# A templated field naming the interbody levels ("[Interbody level(s): L3-4, L4-5]").
INTERBODY_LEVELS_LABEL = re.compile(r"\binterbody\s+levels?(?:\s*\(s\))?\s*:", re.IGNORECASE)
TABLE_HEADER = re.compile(r"\S[ \t]{2,}\S.*\S[ \t]{2,}\S")  # a line of three cells or more
_SUB_FIELD = re.compile(r"[A-Za-z /-]*\b(?:levels?|sites?|number|type|size|side)\b[A-Za-z /()-]*:", re.IGNORECASE)


def next_field(line: str, nxt: str) -> bool:
    """Does the field on ``line`` end before the field on the next line? Always after a negative answer;
    otherwise unless the next field details this one ("Osteotomy: Yes" / "Osteotomy type: Ponte" /
    "Levels: T10-11, T11-12", its indentation lost in an export)."""
    return bool(FIELD_LABEL.match(nxt)) and (bool(_NEGATIVE_VALUE.search(line)) or not _SUB_FIELD.match(nxt))


_NEGATIVE_VALUE = re.compile(r":[ \t,]*(?:\{[^{}:\n]{0,40}:)?(?:none|no|n/?a|nil|not\s+done|--)\}?[ \t.]*$",
                             re.IGNORECASE)  # "Decompression: None", "Interbody: {INTERBODY:None}"
TABLE_ROW = re.compile(r"\S[ \t]{3,}\S+(?:[ \t]\S+)*[ \t]{3,}\S|\|")  # three columns set apart by runs of spaces, or pipes


_BRACKET_LABEL = re.compile(r"\[[ \t]*([A-Za-z]+)[A-Za-z /()-]*:")
_SIDE_LABEL = re.compile(r"(?:laterality|sides?|position|approach)[ \t]*:", re.IGNORECASE)  # a field of its own


def _fields_apart(line: str, nxt: str) -> bool:
    """Bracketed template fields on consecutive lines ("[Graft: chips]" / "[Osteotomy type: Ponte]"), or a side or
    position field before one ("Laterality: Bilateral (TLIF right)" / "[Level(s) instrumented: T7-L5]", where an export
    lost the blank line between them), are sentences of their own, unless the next details the same item ("[Osteotomy type:
    Ponte]" / "[Osteotomy levels: T6, T7]")."""
    if not line.endswith("]"):  # (not "Osteotomy: Smith-Petersen" / "[Levels: T10-11, T11-12]", its detail)
        return nxt.startswith("[") and bool(_BRACKET_LABEL.match(nxt)) and bool(_SIDE_LABEL.match(line))
    if not nxt.startswith("["):
        return False
    this, following = _BRACKET_LABEL.search(line[line.rfind("["):]), _BRACKET_LABEL.match(nxt)
    if not (this and following):
        return True
    return this.group(1).lower() != following.group(1).lower() and not _SUB_FIELD.match(nxt[1:])


def _next_is_row(text: str, end: int) -> bool:
    """Is the line starting at ``end`` a table row (each row is a sentence of its own)?"""
    line_end = text.find("\n", end)
    return bool(TABLE_ROW.search(text, end, len(text) if line_end == -1 else line_end))


def ends_open(line: str) -> bool:
    """Does ``line`` end on a word that leaves its sentence open ("...LEADS WERE PLACED AND")?"""
    last = _WORDS.findall(line[-20:])
    return bool(last) and last[-1].lower() in _CONTINUATION


def _continues(line: str, nxt: str) -> bool:
    """Does the sentence run on across this line break (see ``_CONTINUATION``)?"""
    if line[-1] in ",-/&(":
        return True
    last = _WORDS.findall(line[-20:])
    first = _WORDS.match(nxt)
    return bool(last and last[-1].lower() in _CONTINUATION) or bool(first and first.group().lower() in _CONTINUATION)


def _on_long_line(text: str, pos: int) -> bool:
    start, end = text.rfind("\n", 0, pos) + 1, text.find("\n", pos)
    return (len(text) if end == -1 else end) - start > _FLAT_PARAGRAPH_LINE


def split_sentences(text: str, headers: list[tuple[int, int]] | None = None,
                    whole: list[tuple[int, int]] = ()) -> list[tuple[int, int]]:
    """Sentence spans ``(start, end)`` over ``text``, trimmed of surrounding whitespace; ``headers`` are
    sentences of their own, and so are the spans of ``whole``, even across a line break ("CAGE" / "None")."""
    cuts: set[int] = {0, len(text)}
    for m in _PUNCT_BREAK.finditer(text):
        if text[m.start() - 1] == "." and _is_abbreviation(text, m.start() - 1):
            continue
        cuts.add(m.end())
    cuts.update(m.start() for m in _FLAT_ITEM.finditer(text))
    cuts.update(m.end() for m in _FLAT_PARAGRAPH.finditer(text)
                if _on_long_line(text, m.start()) and not ends_open(text[max(0, m.start() - 20):m.start()]))
    cuts.update(m.end() for m in _FLAT_ROW.finditer(text))
    items = _inline_list_items(text)
    cuts.difference_update(c for i in items for c in range(i + 2, i + 5))  # not after "2." of an item
    cuts.update(items)
    cuts.update(_inline_bullets(text))
    cuts.update(_collapsed_rows(text))
    cuts.update(m.end() for m in _FLAT_BREAK.finditer(text)
                if not (text[m.start() - 1] == "." and _is_abbreviation(text, m.start() - 1)))
    if "\n" in text:
        lines, paragraphs = _breaks(text)
        cuts.update(start for start, _ in paragraphs)
        _line_breaks(text, lines, cuts)
    for start, end in whole:
        cuts.difference_update(range(start + 1, end))
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
