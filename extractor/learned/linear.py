"""Inference of the stored linear models in a few lines of numpy: no scikit-learn object is created
when a model is loaded, only arrays and dicts read from its JSON and checked.

* ``NamedLinear``: a logistic regression over named features (the confidence model).
* ``HashedLinear``: linear scores over hashed n-gram buckets (``ngrams.featurize``), one column per
  class or family, each n-gram count divided by the square root of the number of n-grams read.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from . import ngrams
from .store import ModelError


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def _finite(value, path: Path, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ModelError(f"{path}: {what} must be a finite number")
    return float(value)


class NamedLinear:
    """``sigmoid(intercept + sum(weight[name] * value))``; names the model does not know weigh 0."""

    def __init__(self, body: dict, path: Path):
        weights = body.get("weights")
        if not isinstance(weights, dict) or not all(isinstance(k, str) for k in weights):
            raise ModelError(f"{path}: 'weights' must map feature names to numbers")
        self.weights = {k: _finite(v, path, f"weight {k!r}") for k, v in weights.items()}
        self.intercept = _finite(body.get("intercept"), path, "'intercept'")

    def probability(self, features: dict[str, float]) -> float:
        weights = self.weights
        return sigmoid(self.intercept + sum(weights.get(k, 0.0) * v for k, v in features.items()))


class HashedLinear:
    """Scores of ``columns`` over n-gram buckets: ``intercept + sum(weights[ids]) / sqrt(len(ids))``.

    Weights are kept compact: ``index`` maps each of the 2**BITS buckets to a row of ``weights``
    (row 0: the buckets the model has no weight for), and ``weights`` is stored one column per row,
    so a note costs two gathers and one contiguous sum."""

    def __init__(self, body: dict, path: Path, columns: int):
        if body.get("featurizer") != ngrams.FEATURIZER:
            raise ModelError(f"{path}: n-gram features {body.get('featurizer')!r}, this extractor computes "
                             f"{ngrams.FEATURIZER!r} (run `make models`)")
        try:
            rows = np.asarray(body.get("buckets"), dtype=np.float64)
            intercepts = np.asarray(body.get("intercepts"), dtype=np.float64)
        except (TypeError, ValueError):
            raise ModelError(f"{path}: 'buckets' and 'intercepts' must be arrays of numbers") from None
        if rows.ndim != 2 or rows.shape[1] != columns + 1 or intercepts.shape != (columns,):
            raise ModelError(f"{path}: 'buckets' rows must be [bucket, {columns} weights], 'intercepts' "
                             f"{columns} numbers")
        if not (np.isfinite(rows).all() and np.isfinite(intercepts).all()):
            raise ModelError(f"{path}: weights must be finite numbers")
        buckets = rows[:, 0]
        if (buckets != np.round(buckets)).any() or (buckets < 0).any() or (buckets >= 2 ** ngrams.BITS).any() \
                or len(np.unique(buckets)) != len(buckets):
            raise ModelError(f"{path}: bucket ids must be distinct integers below 2**{ngrams.BITS}")
        self.index = np.zeros(2 ** ngrams.BITS, dtype=np.int32)
        self.index[buckets.astype(np.int64)] = np.arange(1, len(buckets) + 1, dtype=np.int32)
        self.weights = np.zeros((columns, len(buckets) + 1))
        self.weights[:, 1:] = rows[:, 1:].T
        self.intercepts = intercepts

    def scores(self, ids: np.ndarray) -> np.ndarray:
        """One score per column for the n-grams ``ids`` (the intercepts when there are none)."""
        if not len(ids):
            return self.intercepts.copy()
        rows = np.take(self.index, ids)
        return self.intercepts + np.take(self.weights, rows, axis=1).sum(axis=1) / math.sqrt(len(ids))

    def contributions(self, ids: np.ndarray, column: int) -> np.ndarray:
        """What each n-gram occurrence adds to the score of ``column``."""
        return self.weights[column, np.take(self.index, ids)] / math.sqrt(max(len(ids), 1))


def softmax(scores: np.ndarray) -> np.ndarray:
    shifted = np.exp(scores - scores.max())
    return shifted / shifted.sum()
