"""Osteotomy words that name no cut made today: an earlier operation's osteotomy named as the place of today's work
("rods broken at the L3 PSO level", "accessory rods spanning the L3 PSO", "the L4 PSO closure was inspected"), stage-one
osteotomies found open at stage two, a bone part "osteotomized" (a lamina lifted off in one piece, a rib cut with a rib
cutter) or facets "osteotomized ... for arthrodesis", and type words with another meaning ("PsO", "Dr Pontes").
Read by ``facts.osteotomies`` before a mention is typed; the words are in rules/decisions.json (osteotomy_typing)."""
from __future__ import annotations

import re
from functools import lru_cache

from ..resources import load_json
from .mentions import Mention, MentionIndex
from .resections import resection_verbs


def landmark(m: Mention, index: MentionIndex) -> bool:
    """Is the named osteotomy a place the sentence works at or around ("across the L2 PSO", "just above the L4 PSO",
    "the region of the L3 pedicle subtraction osteotomy", "the L3 PSO site", "the L4 PSO closure")?"""
    return bool(_LANDMARK_AFTER.match(index.text, m.end)
                or LANDMARK_BEFORE.search(index.text, max(m.sentence[0], m.start - 40), m.start))


def part_osteotomized(m: Mention, index: MentionIndex) -> bool:
    """"The T10 lamina was osteotomized ...", "the left 8th rib was osteotomized": how a part was cut away
    (rules/decisions.json, osteotomy_typing.part_osteotomized)."""
    before = (max(m.sentence[0], m.start - 60), m.start)
    return _typing_pattern("part_osteotomized").search(index.text, *before) is not None


def for_the_fusion(m: Mention, index: MentionIndex) -> bool:
    """"The facet joints were osteotomized ... to remove the articular cartilage ... for arthrodesis": bone cut to
    prepare the fusion, not to correct (rules/decisions.json, osteotomy_typing.fusion_purpose)."""
    if not _DECORTICATED_BY.search(index.text, max(m.sentence[0], m.start - 30), m.start) and not (
            m.text.lower().startswith(("osteotomized", "osteotomised"))):
        return False  # the verb ("the facets were osteotomized ... for arthrodesis"), not a named osteotomy
    window = (m.start, min(m.sentence[1], m.end + 150))
    purpose = _typing_pattern("fusion_purpose").search(index.text, *window)
    return "correction" not in index.sentence_values(m.sentence, "PURPOSE", "purpose") and purpose is not None and (
        not _CORRECTING.search(index.text, *window))


_DECORTICATED_BY = re.compile(r"\bdecorticated[ \t]+by[ \t]+(?:an?[ \t]+)?$", re.IGNORECASE)


_CORRECTING = re.compile(r"\b(?:lordosis|kyphosis|correct\w*|realign\w*|mobili[sz]\w*|deformity)\b", re.IGNORECASE)




def cut_today(index: MentionIndex, m: Mention) -> bool:
    """Does the landmark's sentence cut bone or tell an osteotomy done now? Rods and screws broken, cut or removed, and
    graft or tissue removed around the place, are no bone cut ("Rods cut at L4, just below the L3 PSO")."""
    sentence = index.text[m.sentence[0]:m.sentence[1]]
    if _DONE_NOW.search(sentence):
        return True
    return any(not (_NOT_BONE.search(sentence, max(0, v.start() - 80), v.start()) or _NOT_BONE.match(sentence, v.end())
                    or _NO_BONE.search(sentence, max(0, v.start() - 40), v.start()))
               for v in resection_verbs().finditer(sentence))


_DONE_NOW = re.compile(r"\b(?:performed|done|made|created|completed|carried\s+out|(?:new|further|repeat|revision)\s+(?:\w+\s+)?osteotom\w*|again)\b",
                       re.IGNORECASE)
