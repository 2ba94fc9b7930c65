"""Bone graft codes (coding-rules section 5): each code once per operation."""
from __future__ import annotations

from ..codes import label, table
from ..flags import Flag
from ..model import Evidence, Graft, Suggestion
from ..settings import Settings
from .confidence import dedupe_evidence, explain

# Flags saying the documentation is too thin for full confidence: they cap it.
_CAPPING = (Flag.separate_incision_not_documented, Flag.autograft_source_unstated)


def code_grafts(grafts: tuple[Graft, ...], settings: Settings) -> list[Suggestion]:
    by_code: dict[str, tuple[list[Flag], list[Evidence]]] = {}
    for graft in grafts:
        flags = list(graft.flags)
        if graft.kind == "ceramic":
            if not settings.grafts.ceramic_as_20930:
                continue
            flags.insert(0, Flag.ceramic_graft)
        code = table()["graft"][graft.kind]
        code_flags, evidence = by_code.setdefault(code, ([], []))
        code_flags += [f for f in flags if f not in code_flags]
        evidence += graft.evidence
    out = []
    for code, (flags, evidence) in by_code.items():
        confidence, why = explain("body_with_sites", "graft named in the operative narrative", flags, settings,
                                  caps=[f for f in _CAPPING if f in flags])
        out.append(Suggestion(code, 1, "graft", label(code), confidence, tuple(flags), dedupe_evidence(evidence), why))
    return out
