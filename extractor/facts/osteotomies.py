"""Osteotomy facts: the osteotomies performed, grouped by family and type, with their sites; the
mentions not counted and why; and the note flags for what a coder should check.

Only the operative narrative ("body") yields an osteotomy. The procedure list can supply levels
for an osteotomy the narrative describes, or its type when the narrative only says "the osteotomy".
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import NamedTuple

from ..flags import Flag
from ..levels import Level, interspaces_around, make_level, repeated_at_pattern, vertebra_index
from ..model import DroppedSite, Exclusion, Osteotomy
from ..resources import load_json
from .approach import ApproachTrack
from .attribution import first_list, typing_elements
from .mentions import BODY, LevelSpan, Mention, MentionIndex, Sentence
from .osteotomy_levels import (counted_on, cut_before_the_same, levels_fields, levels_of, levels_told_elsewhere, names_type,
                              repeated_at, told_in_turn)
from .osteotomy_readings import (Typed, TypeKey, denied_for_case, excepted as excepted_sites,
                                 far_from_the_operation, unlevelled_into_listed, untyped_sites_of_the_one_type)
from .no_cut_today import (LANDMARK_BEFORE, cut_today, earlier_at, earlier_or_unlisted, for_the_fusion, landmark,
                           named_elsewhere, other_meaning, part_osteotomized)
from .resections import cuts, unnamed_wedge
from .sites import osteotomy_sites

class _TypingRule(NamedTuple):
    """One row of the typing table; None means 'any'."""

    approach: frozenset[str] | None
    ankylosis: bool | None
    mention_type: str | None
    elements_any: frozenset[str] | None
    elements_all: frozenset[str] | None
    elements_within: frozenset[str] | None
    sentence_kinds: frozenset[str] | None
    note_kinds: frozenset[str] | None
    result: tuple[str | None, str | None, bool]
    own_sentence: bool = False  # read the elements of the mention's own sentence only
    kinds_within: int | None = None  # sentence_kinds only of mentions this near the osteotomy (characters)
    note_kinds_at_site: bool = False  # note_kinds only of mentions at the osteotomy's interspaces (or without levels)


@lru_cache(maxsize=1)
def _typing_rules() -> tuple[_TypingRule, ...]:
    def optional_set(values):
        return frozenset(values) if values is not None else None

    return tuple(_TypingRule(optional_set(r.get("approach")), r.get("ankylosis"), r.get("mention_type"),
                             optional_set(r.get("elements_any")), optional_set(r.get("elements_all")),
                             optional_set(r.get("elements_within")),
                             optional_set(r.get("sentence_kinds")), optional_set(r.get("note_kinds")),
                             (r["result"]["family"], r["result"]["type"], r["result"]["inferred"]) if r["result"]
                             else (None, None, False), r.get("own_sentence", False), r.get("kinds_within_chars"),
                             r.get("note_kinds_at_site", False))
                 for r in load_json("decisions.json")["osteotomy_typing"]["rules"])


@dataclass(frozen=True)
class _Context:
    """What the typing table reads about a whole note."""

    approach: ApproachTrack
    ankylosis: bool
    kinds: frozenset[str]  # kinds of the mentions done, in the narrative or the procedure list
    listed: tuple[tuple[str, str, frozenset[str]], ...]  # (family, type, vertebrae) named in the procedure list
    narrative_named: bool  # the narrative names a type itself: its untyped mentions refer back to it
    first_named: dict[str, int]  # section -> start of its first named, counted osteotomy mention
    narrative_elements: frozenset[str] = frozenset()  # elements the narrative resects, anywhere
    narrative_named_at: frozenset[str] = frozenset()  # sites (level labels) where the narrative names a type

    def listed_type(self, m: Mention) -> tuple[str, str, bool] | None:
        """The type the procedure list names for an untyped narrative mention: at its vertebrae, or
        the only type the list names when the mention gives no level ("PSO at L3" listed, "the
        osteotomy was then performed" told). Not when the narrative names a type of its own there
        ("after the L4 osteotomy and the Ponte releases": Pontes named at T10-L2, the L4 one is the
        listed PSO)."""
        if m.role != BODY or not self.listed:
            return None
        vertebrae = m.vertebrae()
        if self.narrative_named:  # only where the narrative names no type, and wholly within one listed
            if not vertebrae or set(m.level_labels()) & self.narrative_named_at:
                return None
            matches = {(f, t) for f, t, listed in self.listed if vertebrae <= listed}
        else:
            matches = {(f, t) for f, t, listed in self.listed if vertebrae & listed} if vertebrae else \
                {(f, t) for f, t, _ in self.listed}
        if len(matches) == 1:
            family, kind = matches.pop()
            return family, kind, False
        return None

    def at_listed(self, m: Mention, key: TypeKey) -> Mention:
        """The mention with only its levels at the vertebrae the procedure list gives that type: a level
        naming one listed vertebra among others is that vertebra ("the T12 and L1 roots" beside the
        listed L1 PSO keep L1)."""
        listed = {v for f, t, vertebrae in self.listed if (f, t) == key for v in vertebrae}
        levels = []
        for ls in m.levels:
            inside = [v for v in ls.level.vertebrae() if v in listed]
            if len(inside) == len(ls.level.vertebrae()):
                levels.append(ls)
            elif len(inside) == 1:
                levels.append(ls._replace(level=make_level(inside[0])))
        return replace(m, levels=tuple(levels))


def _kinds_near(m: Mention, index: MentionIndex, within: int | None, kinds: set[str]) -> set[str]:
    """The kinds of the sentence's mentions (``kinds``), or of those within ``within`` characters of ``m``."""
    if within is None:
        return kinds
    return {x.kind for x in index.in_sentence(m.sentence) if x.kind and x.start - within <= m.end and m.start - within <= x.end}


def resolve_type(m: Mention, index: MentionIndex, context: _Context, elements: set[str] | None = None
                 ) -> tuple[str | None, str | None, bool]:
    """(family, type, inferred) of an osteotomy mention by the typing table of rules/decisions.json;
    (None, None, False) when it stays untyped. ``elements``: the resected elements to read (default:
    those around the mention)."""
    if m.meta.get("family"):
        return m.meta["family"], m.meta["type"], False
    if (listed := context.listed_type(m)) is not None:
        return listed
    if elements is None:
        elements = elements_near(m, index, context.first_named)
        if m.meta.get("type") == "wedge" and m.role == BODY and not elements & typing_elements():
            elements = set(context.narrative_elements)  # "a closing-wedge resection through L2", told later
    where = context.approach.at(m.start)
    kinds = {x.kind for x in index.in_sentence(m.sentence) if x.kind}
    own = {x.meta["element"] for x in index.in_sentence(m.sentence) if x.category == "RESECTION" and x.present}
    for rule in _typing_rules():
        found = own if rule.own_sentence else elements
        if ((rule.approach is None or where in rule.approach)
                and (rule.ankylosis is None or rule.ankylosis == context.ankylosis)
                and (rule.mention_type is None or rule.mention_type == m.meta.get("type"))
                and (rule.elements_any is None or found & rule.elements_any)
                and (rule.elements_all is None or rule.elements_all <= found)
                and (rule.elements_within is None or found and found <= rule.elements_within)
                and (rule.sentence_kinds is None or _kinds_near(m, index, rule.kinds_within, kinds) & rule.sentence_kinds)
                and (rule.note_kinds is None or context.kinds & rule.note_kinds)
                and (not rule.note_kinds_at_site or _kind_at_site(m, index, rule.note_kinds))):
            return rule.result
    return None, None, False


def _kind_at_site(m: Mention, index: MentionIndex, kinds: frozenset[str]) -> bool:
    """Is a mention of ``kinds`` done at one of the osteotomy's interspaces (a TLIF at L3-4 beside "R L3 IAP
    osteotomized"; not the C4-5 cages of an anterior stage beside posterior C6-7 osteotomies), or, where none of them
    gives a level, any?"""
    done = [x for x in index if x.kind in kinds and x.counted]
    placed = [x for x in done if x.levels]
    sites = _sites(m)
    if not placed or not sites:
        return bool(done)
    return any(sites & _sites(x) for x in placed)


def _sites(m: Mention) -> set[str]:
    """The interspaces a mention's levels name or touch ("L3" -> L2-3, L3-4)."""
    return {s for lv in m.level_values() for s in (lv.interspaces() or interspaces_around(lv.start))}


_OTHER_STEPS = frozenset({"decompression", "discectomy"})  # "Attention was then turned to the stenosis ... laminotomy"


def elements_near(m: Mention, index: MentionIndex, first_named: dict[str, int]) -> set[str]:
    """Elements resected in the sentence of an untyped osteotomy mention and in the sentences around
    it that go on describing it ("Osteotomies were performed at two levels. At L1-2 and L2-3 the
    spinous processes..."): within the window (characters) before and after, in the same section,
    stopping at a sentence that names an osteotomy of its own (a bare shape, "as a V-shaped resection",
    is not one) or a decompression or discectomy (another step). After a named osteotomy of the same
    section (``first_named``: see ``first_named_starts``), only its own sentence counts: "the osteotomy
    was closed" goes on about that one. The text view's triage keeps those sentences (textview._triage)."""
    own = {x.meta["element"] for x in index.in_sentence(m.sentence) if x.category == "RESECTION" and x.present}
    if first_named.get(m.section, m.start) < m.start:
        return own
    window = load_json("decisions.json")["osteotomy_typing"]["window"]
    lo, hi = m.sentence[0] - window["before_chars"], m.sentence[1] + window["after_chars"]
    elements = own
    for sentence in index.sentences_near(lo, hi):
        if sentence == m.sentence:
            continue
        mentions = index.in_sentence(sentence)
        if any(x.category == "OSTEOTOMY" and x.meta.get("type") != "wedge_shape" for x in mentions) or any(
                x.section != m.section or x.kind in _OTHER_STEPS for x in mentions):
            if sentence > m.sentence:
                break
            continue
        if cuts(index, sentence):  # "the muscle was stripped back from the laminae as far as the facets": exposure
            elements |= {x.meta["element"] for x in mentions if x.category == "RESECTION" and x.present}
    return elements


def first_named_starts(index: MentionIndex) -> dict[str, int]:
    """Section -> start of the first named (typed), counted osteotomy mention of the section."""
    first: dict[str, int] = {}
    for x in index.of("OSTEOTOMY"):
        if names_type(x) and x.counted:
            first[x.section] = min(first.get(x.section, x.start), x.start)
    return first


def release_mentions(index: MentionIndex) -> list[Mention]:
    """Posterior releases coded as posterior osteotomies (SRS reading): complete facetectomies with
    ligamentum flavum resection done to gain correction, said in one sentence, or a "release" (or complete
    facetectomies away from any cage) whose purpose, elements and levels the next sentences give ("attention
    was turned to the posterior releases. Their purpose was to mobilize the kyphosis ... At C4-5 and C5-6 the
    facet joints were resected completely and the ligamentum flavum taken out")."""
    config = load_json("decisions.json")["posterior_release"]
    found = []
    for m in index.of("NON_OSTEOTOMY"):
        if m.kind not in config["kinds"] or not m.present or _PARTIAL.match(m.text):
            continue  # "medial facetectomies" decompress: a release takes the whole joint
        told = _release_told(m, index, config, [m.sentence])
        if told is None and m.kind in config["next_sentence_kinds"] and not _access_for_a_cage(m, index, config):
            told = _release_told(m, index, config, [m.sentence] + _told_after(m, index, config))
        if told is not None:
            later = [span._replace(sentence=s) for s in told[1:] for span in _release_levels(index, s, config)]
            found.append(replace(m, levels=m.levels or tuple(later)))
    return found + _unnamed_releases(index, config, {m.sentence for m in found}) + _narrative_of_listed(index, found)


def _narrative_of_listed(index: MentionIndex, found: list[Mention]) -> list[Mention]:
    """The narrative's release told without levels or elements ("The apical releases mobilised the stiff curve") when
    the procedure list tells the releases in full ("[Posterior release: T10-11 and T11-12 - complete bilateral
    facetectomies with resection of ligamentum flavum, for correction]"): done, at the listed levels."""
    listed = tuple(span for m in found if m.role == "procedure_list" for span in m.levels)
    told = [m for m in index.of("NON_OSTEOTOMY") if m.kind == "release" and m.counted and m.role == BODY
            and not m.levels and m not in found]
    return [replace(told[0], levels=listed)] if listed and told else []


_PARTIAL = re.compile(r"(?:medial|partial|hemi|foraminal)\b", re.IGNORECASE)


def _release_told(m: Mention, index: MentionIndex, config: dict, told: list[Sentence]) -> list[Sentence] | None:
    """The sentences if together they tell a release: correction their only purpose, its elements resected."""
    if {p for s in told for p in index.sentence_values(s, "PURPOSE", "purpose")} != set(config["purposes"]):
        return None
    elements = {e for s in told for e in _release_elements(index, s, config)}
    return told if set(config["required_elements"][m.kind]) <= elements else None


def _release_levels(index: MentionIndex, sentence: Sentence, config: dict) -> tuple:
    """Where a sentence going on about a release resects: its loose levels, or those its facetectomy took
    ("At L3-4 and L4-5 the spinous process bases were resected ... and complete facetectomies carried out")."""
    return index.loose_levels.get(sentence) or tuple(
        span for x in index.in_sentence(sentence) if x.category == "NON_OSTEOTOMY"
        and x.kind in config["next_sentence_kind_elements"] and x.present for span in x.levels)


def _access_for_a_cage(m: Mention, index: MentionIndex, config: dict) -> bool:
    """Is a facetectomy at an interspace the note fills with a cage or fuses through the disc (a TLIF's
    access), or in a note placing a cage it gives no level?"""
    labels = set(m.level_labels())
    return m.kind != "release" and any(
        x.kind in config["unnamed_skip_note_kinds"] and x.present and (not x.levels or set(x.level_labels()) & labels)
        for x in index)


def _unnamed_releases(index: MentionIndex, config: dict, done: set[Sentence]) -> list[Mention]:
    """A release told without the word, by what was cut and why, in one narrative sentence: "To mobilize
    the kyphosis, the C5-6 and C6-7 facet joints were resected completely ... together with the
    ligamentum flavum" (the elements of a release, correction the only purpose, levels no mention took)."""
    if any(m.kind in config["unnamed_skip_note_kinds"] and m.present and m.role in (BODY, "procedure_list")
           for m in index):
        return []  # "the L4-5 facet joints were resected to mobilize the segment" for a TLIF cage
    found = []
    for sentence, spans in index.loose_levels.items():
        facets = [m for m in index.in_sentence(sentence) if m.category == "RESECTION" and m.counted
                  and m.meta["element"] == "facet"]
        if sentence in done or not facets or not cuts(index, sentence):
            continue
        if index.sentence_values(sentence, "PURPOSE", "purpose") != set(config["purposes"]):
            continue
        if set(config["required_elements"]["release"]) <= _release_elements(index, sentence, config):
            found.append(replace(facets[0], category="NON_OSTEOTOMY", rule="osteo.unnamed_release",
                                 meta={"kind": "release"}, levels=spans))
    return found


def _told_after(m: Mention, index: MentionIndex, config: dict) -> list[Sentence]:
    """The sentences right after a release that go on describing it: each starts close to the one before
    and names no other procedure."""
    told, last = [], m.sentence
    for _ in range(config["next_sentences"]):
        nxt = index.next_sentence(last)
        if not nxt or nxt[0] - last[1] >= config["next_sentence_max_gap"] or any(
                x.category in ("OSTEOTOMY", "INSTRUMENT", "FUSION", "GRAFT") for x in index.in_sentence(nxt)):
            break
        told.append(nxt)
        last = nxt
    return told


def _release_elements(index: MentionIndex, sentence: Sentence, config: dict) -> set[str]:
    """The elements a sentence resects (not those it says were left: "only the inferior articular processes were
    excised; the ligamentum flavum ... left intact" is no release)."""
    kind_elements = config["next_sentence_kind_elements"]
    return {m.meta["element"] for m in index.in_sentence(sentence) if m.category == "RESECTION" and m.present} | {
        kind_elements[x.kind] for x in index.in_sentence(sentence) if x.category == "NON_OSTEOTOMY"
        and x.kind in kind_elements}


_DONE_HERE = re.compile(r"\b(?:performed|done|made|carried\s+out|new|further|again|repeat\w*)\b", re.IGNORECASE)


def _done_here(index: MentionIndex, m: Mention) -> bool:
    """Does the sentence tell an osteotomy made now ("a new osteotomy was performed at L3 ... resecting")
    rather than the old one it names ("At the L3 osteotomy there was a cleft")?"""
    return cuts(index, m.sentence) or _DONE_HERE.search(index.text, *m.sentence) is not None


_THE = re.compile(r"\bthe[ \t]+(?:[\w]+(?:-|[ \t]+))?$", re.IGNORECASE)  # "the PSO", "the hemi-PSO"


def _refers_back(m: Mention, index: MentionIndex, cut_at: set[str]) -> bool:
    """Does a three-column osteotomy named with "the" and told without a cut refer back to the one the note
    cut elsewhere ("The hemi-PSO component closed the right side ..., tilting L2", the PSO resected at L3), its
    levels being those of the correction it describes? Not when a level is its own ("The L1 PSO was completed",
    "the second PSO, at L1")."""
    vertebrae = m.vertebrae()
    own = any(0 <= m.start - span.end <= 3 or 0 <= span.start - m.end <= 6 for span in m.levels)
    return (bool(vertebrae) and bool(cut_at) and not vertebrae & cut_at and not own and not _done_here(index, m)
            and _THE.search(index.text, max(0, m.start - 20), m.start) is not None)


def _note_context(index: MentionIndex, approach: ApproachTrack) -> _Context:
    """What the typing table reads about the whole note, read once."""
    listed = tuple((m.meta["family"], m.meta["type"], frozenset(m.vertebrae()))
                   for m in index.of("OSTEOTOMY") if m.meta.get("family") and m.present and m.role == "procedure_list")
    return _Context(approach, any(m.category == "ANKYLOSIS" and m.assertion != "negated" for m in index),
                    frozenset(m.kind for m in index if m.kind and m.present and m.role in (BODY, "procedure_list")),
                    listed,
                    any(m.meta.get("family") for m in index.of("OSTEOTOMY") if m.counted),
                    first_named_starts(index),
                    frozenset(m.meta["element"] for m in index.of("RESECTION") if m.counted and cuts(index, m.sentence)),
                    frozenset(lv.label for m in index.of("OSTEOTOMY") if m.meta.get("family") and m.counted
                              for lv in m.level_values()))


_SITE = re.compile(r"\bsites?$", re.IGNORECASE)
_PLACE_AFTER = re.compile(r"[ \t]+(?:vertebra|vertebrae|levels?|sites?|segments?)\b", re.IGNORECASE)


_NOT_SEPARATE = re.compile(r"\b(?:separate|distinct|independent)[ \t]+(?:[a-z-]+[ \t]+)?$", re.IGNORECASE)


_GRADE_ROW_RULE = "osteo.grade2_row"
_LEVEL_BEFORE = re.compile(r"\b[CTLS]\d{1,2}(?:[ \t]*[-/][ \t]*[CTLS]?\d{1,2})?[ \t]+$")


def _touches(m: Mention, vertebrae: set[str]) -> bool:
    """Do the mention's levels share a vertebra with ``vertebrae``?"""
    return any(set(lv.vertebrae()) & vertebrae for lv in m.level_values())


def _place_noun(m: Mention, index: MentionIndex) -> bool:
    """Does the untyped mention name a place by its own noun ("osteotomy sites", "the osteotomy segments")?"""
    return bool(_SITE.search(m.text) or _PLACE_AFTER.match(index.text, m.end))


def _names_a_place(m: Mention, index: MentionIndex) -> bool:
    """Is the untyped mention the name of a place ("at the L2-3 osteotomy site the clot was cleared", "marking
    the osteotomy vertebra with a clamp"), in a sentence that resects nothing to correct ("at the T12-L1 osteotomy
    sites the facets were resected to allow correction" tells the osteotomies)?"""
    if not _place_noun(m, index):
        return False
    if not _PLACE_BEFORE.search(index.text, max(m.sentence[0], m.start - 30), m.start):
        return False  # "osteotomy sites were created at T12-L1 and L1-2"
    return "correction" not in index.sentence_values(m.sentence, "PURPOSE", "purpose")


# "at/into/of/over the [L2-3] osteotomy site", "marking the osteotomy vertebra"
_PLACE_BEFORE = re.compile(r"\b(?:at|into|of|over|around|across|near|through|to|marking|identifying|localizing)[ \t]+"
                           r"(?:the[ \t]+)?(?:[CTLS]\d{1,2}(?:[-/][CTLS]?\d{1,2})?(?:[ \t]+and[ \t]+[CTLS]\d{1,2}"
                           r"(?:[-/][CTLS]?\d{1,2})?)?[ \t]+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class _Seen:
    """What the note's osteotomy mentions say as a whole, read once before each one is typed."""

    named: set[str]  # vertebrae of the named types done here
    type_named: bool
    earlier: set[str]  # vertebrae of historical osteotomies only
    named_three_column: set[str]
    fields: tuple[Mention, ...]  # a template's "Osteotomy level(s):" fields (levels_fields)
    field_levels: tuple
    cut_at: set[str]  # vertebrae where the narrative cut bone for an osteotomy
    repeated: dict


def _seen(index: MentionIndex) -> _Seen:
    mentions = index.of("OSTEOTOMY")
    named = {v for m in mentions if names_type(m) and m.counted for lv in m.level_values() for v in lv.vertebrae()}
    fields = levels_fields(index)
    return _Seen(
        named=named, type_named=any(m.meta.get("family") and m.present for m in mentions),
        earlier={v for m in mentions if m.assertion == "historical" for lv in m.level_values() for v in lv.vertebrae()} - named,
        named_three_column={v for m in mentions if m.meta.get("family") == "three_column" and m.counted
                            for lv in m.level_values() for v in lv.vertebrae()},
        fields=fields, field_levels=tuple(span._replace(sentence=f.sentence) for f in fields for span in f.levels),
        cut_at={v for m in mentions if m.counted and m.levels and _done_here(index, m)
                for lv in m.level_values() for v in lv.vertebrae()},
        repeated=_joined(repeated_at(index), told_in_turn(index), counted_on(index)))


def _joined(*by_mention: dict[int, tuple]) -> dict[int, tuple]:
    joined: dict[int, tuple] = defaultdict(tuple)
    for added in by_mention:
        for key, spans in added.items():
            joined[key] += spans
    return joined


def classify(index: MentionIndex, approach: ApproachTrack) -> tuple[dict[TypeKey, list[Typed]], list[Mention]]:
    """Typed osteotomy mentions by (family, type), in order of first appearance, and the untyped ones."""
    context = _note_context(index, approach)
    seen = _seen(index)
    typed: dict[TypeKey, list[Typed]] = defaultdict(list)
    generic: list[Mention] = []
    for m in index.of("OSTEOTOMY"):
        if m.rule == _GRADE_ROW_RULE and not _LEVEL_BEFORE.search(index.text, max(0, m.start - 12), m.start):
            continue  # "Spondylolisthesis grade 2: L5 on S1" is no osteotomy row ("L2-3 Gr 2: b/l SAP + IAP out")
        if _spinous_process_osteotomy(m, index.text):
            continue  # "1. L4 SPO (reattached)": the spinous process cut for the exposure and put back
        if other_meaning(m, index.text):
            continue  # "an active PsO plaque over the L3-4 incision": psoriasis; "Dr Pontes": a registrar
        result = _classify_one(m, index, context, seen)
        if isinstance(result, Mention):
            generic.append(result)
        else:
            for key, item in result:
                typed[key].append(item)
    for m in release_mentions(index):
        typed[("posterior", "posterior_release")].append(Typed(m, True))
    for (family, kind), m in listed_resections(index, context) or unlevelled_listed_resection(index, context):
        typed[(family, kind)].append(Typed(m, True))
    if (seed := unnamed_wedge(index, context.ankylosis)) is not None:
        typed[("posterior", "posterior_wedge")].append(Typed(seed, True))
    return _placed_by_its_resections(typed, index, context), generic


def _spinous_process_osteotomy(m: Mention, text: str) -> bool:
    """"SPO" in a note that puts a cut spinous process back ("L4 SP put back on its base") names that exposure cut,
    not a Smith-Petersen osteotomy (rules/decisions.json, osteotomy_typing.spinous_process_osteotomy)."""
    rule = load_json("decisions.json")["osteotomy_typing"]["spinous_process_osteotomy"]
    return m.text.strip().lower() in rule["abbreviations"] and re.search(rule["reattached"], text, re.IGNORECASE) is not None


def _classify_one(m: Mention, index: MentionIndex, context: _Context, seen: _Seen) -> Mention | list[tuple[TypeKey, Typed]]:
    """One osteotomy mention: set aside untyped (a Mention), or typed under its (family, type) keys."""
    # "The same resection was then completed at C7-T1"; "At C4-5 the fusion mass was cut ... At C5-6 the same osteotomy"
    again = seen.repeated.get(id(m), ()) + cut_before_the_same(m, index)
    if any(m is f for f in seen.fields):
        return m  # its levels are the sites of the type the template ticks
    if seen.fields and names_type(m) and m.present and not m.levels and not again:
        m = replace(m, levels=seen.field_levels)
    if (aside := _no_site_of_its_own(m, index, context)) is not None:
        return aside
    placed = levels_told_elsewhere(m, index)  # unchanged when its own words give levels
    if again:  # the levels told for it, then those of the sentence that repeats it
        m, placed = replace(m, levels=m.levels + again), replace(placed, levels=placed.levels + again)
    if (aside := _told_before(m, placed, index, seen)) is not None:
        return aside
    if m.meta["type"] == "wedge_shape" and seen.type_named:
        listed = context.listed_type(m) if m.levels else None
        if listed is None:
            return m  # "the wedge was extended cephalad" describes the PSO the note names
        return [(listed[:2], Typed(context.at_listed(m, listed[:2]), False))]  # "... at L1 ... the wedge": the listed PSO
    return _typed(placed, index, context, seen)


def _no_site_of_its_own(m: Mention, index: MentionIndex, context: _Context) -> Mention | None:
    """The mention as an untyped one when it says no osteotomy was done where it stands, else None."""
    if m.graft_source or (m.meta["type"] is None and (part_osteotomized(m, index) or for_the_fusion(m, index))):
        return replace(m, levels=())  # where graft bone came from, or how a lamina or a rib was cut: no site of its own
    if m.meta["type"] is None and (m.heading or _names_a_place(m, index) and not context.listed) and m.present:
        # "OSTEOTOMY" over template fields: a label; "at the L2-3 osteotomy site the clot was cleared", in a
        # note whose procedure list names no osteotomy: a place. Neither says an osteotomy was done (a type
        # told elsewhere may take their levels).
        return m
    if m.meta["type"] is not None and m.present and landmark(m, index) and not cut_today(index, m) and (
            earlier_or_unlisted(m, index)):
        # "the rods had broken at the L3 PSO level", "accessory rods spanning the L3 pedicle subtraction osteotomy",
        # "the L4 PSO closure was inspected": an osteotomy that is there, named as a place, cut by no one today
        return replace(m, levels=())
    if m.meta["type"] is not None and m.present and m.levels and earlier_at(m, index) and not cut_today(index, m):
        # stage 2: "The Ponte osteotomies at T7-8, T8-9 and T9-10 (made at stage 1, five days ago) were inspected and
        # remained open; no further bone was removed"
        return replace(m, assertion="historical")
    if m.meta["family"] == "three_column" and m.levels and LANDMARK_BEFORE.search(
            index.text, max(m.sentence[0], m.start - 40), m.start) and named_elsewhere(m, index):
        # "the Ponte osteotomies were made above the PSO at L1/2 and below the PSO at L4/5": the levels are the
        # Pontes'; the PSO is the one the note names at L3
        return replace(m, levels=())
    if m.meta["type"] is None and m.assertion == "negated" and (_place_noun(m, index) or _NOT_SEPARATE.search(
            index.text, max(m.sentence[0], m.start - 30), m.start)):
        # "No fixation was placed at C5, C6 or C7, the osteotomy segments": said of the place; "the L1-2 and
        # L2-3 facets came away with the L2 resection; these were not separate osteotomies": part of the one done
        return m
    return None


def _told_before(m: Mention, placed: Mention, index: MentionIndex, seen: _Seen) -> Mention | None:
    """An untyped mention that refers back to an osteotomy the note names, or to one of an earlier operation."""
    if m.meta["type"] is None and seen.named and all(set(lv.vertebrae()) & seen.named for lv in m.level_values()) and (
            not placed.levels or m.levels):
        return m  # "the C7 osteotomy was closed" refers back to the named C7 PSO
    if m.meta["type"] is None and m.present and m.levels and not _done_here(index, m) and all(
            set(lv.vertebrae()) <= seen.earlier for lv in m.level_values()):
        return replace(m, assertion="historical")  # "At the L3 osteotomy" of the 2021 operation
    return None


def _typed(m: Mention, index: MentionIndex, context: _Context, seen: _Seen) -> Mention | list[tuple[TypeKey, Typed]]:
    """The mention under the type it names or that its resection tells, or untyped."""
    family, kind, inferred = resolve_type(m, index, context)
    if family == "three_column" and inferred and _touches(m, seen.named_three_column):
        return m  # "wedge resection of the L3 body ... through the L2-3 disc space": the named L3 PSO
    if not family:
        return m
    if family == "posterior":
        m = _between(replace(m, count=_stated_count(m, index.text)), index.text)
    if family == "three_column" and _refers_back(m, index, seen.cut_at):
        m = replace(m, levels=())  # "The hemi-PSO component closed the right side more, tilting L2 and L4"
    typed = [((family, kind), Typed(m, inferred))]
    if (excepted := excepted_sites(m, index.text)) is not None:
        typed.append(((family, kind), Typed(excepted, inferred)))
    return typed


def listed_resections(index: MentionIndex, context: _Context) -> list[tuple[TypeKey, Mention]]:
    """Resections a narrative that never says "osteotomy" describes at a level where the procedure list
    names one (rules/decisions.json, listed_resection): the elements resected at the listed vertebrae,
    read across the narrative's sentences ("The T8 spinous process, laminae and facets were removed ...
    Both T8 pedicles were taken down ... the cancellous bone of the T8 body was removed")."""
    config = load_json("decisions.json")["listed_resection"]
    if any(m.counted for m in index.of("OSTEOTOMY")) or index.narrative_not_done("OSTEOTOMY"):
        return []
    found = []
    for family, kind, vertebrae in context.listed:
        needs = config["families"].get(family)
        if needs and context.kinds & set(needs["skip_note_kinds"]):
            continue
        at, resected = _resected_at(index, vertebrae) if needs else ((), [])
        if at and _meets(needs, {m.meta["element"] for m in resected}):
            found.append(_as_listed(family, kind, resected[0], at))
    return found


def _placed_by_its_resections(typed: dict[TypeKey, list[Typed]], index: MentionIndex, context: _Context
                              ) -> dict[TypeKey, list[Typed]]:
    """The one type a note names, nowhere with a level ("anterior osteotomies at two levels through the bony fusion"),
    whose resection the narrative tells at its levels without the word ("At L3-4 we ... cut through the bony bridge with
    a broad osteotome ... We did exactly the same at L4-5"): those levels are its sites (read from the resection:
    flagged as inferred). Posterior sites are read by ``untyped_sites_of_the_one_type``."""
    needs = load_json("decisions.json")["listed_resection"]["families"]
    if len(typed) != 1:
        return typed
    (key, items), = typed.items()
    named = [t.mention for t in items if t.mention.present and not t.inferred and t.mention.role in (BODY, "procedure_list")]
    if key[0] not in needs or key[0] == "posterior" or not named or any(t.mention.levels for t in items) or (
            context.kinds & set(needs[key[0]]["skip_note_kinds"])):
        return typed
    spans = _resection_places(index, needs[key[0]])
    return {key: items + [Typed(replace(named[0], levels=spans, role=BODY), True)]} if spans else typed


def _resection_places(index: MentionIndex, needs: dict) -> tuple:
    """The levels of the narrative sentences that name no osteotomy and resect a family's elements there, and of the
    sentences right after one of them that say the same was done elsewhere (``repeated_at``)."""
    within = load_json("decisions.json")["levels"]["repeated_within_chars"]
    spans, last = (), None
    for sentence in index.told_sentences:
        mentions = index.in_sentence(sentence)
        if any(m.category == "OSTEOTOMY" for m in mentions):
            continue
        elements = {m.meta["element"] for m in mentions if m.category == "RESECTION" and m.counted}
        levels = first_list(index.text, levels_of(index, sentence))
        if levels and _meets(needs, elements) and cuts(index, sentence):
            spans, last = spans + tuple(s._replace(sentence=sentence) for s in levels), sentence
        elif last and levels and sentence[0] - last[1] <= within and repeated_at_pattern().search(index.text, *sentence):
            spans, last = spans + tuple(s._replace(sentence=sentence) for s in levels), sentence
    return spans


def _meets(needs: dict, elements: set[str]) -> bool:
    """Do the resected elements make the family's osteotomy (listed_resection.families)?"""
    return set(needs["elements_all"]) <= elements and bool(elements & set(needs["elements_any"]))


def _as_listed(family: str, kind: str, resection: Mention, levels: tuple) -> tuple[TypeKey, Mention]:
    """The resection told as the osteotomy the procedure list names, at ``levels``."""
    return (family, kind), replace(resection, category="OSTEOTOMY", rule="osteo.listed_resection",
                                   meta={"family": family, "type": kind}, levels=levels)


_NOT_DONE = re.compile(r"\b(?:abandon\w*|planned|deferred|not|never|instead|would)\b", re.IGNORECASE)


def _resected_at(index: MentionIndex, vertebrae: frozenset[str]) -> tuple[tuple, list[Mention]]:
    """The levels at ``vertebrae`` of the narrative sentences that resect something and name no osteotomy
    (levels no mention owns, or owned by a tool or decompression word), and the resections of those
    sentences and of the few after one of them that name no level (they go on with the same bone)."""
    follow = load_json("decisions.json")["listed_resection"]["follow_sentences"]
    at: list = []
    resected: list[Mention] = []
    left = 0  # sentences after a levelled resection that still describe it
    for sentence in index.sentences:
        mentions = index.in_sentence(sentence)
        levels = list(index.loose_levels.get(sentence, ())) + [
            ls for m in mentions if m.category == "NON_OSTEOTOMY" for ls in m.levels]
        here = [ls for ls in levels if set(ls.level.vertebrae()) <= vertebrae]
        cut = [m for m in mentions if m.category == "RESECTION" and m.counted]
        if not cut or any(m.category == "OSTEOTOMY" for m in mentions) or not cuts(index, sentence):
            left = 0 if levels and not here else max(left - 1, 0)
            continue
        if here:
            at += here
            resected += cut
            left = follow
        elif not levels and left and all(x.present for x in mentions) and not _NOT_DONE.search(index.text, *sentence):
            resected += cut  # (not "the planned resection of the vertebral body was abandoned")
            left -= 1
        else:
            left = 0
    return tuple(at), resected


def unlevelled_listed_resection(index: MentionIndex, context: _Context) -> list[tuple[TypeKey, Mention]]:
    """The procedure list names one osteotomy at its levels ("Posterior wedge resection of the posterior
    elements at L4-5") and a narrative that names no osteotomy and gives no level in its resection
    sentences describes the resection ("the spinous processes, laminar margins, ligamentum flavum and
    both facets were taken as a wedge, the pedicles left intact"): the resection is the listed
    osteotomy at the listed levels, typed by the elements the narrative resects (inferred: flagged)."""
    config = load_json("decisions.json")["listed_resection"]
    if any(m.role == BODY for m in index.of("OSTEOTOMY")):
        return []
    listed = [m for m in index.of("OSTEOTOMY") if m.role == "procedure_list" and m.present]
    resected = [m for m in index.of("RESECTION") if m.counted and m.sentence not in index.loose_levels
                and not any(x.levels for x in index.in_sentence(m.sentence)) and cuts(index, m.sentence)]
    if len(listed) != 1 or not listed[0].levels or not resected:
        return []
    elements = {m.meta["element"] for m in resected}
    family, kind, _ = resolve_type(listed[0], index, context, elements)
    needs = config["families"].get(family)
    if not needs or context.kinds & set(needs["skip_note_kinds"]) or not _meets(needs, elements):
        return []
    return [_as_listed(family, kind, resected[0], listed[0].levels)]


def exclusions(typed: dict[TypeKey, list[Typed]], generic: list[Mention]) -> list[Exclusion]:
    """Osteotomy mentions not counted: typed ones outside the narrative or not done, untyped not done."""
    out = [_exclusion(family, kind, t.mention) for (family, kind), items in typed.items() for t in items
           if not t.mention.counted]
    return out + [_exclusion(None, None, m) for m in generic if not m.present]


def _exclusion(family: str | None, kind: str | None, m: Mention) -> Exclusion:
    return Exclusion(m.assertion, m.role, m.level_labels(), (m.evidence(),), m.cue, family=family, type=kind)


def build_osteotomies(index: MentionIndex, approach: ApproachTrack, range_mode: str, brief: bool = False
                      ) -> tuple[list[Osteotomy], list[Exclusion], list[Flag]]:
    """Osteotomy facts (performed), excluded osteotomy mentions, and note-level flags. ``brief``: a brief
    operative note without any narrative, whose procedure list is all the surgeon wrote of the operation:
    the osteotomies it lists are coded from it, flagged."""
    typed, generic = classify(index, approach)
    typed = unlevelled_into_listed(typed, index.text)
    typed, generic = untyped_sites_of_the_one_type(typed, generic, index)
    flags: list[Flag] = []
    body_generic = [m for m in generic if m.counted and not m.heading]
    listed_families = {family for (family, _), items in typed.items()
                       if any(t.mention.role == "procedure_list" and t.mention.present for t in items)}
    body_typed = any(t.mention.role == BODY for items in typed.values() for t in items)
    confirmed_by_generic = bool(body_generic) and len(listed_families) == 1 and not body_typed
    brief = brief and not body_typed and not body_generic
    facts: list[Osteotomy] = []
    for (family, kind), items in typed.items():
        fact, fact_flags = _osteotomy(family, kind, items, confirmed_by_generic or brief, approach, range_mode)
        if fact and family != "anterior" and any(approach.anterior_at(t.mention.start) for t in items) and (
                _from_the_front_only(index, approach)):
            fact, fact_flags = None, [Flag.approach_conflict]  # a posterior osteotomy in an operation done from the front
        flags += fact_flags
        if fact:
            facts.append(fact)
    grade_one = grade_one_sites(index)
    facts = [_without_sites(f, grade_one, "schwab_grade_1", Flag.schwab_grade_1_dropped) if f.family == "posterior"
             else f for f in facts]
    facts = [f for f in facts if f.sites]
    facts, generic_flags = apply_generic(generic, facts, approach)
    facts, far = far_from_the_operation(facts, index)
    if far:
        generic_flags.append(Flag.osteotomy_far_from_operation)
    denied = denied_for_case(generic, typed, index.text) if facts else set()
    if denied is None or denied & {f.family for f in facts}:
        facts = [f for f in facts if denied is not None and f.family not in denied]
        return facts, exclusions(typed, generic), flags + generic_flags + [Flag.osteotomy_denied_for_case]
    if brief and facts:
        flags.append(Flag.osteotomy_from_brief_note)
    return facts, exclusions(typed, generic), flags + generic_flags


def _from_the_front_only(index: MentionIndex, approach: ApproachTrack) -> bool:
    """Was the operation done only from the front: no posterior approach named and no posterior hardware (pedicle
    or lateral mass screws, hooks, wires, rods) placed? A posterior osteotomy there is an earlier or a planned one."""
    posterior_hardware = any(m.counted and (m.meta.get("side") == "posterior" or m.kind == "rod")
                             for m in index.of("INSTRUMENT"))
    return "posterior" not in approach.values and not posterior_hardware


def _osteotomy(family: str, kind: str, items: list[Typed], confirmed_by_generic: bool, approach: ApproachTrack,
               range_mode: str) -> tuple[Osteotomy | None, list[Flag]]:
    """The fact for one (family, type), or None and the note flag that says why there is none."""
    body = [t for t in items if t.mention.role == BODY]
    listed = [t.mention for t in items if t.mention.role == "procedure_list" and t.mention.present]
    present = [t for t in body if t.mention.present]
    cancelled = [t.mention for t in body if t.mention.assertion in ("aborted", "negated")]
    if present and all(t.mention.category == "OSTEOTOMY" and t.mention.meta["type"] is None for t in present) and any(
            t.mention.meta.get("type") is not None and t.mention.assertion in _NOT_DONE_ASSERTIONS for t in body):
        # "L3 pedicle subtraction osteotomy planned, 30-35 degrees. NOT PERFORMED ... the L3 osteotomy site marked":
        # the narrative names the type only as not done; its bare "osteotomy" words are the plan's
        return None, [Flag.header_body_conflict]
    if not present and listed and not cancelled and confirmed_by_generic:
        # "PSO at L3" in the procedure list and "the osteotomy was then performed" in the narrative.
        present = [Typed(m, False) for m in listed]
    elif not present:
        if listed:
            return None, [Flag.header_body_conflict if cancelled else Flag.osteotomy_header_only]
        return None, []
    unplaced = [m for m in cancelled if not m.levels]
    if any(m.assertion == "aborted" for m in unplaced):
        return None, [Flag.osteotomy_aborted]
    fact_flags: list[Flag] = [Flag.type_from_procedure_list] if all(t.mention.role != BODY for t in present) else []
    levels = _narrow_ranges([lv for t in present if t.mention.role == BODY for lv in t.mention.level_values()],
                            [lv for m in listed for lv in m.level_values()])
    source = BODY
    if not levels:
        levels = [lv for m in listed for lv in m.level_values()]
        source = "procedure_list"
        if levels:
            fact_flags.append(Flag.sites_from_procedure_list)
    if unplaced:  # "no PSO was needed" beside "a PSO was performed at L3": suggest, but flag it
        fact_flags.append(Flag.osteotomy_conflicting_assertions)
    dropped = {lv.label: m.assertion for m in cancelled for lv in m.level_values()}
    kept = [_whole_vertebrae(lv, kind) for lv in levels if lv.label not in dropped]
    sites = tuple(s for s in osteotomy_sites(family, kept, range_mode) if s.label not in dropped)
    if not sites:
        return None, [Flag.osteotomy_site_unknown]
    inferred_type = any(t.inferred for t in present)
    if inferred_type:
        fact_flags.append(Flag.posterior_release_inferred if kind == "posterior_release" else Flag.inferred_type)
    if family != "three_column" and any(s.from_range for s in sites):
        fact_flags.append(Flag.posterior_range_count)
        if len([t for t in present if t.mention.levels and t.mention.role == BODY]) == 1:  # the stretch told once
            sites = _as_many_as_stated(sites, [t.mention.count for t in present if t.mention.count])
    where = approach.at(present[0].mention.start)
    return Osteotomy(
        family, kind, sites, approach="anterior" if family == "anterior" else (where or "posterior"),
        source=source, inferred=inferred_type or bool(unplaced),
        evidence=tuple(_evidence(present, listed if source == "procedure_list" else [])),
        flags=tuple(fact_flags),
        dropped=tuple(DroppedSite(label, assertion) for label, assertion in dropped.items()
                      if label in {lv.label for lv in levels})), []


_NOT_DONE_ASSERTIONS = ("hypothetical", "negated", "aborted")
_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


_COUNT_AFTER = re.compile(r"[ \t]*(?:x|×)[ \t]?(?P<digits>\d{1,2})\b", re.IGNORECASE)
_COUNT_BEFORE = re.compile(r"\b(?P<word>two|three|four|five|six|seven|eight|nine|ten)[ \t]+(?:[A-Za-z-]+[ \t]+)?$",
                           re.IGNORECASE)


def _stated_count(m: Mention, text: str) -> int | None:
    """The number the osteotomy's own words give it ("Ponte x4", "four Ponte osteotomies"), for a mention
    told over a stretch (a range, or "between T5 and T11"); not a number elsewhere ("after two hours")."""
    if len(m.levels) > 2 or not any(s.level.kind in ("range", "vertebra") for s in m.levels):
        return None
    if after := _COUNT_AFTER.match(text, m.end):
        return int(after.group("digits"))
    before = _COUNT_BEFORE.search(text, max(m.sentence[0], m.start - 24), m.start)
    return _WORDS[before.group("word").lower()] if before else None


_BETWEEN = re.compile(r"\bbetween\b", re.IGNORECASE)


def _between(m: Mention, text: str) -> Mention:
    """"Ponte osteotomies between T6 and T10", "Ponte x4 between T5 and T11": the two vertebrae bound a range,
    not two sites."""
    spans = m.levels
    if len(spans) != 2 or any(s.level.kind != "vertebra" for s in spans) or not _BETWEEN.search(
            text, m.end, spans[0].start):
        return m
    level = make_level(spans[0].level.start, spans[1].level.start)
    if level is None or level.kind != "range":
        return m
    start, end = spans[0].start, spans[1].end
    return replace(m, levels=(LevelSpan(start, end, text[start:end], level, spans[0].sentence),))


def _as_many_as_stated(sites: tuple, counts: list[int]) -> tuple:
    """A range told with fewer osteotomies than its interspaces ("x4 between T5 and T11") has the stated
    number, around its middle (the sites are a guess; the count, which the codes need, is the note's)."""
    if not counts or max(counts) >= len(sites):
        return sites
    keep = max(counts)
    start = (len(sites) - keep) // 2
    return sites[start:start + keep]


def _whole_vertebrae(level: Level, kind: str) -> Level:
    """A vertebral column resection written as a pair ("VCR T11-T12") resects both vertebrae; any other
    three-column osteotomy written so sits at the cephalad one (an extended PSO takes the disc below)."""
    return replace(level, kind="range") if kind == "vcr" and level.kind == "interspace" else level


def _narrow_ranges(levels: list, listed: list) -> list:
    """A range told in the narrative ("compression across the osteotomy from L1 to L3") that holds a
    site the procedure list names ("L2 pedicle subtraction osteotomy") means that site, and so do the
    two vertebrae on either side of it ("the PSO closed by compression between L2 and L4")."""
    named = [lv for lv in listed if lv.kind != "range"]
    out = []
    for lv in levels:
        inside = [x for x in named if lv.kind == "range" and set(x.vertebrae()) < set(lv.vertebrae())]
        out += inside or [lv]
    return _flanking(out, named)


def _flanking(levels: list, named: list) -> list:
    """Two vertebrae that are no named site and hold one between them: that site."""
    sites = {lv.label for lv in named}
    loose = sorted((lv for lv in levels if lv.kind == "vertebra" and lv.label not in sites),
                   key=lambda lv: vertebra_index(lv.start))
    for upper, lower in zip(loose, loose[1:]):
        between = {x.label: x for x in named if x.kind == "vertebra"
                   and vertebra_index(upper.start) < vertebra_index(x.start) < vertebra_index(lower.start)}
        if len(between) == 1:
            return [lv for lv in levels if lv not in (upper, lower)] + list(between.values())
    return levels


def _evidence(present: list[Typed], listed: list[Mention]):
    yield from (t.mention.evidence() for t in present)
    yield from (e for t in present for e in t.mention.level_evidence())
    yield from (m.evidence() for m in listed)
    yield from (e for m in listed for e in m.level_evidence())


def apply_generic(generic: list[Mention], facts: list[Osteotomy], approach: ApproachTrack
                  ) -> tuple[list[Osteotomy], list[Flag]]:
    """Untyped 'osteotomy' mentions of the narrative: more evidence for the one typed osteotomy, or
    its cancellation when aborted ("the osteotomy at L2 was abandoned")."""
    flags: list[Flag] = []
    placed = {m.sentence for m in generic if m.assertion == "aborted" and m.levels}
    for m in (m for m in generic if m.role == BODY):
        if m.assertion == "aborted":
            labels = set(m.level_labels())
            if not labels and m.sentence in placed:
                continue  # "closing an osteotomy at this level would buckle the dura, so the L3-4 osteotomy was abandoned"
            if not labels and len(facts) == 1:
                facts = []
                flags.append(Flag.osteotomy_aborted)
            facts = [_without_sites(f, labels, "aborted") for f in facts]
            facts = [f for f in facts if f.sites]
        elif m.present and len(facts) == 1:
            facts = [replace(facts[0], evidence=facts[0].evidence + (m.evidence(),))]
        elif m.present and not facts and m.levels:
            flags.append(Flag.anterior_osteotomy_unconfirmed if approach.anterior_at(m.start)
                         else Flag.osteotomy_type_unclear)
    return facts, flags


@lru_cache(maxsize=1)
def _grade_pattern() -> re.Pattern:
    return re.compile(load_json("decisions.json")["grade_one"]["grade_pattern"], re.IGNORECASE)


def grade_one_sites(index: MentionIndex) -> set[str]:
    """Interspaces where the narrative resects only the facet: a sentence giving that one interspace (or a
    template row opening on the grade, "Grade 1 (partial facet joint resection)  Level(s): [L1-2, L2-3]")
    resects a facet and calls it grade 1 or says the ligamentum flavum was left (Schwab grade 1, not coded
    by default: rules/decisions.json, grade_one; "grade 1 spondylolisthesis at L4-5" resects nothing)."""
    config = load_json("decisions.json")["grade_one"]
    grade = _grade_pattern()
    found = set()
    for sentence, spans in index.loose_levels.items():
        labels = {span.level.label for span in spans}
        row = grade.match(index.text[sentence[0]:sentence[1]].lstrip(" \t[]xX-*"))  # "Grade 1 (...) Level(s): ..."
        if (len(labels) != 1 and not row) or any(span.level.kind != "interspace" for span in spans):
            continue
        resected = index.in_sentence(sentence)
        facet = any(m.category == "RESECTION" and m.present and m.meta.get("element") in config["facet_elements"]
                    for m in resected)
        kept = any(m.category == "RESECTION" and m.assertion == "negated" and m.meta.get("element") in config["kept_elements"]
                   for m in resected)
        if facet and (kept or grade.search(index.text, *sentence)):
            found |= labels
    for m in index.of("OSTEOTOMY"):  # "Osteotomy (Schwab grade 1) - T12-L1, L1-2, L2-3"
        if m.levels and not names_type(m) and grade.search(index.text, m.start, min(m.sentence[1], m.end + 40)):
            found |= set(m.level_labels())
    return found


def _without_sites(fact: Osteotomy, labels: set[str], reason: str, flag: Flag | None = None) -> Osteotomy:
    """The fact without the sites at ``labels``, each kept as dropped for ``reason`` (and ``flag`` raised
    when any was dropped)."""
    if not any(s.label in labels for s in fact.sites):
        return fact
    return replace(fact, sites=tuple(s for s in fact.sites if s.label not in labels),
                   flags=fact.flags + ((flag,) if flag else ()),
                   dropped=fact.dropped + tuple(DroppedSite(s.label, reason) for s in fact.sites if s.label in labels))
