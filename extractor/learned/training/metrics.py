"""The figures the models are judged by: Brier score, expected calibration error and reliability bins
(calibration), precision and share above a confidence (auto-accept), catches and needless flags
(safety net), confusion matrices (document kind). All are aggregates over a set of notes."""
from __future__ import annotations

import numpy as np
from sklearn.metrics import brier_score_loss, confusion_matrix, log_loss

BINS = 10
AUTO_ACCEPT_PRECISION = 0.99


def reliability(p: np.ndarray, y: np.ndarray, bins: int = BINS) -> list[dict]:
    """Equal-width confidence bins: how many suggestions, their mean confidence, the share right."""
    index = np.minimum((p * bins).astype(int), bins - 1)
    out = []
    for b in range(bins):
        inside = index == b
        if inside.any():
            out.append({"low": b / bins, "high": (b + 1) / bins, "n": int(inside.sum()),
                        "confidence": float(p[inside].mean()), "right": float(y[inside].mean())})
    return out


def expected_calibration_error(p: np.ndarray, y: np.ndarray, bins: int = BINS) -> float:
    """Mean |confidence - share right| over the bins, weighted by the bins' sizes."""
    return float(sum(b["n"] * abs(b["confidence"] - b["right"]) for b in reliability(p, y, bins)) / max(len(p), 1))


def calibration(p: np.ndarray, y: np.ndarray) -> dict:
    """Brier score, ECE, log loss and reliability bins of confidences ``p`` for outcomes ``y``."""
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=bool)
    if not len(p):
        return {"n": 0}
    return {"n": int(len(p)), "right": int(y.sum()), "brier": float(brier_score_loss(y, p, pos_label=True)),
            "ece": expected_calibration_error(p, y),
            "log_loss": float(log_loss(y, np.clip(p, 1e-6, 1 - 1e-6), labels=[False, True])),
            "reliability": reliability(p, y)}


def above(p: np.ndarray, y: np.ndarray, threshold: float | None) -> dict:
    """Precision of the suggestions with confidence >= ``threshold`` and their share of all."""
    if threshold is None or not len(p):
        return {"threshold": threshold, "share": 0.0, "precision": None, "n": 0}
    keep = np.asarray(p) >= threshold
    n = int(keep.sum())
    return {"threshold": threshold, "share": n / len(p), "n": n,
            "precision": float(np.asarray(y)[keep].mean()) if n else None}


def wilson_lower(right: int, n: int, z: float = 1.96) -> float:
    """Lower end of the Wilson 95% interval of a proportion: how low the precision may really be."""
    if n == 0:
        return 0.0
    phat = right / n
    centre = phat + z * z / (2 * n)
    margin = z * np.sqrt(phat * (1 - phat) / n + z * z / (4 * n * n))
    return float((centre - margin) / (1 + z * z / n))


def lowest_threshold(p: np.ndarray, y: np.ndarray, precision: float = AUTO_ACCEPT_PRECISION,
                     min_count: int = 20, confident: bool = False) -> float | None:
    """The lowest confidence above which (inclusive) the precision is at least ``precision``, with at
    least ``min_count`` suggestions above it; None when no confidence reaches it. ``confident``: the
    Wilson lower bound of that precision must reach it (a threshold to ship, from a small sample)."""
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=bool)
    for t in np.unique(p):
        keep = p >= t
        if keep.sum() < min_count:
            return None
        observed = wilson_lower(int(y[keep].sum()), int(keep.sum())) if confident else y[keep].mean()
        if observed >= precision:
            return float(t)
    return None


def confusion(gold: list[str], predicted: list[str], labels: tuple[str, ...]) -> dict:
    """Confusion matrix (rows: gold, columns: predicted) and accuracy."""
    matrix = confusion_matrix(gold, predicted, labels=list(labels))
    return {"labels": list(labels), "matrix": matrix.tolist(),
            "accuracy": float(np.trace(matrix) / max(matrix.sum(), 1))}
