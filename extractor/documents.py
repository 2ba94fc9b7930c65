"""What kind of document a note is, decided cheaply on raw text before the pipeline: only spine
operative reports are coded. Consults that recount an old fusion, imaging reports that describe
hardware, discharge summaries, bone marrow biopsies and knee replacements are skipped with the reason.

A weighted-cue scorer over ``rules/documents.json``: every kind has cues (regexes, each counted once),
the operative report has its own, and an operative report is then placed on the spine or elsewhere by
its site cues. Transparent and fast (a few regex searches per note), so the batch gate stays cheap.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .resources import load_json

SPINE_OPERATIVE = "spine operative report"
OTHER_OPERATIVE = "operative report of another site"


@dataclass(frozen=True)
class Cue:
    pattern: re.Pattern
    weight: float
    title: bool = False


@dataclass(frozen=True)
class DocumentKind:
    """The decision and the scores behind it (for explanations and tuning)."""

    kind: str
    operative: float
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def coded(self) -> bool:
        return self.kind == SPINE_OPERATIVE

    @property
    def skip_reason(self) -> str | None:
        if self.coded:
            return None
        if self.kind == OTHER_OPERATIVE:
            return OTHER_OPERATIVE
        return f"not an operative report: {self.kind}"


def _cues(items: list[dict], title: bool = False) -> tuple[Cue, ...]:
    return tuple(Cue(re.compile(c["pattern"], re.IGNORECASE), c["weight"], title or c.get("title", False))
                 for c in items)


@lru_cache(maxsize=1)
def _config() -> tuple[dict, tuple[Cue, ...], dict[str, tuple[Cue, ...]], tuple[Cue, ...], tuple[Cue, ...]]:
    data = load_json("documents.json")
    operative = _cues(data["operative"]["title"], title=True) + _cues(data["operative"]["anywhere"])
    kinds = {kind: _cues(cues) for kind, cues in data["kinds"].items()}
    return data, operative, kinds, _cues(data["spine_site"]), _cues(data["other_site"])


def _score(cues: tuple[Cue, ...], text: str, title: str) -> float:
    """Sum of the weights of the cues found (each once)."""
    return sum(c.weight for c in cues if c.pattern.search(title if c.title else text))


def _count_score(cues: tuple[Cue, ...], text: str, cap: int) -> float:
    """Sum of weight x matches (at most ``cap`` per cue): how much a note talks about a site."""
    total = 0.0
    for c in cues:
        n = 0
        for _ in c.pattern.finditer(text):
            n += 1
            if n == cap:
                break
        total += c.weight * n
    return total


def classify(text: str) -> DocumentKind:
    """The kind of document ``text`` is; ``.coded`` only for a spine operative report."""
    data, operative_cues, kind_cues, spine_cues, other_cues = _config()
    title = text.lstrip()[: data["title_chars"]]
    operative = _score(operative_cues, text, title)
    scores = {kind: _score(cues, text, title) for kind, cues in kind_cues.items()}
    best, best_score = max(scores.items(), key=lambda item: item[1])
    is_operative = operative >= data["operative_min"] and operative >= best_score + data["operative_margin"]
    if not is_operative and (best_score >= data["kind_min"] or best_score > operative):
        return DocumentKind(best, operative, scores)
    cap = data["site_count_cap"]
    spine, other = _count_score(spine_cues, text, cap), _count_score(other_cues, text, cap)
    scores.update({"spine site": spine, "other site": other})
    kind = OTHER_OPERATIVE if other >= spine + data["site_margin"] else SPINE_OPERATIVE
    return DocumentKind(kind, operative, scores)
