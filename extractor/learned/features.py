"""Features of one code suggestion, read from the output record (the same dict the extractor writes
and the review queue stores), so that corpus runs, live extraction and queued results share one
definition.

Rule ids appear only through their category (the part before the first dot: ``osteo``, ``instr``,
``graft``, ``level``), and evidence sections through their role, so renaming a rule or adding a section
header leaves the features unchanged. A feature the model does not know (a new flag id) is ignored.
"""
from __future__ import annotations

import math
from functools import lru_cache

from ..resources import load_json

BASE_KINDS = ("body_with_sites", "sites_from_procedure_list", "inferred_type")
_EXCLUSION_FAMILY = {"GRAFT": "graft", "INSTRUMENT": "instrumentation"}


@lru_cache(maxsize=1)
def _section_roles() -> dict[str | None, str]:
    roles = load_json("sections.json")["roles"]
    return {category: role for role, categories in roles.items() for category in categories}


_LOG = [math.log1p(n) for n in range(256)]


def _log_count(value: float) -> float:
    """log(1 + value): counts are compressed (the tenth piece of evidence adds less than the second)."""
    return _LOG[value] if isinstance(value, int) and 0 <= value < 256 else math.log1p(value)


def _counts(names) -> dict[str, int]:
    out: dict[str, int] = {}
    for name in names:
        out[name] = out.get(name, 0) + 1
    return out


def base_kind(suggestion: dict, bases: dict[str, float]) -> str:
    """Which base confidence setting the rules started from (``bases``: setting name -> value)."""
    explanation = suggestion.get("explanation") or {}
    value = explanation.get("base_confidence")
    return next((kind for kind in BASE_KINDS if bases.get(kind) == value), "unknown")


def _evidence_features(evidence: list[dict]) -> dict[str, float]:
    roles = _section_roles()
    out = {f"evidence_rule={name}": _log_count(n) for name, n in
           _counts(str(e.get("rule", "")).partition(".")[0] for e in evidence).items()}
    out.update({f"evidence_role={name}": _log_count(n) for name, n in
                _counts(roles.get(e.get("section"), "unknown") for e in evidence).items()})
    sentences = {e.get("sentence_start") for e in evidence}
    out["evidence"] = _log_count(len(evidence))
    out["evidence_sentences"] = _log_count(len(sentences))
    if evidence:
        spread = max(e["end"] for e in evidence) - min(e["start"] for e in evidence)
        out["evidence_spread"] = _log_count(spread / 100)
    return out


class NoteContext:
    """What every suggestion of a note shares: note flags, the number of suggestions, and the
    not-counted mentions of each family with the sentences they sit in (read once per note)."""

    def __init__(self, record: dict):
        facts = record.get("facts") or {}
        self.note = {f"note_flag={f['id']}": 1.0 for f in record.get("flags") or []}
        self.note["note_suggestions"] = _log_count(len(record.get("suggestions") or []))
        self.exclusions: dict[str, list[tuple[str, set]]] = {}
        for m in facts.get("excluded_osteotomies") or []:
            self._add(m.get("family"), m)
        for m in facts.get("excluded_mentions") or []:
            self._add(_EXCLUSION_FAMILY.get(m.get("category")), m)

    def _add(self, family: str | None, mention: dict) -> None:
        sentences = {e.get("sentence_start") for e in mention.get("evidence") or []}
        self.exclusions.setdefault(family, []).append((mention.get("assertion"), sentences))

    def assertion_features(self, suggestion: dict) -> dict[str, float]:
        """Not-counted mentions of the suggestion's family: anywhere, and in its evidence's sentences."""
        sentences = {e.get("sentence_start") for e in suggestion.get("evidence") or []}
        mentions = self.exclusions.get(suggestion.get("family"), ())
        out = {f"excluded_in_family={a}": _log_count(n) for a, n in _counts(a for a, _ in mentions).items()}
        out.update({f"excluded_nearby={a}": _log_count(n) for a, n in
                    _counts(a for a, where in mentions if where & sentences).items()})
        return out


def suggestion_features(suggestion: dict, record: dict, bases: dict[str, float],
                        context: NoteContext | None = None) -> dict[str, float]:
    """Named feature values of one suggestion of ``record`` (``bases``: the confidence settings;
    ``context``: the note's shared part, when several suggestions of a note are read)."""
    context = context or NoteContext(record)
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
        **context.note,
    }
    out.update({f"flag={f['id']}": 1.0 for f in suggestion.get("flags") or []})
    out.update(_evidence_features(suggestion.get("evidence") or []))
    out.update(context.assertion_features(suggestion))
    return out
