"""Instrumentation constructs: the vertebrae fixed posteriorly and anteriorly, and pelvic fixation.

Fixation is read sentence by sentence: the levels of the fixation mentions of a sentence (or of its
fusion, "PSF T4-L1 with pedicle screws at every level") are the construct's fixation points, on the
side the hardware names or else the side of the approach in use.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..flags import Flag
from ..levels import Level, vertebra_index, vertebra_label
from ..model import Construct, Evidence
from ..resources import load_json
from .approach import ApproachTrack
from .mentions import BODY, Mention, MentionIndex

FIXATION_ROLES = ("fixation", "pelvic")


@dataclass
class _Sides:
    """Fixation points and evidence gathered from the sentences, per side."""

    posterior: set[int] = field(default_factory=set)
    anterior: set[int] = field(default_factory=set)
    posterior_evidence: list[Evidence] = field(default_factory=list)
    anterior_evidence: list[Evidence] = field(default_factory=list)
    listed_posterior: set[int] = field(default_factory=set)  # from the procedure list
    listed_anterior: set[int] = field(default_factory=set)
    # Hardware told without its levels, and the list lines that give them: the evidence of a construct
    # whose levels come from the procedure list.
    levelless_evidence: list[Evidence] = field(default_factory=list)
    listed_evidence: list[Evidence] = field(default_factory=list)
    pelvic: bool = False


def fixation_points(levels: list[Level]) -> tuple[set[int], bool]:
    """Vertebra indexes covered by the levels, and whether one ends at the pelvis."""
    points: set[int] = set()
    pelvis = False
    for lv in levels:
        points.update(vertebra_index(v) for v in lv.vertebrae())
        pelvis = pelvis or lv.pelvis
    return points, pelvis


def make_construct(points: set[int], evidence: list[Evidence], pelvic: bool, from_list: bool = False) -> Construct | None:
    if not points:
        return None
    lo, hi = min(points), max(points)
    return Construct(span=f"{vertebra_label(lo)}-{vertebra_label(hi)}" if hi > lo else vertebra_label(lo),
                     segments=hi - lo + 1, segmental=len(points) >= 3 and any(lo < p < hi for p in points),
                     fixation_points=tuple(vertebra_label(p) for p in sorted(points)), pelvic_fixation=pelvic,
                     evidence=tuple(evidence), levels_from_procedure_list=from_list)


def side(m: Mention, approach: ApproachTrack) -> str:
    """The side a fixation mention names, or the side of the approach in use where it is told."""
    return m.meta.get("side") or ("anterior" if approach.anterior_at(m.start) else "posterior")


def build_constructs(index: MentionIndex, approach: ApproachTrack) -> tuple[Construct | None, Construct | None, bool, list[Flag]]:
    """(posterior construct, anterior construct, pelvic fixation, note flags) of this operation."""
    sides = _Sides()
    anchored = any(_names_integral_anchors(ms) for ms in index.by_sentence.values())
    for mentions in index.by_sentence.values():
        _read_sentence(mentions, approach, sides, anchored)
    fixation = [m for m in index if m.category == "INSTRUMENT" and m.counted and m.meta["role"] in FIXATION_ROLES]
    posterior, posterior_listed = _or_listed(sides.posterior, sides.listed_posterior, bool(fixation))
    anterior, anterior_listed = _or_listed(sides.anterior, sides.listed_anterior,
                                           any(m.meta.get("side") == "anterior" for m in fixation))
    flags = [Flag.instrumentation_levels_from_procedure_list] if posterior_listed or anterior_listed else []
    from_list = sides.levelless_evidence + sides.listed_evidence
    return (make_construct(posterior, from_list if posterior_listed else sides.posterior_evidence, sides.pelvic,
                           posterior_listed),
            make_construct(anterior, from_list if anterior_listed else sides.anterior_evidence, False, anterior_listed),
            sides.pelvic, flags)


def _or_listed(told: set[int], listed: set[int], fixation_told: bool) -> tuple[set[int], bool]:
    """The narrative's fixation points or, when the narrative tells the hardware without its levels
    ("the plate was applied with four screws"), the procedure list's (flagged)."""
    if not told and listed and fixation_told:
        return listed, True
    return told, False


def _names_integral_anchors(ms: list[Mention]) -> bool:
    """Whether a sentence names screws as the integral anchors of an interbody device
    ("integrated screws placed through the cage")."""
    config = load_json("decisions.json")["devices"]
    present = {m.kind for m in ms if m.category == "INSTRUMENT" and m.present}
    return bool(present & set(config["integral_anchor_kinds"]) and present & set(config["interbody_kinds"]))


def _without_anchors(ms: list[Mention], anchored: bool) -> list[Mention]:
    """The sentence without its device's anchor screws, which are part of the device's code: once the
    note has named integral anchors, bare screws beside the device are those anchors."""
    config = load_json("decisions.json")["devices"]
    if not (anchored and any(m.category == "INSTRUMENT" and m.kind in config["interbody_kinds"] for m in ms)):
        return ms
    return [m for m in ms if not (m.category == "INSTRUMENT" and m.kind in config["integral_anchor_screw_kinds"])]


def _read_sentence(ms: list[Mention], approach: ApproachTrack, sides: _Sides, anchored: bool = False) -> None:
    ms = _without_anchors(ms, anchored)
    fixation = [m for m in ms if m.category == "INSTRUMENT" and m.present and m.meta["role"] in FIXATION_ROLES]
    if not fixation or fixation[0].role not in (BODY, "procedure_list"):
        return
    instr = [m for m in ms if m.category == "INSTRUMENT" and m.present and m.meta["role"] != "other"]
    levels = [lv for m in instr for lv in m.level_values()]
    # "PSF T4-L1 with pedicle screws at every level": the fusion names the levels.
    levels = levels or [lv for m in ms if m.category == "FUSION" and m.present for lv in m.level_values()]
    points, pelvis_end = fixation_points(levels)
    if fixation[0].role == "procedure_list":
        if any(side(m, approach) == "posterior" for m in fixation):
            sides.listed_posterior |= points
        elif any(m.meta.get("side") == "anterior" for m in fixation):
            sides.listed_anterior |= points
        sides.listed_evidence += [m.evidence() for m in fixation] + [e for m in instr for e in m.level_evidence()]
        return
    sides.pelvic = sides.pelvic or any(m.meta["role"] == "pelvic" for m in fixation)
    if not points:
        sides.levelless_evidence += [m.evidence() for m in fixation]
        return
    evidence = [m.evidence() for m in fixation] + [e for m in instr for e in m.level_evidence()]
    sided = [m for m in fixation if m.meta.get("side")] or fixation  # "plate ... with 4 screws"
    if all(side(m, approach) == "anterior" for m in sided):
        sides.anterior |= points
        sides.anterior_evidence += evidence
    else:
        sides.posterior |= points
        sides.posterior_evidence += evidence
        sides.pelvic = sides.pelvic or pelvis_end
