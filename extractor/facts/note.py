"""All facts of one note, assembled from its mentions."""
from __future__ import annotations

from ..flags import Flag, flag
from ..model import ExcludedMention, Facts, Instrumentation, Osteotomy, OtherProcedure
from ..resources import load_json
from .approach import ApproachTrack
from .constructs import FIXATION_ROLES, build_constructs
from .devices import build_devices
from .grafts import build_grafts
from .mentions import BODY, NOT_DONE, MentionIndex
from .osteotomies import build_osteotomies
from .osteotomy_levels import names_type
from .sections import SectionIndex


def build_facts(index: MentionIndex, sections: SectionIndex, range_mode: str) -> Facts:
    """The facts of a note from its mentions; ``range_mode`` is the setting posterior_range_sites."""
    approach = ApproachTrack(index)
    brief = sections.brief and not any(  # a brief note: its list is all it says of the operation
        (m.role == BODY and m.present and names_type(m)) or m.assertion in NOT_DONE for m in index.of("OSTEOTOMY"))
    osteotomies, excluded, flags = build_osteotomies(index, approach, range_mode, brief)
    instrumentation, instr_flags = build_instrumentation(index, approach)
    grafts, graft_flags = build_grafts(index, brief)
    flags += instr_flags + graft_flags + procedure_flags(index, osteotomies)
    if sections.narrative_missing and index.of("OSTEOTOMY"):
        flags.append(Flag.no_narrative_section)
    return Facts(
        approach=approach.values,
        osteotomies=tuple(osteotomies),
        excluded_osteotomies=tuple(excluded),
        instrumentation=instrumentation,
        grafts=tuple(grafts),
        other_procedures=tuple(OtherProcedure(m.kind, m.assertion, m.level_labels(), (m.evidence(),))
                               for m in index.of("NON_OSTEOTOMY") if m.role == BODY),
        sections=sections.found(),
        flags=tuple(dict.fromkeys(flags)),
        excluded_mentions=tuple(excluded_mentions(index)),
    )


def build_instrumentation(index: MentionIndex, approach: ApproachTrack) -> tuple[Instrumentation, list[Flag]]:
    posterior, anterior, pelvic, flags = build_constructs(index, approach)
    devices, device_flags = build_devices(index)
    placed = [m for m in index.counted if m.category == "INSTRUMENT"]
    return Instrumentation(
        posterior=posterior, anterior=anterior, pelvic_fixation=pelvic, interbody=devices.interbody,
        interbody_level_unknown=devices.interbody_level_unknown, corpectomy_defects=devices.corpectomy_defects,
        no_arthrodesis_devices=devices.no_arthrodesis_devices,
        device_evidence=tuple(m.evidence() for m in placed if m.meta["role"] == "device"),
        pelvic_evidence=tuple(m.evidence() for m in placed if m.meta["role"] == "pelvic"),
    ), flags + device_flags


def procedure_flags(index: MentionIndex, osteotomies: list[Osteotomy]) -> list[Flag]:
    """Flags for look-alikes that are never coded but that a coder should see (rules/decisions.json)."""
    body = [m for m in index.counted if m.category == "NON_OSTEOTOMY"]
    kinds = {m.kind for m in body}
    sites = {v for o in osteotomies for s in o.sites for v in s.vertebrae}
    flags = []
    for rule in load_json("decisions.json")["note_flags"]["rules"]:
        kind, when = rule["kind"], rule["when"]
        if kind not in kinds or (when == "without_osteotomy" and osteotomies):
            continue
        if when == "same_segment" and not sites & {v for m in body if m.kind == kind
                                                   for lv in m.level_values() for v in lv.vertebrae()}:
            continue
        flags.append(flag(rule["flag"]))
    return flags


def excluded_mentions(index: MentionIndex) -> list[ExcludedMention]:
    """Graft and instrumentation mentions that were not counted: not done (negated, planned,
    historical, aborted, removed), outside the operative narrative, or a graft only in the procedure list."""
    out = []
    for m in index:
        coded = (m.category == "GRAFT"
                 or m.category == "INSTRUMENT" and m.meta["role"] in FIXATION_ROLES + ("device",))
        if not coded or m.counted or (m.category == "INSTRUMENT" and m.role == "procedure_list" and m.present):
            continue
        out.append(ExcludedMention(m.assertion, m.role, m.level_labels(), (m.evidence(),), m.cue,
                                   category=m.category, kind=m.kind))
    return out
