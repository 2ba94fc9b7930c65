"""Calibrated confidence: the probability that a suggestion is right, from its features
(``features.suggestion_features``), replacing the hand-set confidence in ``confidence`` (never above it
for a suggestion with review flags); the hand-set value stays in ``rule_confidence``, the rule-only
baseline."""
from __future__ import annotations

from pathlib import Path

from .features import NoteContext, suggestion_features
from .linear import NamedLinear, _finite
from .store import ModelError, header

KIND = "confidence"


class ConfidenceModel:
    """The stored calibration model of one version."""

    def __init__(self, data: dict, path: Path):
        self.version = data["version"]
        self.info = header(data)
        self.linear = NamedLinear(data, path)
        threshold = data.get("auto_accept_threshold")
        if threshold is not None and not 0.0 <= _finite(threshold, path, "'auto_accept_threshold'") <= 1.0:
            raise ModelError(f"{path}: 'auto_accept_threshold' must be between 0 and 1 or null")
        self.auto_accept_threshold = threshold

    def probability(self, suggestion: dict, record: dict, bases: dict[str, float],
                    context: NoteContext | None = None) -> float:
        return self.linear.probability(suggestion_features(suggestion, record, bases, context))

    def apply(self, record: dict, bases: dict[str, float]) -> None:
        """Calibrate every suggestion of ``record`` in place."""
        context = NoteContext(record)
        for suggestion in record["suggestions"]:
            p = round(self.probability(suggestion, record, bases, context), 3)
            suggestion["rule_confidence"] = suggestion["confidence"]
            # A flagged suggestion never looks surer than the rules say: the flag asks a coder to look.
            suggestion["confidence"] = min(p, suggestion["confidence"]) if suggestion.get("flags") else p
            explanation = suggestion.get("explanation")
            if isinstance(explanation, dict):
                explanation["calibration"] = {"model": f"{KIND}.v{self.version}",
                                              "rule_confidence": suggestion["rule_confidence"]}
