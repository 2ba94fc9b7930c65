"""Confidence of a suggestion: a base that says how the facts were found, lowered by each flag that
marks a project convention (and capped by weak documentation), with every step explained."""
from __future__ import annotations

from collections.abc import Iterable

from ..flags import Flag, is_convention
from ..model import DroppedSite, Evidence, Explanation, Penalty
from ..settings import Settings



def explain(base_kind: str, reason: str, flags: Iterable[Flag], settings: Settings, sites: Iterable[str] = (),
            dropped: Iterable[DroppedSite] = (), caps: Iterable[Flag] = ()) -> tuple[float, Explanation]:
    """The confidence and its explanation: the base of ``base_kind`` (a setting of [confidence]:
    body_with_sites, sites_from_procedure_list or inferred_type) with its ``reason``, times the
    penalty for each convention flag, then capped by the flags in ``caps``."""
    value = getattr(settings.confidence, base_kind)
    factor = settings.confidence.convention_penalty
    penalties = [Penalty(f, factor=factor) for f in flags if is_convention(f)]
    confidence = round(value * factor ** len(penalties), 3)
    cap = settings.confidence.inferred_type
    for f in caps:
        penalties.append(Penalty(f, cap=cap))
        confidence = min(confidence, cap)
    return confidence, Explanation(value, reason, tuple(penalties), tuple(sites), tuple(dropped))


def dedupe_evidence(items: Iterable[Evidence]) -> tuple[Evidence, ...]:
    """Evidence in text order, each (start, end, rule) once."""
    seen, out = set(), []
    for item in sorted(items, key=lambda e: (e.start, e.end)):
        key = (item.start, item.end, item.rule)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)
