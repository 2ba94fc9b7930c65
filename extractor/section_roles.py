"""Sections of a note and the role each plays as evidence, decided from the header's name and from
the content, on the cleaned (unmasked) text.

Roles (``rules/sections.json``): ``body`` (the operative narrative: the only evidence that codes),
``procedure_list`` (the procedure header list: a cross-check), ``excluded`` (diagnoses, indications,
history, plan, administrative fields: never evidence).

* A **field** header ("Surgeon:", "EBL:", "- Drain: Hemovac", "Neuromonitoring: stable") covers its own
  line when a value follows it, else its lines up to a blank line or a line that ends a sentence (up to a
  blank line for history, consent and attestation fields); the text after it goes back to the section it
  interrupted, so a labelled bullet inside the narrative does not end the narrative. A field that details
  that section ("Laterality:", "Level(s):" under the procedure list) keeps its role.
* An **unknown** header (a label that is not in the vocabulary) gets a role from the words of its name
  ("FINDINGS AND PROCEDURE" is a narrative); without a telling word it continues a narrative it
  interrupts, and otherwise counts as narrative only when its content reads as one.
* A paragraph of an excluded section that reads as an operative narrative (the patient brought to
  the operating room, positioned, prepped, incised, closed) is narrative whatever its header says.
* Without a narrative header, a long procedure section is the narrative.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from .documents import narrative_cues
from .resources import load_json

BODY, PROCEDURE_LIST, EXCLUDED = "body", "procedure_list", "excluded"
UNKNOWN = "unknown"


class SectionSpan(NamedTuple):
    start: int
    end: int
    category: str | None  # None: untitled text (before the first header, or after a field)
    role: str


@dataclass(frozen=True)
class _Config:
    role_of: dict[str, str]
    fields: frozenset[str]
    detail_fields: frozenset[str]
    unknown_keywords: tuple[tuple[re.Pattern, str], ...]
    narrative_min_cues: int
    narrative_min_chars: int
    procedure_narrative_chars: int
    body_titles: re.Pattern
    operative_titles: re.Pattern
    block_not_done: re.Pattern
    terse_position: re.Pattern
    terse_told: tuple[re.Pattern, ...]


@lru_cache(maxsize=1)
def _config() -> _Config:
    data = load_json("sections.json")
    role_of = {cat: role for role, cats in data["roles"].items() for cat in cats if cat is not None}
    content = data["content"]
    return _Config(
        role_of=role_of,
        fields=frozenset(data["field_categories"]),
        detail_fields=frozenset(data["detail_field_categories"]),
        unknown_keywords=tuple((re.compile(rule["words"], re.IGNORECASE), rule["category"])
                               for rule in data["unknown_headers"]),
        narrative_min_cues=content["narrative_min_cues"],
        narrative_min_chars=content["narrative_min_chars"],
        procedure_narrative_chars=load_json("decisions.json")["sections"]["narrative_min_chars"],
        body_titles=re.compile(content["body_titles"], re.IGNORECASE),
        operative_titles=re.compile(content["operative_titles"], re.IGNORECASE),
        block_not_done=re.compile(content["block_not_done"], re.IGNORECASE),
        terse_position=re.compile(content["terse_narrative"]["position"], re.IGNORECASE),
        terse_told=tuple(re.compile(content["terse_narrative"][key], re.IGNORECASE) for key in ("steps", "closure")),
    )


def unknown_category(title: str) -> str:
    """The category an unknown header's words point to, or ``UNKNOWN``."""
    title = title.strip(" \t,:;-")
    for pattern, category in _config().unknown_keywords:
        if pattern.search(title):
            return category
    return UNKNOWN


def reads_as_narrative(text: str) -> bool:
    """Does this text tell an operation being done: enough distinct operative-narrative cues, or a terse
    dictation's position and a step or closure in its short form ("Prone, midline exposure. ... Rods locked.")?"""
    config = _config()
    if len(text) < config.narrative_min_chars:
        return False
    return narrative_cues(text) >= config.narrative_min_cues or bool(
        config.terse_position.search(text) and any(p.search(text) for p in config.terse_told))


_FIELD_LINE_MAX = 200  # a longer "line" after a field header is a note whose line breaks became spaces
_VALUE_END = re.compile(r"[ \t]{2,}(?=\S)|[.!?][ \t]+(?=[A-Z])")


def _field_end(text: str, header_end: int, limit: int, category: str = "") -> int:
    """Where a field header's scope ends: its line when a value follows on it, else the first blank line or
    (but for fields of ``_LONG_FIELDS``) line-ending period. On a line too long to be a field, the value ends
    at a double space or a sentence end."""
    line_end = text.find("\n", header_end, limit)
    line_end = limit if line_end == -1 else line_end
    if text[header_end:line_end].strip(" \t,:;-"):
        value = header_end + len(text[header_end:line_end]) - len(text[header_end:line_end].lstrip(" \t,:;-"))
        if line_end - header_end > _FIELD_LINE_MAX and (end := _VALUE_END.search(text, value, line_end)):
            return end.end()
        return _bracket_closed(text, header_end, _wrapped_value_end(text, line_end, limit), limit)
    end = (_BLANK_LINE if category in _LONG_FIELDS else _FIELD_LINES_END).search(text, header_end, limit)
    return end.end() if end else limit


