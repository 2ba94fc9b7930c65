"""Fitting the note-level text models over hashed n-grams (``ngrams.featurize``): the missed-code
safety net (one binary logistic regression per family, over the operative narrative) and the
document-kind classifier (a multinomial logistic regression over the first characters of a note).

A note is a row of n-gram counts divided by the square root of the number of n-grams read, exactly
what ``linear.HashedLinear`` computes at run time. Buckets seen in fewer than ``MIN_DF`` training
notes are dropped: they cannot generalise, and the files stay small (cross-validated log loss on the
training splits moved by under 2% from MIN_DF 5 to 20, at half the size). C is chosen by stratified
cross-validation (log loss); each threshold by its out-of-fold false-alarm rate (below).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold

from ...documents import classify
from .. import ngrams
from ..document_kind import CLASSES, SPINE, gold_class, rule_class
from ..safety_net import FAMILIES, in_spans, net_family
from .calibration import gold_codes
from .corpus import CorpusNote
from .metrics import confusion

SEED = 13
MIN_DF = 20
GRID_C = (1.0, 10.0, 100.0, 1000.0)
FOLDS = 5
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.5, 0.995, 0.01))
NEEDLESS_TARGET = 0.05  # share of rule-empty notes without the family that may be flagged (out of fold)
KIND_FALSE_ALARM_TARGET = 0.01  # share of notes with a wrong disagreement flag (out of fold)
SCAN_CHARS = 6000  # as much of a note as the rule gate reads


@dataclass
class NoteTable:
    """Notes as rows of n-gram bucket ids with their labels."""

    ids: list[np.ndarray]
    labels: np.ndarray  # (notes, columns) booleans, or class indices
    rule: np.ndarray  # what the rules said: families found (notes, families) or the gate's class index
    external: np.ndarray

    def fingerprint_items(self) -> list:
        import hashlib

        return [[hashlib.sha256(i.tobytes()).hexdigest(), lab, r]
                for i, lab, r in zip(self.ids, self.labels.tolist(), self.rule.tolist())]


def count_matrix(ids: list[np.ndarray]) -> sp.csr_matrix:
    """Rows of n-gram counts / sqrt(n-grams read), over all 2**BITS buckets."""
    data, indices, indptr = [], [], [0]
    for row in ids:
        buckets, counts = np.unique(row, return_counts=True)
        data.append(counts / np.sqrt(max(len(row), 1)))
        indices.append(buckets)
        indptr.append(indptr[-1] + len(buckets))
    return sp.csr_matrix((np.concatenate(data), np.concatenate(indices), indptr), shape=(len(ids), 2 ** ngrams.BITS))


def kept_columns(x: sp.csr_matrix) -> np.ndarray:
    return np.flatnonzero(np.asarray((x > 0).sum(axis=0)).ravel() >= MIN_DF)


def _binary(c: float) -> LogisticRegression:
    return LogisticRegression(C=c, solver="liblinear", class_weight="balanced", max_iter=5000, random_state=SEED)


def _multinomial(c: float) -> LogisticRegression:
    return LogisticRegression(C=c, class_weight="balanced", max_iter=5000, random_state=SEED)


def _out_of_fold(make, x, y, strata) -> np.ndarray:
    """Out-of-fold probabilities (of the positive class, or of every class)."""
    out = None
    for train, held in StratifiedKFold(FOLDS, shuffle=True, random_state=SEED).split(x, strata):
        p = make().fit(x[train], y[train]).predict_proba(x[held])
        out = np.zeros((x.shape[0], p.shape[1])) if out is None else out
        out[held] = p
    return out


def _choose_c(make, x, y) -> tuple[float, np.ndarray, dict]:
    """The C of the grid with the lowest out-of-fold log loss, and its out-of-fold probabilities."""
    scores, oofs = {}, {}
    for c in GRID_C:
        oofs[c] = _out_of_fold(lambda: make(c), x, y, y)
        scores[c] = float(log_loss(y, np.clip(oofs[c], 1e-9, 1), labels=sorted(set(y.tolist()))))
    best = min(GRID_C, key=lambda c: (round(scores[c], 6), c))
    return best, oofs[best], {str(c): s for c, s in scores.items()}


# --------------------------------------------------------------------------- safety net


def safety_table(notes: list[CorpusNote]) -> NoteTable:
    """The coded notes (status ok): narrative n-grams, gold families, families the rules found."""
    ids, labels, rule, external = [], [], [], []
    for note in notes:
        if note.record["status"] != "ok":
            continue
        features = ngrams.featurize(note.text)
        ids.append(features.ids[in_spans(features.starts, note.body)])
        gold = {net_family(_code_family(c)) for c, _ in gold_codes(note.gold)}
        found = {net_family(s["family"]) for s in note.record["suggestions"]}
        labels.append([f in gold for f in FAMILIES])
        rule.append([f in found for f in FAMILIES])
        external.append(note.split.startswith("external"))
    return NoteTable(ids, np.array(labels, dtype=bool), np.array(rule, dtype=bool), np.array(external, dtype=bool))


def _code_family(code: str) -> str:
    from ...codes import family_of

    return family_of(code)


def _threshold(p: np.ndarray, negatives: np.ndarray, target: float) -> float:
    """The lowest threshold whose false-alarm rate over ``negatives`` is at most ``target``."""
    for t in THRESHOLDS:
        if not negatives.any() or np.mean(p[negatives] >= t) <= target:
            return float(t)
    return float(THRESHOLDS[-1])


def train_safety_net(table: NoteTable) -> tuple[dict, dict]:
    """(model body, cross-validation figures) of the three family classifiers."""
    x_all = count_matrix(table.ids)
    columns = kept_columns(x_all)
    x = x_all[:, columns]
    weights, intercepts, thresholds, cv = [], [], {}, {}
    for k, family in enumerate(FAMILIES):
        y = table.labels[:, k]
        c, oof, scores = _choose_c(_binary, x, y)
        p = oof[:, 1]
        empty = ~table.rule[:, k]
        thresholds[family] = _threshold(p, empty & ~y, NEEDLESS_TARGET)
        model = _binary(c).fit(x, y)
        weights.append(model.coef_[0])
        intercepts.append(float(model.intercept_[0]))
        flagged = empty & (p >= thresholds[family])
        cv[family] = {"C": c, "log_loss": scores, "auc": float(roc_auc_score(y, p)), "notes": int(len(y)),
                      "with_family": int(y.sum()), "rule_misses": int((empty & y).sum()),
                      "rule_misses_flagged": int((flagged & y).sum()), "rule_empty_without_family": int((empty & ~y).sum()),
                      "needless_flags": int((flagged & ~y).sum()), "threshold": thresholds[family]}
    body = {"families": list(FAMILIES), "thresholds": thresholds, "featurizer": ngrams.FEATURIZER,
            "buckets": _rows(columns, np.vstack(weights)), "intercepts": intercepts}
    return body, {"min_df": MIN_DF, "folds": FOLDS, "seed": SEED, "needless_target": NEEDLESS_TARGET,
                  "buckets": int(len(columns)), "families": cv}


def _rows(columns: np.ndarray, weights: np.ndarray) -> list[list]:
    """[bucket, weight per column] rows, bucket order."""
    return [[int(b), *(float(w) for w in weights[:, i])] for i, b in enumerate(columns)]


# --------------------------------------------------------------------------- document kind


def kind_table(notes: list[CorpusNote]) -> NoteTable:
    """Every note: n-grams of its first SCAN_CHARS characters, gold class, the rule gate's class."""
    ids, labels, rule, external = [], [], [], []
    for note in notes:
        ids.append(ngrams.featurize(note.text[:SCAN_CHARS]).ids)
        labels.append(CLASSES.index(gold_class(note.gold.get("document_kind"))))
        rule.append(CLASSES.index(rule_class(classify(note.text).kind)))
        external.append(note.split.startswith("external"))
    return NoteTable(ids, np.array(labels), np.array(rule), np.array(external, dtype=bool))


