"""Bone grafts used in this operation, once per kind, from the narrative: each GRAFT mention (and
each iliac crest harvest) is reclassified by the kinds mentioned beside it in its sentence
(rules/decisions.json, "grafts")."""
from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from typing import NamedTuple

from ..flags import Flag
from ..model import Evidence, Graft
from ..resources import load_json
from .devices import fills_a_spacer
from .mentions import BODY, Mention, MentionIndex


def _config() -> dict:
    return load_json("decisions.json")["grafts"]


class _Reclassify(NamedTuple):
    kind: str
    generic: bool
    has: frozenset[str]
    lacks: frozenset[str]
    spacer: bool
    result: str | None


@lru_cache(maxsize=1)
def _rules() -> tuple[_Reclassify, ...]:
    return tuple(_Reclassify(r["kind"], r.get("generic", False), frozenset(r.get("sentence_has", ())),
                             frozenset(r.get("sentence_lacks", ())), r.get("sentence_has_generic_spacer", False),
                             r["result"]) for r in _config()["reclassify"])


def graft_kind(m: Mention, here: set[str], spacer_sentence: bool) -> str | None:
    """The graft kind a mention stands for after the reclassification rules, or None."""
    kind = m.kind
    for rule in _rules():
        if (rule.kind != kind or rule.generic and not m.meta.get("generic") or not rule.has <= here
                or rule.lacks & here or rule.spacer and (not spacer_sentence or fills_a_spacer(m))):
            continue  # ("allograft chips" packed in a spacer stay chips)
        kind = rule.result
        if kind is None:
            return None
    return kind


def _candidates(index: MentionIndex, brief: bool = False) -> list[Mention]:
    """The graft mentions to read: the narrative's, and in a brief note without narrative (``brief``)
    the procedure list's too."""
    harvest = _config()["harvest_kinds"]
    mentions = index.counted + ([m for m in index if m.role == "procedure_list" and m.present] if brief else [])
    return [m for m in mentions if m.category == "GRAFT" or (m.category == "NON_OSTEOTOMY" and m.kind in harvest)]


def _is_spacer(m: Mention, here: set[str], spacer_sentence: bool) -> bool:
    rule = _config()["structural_spacer"]
    return (any(w in m.text.lower() for w in rule["words"]) or bool(set(rule["sentence_kinds"]) & here)
            or spacer_sentence)


def build_grafts(index: MentionIndex, brief: bool = False) -> tuple[list[Graft], list[Flag]]:
    """Graft kinds used in this operation (once each, in order of first mention) and note flags;
    ``brief``: a brief operative note, whose procedure list is all it says of the operation."""
    config = _config()
    known = set(load_json("codes.json")["graft"]) | {config["unspecified_autograft"]}
    spacer_sentences = {m.sentence for m in index.counted if m.category == "INSTRUMENT" and m.meta.get("generic_spacer")}
    kinds: dict[str, list[Evidence]] = defaultdict(list)
    named: set[str] = set()  # kinds a graft word names (not only a harvest step)
    spacer = False
    for m in _candidates(index, brief):
        if m.category == "GRAFT" and (_taken_away(m, index.text) or _lab_panel(m, index.text) or _not_a_graft(m, index)):
            continue
        here = index.counted_kinds(m.sentence)
        kind = (_brand_kind(m, index) if m.kind == config["brand_allograft"]["kind"]
                else graft_kind(m, here, m.sentence in spacer_sentences))
        if kind not in known:
            continue
        if kind == config["structural_spacer"]["kind"] and _is_spacer(m, here, m.sentence in spacer_sentences):
            spacer = True
        kinds[kind].append(m.evidence())
        if m.category == "GRAFT":
            named.add(kind)
    _harvest_told_by_steps(kinds, index)
    _rib_through_a_separate_incision(kinds, index)
    _marrow_from_the_same_wound(kinds, index)
    _harvest_of_the_block(kinds, named)
    _own_bone_of_the_harvest(kinds)
    return _grafts(kinds, spacer, index)