_WRAPPED_VALUE_LINE = 45  # a shorter line ends its value ("EBL: 200 mL"); a longer one may have been wrapped


def _wrapped_value_end(text: str, line_end: int, limit: int) -> int:
    """A value an export hard-wrapped goes on over the lines that continue its sentence in lower case
    ("ATTESTATION: I was present and scrubbed for the entire" / "procedure, including screw placement ...")."""
    while line_end < limit:
        line = text[text.rfind("\n", 0, line_end) + 1:line_end].rstrip()
        nxt_end = text.find("\n", line_end + 1, limit)
        nxt_end = limit if nxt_end == -1 else nxt_end
        if len(line) < _WRAPPED_VALUE_LINE or line[-1] in ".:;!?" or not text[line_end + 1:nxt_end].lstrip()[:1].islower():
            break
        if (stop := _SENTENCE_END.search(text, line_end + 1, nxt_end)) is not None:
            return stop.end()  # "...monitored throughout and" / "remained stable. Ponte osteotomies were...": its sentence only
        line_end = nxt_end
    return line_end


_SENTENCE_END = re.compile(r"[.!?](?=[ \t]|$)")


def _bracket_closed(text: str, header_end: int, line_end: int, limit: int) -> int:
    """A bracketed value an export wrapped ("Specimens: [Deep tissue cultures x4; loose" / "allograft chips]")
    goes on to the line where its bracket closes (within two more lines)."""
    line = text[header_end:line_end]
    close = text.find("]", line_end, limit) if line.count("[") > line.count("]") else -1
    if close == -1 or text.count("\n", line_end, close) > 2 or "[" in text[line_end:close]:
        return line_end
    end = text.find("\n", close, limit)
    return limit if end == -1 else end


_BLANK_LINE = re.compile(r"(?=\n[ \t]*\n)")
_LONG_FIELDS = frozenset({"history_field", "consent", "attestation"})  # their values run to several sentences


# The lines of a field whose value starts on the next line end at a blank line or at a line that ends a
# sentence ("NEUROMONITORING" / "SSEP AND MEP BASELINES ..., ADEQUATE" / "IN ALL EXTREMITIES." / narrative).
_FIELD_LINES_END = re.compile(r"(?=\n[ \t]*\n)|\.[ \t]*(?=\n)")


def _narrative_procedures(text: str, headers: list) -> set[int]:
    """Without a narrative header, the procedure sections that are the narrative: the longer of two,
    or one long enough (starts of their headers)."""
    if any(h.category == "description" for h in headers):
        return set()
    ends = [h.start for h in headers[1:]] + [len(text)]
    lengths = {h.start: end - h.start for h, end in zip(headers, ends) if h.category == "procedures"}
    minimum = max(lengths.values()) if len(lengths) > 1 else _config().procedure_narrative_chars
    return {start for start, length in lengths.items() if length >= minimum}


def _raw_sections(text: str, headers: list) -> list[SectionSpan]:
    """Header-to-header sections, fields cut to their scope, the rest resuming the interrupted section."""
    narrative = _narrative_procedures(text, headers)
    spans: list[SectionSpan] = []
    resume: SectionSpan = SectionSpan(0, 0, None, BODY)  # untitled text is narrative by default
    first = headers[0].start if headers else len(text)
    if first > 0:
        spans.append(SectionSpan(0, first, None, BODY))
    for i, header in enumerate(headers):
        limit = headers[i + 1].start if i + 1 < len(headers) else len(text)
        if header.category in _config().fields:
            end = _field_end(text, header.end, limit, header.category)
            detail = header.category in _config().detail_fields  # "Level(s): [L3-L5]" under the procedure list
            spans.append(SectionSpan(header.start, end, header.category, resume.role if detail else EXCLUDED))
            if end < limit:
                spans.append(SectionSpan(end, limit, resume.category, resume.role))
            continue
        role = BODY if header.start in narrative else _role(header, text, limit, resume)
        section = SectionSpan(header.start, limit, header.category, role)
        spans.append(section)
        resume = section
    return spans