_NO_BONE = re.compile(r"\b(?:no|without)[ \t]+(?:further[ \t]+|additional[ \t]+|more[ \t]+)?bone[ \t]+(?:was[ \t]+|were[ \t]+)?$",
                      re.IGNORECASE)  # "no further bone was removed"
# what a verb of cutting or removing is said of, when it is no bone: the rod broken or cut, the graft or clot removed
_NOT_BONE_NOUNS = (r"rods?|screws?|set[ \t]*screws?|hardware|construct|connectors?|caps?|graft|tissue|debris|clot"
                   r"|h(?:a)?ematoma|fluid|beads?|sponges?|drains?|sutures?")
_NOT_BONE = re.compile(rf"[ \t]*(?:(?:the|both|all|old|broken|fractured|loose|\w+)[ \t]+){{0,2}}?\b(?:{_NOT_BONE_NOUNS})\b"
                       rf"|\b(?:{_NOT_BONE_NOUNS}|portions?)\b[^.;]*$", re.IGNORECASE)


def earlier_at(m: Mention, index: MentionIndex) -> bool:
    """Does the note tell the same type at all of the mention's vertebrae as an earlier operation's?"""
    own = m.vertebrae()
    earlier = {v for x in index.of("OSTEOTOMY") if x.assertion == "historical" and x.meta["type"] == m.meta["type"]
               for v in x.vertebrae()}
    return bool(own) and own <= earlier


def named_elsewhere(m: Mention, index: MentionIndex) -> bool:
    """Does the note name the same type at other vertebrae, in a mention that is no landmark?"""
    own = m.vertebrae()
    return any(x is not m and x.meta["type"] == m.meta["type"] and x.present and x.levels and not own & x.vertebrae()
               for x in index.of("OSTEOTOMY"))


def earlier_or_unlisted(m: Mention, index: MentionIndex) -> bool:
    """Does the note tell an osteotomy of the landmark's family as an earlier operation's, or list none of it among
    today's procedures? (A PSO the procedure list names is today's: "the roots free after PSO closure".)"""
    family = [x for x in index.of("OSTEOTOMY") if x is not m and x.meta.get("family") == m.meta.get("family")]
    return any(x.assertion == "historical" for x in family) or not any(
        x.role == "procedure_list" and x.present for x in family)


_LANDMARK_AFTER = re.compile(r"[ \t]+(?:sites?|levels?|region|area|closure|gap|bed|margins?|defect)\b", re.IGNORECASE)
LANDMARK_BEFORE = re.compile(
    r"\b(?:across|spanning|span|bridging|bypassing|above|below|adjacent[ \t]+to|around|at[ \t]+the[ \t]+level[ \t]+of"
    r"|(?:region|area|level|site)[ \t]+of|(?:nonunion|pseudo?-?arthrosis)\b[^.;\n]{0,24}?\b(?:at|of|through))[ \t]+(?:the[ \t]+)?"
    r"(?:(?:prior|previous|old|healed|earlier)[ \t]+)?(?:[CTLS]\d{1,2}(?:[ \t]*[-/][ \t]*[CTLS]?\d{1,2})?[ \t]+)?$", re.IGNORECASE)


def other_meaning(m: Mention, text: str) -> bool:
    """A type word spelt as another meaning's abbreviation ("PsO") or a person's name after a title ("Dr Pontes")
    (rules/decisions.json, osteotomy_typing.other_meanings and person_before)."""
    typing = load_json("decisions.json")["osteotomy_typing"]
    person = _typing_pattern("person_before").search(text, max(0, m.start - 20), m.start)
    return m.text in typing["other_meanings"] or person is not None


@lru_cache(maxsize=None)
def _typing_pattern(key: str) -> re.Pattern:
    """The regex ``osteotomy_typing.<key>`` of rules/decisions.json, compiled once (case-insensitive)."""
    return re.compile(load_json("decisions.json")["osteotomy_typing"][key], re.IGNORECASE)
