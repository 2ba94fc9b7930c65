"""The learned layer: small scikit-learn models, stored as plain JSON in ``models/``, next to the rules.

The rules decide the codes. The models only add what rules cannot say about themselves: a confidence
calibrated on coded notes (``confidence``), a safety net that flags a family the rules may have missed
(``safety_net``), a second opinion on the document kind (``document_kind``). Inference needs numpy
only (``linear``, ``ngrams``); fitting them needs scikit-learn (``extractor.learned.training``).
"""
from __future__ import annotations

from .layer import LEARNED_FLAGS, LearnedLayer, Models, learned_layer, load_models, read_models, rules_only
from .store import ModelError

__all__ = ["LEARNED_FLAGS", "LearnedLayer", "ModelError", "Models", "learned_layer", "load_models", "read_models",
           "rules_only"]