def _role(header, text: str, limit: int, previous: SectionSpan) -> str:
    """The role of the section of ``header`` (up to ``limit``) that is not a field."""
    config = _config()
    if header.category != UNKNOWN:
        return config.role_of.get(header.category, BODY)
    if _block_not_done(header, text):
        return EXCLUDED  # "OSTEOTOMY" / "Type: Ponte" / "Performed: No", even after the narrative
    if previous.role == BODY and previous.category is not None:
        return BODY  # a label inside the narrative ("Closure:", "Levels:")
    if _block_of_the_operation(header, text, previous):
        return BODY  # "OSTEOTOMY" over the template fields of the one done
    if not text[:header.start].strip() and config.operative_titles.search(text[header.start:header.end].strip(" \t,:;-")):
        return BODY  # the note's own title ("OPERATIVE REPORT"): what follows it is untitled text, the narrative's
    return BODY if reads_as_narrative(text[header.end:limit]) else EXCLUDED


def _block_of_the_operation(header, text: str, previous: SectionSpan) -> bool:
    """Is the header a template block's heading or first field named by ``body_titles`` ("OSTEOTOMY" over its
    fields, "OSTEOTOMY: [SCHWAB GRADE 4]") outside a plan or history? (``_role`` has already set aside a block
    saying it was not done.)"""
    config = _config()
    if not _block_title(header, text):
        return False
    if previous.role == EXCLUDED and previous.category in config.role_of and previous.category not in config.fields:
        return False  # under "PREOPERATIVE PLAN:", "HISTORY:"...
    inside_a_set_aside_block = previous.role == EXCLUDED and config.body_titles.search(
        _first_line(text, previous.start).strip(" \t,:;-"))
    return not inside_a_set_aside_block  # "Osteotomy:" inside an "OSTEOTOMY" block under a plan, or not done


def _block_title(header, text: str) -> bool:
    return _config().body_titles.search(text[header.start:header.end].strip(" \t,:;-")) is not None


def _first_line(text: str, start: int) -> str:
    end = text.find("\n", start)
    return text[start:len(text) if end == -1 else end]


def _block_not_done(header, text: str) -> bool:
    """Is the header a block named by ``body_titles`` whose fields (up to a blank line) say it was not done
    ("Performed: [No - deferred to second stage]", "Osteotomy performed? N")?"""
    if not _block_title(header, text):
        return False
    blank = _BLANK_LINE.search(text, header.end)
    return _config().block_not_done.search(text, header.end, blank.start() if blank else len(text)) is not None


def _narrative_paragraphs(text: str, span: SectionSpan) -> list[SectionSpan]:
    """An excluded section or procedure list split where one of its paragraphs reads as an operative
    narrative (a narrative whose header was lost continues the section before it); a procedure section's first
    paragraph too when its header stands alone on the line above it ("OPERATION" / "He was intubated ...")."""
    out: list[SectionSpan] = []
    start = span.start
    for blank in re.finditer(r"\n[ \t]*\n", text[span.start:span.end]):
        out.append(SectionSpan(start, span.start + blank.end(), span.category, span.role))
        start = span.start + blank.end()
    out.append(SectionSpan(start, span.end, span.category, span.role))
    first = _after_title(text, out[0]) if span.role == PROCEDURE_LIST else ""
    roles, told = [], False
    for i, s in enumerate(out):
        # from a paragraph on that opens the operation, an excluded section's paragraphs that together read as a
        # narrative tell it ("Indication: ..." / "GA, prone, prep ..." / "Midline incision ..." / "Pedicle screws ...")
        told = told or span.role == EXCLUDED and i > 0 and narrative_cues(text[s.start:s.end]) > 0 and (
            reads_as_narrative(text[s.start:span.end]))
        roles.append(s._replace(role=BODY) if told or reads_as_narrative(text[s.start:s.end] if i else first) else s)
    return roles


def _after_title(text: str, span: SectionSpan) -> str:
    """The first paragraph of a section without its header line, when the header stands alone on it ("OPERATION" /
    "He was intubated and placed prone ..."): a narrative under a procedure header; "" otherwise (the list itself)."""
    first = text.find("\n", span.start, span.end)
    if first == -1 or len(text[span.start:first].split()) > _TITLE_WORDS:
        return ""
    return text[first:span.end]


_TITLE_WORDS = 4  # a header alone on its line has a few words; a longer first line is the section's own text


def _fold_subheadings(text: str, headers: list) -> list:
    """An unknown heading straight under a header with nothing between them ("Operation:" / "STAGE A")
    is a subheading of that section, not a section of its own."""
    kept = headers[:1]
    for header in headers[1:]:
        if header.category == UNKNOWN and kept[-1].category != UNKNOWN and not text[kept[-1].end:header.start].strip():
            continue
        kept.append(header)
    return kept


def assign_sections(text: str, headers: list) -> list[SectionSpan]:
    """The sections of ``text`` (cleaned) from its headers (``textview.Header``), each with its role."""
    spans = _raw_sections(text, _fold_subheadings(text, headers))
    return [piece for s in spans for piece in (_narrative_paragraphs(text, s) if s.role in (EXCLUDED, PROCEDURE_LIST)
                                               and s.category not in _config().fields else [s])
            if piece.end > piece.start]
