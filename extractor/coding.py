"""Stage 2: facts -> code suggestions. A pure function of (facts, settings, code table).

Conventions (coding-rules sections 1-2, 5-6): one primary per osteotomy family plus the family's
add-on for each further site, in any region; region of a site from its cephalad vertebra; primary
from the most cephalad site; grafts once per code; instrumentation by segments spanned.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .facts import region_vertebra
from .levels import region_of, vertebra_index
from .resources import load_json
from .settings import Settings

FAMILY_ORDER = ("three_column", "posterior", "anterior")


@dataclass
class Suggestion:
    code: str
    units: int
    family: str
    confidence: float
    flags: list[str] = field(default_factory=list)
    evidence: list[dict] = field(default_factory=list)


def _flag_table() -> dict[str, dict]:
    return load_json("flags.json")["flags"]


def flag_record(flag_id: str) -> dict:
    return {"id": flag_id, "text": _flag_table()[flag_id]["text"]}


def _confidence(base: float, flags: list[str], settings: Settings) -> float:
    conventions = sum(1 for f in flags if _flag_table()[f]["convention"])
    return round(base * settings.confidence.convention_penalty ** conventions, 3)


def _dedupe_evidence(items: list[dict]) -> list[dict]:
    seen, out = set(), []
    for item in sorted(items, key=lambda e: (e["start"], e["end"])):
        key = (item["start"], item["end"], item["rule"])
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


# --------------------------------------------------------------------------- osteotomy


def _family_sites(facts: list[dict], family: str, settings: Settings, flags: list[str]) -> list[dict]:
    """Sites of one family keyed by the vertebra that sets their region, cephalad first."""
    mode = settings.osteotomy.site_region
    by_vertebra: dict[str, dict] = {}
    for fact in facts:
        for site in fact["sites"]:
            if settings.osteotomy.posterior_counting == "per_vertebra_touched" and family != "three_column":
                for v in site["vertebrae"]:
                    by_vertebra.setdefault(v, {**site, "label": v, "kind": "vertebra", "vertebrae": [v]})
                flags.append("ponte_per_vertebra_touched")
            else:
                by_vertebra.setdefault(region_vertebra(site, mode), site)
    return [by_vertebra[v] for v in sorted(by_vertebra, key=vertebra_index)]


def code_osteotomies(osteotomies: list[dict], settings: Settings) -> list[Suggestion]:
    table = load_json("codes.json")
    conf = settings.confidence
    mode = settings.osteotomy.site_region
    families = {f: [x for x in osteotomies if x["family"] == f] for f in FAMILY_ORDER}
    families = {f: xs for f, xs in families.items() if xs}
    three_col_vertebrae = {v for x in families.get("three_column", []) for s in x["sites"] for v in s["vertebrae"]}
    suggestions: list[Suggestion] = []
    for family, facts in families.items():
        flags: list[str] = [f for x in facts for f in x["flags"]]
        sites = _family_sites(facts, family, settings, flags)
        if family == "posterior" and settings.osteotomy.same_segment_posterior == "drop":
            kept = [s for s in sites if region_vertebra(s, mode) not in three_col_vertebrae]
            if len(kept) < len(sites):
                flags.append("same_segment_bundling")
            sites = kept
        if any(region_of(region_vertebra(s, mode)) == "sacral" for s in sites):
            flags.append("sacral_site")
            sites = [s for s in sites if region_of(region_vertebra(s, mode)) != "sacral"]
        if family == "three_column":
            if any(s.get("kind_written") == "interspace" for x in facts for s in x["sites"]):
                flags.append("three_column_site_interspace")
            if any(x["type"] == "vcr" for x in facts):
                flags.append("vcr_code_conflict")
            cervical = [s for s in sites if region_of(s["vertebrae"][0]) == "cervical"]
            if cervical:
                sites = [s for s in sites if s not in cervical]
                suggestions += _cervical_three_column(cervical, facts, flags, settings)
        if not sites:
            continue
        if settings.osteotomy.cross_region_primary == "most_caudal":
            sites = sites[::-1]
        primary_site = sites[0]
        region = region_of(region_vertebra(primary_site, mode))
        if len({region_of(region_vertebra(s, mode)) for s in sites}) > 1:
            flags.append("cross_region_primary")
        if primary_site["kind"] == "interspace" and len({v[0] for v in primary_site["vertebrae"]}) > 1:
            flags.append("junction_primary")
        if len(families) > 1:
            flags.append("two_families")
        base = min(conf.inferred_type if x["inferred"] else
                   conf.sites_from_procedure_list if x["source"] == "procedure_list" else conf.body_with_sites
                   for x in facts)
        flags = list(dict.fromkeys(flags))
        evidence = _dedupe_evidence([e for x in facts for e in x["evidence"]])
        confidence = _confidence(base, flags, settings)
        codes = table["osteotomy"][family]
        suggestions.append(Suggestion(codes["primary"][region], 1, family, confidence, flags, evidence))
        if len(sites) > 1:
            suggestions.append(Suggestion(codes["addon"], len(sites) - 1, family, confidence, flags, evidence))
    return suggestions


def _cervical_three_column(sites: list[dict], facts: list[dict], flags: list[str], settings: Settings) -> list[Suggestion]:
    """No CPT code exists for a cervical three-column osteotomy: emit the configured code, flagged."""
    choice = settings.osteotomy.cervical_three_column_code
    all_flags = list(dict.fromkeys(flags + ["cervical_three_column"]))
    evidence = _dedupe_evidence([e for x in facts for e in x["evidence"]])
    confidence = _confidence(settings.confidence.body_with_sites, all_flags, settings)
    if choice == "none":
        return []
    if choice == "22210":
        out = [Suggestion("22210", 1, "posterior", confidence, all_flags, evidence)]
        if len(sites) > 1:
            out.append(Suggestion("22216", len(sites) - 1, "posterior", confidence, all_flags, evidence))
        return out
    return [Suggestion(choice, 1, "three_column", confidence, all_flags, evidence)]


# --------------------------------------------------------------------------- grafts and instrumentation


def code_grafts(grafts: list[dict], note_flags: list[str], settings: Settings) -> list[Suggestion]:
    table = load_json("codes.json")["graft"]
    by_code: dict[str, Suggestion] = {}
    for graft in grafts:
        kind = graft["kind"]
        flags = []
        if kind == "ceramic":
            if not settings.grafts.ceramic_as_20930:
                continue
            flags.append("ceramic_graft")
        if kind == "allograft_structural" and "allograft_spacer" in note_flags:
            flags.append("allograft_spacer")
        if kind == "autograft_separate_morselized" and "separate_incision_not_documented" in note_flags:
            flags.append("separate_incision_not_documented")
        if kind == "local_autograft" and "autograft_source_unstated" in note_flags:
            flags.append("autograft_source_unstated")
        code = table[kind]
        sug = by_code.setdefault(code, Suggestion(code, 1, "graft", 0.0, [], []))
        sug.flags = list(dict.fromkeys(sug.flags + flags))
        sug.evidence = _dedupe_evidence(sug.evidence + graft["evidence"])
    for sug in by_code.values():
        # A code backed by a kind without flags is as certain as that kind.
        sug.confidence = _confidence(settings.confidence.body_with_sites, sug.flags, settings)
        if "separate_incision_not_documented" in sug.flags or "autograft_source_unstated" in sug.flags:
            sug.confidence = min(sug.confidence, settings.confidence.inferred_type)
    return list(by_code.values())


def _by_segments(rows: list[dict], segments: int) -> str | None:
    return next((r["code"] for r in rows if r["min"] <= segments <= r["max"]), None)


def code_instrumentation(instr: dict, note_flags: list[str], settings: Settings) -> list[Suggestion]:
    table = load_json("codes.json")["instrumentation"]
    base = settings.confidence.body_with_sites
    listed = "instrumentation_levels_from_procedure_list" in note_flags
    out: list[Suggestion] = []
    post = instr["posterior"]
    if post and post["segments"] >= 2:
        code = (_by_segments(table["posterior_segmental"], post["segments"]) if post["segmental"]
                else table["posterior_nonsegmental"])
        flags = ["instrumentation_levels_from_procedure_list"] if listed else []
        out.append(Suggestion(code, 1, "instrumentation",
                              settings.confidence.sites_from_procedure_list if listed else base, flags, post["evidence"]))
    if instr["pelvic_fixation"] and post:
        pelvic_ev = [e for e in instr["device_evidence"] if e["rule"] == "instr.pelvic"] or post["evidence"]
        out.append(Suggestion(table["pelvic"], 1, "instrumentation", base, [], pelvic_ev))
    ant = instr["anterior"]
    if ant and ant["segments"] >= 2:
        out.append(Suggestion(_by_segments(table["anterior"], ant["segments"]), 1, "instrumentation", base, [],
                              ant["evidence"]))
    device_ev = [e for e in instr["device_evidence"] if e["rule"] != "instr.pelvic"]
    if instr["interbody"]:
        unknown = "?" in instr["interbody"]
        flags = ["interbody_level_unknown"] if unknown else []
        out.append(Suggestion(table["interbody"], len(instr["interbody"]), "instrumentation",
                              settings.confidence.inferred_type if unknown else base, flags, device_ev))
    if instr["corpectomy_defects"]:
        out.append(Suggestion(table["corpectomy_device"], instr["corpectomy_defects"], "instrumentation", base, [],
                              device_ev))
    if instr["no_arthrodesis_devices"]:
        out.append(Suggestion(table["device_no_arthrodesis"], instr["no_arthrodesis_devices"], "instrumentation",
                              base, [], device_ev))
    return out


# --------------------------------------------------------------------------- note


def suggest(facts: dict, settings: Settings) -> tuple[list[dict], list[dict]]:
    """Suggestions (as dicts, in code order) and the note-level flags, both with flag texts."""
    labels = load_json("codes.json")["labels"]
    note_flags = facts["flags"]
    suggestions = (code_osteotomies(facts["osteotomies"], settings)
                   + code_grafts(facts["grafts"], note_flags, settings)
                   + code_instrumentation(facts["instrumentation"], note_flags, settings))
    records = [{"code": s.code, "units": s.units, "family": s.family, "label": labels[s.code],
                "confidence": s.confidence, "flags": [flag_record(f) for f in s.flags],
                "evidence": s.evidence} for s in sorted(suggestions, key=lambda s: s.code)]
    return records, [flag_record(f) for f in note_flags]