def _brand_kind(m: Mention, index: MentionIndex) -> str | None:
    """An allograft spacer named by brand alone is a structural allograft, unless the narrative names a cage (a
    bare "spacer" is not one) at its interspace, or either gives none: then the brand is that device, not a graft
    (rules/decisions.json, grafts.brand_allograft). A PEEK spacer at C5-6 leaves the "VG2" at C6-7 a graft."""
    rule = _config()["brand_allograft"]
    devices = [x for x in index.counted if x.category == "INSTRUMENT" and x.kind in rule["device_kinds"]
               and not x.meta.get("generic_spacer")]
    mine = set(m.level_labels())
    elsewhere = bool(mine) and all(x.levels and not mine & set(x.level_labels()) for x in devices)
    return None if devices and not elsewhere else rule["result"]


def _gaps_between(told: list) -> list:
    """The stretches of text between the sentences ``told``: sentences without any mention ("A window was cut
    in the outer table and strips of cancellous bone were scooped out with gouges.")."""
    return [(a[1], b[0]) for a, b in zip(told, told[1:]) if b[0] > a[1]]


_LAB_NEAR = re.compile(r"\b(?:cbc|cmp|esr|crp|inr|labs?|electrolytes|recheck|check|draw|trend|in\s+am|in\s+the\s+morning)\b",
                       re.IGNORECASE)


def _lab_panel(m: Mention, text: str) -> bool:
    """"BMP" beside laboratory words ("weekly CBC, BMP, ESR, CRP", "Recheck BMP in AM") is the basic metabolic panel,
    not bone morphogenetic protein."""
    return m.text.strip().upper() == "BMP" and _LAB_NEAR.search(text, max(0, m.start - 20), m.end + 20) is not None


def _taken_away(m: Mention, text: str) -> bool:
    """Graft the sentence says was removed ("loose, nonincorporated allograft chips were removed" in a washout)
    was not placed (rules/decisions.json, grafts.taken_away)."""
    return _pattern("taken_away").match(text, m.end) is not None


@lru_cache(maxsize=None)
def _pattern(*keys: str) -> re.Pattern:
    """The regex at ``grafts.<keys...>`` of rules/decisions.json, compiled once (case-insensitive)."""
    value = _config()
    for key in keys:
        value = value[key]
    return re.compile(value, re.IGNORECASE)


def _marrow_from_the_same_wound(kinds: dict[str, list[Evidence]], index: MentionIndex) -> None:
    """Marrow the note says was drawn through the same wound ("Jamshidi needle thru pedicle tracts into L3, L4,
    L5 bodies -> marrow aspirated, same wound, no separate incision"), and never from the crest, is not a
    separate-incision aspiration: its later "BMA" is that marrow (rules/decisions.json, grafts.same_incision)."""
    rule = _config()["same_incision"]
    marrow = [m for m in index.counted if m.category == "GRAFT" and m.kind == "bone_marrow_aspirate"]
    same = [m for m in marrow if any(x.category == "INCISION" and x.kind in rule["same_cue_kinds"] and x.present
                                     for x in index.in_sentence(m.sentence))]
    if same and not any("iliac" in index.counted_kinds(m.sentence) for m in marrow):
        kinds.pop("bone_marrow_aspirate", None)


def _harvest_told_by_steps(kinds: dict[str, list[Evidence]], index: MentionIndex) -> None:
    """A crest harvest told only as steps, no graft word ("Through a separate oblique incision over the
    right posterior iliac crest ... With a curved osteotome we cut strips of cancellous bone from between
    the tables"): a separate-incision autograft (rules/decisions.json, grafts.harvest_steps)."""
    rule = _config()["harvest_steps"]
    if any(k.startswith("autograft_separate") for k in kinds):
        return
    taken, bone = _pattern("harvest_steps", "taken"), _pattern("harvest_steps", "bone")
    for m in index.counted:
        if m.category != "HARVEST_SITE" or m.kind not in rule["site_kinds"] or not any(
                x.category == "INCISION" and x.kind in rule["incision_kinds"] and x.counted
                for x in index.in_sentence(m.sentence)):
            continue
        first = index.position(m.sentence)
        told = index.sentences[first:first + 1 + rule["follow_sentences"]]
        line_start = index.text.rfind("\n", 0, m.sentence[0]) + 1
        if _pattern("harvest_steps", "other_joint").search(index.text, line_start, told[-1][1]):
            continue  # "Sacro-iliac part: Separate oblique incision ... packed into the joint": graft of another arthrodesis
        if _not_a_harvest(m, told, index, rule):
            return
        if any(taken.search(index.text, *s) and bone.search(index.text, *s) for s in told + _gaps_between(told)):
            kinds[rule["kind"]].append(m.evidence())
            return