def _kind_threshold(p: np.ndarray, gold: np.ndarray, rule: np.ndarray) -> float:
    """The lowest threshold at which wrong disagreements with the gate (on being a spine operative
    report) stay within KIND_FALSE_ALARM_TARGET of the notes."""
    spine = CLASSES.index(SPINE)
    predicted, confidence = p.argmax(axis=1), p.max(axis=1)
    wrong = ((predicted == spine) != (rule == spine)) & ((predicted == spine) != (gold == spine))
    for t in THRESHOLDS:
        if np.mean(wrong & (confidence >= t)) <= KIND_FALSE_ALARM_TARGET:
            return float(t)
    return float(THRESHOLDS[-1])


def train_document_kind(table: NoteTable) -> tuple[dict, dict]:
    """(model body, cross-validation figures) of the document-kind classifier."""
    x_all = count_matrix(table.ids)
    columns = kept_columns(x_all)
    x, y = x_all[:, columns], table.labels
    c, oof, scores = _choose_c(_multinomial, x, y)
    model = _multinomial(c).fit(x, y)
    order = [list(model.classes_).index(i) for i in range(len(CLASSES))]
    threshold = _kind_threshold(oof, y, table.rule)
    predicted = [CLASSES[i] for i in oof.argmax(axis=1)]
    body = {"classes": list(CLASSES), "threshold": threshold, "scan_chars": SCAN_CHARS,
            "featurizer": ngrams.FEATURIZER, "buckets": _rows(columns, model.coef_[order]),
            "intercepts": [float(model.intercept_[i]) for i in order]}
    cv = {"C": c, "log_loss": scores, "min_df": MIN_DF, "folds": FOLDS, "seed": SEED, "buckets": int(len(columns)),
          "false_alarm_target": KIND_FALSE_ALARM_TARGET, "threshold": threshold,
          "confusion": confusion([CLASSES[i] for i in y], predicted, CLASSES)}
    return body, cv
