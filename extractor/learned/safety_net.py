"""The missed-code safety net: one note-level linear classifier per family (osteotomy, graft,
instrumentation) over the word and character n-grams of the operative narrative. When the rules
suggested nothing in a family and its classifier is confident, the note gets the flag
``possible_missed_<family>`` with the sentences that weighed most: never a code."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..codes import OSTEOTOMY_FAMILIES
from ..flags import flag_record
from .linear import HashedLinear, _finite, sigmoid
from .ngrams import Features
from .store import ModelError, header

KIND = "missed_code"
FAMILIES = ("osteotomy", "graft", "instrumentation")
TOP_SENTENCES = 3


def net_family(code_family: str) -> str:
    """The safety net's family of a code family (the three osteotomy families are one)."""
    return "osteotomy" if code_family in OSTEOTOMY_FAMILIES else code_family


def in_spans(starts: np.ndarray, spans: list[tuple[int, int]]) -> np.ndarray:
    """Which offsets fall inside one of the sorted, non-overlapping ``spans``."""
    if not spans:
        return np.zeros(len(starts), dtype=bool)
    lows = np.array([s for s, _ in spans])
    highs = np.array([e for _, e in spans])
    index = np.searchsorted(lows, starts, side="right") - 1
    return (index >= 0) & (starts < highs[np.maximum(index, 0)])


class MissedCodeNet:
    """The stored safety net of one version."""

    def __init__(self, data: dict, path: Path):
        self.version = data["version"]
        self.info = header(data)
        if tuple(data.get("families") or ()) != FAMILIES:
            raise ModelError(f"{path}: 'families' must be {list(FAMILIES)}")
        thresholds = data.get("thresholds") or {}
        self.thresholds = {f: _finite(thresholds.get(f), path, f"threshold of {f}") for f in FAMILIES}
        self.linear = HashedLinear(data, path, len(FAMILIES))

    def probabilities(self, narrative: Features, families: list[str]) -> dict[str, float]:
        scores = self.linear.scores(narrative.ids)
        return {f: sigmoid(float(scores[FAMILIES.index(f)])) for f in families}

    def apply(self, record: dict, text: str, features: Features, body: list[tuple[int, int]]) -> dict[str, float]:
        """Flag the families the rules left empty when confident; the probabilities checked."""
        found = {net_family(s["family"]) for s in record["suggestions"]}
        empty = [f for f in FAMILIES if f not in found]
        if not empty:
            return {}
        narrative = features.select(in_spans(features.starts, body))
        probabilities = self.probabilities(narrative, empty)
        for family, p in probabilities.items():
            if p >= self.thresholds[family]:
                record["flags"].append({**flag_record(f"possible_missed_{family}"), "probability": round(p, 3),
                                        "evidence": self.weighing_sentences(text, narrative, family, body)})
        return {f: round(p, 3) for f, p in probabilities.items()}

    def weighing_sentences(self, text: str, narrative: Features, family: str,
                           body: list[tuple[int, int]]) -> list[dict]:
        """The narrative sentences that added most to the family's score, in text order."""
        from ..sentences import split_sentences
        from ..textview import clean

        sentences = [s for s in split_sentences(clean(text)) if in_spans(np.array([s[0]]), body)[0]]
        if not sentences:
            return []
        starts = np.array([s for s, _ in sentences])
        index = np.searchsorted(starts, narrative.starts, side="right") - 1
        inside = (index >= 0) & (narrative.starts < np.array([e for _, e in sentences])[np.maximum(index, 0)])
        weights = np.bincount(index[inside], weights=self.linear.contributions(narrative.ids, FAMILIES.index(family))
                              [inside], minlength=len(sentences))
        best = [i for i in np.argsort(-weights, kind="stable")[:TOP_SENTENCES] if weights[i] > 0]
        return [{"start": int(sentences[i][0]), "end": int(sentences[i][1]),
                 "text": text[sentences[i][0]:sentences[i][1]], "weight": round(float(weights[i]), 3)}
                for i in sorted(best)]