def _not_a_harvest(m: Mention, told: list, index: MentionIndex, rule: dict) -> bool:
    """Marrow aspirated; an iliac screw's starting point prepared (an instrument in the incision's own sentence, a
    pelvic screw after it, even one backed out, "entry point", "pilot hole"); bone discarded: no harvest. A cage
    filled with the bone in the next sentence is no matter."""
    if _pattern("harvest_steps", "not_harvest").search(index.text, told[0][0], told[-1][1]):
        return True
    return any(index.counted_kinds(s) & set(rule["lacks_kinds"]) or any(
        x.category == "INSTRUMENT" and (x.counted and s == m.sentence or x.kind in rule["instrument_kinds_after"])
        for x in index.in_sentence(s)) for s in told)


def _not_a_graft(m: Mention, index: MentionIndex) -> bool:
    """A graft word before "support", "bed", "site" ("the endplates were preserved for graft support") or after a
    tissue that is no bone ("amniotic membrane allograft", "acellular dermal allograft"); bone "saved
    for graft" in a sentence naming another graft or a crest harvest, which is the bone saved, or in a clause denying
    it ("none of the bone from the wound was kept for grafting") (rules/decisions.json, grafts.not_graft_after and
    grafts.saved_for_graft)."""
    if _pattern("not_graft_after").match(index.text, m.end) or _pattern("not_graft_before").search(
            index.text, max(m.sentence[0], m.start - 40), m.start):
        return True  # "graft support"; "amniotic membrane allograft", "pericardial allograft patch": no bone
    saved = _config()["saved_for_graft"]
    if m.rule not in saved["rule_ids"]:
        return False
    clause = max(m.sentence[0], index.text.rfind(";", 0, m.start) + 1)
    return bool(index.counted_kinds(m.sentence) & set(saved["other_kinds"])) or bool(
        _pattern("saved_for_graft", "denied_before").search(index.text, clause, m.start))


def _rib_through_a_separate_incision(kinds: dict[str, list[Evidence]], index: MentionIndex) -> None:
    """Rib bone taken through a separate fascial incision (a thoracoplasty "through the same midline skin incision ...
    a separate fascial incision was made lateral to the paraspinal muscles") is a separate-incision autograft, not
    local bone; other local bone stays local, and so does a rib of a thoracotomy whose chest drain went through a
    separate stab incision (rules/decisions.json, grafts.rib_separate_incision)."""
    rule = _config()["rib_separate_incision"]
    local = kinds.get(rule["from_kind"], [])
    words, fascial = _pattern("rib_separate_incision", "rib_words"), _pattern("rib_separate_incision", "incision_words")
    ribs = [e for e in local if words.search(e.text)]
    if not ribs or not any(m.category == "INCISION" and m.kind in rule["incision_kinds"] and fascial.search(m.text)
                           and words.search(index.text, m.sentence[0], m.sentence[1] + rule["follow_chars"])
                           for m in index.counted):
        return
    kinds[rule["kind"]] += ribs
    kinds[rule["from_kind"]] = [e for e in local if e not in ribs]
    if not kinds[rule["from_kind"]]:
        del kinds[rule["from_kind"]]


def _own_bone_of_the_harvest(kinds: dict[str, list[Evidence]]) -> None:
    """"Fusion with his own bone" in a note that harvests crest bone through a separate incision names that
    harvest, not a local graft (rules/decisions.json, grafts.own_bone)."""
    rule = _config()["own_bone"]
    if not any(k.startswith("autograft_separate") for k in kinds):
        return
    local = kinds.get(rule["kind"], [])
    if local and all(e.rule in rule["rule_ids"] for e in local):
        del kinds[rule["kind"]]


