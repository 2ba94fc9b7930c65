"""Instrumentation and device codes (coding-rules section 6): constructs by vertebrae spanned,
pelvic fixation once, devices per interspace or defect."""
from __future__ import annotations

from ..codes import label, table
from ..flags import Flag
from ..model import Construct, Evidence, Instrumentation, Suggestion
from ..settings import Settings
from .confidence import explain


def _by_segments(rows: list[dict], segments: int) -> str | None:
    return next((r["code"] for r in rows if r["min"] <= segments <= r["max"]), None)


_REASONS = {
    "body_with_sites": "named in the operative narrative with its levels",
    "sites_from_procedure_list": "construct levels taken from the procedure list",
    "inferred_type": "device named without its interspace",
}


def _suggestion(code: str, units: int, base_kind: str, flags: list[Flag], evidence: tuple[Evidence, ...],
                settings: Settings, sites: tuple[str, ...] = ()) -> Suggestion:
    confidence, why = explain(base_kind, _REASONS[base_kind], flags, settings, sites)
    return Suggestion(code, units, "instrumentation", label(code), confidence, tuple(flags), evidence, why)


def code_instrumentation(instr: Instrumentation, settings: Settings) -> list[Suggestion]:
    codes = table()["instrumentation"]
    out: list[Suggestion] = []
    post = instr.posterior
    if post and post.segments >= codes["posterior_min_segments"]:
        out.append(_posterior(post, codes, settings))
    if instr.pelvic_fixation and post:
        out.append(_suggestion(codes["pelvic"], 1, "body_with_sites", [], instr.pelvic_evidence or post.evidence,
                               settings))
    ant = instr.anterior
    if ant and ant.segments >= codes["anterior_min_segments"]:
        out.append(_construct(_by_segments(codes["anterior"], ant.segments), ant, settings))
    out += _devices(instr, codes, settings)
    return out


def _posterior(post: Construct, codes: dict, settings: Settings) -> Suggestion:
    code = (_by_segments(codes["posterior_segmental"], post.segments) if post.segmental
            else codes["posterior_nonsegmental"])
    return _construct(code, post, settings)


def _construct(code: str, construct: Construct, settings: Settings) -> Suggestion:
    if construct.levels_from_procedure_list:
        return _suggestion(code, 1, "sites_from_procedure_list", [Flag.instrumentation_levels_from_procedure_list],
                           construct.evidence, settings, construct.fixation_points)
    return _suggestion(code, 1, "body_with_sites", [], construct.evidence, settings, construct.fixation_points)


def _devices(instr: Instrumentation, codes: dict, settings: Settings) -> list[Suggestion]:
    evidence = instr.device_evidence
    out = []
    if instr.interbody or instr.interbody_level_unknown:
        unknown = instr.interbody_level_unknown
        out.append(_suggestion(codes["interbody"], len(instr.interbody) + unknown,
                               "inferred_type" if unknown else "body_with_sites",
                               [Flag.interbody_level_unknown] if unknown else [], evidence, settings, instr.interbody))
    if instr.corpectomy_defects:
        out.append(_suggestion(codes["corpectomy_device"], instr.corpectomy_defects, "body_with_sites", [], evidence,
                               settings))
    if instr.no_arthrodesis_devices:
        out.append(_suggestion(codes["device_no_arthrodesis"], instr.no_arthrodesis_devices, "body_with_sites", [],
                               evidence, settings))
    return out
