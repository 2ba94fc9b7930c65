"""Instrumentation constructs: the vertebrae fixed posteriorly and anteriorly, and pelvic fixation.

Fixation is read sentence by sentence: the levels of the fixation mentions of a sentence (or of its
fusion, "PSF T4-L1 with pedicle screws at every level") are the construct's fixation points, on the
side the hardware names or else the side of the approach in use.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..flags import Flag
from ..levels import Level, vertebra_index, vertebra_label
from ..model import Construct, Evidence
from ..resources import load_json
from .approach import ApproachTrack
from .mentions import BODY, Mention, MentionIndex

FIXATION_ROLES = ("fixation", "pelvic")


@dataclass
class _Side:
    """Fixation points and evidence of one side (posterior or anterior) gathered from the sentences."""

    points: set[int] = field(default_factory=set)
    evidence: list[Evidence] = field(default_factory=list)
    listed: set[int] = field(default_factory=set)  # from the procedure list
    listed_evidence: list[Evidence] = field(default_factory=list)
    levelless_evidence: list[Evidence] = field(default_factory=list)  # hardware told without its levels


@dataclass
class _Sides:
    posterior: _Side = field(default_factory=_Side)
    anterior: _Side = field(default_factory=_Side)
    pelvic: bool = False
    anchor_sentences: frozenset = frozenset()  # sentences naming integral screws of an interbody device
    anchor_vertebrae: frozenset[str] = frozenset()  # where those screws anchor it
    occipital: bool = False  # the note's plate is occipital (a bare "plate" is that one)
    bone_plates: frozenset[int] = frozenset()  # starts of the bare "plate" mentions that are bone (``_bone_plate``)



def fixation_points(levels: list[Level]) -> tuple[set[int], bool]:
    """Vertebra indexes covered by the levels, and whether one ends at the pelvis. The sacrum counts as one
    segment, S1 ("S2-alar-iliac screws ... from the S2 starting point" end a construct at S1)."""
    points: set[int] = set()
    pelvis = False
    for lv in levels:
        points.update(min(vertebra_index(v), _S1) for v in lv.vertebrae())
        pelvis = pelvis or lv.pelvis
    return points, pelvis


_S1 = vertebra_index("S1")


def make_construct(points: set[int], evidence: list[Evidence], pelvic: bool, from_list: bool = False) -> Construct | None:
    if not points:
        return None
    lo, hi = min(points), max(points)
    return Construct(span=f"{vertebra_label(lo)}-{vertebra_label(hi)}" if hi > lo else vertebra_label(lo),
                     segments=hi - lo + 1, segmental=len(points) >= 3 and any(lo < p < hi for p in points),
                     fixation_points=tuple(vertebra_label(p) for p in sorted(points)), pelvic_fixation=pelvic,
                     evidence=tuple(evidence), levels_from_procedure_list=from_list)


def side(m: Mention, approach: ApproachTrack, occipital: bool = False) -> str:
    """The side a fixation mention names, or the side of the approach in use where it is told. A bare
    "the plate" of a note whose plate is occipital, told where no anterior approach is in use, is that plate."""
    if occipital and m.kind == "plate" and m.meta.get("side") == "anterior" and not approach.anterior_at(m.start):
        return "posterior"
    return m.meta.get("side") or ("anterior" if approach.anterior_at(m.start) else "posterior")


def _bone_plate(m: Mention, approach: ApproachTrack, occipital: bool, text: str) -> bool:
    """A bare "plate" with nothing fixing it, in an operation done only from behind, is a plate of bone ("the
    laminae lifted off en bloc as a single plate"), not anterior hardware. (A posterior plate names its side: an
    occipital plate makes a bare "the plate" that one, see ``side``.)"""
    return (m.kind == "plate" and m.text.lower() in ("plate", "plates") and not occipital
            and approach.at(m.start) == "posterior" and not approach.front_named
            and not _FIXED.search(text, *m.sentence))


_FIXED = re.compile(r"\b(?:screws?|fixed|secured|applied|affixed|attached|locked|contoured|placed)\b", re.IGNORECASE)


def _occipital_plate(index: MentionIndex) -> bool:
    """Does the note place a plate on the occiput ("occipital plate")?"""
    return any(m.category == "INSTRUMENT" and m.kind == "plate" and m.present and m.meta.get("side") == "posterior"
               for m in index)


def build_constructs(index: MentionIndex, approach: ApproachTrack) -> tuple[Construct | None, Construct | None, bool, list[Flag]]:
    """(posterior construct, anterior construct, pelvic fixation, note flags) of this operation."""
    anchors = {sentence: ms for sentence, ms in index.by_sentence.items() if _names_integral_anchors(ms)}
    sides = _Sides(anchor_sentences=frozenset(anchors), anchor_vertebrae=frozenset(
        v for ms in anchors.values() for m in ms for lv in m.level_values() for v in lv.vertebrae()),
        occipital=_occipital_plate(index))
    sides.bone_plates = frozenset(m.start for m in index.of("INSTRUMENT")
                                  if _bone_plate(m, approach, sides.occipital, index.text))
    for mentions in index.by_sentence.values():
        _read_sentence(mentions, approach, sides, index.text)
    fixation = [m for m in index if m.category == "INSTRUMENT" and m.counted and m.meta["role"] in FIXATION_ROLES
                and m.start not in sides.bone_plates]
    posterior = _construct(sides.posterior, bool(fixation), sides.pelvic, None)
    anterior = _construct(sides.anterior, any(m.meta.get("side") == "anterior" == side(m, approach, sides.occipital)
                                              for m in fixation), False,
                          load_json("decisions.json")["devices"]["anterior_listed_max_segments"])
    if removal_only(index):  # flagged even where the removal cues already took every screw out
        return None, None, False, [Flag.hardware_removal_only]
    listed = any(c and c.levels_from_procedure_list for c in (posterior, anterior))
    return posterior, anterior, sides.pelvic, [Flag.instrumentation_levels_from_procedure_list] if listed else []


def removal_only(index: MentionIndex) -> bool:
    """Does the procedure list name only the removal of hardware ("Removal of posterior spinal instrumentation, L2 to
    L5"): hardware it removes, none it places, no fusion, and no narrative sentence placing hardware ("new pedicle
    screws were placed")? The narrative's screws are then the ones backed out, however far the removal verb stands
    from them ("all eight pedicle screws, one on each side at L2, L3, L4 and L5, were backed out")."""
    listed = [m for m in index if m.role == "procedure_list"]
    hardware = [m for m in listed if m.category == "INSTRUMENT"]
    return (any(m.assertion == "removed" for m in hardware) and not any(m.present for m in hardware)
            and not any(m.category == "FUSION" and m.present for m in listed)
            and not any(m.counted and _PLACED.search(index.text, *m.sentence) for m in index.of("INSTRUMENT")))


_PLACED = re.compile(r"\b(?:new|placed|inserted|implanted|replaced|re-?inserted)\b", re.IGNORECASE)


def _construct(told: _Side, fixation_told: bool, pelvic: bool, listed_max: int | None) -> Construct | None:
    """The narrative's construct or, when the narrative tells the hardware without its levels ("the plate
    was applied with four screws") or at one vertebra only ("lumbar and sacral screws tricortical at S1"), the
    procedure list's (flagged; within ``listed_max`` vertebrae)."""
    within = listed_max is None or bool(told.listed) and max(told.listed) - min(told.listed) < listed_max
    partial = len(told.points) == 1 and told.points < told.listed and any(
        e.text.lower().endswith("screws") for e in told.levelless_evidence)  # "Freehand pedicle screws ..."
    if (not told.points or partial) and told.listed and within and fixation_told:
        return make_construct(told.listed, told.levelless_evidence + told.listed_evidence, pelvic, True)
    return make_construct(told.points, told.evidence, pelvic)


def _names_integral_anchors(ms: list[Mention]) -> bool:
    """Whether a sentence names screws as the integral anchors of an interbody device
    ("integrated screws placed through the cage")."""
    config = load_json("decisions.json")["devices"]
    present = {m.kind for m in ms if m.category == "INSTRUMENT" and m.present}
    return bool(present & set(config["integral_anchor_kinds"]) and present & set(config["interbody_kinds"]))


_THROUGH_THE_DEVICE = re.compile(r"\b(?:through|into|via)[ \t]+(?:the[ \t]+)?(?:cage|implant|spacer|device)\b",
                                 re.IGNORECASE)


def _without_anchors(ms: list[Mention], sides: _Sides, text: str) -> list[Mention]:
    """The sentence without its device's anchor screws, which are part of the device's code: in the
    sentence naming them, and in one that names the device again with no vertebra beyond theirs ("the
    cage and the three screws well within L5 and S1"), or with no plate when they were named without levels
    ("a stand-alone cage with three integrated screws" ... "the three screws were driven through the cage")."""
    config = load_json("decisions.json")["devices"]
    vertebrae = {v for m in ms for lv in m.level_values() for v in lv.vertebrae()}
    names_device = any(m.category == "INSTRUMENT" and m.kind in config["interbody_kinds"] for m in ms)
    if sides.anchor_vertebrae:
        the_anchors = vertebrae <= sides.anchor_vertebrae
    else:  # named without levels: screws told going through the device, no plate beside them; where they go
        the_anchors = bool(_THROUGH_THE_DEVICE.search(text, *ms[0].sentence)) and not any(
            m.category == "INSTRUMENT" and m.kind == "plate" for m in ms)
        if the_anchors and sides.anchor_sentences and names_device:  # is where they anchor it from now on
            sides.anchor_vertebrae = frozenset(vertebrae)
    again = bool(sides.anchor_sentences) and the_anchors and names_device
    if not (ms[0].sentence in sides.anchor_sentences or again):
        return ms
    return [m for m in ms if not (m.category == "INSTRUMENT" and m.kind in config["integral_anchor_screw_kinds"])]


def _shares_a_clause(m: Mention, fixation: list[Mention], text: str) -> bool:
    """A device lends its levels to the sentence's fixation, but not across the items of an implant line
    ("Pedicle screws 6.5 x 45 mm x10; rods x2; Capstone PEEK 10 mm, L4-5": the cage's level is not the screws');
    a clause that tells a step ("...; a 10 mm PEEK cage was placed at L4-5") still lends them."""
    if m.meta["role"] != "device" or all(";" not in text[min(m.start, f.start):max(m.end, f.end)] for f in fixation):
        return True
    first, last = m.sentence
    start, end = max(text.rfind(";", first, m.start) + 1, first), text.find(";", m.end, last)
    return bool(_STEP_VERB.search(text, start, last if end == -1 else end))


_STEP_VERB = re.compile(r"\b(?:was|were|is|placed|inserted|positioned|impacted|seated|tapped|packed)\b", re.IGNORECASE)


def _ends_named_apart(levels: list[Level]) -> list[Level]:
    """A range whose two ends the sentence also names one by one is the span the rods bridge, not fixation at every
    vertebra between ("Rods spanning C4 to C6 were locked into the C4 and C6 screws": no fixation at C5)."""
    singles = {lv.start for lv in levels if lv.kind == "vertebra"}
    spans = [lv for lv in levels if lv.kind == "range" and {lv.start, lv.end} <= singles]
    return [lv for lv in levels if lv not in spans] if spans else levels


def _read_sentence(ms: list[Mention], approach: ApproachTrack, sides: _Sides, text: str) -> None:
    ms = [m for m in _without_anchors(ms, sides, text) if m.start not in sides.bone_plates]
    fixation = [m for m in ms if m.category == "INSTRUMENT" and m.present and m.meta["role"] in FIXATION_ROLES]
    if not fixation or fixation[0].role not in (BODY, "procedure_list"):
        return
    instr = [m for m in ms if m.category == "INSTRUMENT" and m.present and m.meta["role"] != "other"
             and _shares_a_clause(m, fixation, text)]
    levels = _ends_named_apart([lv for m in instr for lv in m.level_values()])
    # "PSF T4-L1 with pedicle screws at every level": the fusion names the levels.
    levels = levels or [lv for m in ms if m.category == "FUSION" and m.present for lv in m.level_values()]
    points, pelvis_end = fixation_points(levels)
    evidence = [m.evidence() for m in fixation] + [e for m in instr for e in m.level_evidence()]
    if fixation[0].role == "procedure_list":
        listed = sides.posterior if any(side(m, approach, sides.occipital) == "posterior" for m in fixation) else (
            sides.anterior if any(m.meta.get("side") == "anterior" for m in fixation) else None)
        if listed:
            listed.listed |= points
            listed.listed_evidence += evidence
        return
    sides.pelvic = sides.pelvic or any(m.meta["role"] == "pelvic" for m in fixation)
    sided = [m for m in fixation if m.meta.get("side")] or fixation  # "plate ... with 4 screws"
    told = sides.anterior if all(side(m, approach, sides.occipital) == "anterior" for m in sided) else sides.posterior
    if not points:
        told.levelless_evidence += [m.evidence() for m in fixation]
        return
    told.levelless_evidence += [m.evidence() for m in fixation if not m.levels]
    told.points |= points
    told.evidence += evidence
    if told is sides.posterior:
        sides.pelvic = sides.pelvic or pelvis_end