def _harvest_of_the_block(kinds: dict[str, list[Evidence]], named: set[str]) -> None:
    """A crest harvest told only as steps ("Graft harvest: a separate oblique incision was made over the
    crest ...") in a note whose harvested graft is a tricortical block is the harvest of that block, not
    a second, morselized graft (rules/decisions.json, grafts.harvest_of_structural)."""
    rule = _config()["harvest_of_structural"]
    if rule["structural"] in named and rule["morselized"] in kinds and rule["morselized"] not in named:
        kinds[rule["structural"]] += kinds.pop(rule["morselized"])


def _same_incision(kinds: dict[str, list[Evidence]], index: MentionIndex) -> None:
    """Crest bone taken "through the same midline incision, no separate incision" is local autograft:
    a same-incision cue in the harvest's sentence or the one next to it, or a separate incision the note
    says was not made, and none it says was made."""
    rule = _config()["same_incision"]
    if any(m.category == "INCISION" and m.kind in rule["separate_cue_kinds"] for m in index.counted):
        return
    if any(m.category == "INCISION" and m.kind in rule["separate_cue_kinds"] and m.assertion == "negated"
           and m.role in (BODY, "procedure_list") for m in index):
        for kind in rule["kinds"]:  # "no separate skin or fascial incision": the crest came through the wound
            kinds[rule["reported_as"]] += kinds.pop(kind, [])
        return
    near = {index.position(m.sentence) + step for m in index if _same_cue(m, index, rule) for step in (-1, 0, 1)}
    for kind in rule["kinds"]:
        if any(index.position((e.sentence_start, e.sentence_end)) in near for e in kinds.get(kind, ())):
            kinds[rule["reported_as"]] += kinds.pop(kind)


def _same_cue(m: Mention, index: MentionIndex, rule: dict) -> bool:
    """A same-incision cue of the narrative; a negated one only where its sentence negates a separate
    incision ("without any separate incision ... beneath the same fascial exposure")."""
    if m.category != "INCISION" or m.kind not in rule["same_cue_kinds"] or m.role != BODY:
        return False
    return m.present or m.assertion in rule["same_cue_assertions"] and any(
        x.category == "INCISION" and x.kind in rule["separate_cue_kinds"] and x.assertion == "negated"
        for x in index.in_sentence(m.sentence))


def _grafts(kinds: dict[str, list[Evidence]], spacer: bool, index: MentionIndex) -> tuple[list[Graft], list[Flag]]:
    """Resolve unspecified autograft, then attach the flags that qualify each kind."""
    config = _config()
    flags: list[Flag] = [Flag.allograft_spacer] if spacer else []
    unspecified = kinds.pop(config["unspecified_autograft"], [])
    local = config["unspecified_reported_as"]
    if unspecified and not any(k.startswith("autograft_separate") for k in kinds):
        if local not in kinds:
            flags.append(Flag.autograft_source_unstated)
        kinds[local] += unspecified
    _same_incision(kinds, index)
    separate_incision = any(m.category == "INCISION" and m.kind in config["same_incision"]["separate_cue_kinds"]
                            for m in index.counted)
    if not separate_incision and set(config["separate_incision_kinds"]) & set(kinds):
        flags.append(Flag.separate_incision_not_documented)
    if not kinds and any(m.category == "GRAFT" and m.present and m.role == "procedure_list" for m in index):
        flags.append(Flag.graft_header_only)
    per_kind = {Flag.allograft_spacer: config["structural_spacer"]["kind"],
                Flag.autograft_source_unstated: local}
    per_kind.update({Flag.separate_incision_not_documented: k for k in config["separate_incision_kinds"]})
    grafts = [Graft(kind, tuple(evidence), tuple(f for f in flags if per_kind.get(f) == kind))
              for kind, evidence in kinds.items()]
    return grafts, flags
