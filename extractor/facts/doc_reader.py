"""Read a processed spaCy Doc into mentions: the one place where the fact builders meet the pipeline.

It reads ``doc.ents`` (target rules), ``doc.spans["levels"]``, ``doc._.sections``, the sentences and
ConText's graph by attribute only, so this package imports neither spaCy nor medSpaCy.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import replace
from functools import lru_cache
from typing import Any

from ..keys import LEVELS_KEY
from ..levels import Level
from ..model import Cue
from ..resources import load_json
from ..textview import clean, denied_by_next_pattern, graft_not_used_pattern
from .attribution import attribute_levels, loose_levels
from .mentions import PRESENT, LevelSpan, Mention, MentionIndex, Sentence
from .sections import SectionIndex
from .tables import rows_not_placed, worth_reading


class SentenceIndex:
    """The sentence around any character offset (bisect; ``span.sent`` rescans tokens each time)."""

    def __init__(self, spans: list[Sentence]):
        self.spans = spans
        self.starts = [s for s, _ in spans]

    def at(self, offset: int) -> Sentence:
        return self.spans[bisect_right(self.starts, offset) - 1]


def read_doc(doc: Any, text: str, rule_meta: dict[str, dict]) -> tuple[MentionIndex, SectionIndex]:
    """The mentions of a processed Doc (over the same-length view of ``text``) and its sections."""
    sections = SectionIndex(doc._.opnote["sections"])
    sections.brief = _brief_note(text, sections)
    sentences = SentenceIndex([(s.start_char, s.end_char) for s in doc.sents])
    assertions = _assertions(doc, text)
    view = doc._.opnote["text"]  # the same characters as doc.text, without joining every token
    heading_starts = _headings(view, doc._.opnote["headers"])
    mentions: list[Mention] = []
    for ent in doc.ents:
        meta = rule_meta[ent.id_]
        previous = mentions[-1] if mentions else None
        if (previous and ent.label_ == "OSTEOTOMY" == previous.category
                and (meta["type"] in (None, previous.meta["type"]) or _synonym_in_parentheses(previous, meta, view, ent))
                and ent.start_char >= previous.end and _JOINED.fullmatch(view, previous.end, ent.start_char)
                and sentences.at(ent.start_char) == previous.sentence):
            # "posterior wedge resection osteotomy", "decancellation (eggshell) osteotomy", "Smith-Petersen (Schwab
            # grade 2)": one mention, of the type named first
            mentions[-1] = _extend(previous, ent.end_char, text)
            continue
        if (previous and ent.label_ == "OSTEOTOMY" == previous.category and previous.meta["type"] is None
                and meta["type"] is not None and _OPENS_TYPE.fullmatch(view, previous.end, ent.start_char)
                and sentences.at(ent.start_char) == previous.sentence):
            # "Osteotomy (PSO, 30 deg)": the osteotomy the parentheses name
            mentions[-1] = replace(_extend(previous, ent.end_char, text), rule=ent.id_, meta=meta)
            continue
        section, role = sections.at(ent.start_char)
        assertion, cue = assertions.get((ent.start_char, ent.end_char), (PRESENT, None))
        mentions.append(Mention(ent.label_, ent.id_, meta, ent.start_char, ent.end_char,
                                text[ent.start_char:ent.end_char], section, role,
                                sentences.at(ent.start_char), assertion, cue=cue,
                                heading=ent.start_char in heading_starts))
    group = doc.spans[LEVELS_KEY] if LEVELS_KEY in doc.spans else []
    levels = [_level_span(span, info, text) for span, info in zip(group, group.attrs["levels"])] if group else []
    levels = _not_measured(levels, view)
    # Structure (which level belongs to which mention) is read on the view: markup blanked, wraps joined.
    retracted = _retracted_sentences(text, sentences)
    denied = _denied_by_the_next(view, sentences, mentions) | _said_in_error(view, mentions)
    unused = _not_kept(view, sentences, mentions)
    mentions = _not_placed_rows([_qualified(m, view, m.sentence in retracted or (
        m.category == "OSTEOTOMY" and m.sentence in denied) or m.start in unused) for m in mentions], text)
    unowned: list[LevelSpan] = []
    attributed = attribute_levels(mentions, levels, sentences.at, view, unowned)
    return MentionIndex(attributed, loose_levels(mentions, levels, sentences.at, unowned), view), sections


# A level naming where an angle was measured ("Lordosis L1-S1 after correction: 52 degrees", "kyphosis (T3-T12) 88",
# "a fixed kyphosis of twenty-two degrees between C2 and C7"):
# a radiographic parameter, never where work was done.
_MEASURED = re.compile(r"\b(?:lordosis|kyphosis|cobb(?:\s+angle)?)(?P<degrees>[ \t]+of[ \t]+[\w-]+(?:[ \t]+[\w-]+)?[ \t]+degrees?)?"
                       r"[ \t]*(?:\(|\b(?:from|between|across|over)\b)?[ \t]*(?:the[ \t]+)?$", re.IGNORECASE)
# ... and the angle itself right after the level ("L1-S1 after correction: 52 degrees", "T3-T12)      88"), or a few
# cells along a table row when it says degrees (a column title "Kyphosis T5-T12" run onto its first row
# "Preoperative    --    104 deg    88 deg"; not "... removing 6 mm")
_DEGREES_AFTER = re.compile(r"[^.;\n]{0,30}?(?<![A-Za-z])\d{1,3}(?:\.\d)?[ \t]*(?:degrees?|deg\b|°|[ \t]|$)"
                            r"|[^.;\n]{0,60}?(?<![A-Za-z])\d{1,3}(?:\.\d)?[ \t]*(?:degrees?|deg\b|°)", re.IGNORECASE)


def _not_measured(levels: list[LevelSpan], view: str) -> list[LevelSpan]:
    """The levels but those naming where an angle was measured, with the rest of their list ("between C2 and C7")."""
    kept, previous = [], None
    for ls in sorted(levels, key=lambda x: x.start):
        angle = _MEASURED.search(view, max(0, ls.start - 60), ls.start)
        measured = (angle is not None and (angle.group("degrees") is not None or _DEGREES_AFTER.match(view, ls.end))) or (
            previous is not None and _LIST_JOIN.fullmatch(view, previous.end, ls.start) is not None)
        previous = ls if measured else None
        if not measured:
            kept.append(ls)
    return kept


_LIST_JOIN = re.compile(r"[ \t]*(?:,|and|to|through|-)[ \t]*(?:the[ \t]+)?", re.IGNORECASE)


def _headings(view: str, headers: list) -> set[int]:
    """Starts of the headers alone on their line ("OSTEOTOMY" over a block of fields), not of labels
    with their text after them ("Osteotomies: Gr 2 at L1-2 ...")."""
    found = set()
    for start, end, *_ in headers:
        line_end = view.find("\n", end)
        if not view[end:len(view) if line_end == -1 else line_end].strip(" \t:-"):
            found.add(start)
    return found


_BRIEF_TITLE_CHARS = 300  # where a note's title is


def _brief_note(text: str, sections: SectionIndex) -> bool:
    """A brief operative note whose procedure list can be taken as done: titled so or without a narrative
    section, and saying nothing was aborted, deferred or not done (the whole text is read only then)."""
    titles, not_done = _brief_patterns()
    brief = sections.narrative_missing or titles.search(text, 0, _BRIEF_TITLE_CHARS) is not None
    return brief and not_done.search(text) is None


@lru_cache(maxsize=1)
def _brief_patterns() -> tuple[re.Pattern, re.Pattern]:
    config = load_json("sections.json")
    return (re.compile(config["brief_note_titles"], re.IGNORECASE),
            re.compile(config["brief_note_not_done"], re.IGNORECASE))


# Between two words of one osteotomy's name: "posterior wedge resection osteotomy", "decancellation (eggshell)
# osteotomy", "a decancellation, or eggshell, osteotomy".
def _synonym_in_parentheses(previous: Mention, meta: dict, view: str, ent: Any) -> bool:
    """Is the osteotomy in parentheses right after a typed one another name of the same family ("Smith-Petersen
    (Schwab grade 2)", "Ponte (posterior column osteotomy)")?"""
    return (previous.meta["family"] is not None and meta.get("family") == previous.meta["family"]
            and _OPENS_TYPE.fullmatch(view, previous.end, ent.start_char) is not None)


_JOINED = re.compile(r"[ \t-]?(?:\([^()\n]{1,30}\)[ \t]?)?|[ \t]?[()][ \t]?|,?\s+(?:or|OR)\s+[A-Za-z-]{3,20},?\s+")
_OPENS_TYPE = re.compile(r"[ \t]*\([ \t]*(?:[CTLS]\d{1,2}(?:[ \t]*-[ \t]*[CTLS]?\d{1,2})?[ \t]+)?")  # "Osteotomy (L2 PSO)"
# Not where the bone went through or across ("the cut through the deeper bone across the width of the osteotomy").
_GRAFT_SOURCE = re.compile(r"\b(?:bone|graft|autograft|chips|shavings)\b(?:(?!\b(?:across|through|width)\b)[^.;:]){0,60}"
                           r"\b(?:from|during|in|off|of)\b[^.;:]{0,30}$", re.IGNORECASE)


def _said_in_error(view: str, mentions: list[Mention]) -> set[Sentence]:
    """Sentences naming an osteotomy only to say a line is wrong ("The Proc line was copied over from the booking
    line and is wrong, as is the line 'pontes T6-10'": rules/decisions.json, assertions.in_error)."""
    pattern = _in_error()
    return {m.sentence for m in mentions if m.category == "OSTEOTOMY" and pattern.search(view, *m.sentence)}


@lru_cache(maxsize=1)
def _in_error() -> re.Pattern:
    return re.compile(load_json("decisions.json")["assertions"]["in_error"], re.IGNORECASE)


def _retracted_sentences(text: str, sentences: SentenceIndex) -> set[Sentence]:
    """The sentences the next one takes back ("A Ponte osteotomy was then performed at L4-5. Scratch that,
    wrong phrase, the facets were only decorticated": rules/decisions.json, assertions.retraction)."""
    found = set()
    for match in _retraction().finditer(text):
        before = bisect_right(sentences.starts, match.start()) - 1
        while before >= 0 and sentences.spans[before][1] > match.start():
            before -= 1  # the sentence the retraction opens is not the one it takes back
        if before >= 0:
            found.add(sentences.spans[before])
    return found


def _not_placed_rows(mentions: list[Mention], text: str) -> list[Mention]:
    """Devices in an implant table row whose placed column says not placed ("| Interbody device | -- |
    N/A |" under "Implanted") are negated, the cell their cue (see facts.tables)."""
    rows = rows_not_placed(clean(text)) if worth_reading(text) else []
    if not rows:
        return mentions
    out = []
    for m in mentions:
        row = next((r for r in rows if r[0] <= m.start < r[1]), None) if m.category == "INSTRUMENT" else None
        if row and m.assertion == PRESENT:
            m = replace(m, assertion="negated", cue=Cue(text[row[2]:row[3]], row[2], row[3], "NEGATED_EXISTENCE"))
        out.append(m)
    return out


def _denied_by_the_next(view: str, sentences: SentenceIndex, mentions: list[Mention]) -> set[Sentence]:
    """The sentences whose osteotomies the next one denies by pointing back ("We had considered SPOs at L2-3 and
    L3-4. Since lordosis was already 48 degrees they were not done.": rules/decisions.json, assertions.denied_by_next);
    a next sentence naming an osteotomy itself is ConText's to read."""
    named = {m.sentence for m in mentions if m.category == "OSTEOTOMY"}
    if not named:
        return set()
    denial = denied_by_next_pattern()
    found = _denied_by_next_sentence(view, sentences, named, denial)
    last = {}
    for m in mentions:
        if m.category == "OSTEOTOMY":
            last[m.sentence] = max(last.get(m.sentence, 0), m.end)
    for sentence, end in last.items():  # "..., but they proved unnecessary"; "... and decided against them"
        clause = _LATER_CLAUSE.search(view, end, sentence[1])
        if clause and denial.search(view[clause.end():sentence[1]]):
            found.add(sentence)
    return found


def _denied_by_next_sentence(view: str, sentences: SentenceIndex, named: set[Sentence], denial: re.Pattern
                             ) -> set[Sentence]:
    """The sentences of ``named`` right before a sentence, naming none of it, that ``denial`` finds in."""
    found = set()
    for i, (start, end) in enumerate(sentences.spans[1:], 1):
        before = sentences.spans[i - 1]
        if before in named and (start, end) not in named and denial.search(view[start:end]):
            found.add(before)
    return found


def _not_kept(view: str, sentences: SentenceIndex, mentions: list[Mention]) -> set[int]:
    """Starts of the graft and fixation mentions a later clause of their sentence takes back, before the next such
    mention it names ("Allograft chips had been requested, but the bank had none in stock, so only local bone was
    used": the chips, not the local bone; "both S1 screws stripped on insertion; they were removed"), and of all the
    grafts of a sentence the next one denies ("A DBM syringe was opened. It was not used."): rules/decisions.json,
    assertions.graft_not_used, assertions.hardware_taken_out; and all the hardware a later clause keeps as it was: "The
    screws and rods were examined; every screw was tight, so the hardware was left in place", assertions.hardware_kept."""
    found: set[int] = set()
    for category, denial in (("GRAFT", graft_not_used_pattern()), ("INSTRUMENT", _taken_out())):
        named = [m for m in mentions if m.category == category]
        if category == "GRAFT":
            denied = _denied_by_next_sentence(view, sentences, {m.sentence for m in named}, denial)
            found |= {m.start for m in named if m.sentence in denied}
        present: dict[Sentence, list[int]] = {}
        for m in named:
            if m.assertion == PRESENT:
                present.setdefault(m.sentence, []).append(m.start)  # in text order
        for m in named:
            reach = min(m.sentence[1], m.end + _CLAUSE_REACH)
            starts = present.get(m.sentence, [])
            i = bisect_left(starts, m.end)  # the next present mention, without copying the rest of the list
            after = min(reach, starts[i]) if i < len(starts) else reach
            clause = _LATER_CLAUSE.search(view, m.end, reach)
            if clause and (clause.end() <= after and denial.search(view[clause.end():after]) or category == "INSTRUMENT"
                           and _kept().search(view, clause.end(), reach)):  # (a slice: the denial may open with "^")
                found.add(m.start)  # (the hardware as a whole "was left in place": all of it named before)
    return found


_CLAUSE_REACH = 200  # characters after a mention where a clause taking it back is read (a run-on note stays linear)


@lru_cache(maxsize=1)
def _taken_out() -> re.Pattern:
    return re.compile(load_json("decisions.json")["assertions"]["hardware_taken_out"], re.IGNORECASE)


@lru_cache(maxsize=1)
def _kept() -> re.Pattern:
    return re.compile(load_json("decisions.json")["assertions"]["hardware_kept"], re.IGNORECASE)


# (the whitespace run is entered at its start only: a long run of blanks, as a masked view holds, stays linear)
_LATER_CLAUSE = re.compile(r";|,[ \t]+(?:but|and)\b|(?<![ \t,])[ \t]+(?:but|and)\b")


@lru_cache(maxsize=1)
def _retraction() -> re.Pattern:
    words = load_json("decisions.json")["assertions"]["retraction"]
    return re.compile(rf"(?:^|(?<=[.!?])|(?<=\n))[ \t]*(?:{words})", re.IGNORECASE | re.MULTILINE)


def _qualified(m: Mention, view: str, retracted: bool = False) -> Mention:
    """Osteotomies named as a graft source; resected elements the sentence says were not resected
    ("the pedicles and vertebral bodies were left untouched": ConText does not read cue words); the
    mentions of a sentence the next one takes back."""
    if retracted and m.assertion == PRESENT:
        return replace(m, assertion="negated")
    if m.category == "OSTEOTOMY" and _names_graft_source(view, m):
        return replace(m, graft_source=True)
    if m.category == "RESECTION" and _element_negated(view, m):
        return replace(m, assertion="negated")
    if m.assertion == PRESENT and (answer := _answered_none(view, m)):
        return replace(m, assertion="negated", cue=answer)
    return m


# A template field answered none, bracketed or its own sentence: "[Interbody device in osteotomy defect: None]".
_NONE_FIELD = re.compile(r"[ \t]*\[?(?P<label>[^\[\]:\n]{1,80}):[ \t]*\[?(?P<answer>none|no|n/?a|nil|-{2,3}|—)\]?"
                         r"[ \t.]*\]?[ \t]*", re.IGNORECASE)


# An EHR smart list answered no on the item's line: "Ponte osteotomies at T10-11 and T11-12 performed: {YES/NO:No}".
_SMART_LIST_NO = re.compile(r"[ \t]*(?P<label>[^\[\]{}:\n]{1,120}):[ \t]*\{[^{}:\n]{0,40}:[ \t]*"
                            r"(?P<answer>no|none|n/?a)[ \t]*\}", re.IGNORECASE)


def _answered_none(view: str, m: Mention) -> Cue | None:
    """Every word of a field's label is negated by a "None" answer, however long the label (ConText's
    cue reaches three tokens back: "Interbody device in osteotomy defect: None" would keep the device), and
    so is every word of an item a smart list answers "No"."""
    smart = _SMART_LIST_NO.match(view, view.rfind("\n", 0, m.start) + 1)
    if smart and smart.start("label") <= m.start < smart.end("label"):
        return Cue(smart.group("answer"), smart.start("answer"), smart.end("answer"), "NEGATED_EXISTENCE")
    start, end = m.sentence
    left = view.rfind("[", start, m.start)
    if left != -1 and "]" not in view[left:m.start]:
        right = view.find("]", m.end, end)
        start, end = (left, right + 1) if right != -1 else (start, end)
    field = _NONE_FIELD.fullmatch(view, start, end)
    if not field or not field.start("label") <= m.start < field.end("label"):
        return None
    return Cue(field.group("answer"), field.start("answer"), field.end("answer"), "NEGATED_EXISTENCE")


# Structures a surgeon keeps while resecting bone: "both pedicles of D12 removed down to body, D12 roots
# preserved" keeps the roots, not the pedicles.
_KEPT_STRUCTURE = re.compile(r"\b(?:roots?|dura|dural|cord|nerves?|thecal|sac|pleura|vessels?|segmentals?)\b",
                             re.IGNORECASE)


def _element_negated(view: str, m: Mention) -> bool:
    """Does the clause of a resected element say it was not resected, with no kept structure named
    between the element and the negating word?"""
    start, end = _clause(view, m)
    for neg in _element_negation().finditer(view, start, end):
        between = view[m.end:neg.start()] if neg.start() >= m.end else view[neg.end():m.start]
        if not _KEPT_STRUCTURE.search(between):
            return True
    return False


_CLAUSE_BREAK = re.compile(r";|\b(?:which|while|but|whereas)\b|,\s+(?:and|then|leaving|keeping|preserving|protecting)\b"
                           r"|,(?=\s+(?:the\s+|both\s+)?\w+\s+(?:\w+\s+)?(?:left|kept)\s+(?:intact|untouched))",
                           re.IGNORECASE)  # ", pedicles left intact", ", leaving the roots untouched": a phrase of its own


_WHICH = re.compile(r",?\s*which\b", re.IGNORECASE)
_WHICH_NEAR = 40  # a "which" clause this close after an element is about that element


def _clause(view: str, m: Mention) -> tuple[int, int]:
    """The clause of the sentence holding a mention: "the joints were taken away ..., and the resection
    carried to the pedicles, which were left intact; the bodies were not entered" negates the pedicles
    and the bodies, not the joints."""
    start, end = m.sentence
    before = [b.end() for b in _CLAUSE_BREAK.finditer(view, start, m.start)]
    after = _CLAUSE_BREAK.search(view, m.end, end)
    if after and after.start() - m.end <= _WHICH_NEAR and (which := _WHICH.match(view, after.start())):
        after = _CLAUSE_BREAK.search(view, which.end(), end)  # "the pedicles of C7 and T1, which were left intact"
    return (before[-1] if before else start), (after.start() if after else end)


@lru_cache(maxsize=1)
def _element_negation() -> re.Pattern:
    return re.compile(load_json("decisions.json")["osteotomy_typing"]["element_negations"], re.IGNORECASE)


def _names_graft_source(view: str, m: Mention) -> bool:
    """Is this osteotomy named as the place graft bone came from ("the bone removed in the
    osteotomies was laid...", "local bone from the Ponte osteotomies")?"""
    return _GRAFT_SOURCE.search(view, max(m.sentence[0], m.start - 90), m.start) is not None


def _extend(m: Mention, end: int, text: str) -> Mention:
    return replace(m, end=end, text=text[m.start:end])


def _level_span(span: Any, info: dict, text: str) -> LevelSpan:
    return LevelSpan(span.start_char, span.end_char, text[span.start_char:span.end_char],
                     Level(info["kind"], info["start"], info["end"], info["pelvis"]))


@lru_cache(maxsize=1)
def _assertion_table() -> tuple[dict[str, str], dict[str, int]]:
    config = load_json("decisions.json")["assertions"]
    return config["context_categories"], {name: i for i, name in enumerate(config["precedence"])}


def _assertions(doc: Any, text: str) -> dict[tuple[int, int], tuple[str, Cue]]:
    """Assertion and cue of each modified target, read once from ConText's edges (reading the span
    attributes ``is_negated``, ``is_aborted``... costs more); the first of the precedence wins."""
    categories, rank = _assertion_table()
    found: dict[tuple[int, int], tuple[str, Cue]] = {}
    graph = doc._.context_graph
    for target, modifier in graph.edges if graph is not None else ():
        name = categories.get(modifier.category)
        key = (target.start_char, target.end_char)
        if name and (key not in found or rank[name] < rank[found[key][0]]):
            cue = doc[modifier.modifier_span[0]:modifier.modifier_span[1]]
            found[key] = (name, Cue(text[cue.start_char:cue.end_char], cue.start_char, cue.end_char,
                                    modifier.category))
    return found
