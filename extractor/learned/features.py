"""Features of one code suggestion, read from the output record (the same dict the extractor writes
and the review queue stores), so that corpus runs, live extraction and queued results share one
definition.

Rule ids appear only through their category (the part before the first dot: ``osteo``, ``instr``,
``graft``, ``level``), and evidence sections through their role, so renaming a rule or adding a section
header leaves the features unchanged. A feature the model does not know (a new flag id) is ignored.
"""
from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache

from ..resources import load_json

BASE_KINDS = ("body_with_sites", "sites_from_procedure_list", "inferred_type")
_FAMILY_EXCLUSIONS = {"graft": "GRAFT", "instrumentation": "INSTRUMENT"}


@lru_cache(maxsize=1)
def _section_roles() -> dict[str | None, str]:
    roles = load_json("sections.json")["roles"]
    return {category: role for role, categories in roles.items() for category in categories}


def _role(section: str | None) -> str:
    return _section_roles().get(section, "unknown")


def _log_count(value: float) -> float:
    return round(math.log1p(value), 6)


def base_kind(suggestion: dict, bases: dict[str, float]) -> str:
    """Which base confidence setting the rules started from (``bases``: setting name -> value)."""
    explanation = suggestion.get("explanation") or {}
    value = explanation.get("base_confidence")
    return next((kind for kind in BASE_KINDS if bases.get(kind) == value), "unknown")


def _evidence_features(evidence: list[dict]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, count in Counter(str(e.get("rule", "")).split(".")[0] for e in evidence).items():
        out[f"evidence_rule={name}"] = _log_count(count)
    for name, count in Counter(_role(e.get("section")) for e in evidence).items():
        out[f"evidence_role={name}"] = _log_count(count)
    sentences = {e.get("sentence_start") for e in evidence}
    out["evidence"] = _log_count(len(evidence))
    out["evidence_sentences"] = _log_count(len(sentences))
    if evidence:
        spread = max(e["end"] for e in evidence) - min(e["start"] for e in evidence)
        out["evidence_spread"] = _log_count(spread / 100)
    return out


def _exclusions(facts: dict, family: str) -> list[dict]:
    """Mentions of the suggestion's family that were not counted (negated, planned, historical...)."""
    if family in _FAMILY_EXCLUSIONS:
        return [m for m in facts.get("excluded_mentions") or [] if m.get("category") == _FAMILY_EXCLUSIONS[family]]
    return [m for m in facts.get("excluded_osteotomies") or [] if m.get("family") == family]


def _assertion_features(suggestion: dict, facts: dict) -> dict[str, float]:
    """Not-counted mentions of the same family: anywhere in the note, and in the evidence's sentences."""
    sentences = {e.get("sentence_start") for e in suggestion.get("evidence") or []}
    anywhere: Counter = Counter()
    nearby: Counter = Counter()
    for mention in _exclusions(facts, suggestion.get("family", "")):
        anywhere[mention.get("assertion")] += 1
        if any(e.get("sentence_start") in sentences for e in mention.get("evidence") or []):
            nearby[mention.get("assertion")] += 1
    out = {f"excluded_in_family={a}": _log_count(n) for a, n in anywhere.items()}
    out.update({f"excluded_nearby={a}": _log_count(n) for a, n in nearby.items()})
    return out


def suggestion_features(suggestion: dict, record: dict, bases: dict[str, float]) -> dict[str, float]:
    """Named feature values of one suggestion of ``record`` (``bases``: the confidence settings)."""
    explanation = suggestion.get("explanation") or {}
    penalties = explanation.get("penalties") or []
    out: dict[str, float] = {
        f"family={suggestion.get('family')}": 1.0,
        f"code={suggestion.get('code')}": 1.0,
        f"base={base_kind(suggestion, bases)}": 1.0,
        "units": _log_count(int(suggestion.get("units", 1)) - 1),
        "convention_penalties": float(sum(1 for p in penalties if "factor" in p)),
        "caps": float(sum(1 for p in penalties if "cap" in p)),
        "sites": _log_count(len(explanation.get("sites") or [])),
        "dropped_sites": _log_count(len(explanation.get("dropped_sites") or [])),
        "flags": float(len(suggestion.get("flags") or [])),
        "note_suggestions": _log_count(len(record.get("suggestions") or [])),
    }
    out.update({f"flag={f['id']}": 1.0 for f in suggestion.get("flags") or []})
    out.update({f"note_flag={f['id']}": 1.0 for f in record.get("flags") or []})
    out.update(_evidence_features(suggestion.get("evidence") or []))
    out.update(_assertion_features(suggestion, record.get("facts") or {}))
    return out
