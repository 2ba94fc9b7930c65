"""A second opinion on the document kind: a linear classifier over the word and character n-grams
of the first characters of a note, next to the rule gate (``extractor.documents``). When it is
confident and disagrees with the gate about whether the note is a spine operative report (the
decision that makes a note coded or skipped), the record gets ``document_kind_disagreement``."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import documents
from ..flags import flag_record
from .linear import HashedLinear, _finite, softmax
from .ngrams import Features
from .store import ModelError, header

KIND = "document_kind"
SPINE = "spine_operative"
CLASSES = ("spine_operative", "other_operative", "consult_hp", "radiology", "discharge_progress", "other")
# The rule gate's kinds (rules/documents.json) in these classes; any other kind is "other".
RULE_CLASSES = {
    documents.SPINE_OPERATIVE: "spine_operative",
    documents.OTHER_OPERATIVE: "other_operative",
    "consult or history and physical": "consult_hp",
    "radiology report": "radiology",
    "discharge summary": "discharge_progress",
    "progress note": "discharge_progress",
}
# The independent-writer corpus's gold kinds (corpora/external/*/gold.jsonl) in these classes.
GOLD_CLASSES = {
    "spine_operative": "spine_operative",
    "other_operative": "other_operative",
    "consult": "consult_hp",
    "history_physical": "consult_hp",
    "radiology": "radiology",
    "discharge_summary": "discharge_progress",
    "progress_note": "discharge_progress",
}


def rule_class(kind: str) -> str:
    return RULE_CLASSES.get(kind, "other")


def gold_class(kind: str | None) -> str:
    """Notes of the project's own corpus carry no kind: they are all spine operative reports."""
    return GOLD_CLASSES.get(kind or SPINE, "other")


class DocumentKindModel:
    """The stored document-kind classifier of one version."""

    def __init__(self, data: dict, path: Path):
        self.version = data["version"]
        self.info = header(data)
        if tuple(data.get("classes") or ()) != CLASSES:
            raise ModelError(f"{path}: 'classes' must be {list(CLASSES)}")
        self.threshold = _finite(data.get("threshold"), path, "'threshold'")
        self.scan_chars = int(_finite(data.get("scan_chars"), path, "'scan_chars'"))
        self.linear = HashedLinear(data, path, len(CLASSES))

    def probabilities(self, features: Features) -> np.ndarray:
        """Class probabilities from a note's features (only those in its first ``scan_chars``)."""
        return softmax(self.linear.scores(features.ids[features.starts < self.scan_chars]))

    def apply(self, record: dict, features: Features, rule_kind: str) -> dict:
        """The second opinion on ``record``; flags a confident disagreement on being coded."""
        probabilities = self.probabilities(features)
        best = int(np.argmax(probabilities))
        kind, p = CLASSES[best], float(probabilities[best])
        rule = rule_class(rule_kind)
        if p >= self.threshold and (kind == SPINE) != (rule == SPINE):
            record["flags"].append({**flag_record("document_kind_disagreement"), "kind": kind,
                                    "probability": round(p, 3), "rule_kind": rule})
        return {"kind": kind, "probability": round(p, 3), "rule_kind": rule}
