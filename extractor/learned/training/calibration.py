"""Fitting the confidence model: a logistic regression over the features of each suggestion
(``features.suggestion_features``), labelled right when gold has its code with its units (the rule
of ``opnote evaluate``).

The rules were tuned on the project's own notes until every suggestion there is right, so those rows
say little about the errors of notes written by other hands; ``external/dev`` is the only training
data with such errors. Hyper-parameters (the regularisation C and the weight of the project's own
notes) are therefore chosen by grouped cross-validation scored on ``external/dev`` notes only.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss
from sklearn.model_selection import GroupKFold

from ..features import NoteContext, suggestion_features
from .corpus import EXTERNAL_TRAINING, CorpusNote
from .metrics import lowest_threshold

SEED = 13
GRID_C = (0.03, 0.1, 0.3, 1.0, 3.0)
GRID_OWN_WEIGHT = (0.1, 0.3, 1.0)
FOLDS, REPEATS = 5, 5


@dataclass
class Table:
    """Suggestions as training rows: features, right or not, note (group), and where they come from."""

    rows: list[dict]
    labels: np.ndarray
    groups: np.ndarray
    external: np.ndarray
    rule_confidence: np.ndarray

    def fingerprint_items(self) -> list:
        return [[g, r, bool(y)] for g, r, y in zip(self.groups.tolist(), self.rows, self.labels.tolist())]

    def matrix(self) -> tuple[list[str], np.ndarray]:
        """Feature names (sorted) and the rows as a dense matrix (a feature absent from a row is 0)."""
        vectorizer = DictVectorizer(sparse=False, sort=True)
        x = vectorizer.fit_transform(self.rows)
        return list(vectorizer.get_feature_names_out()), x


def gold_codes(gold: dict) -> set[tuple[str, int]]:
    return {(c["code"], int(c["units"])) for c in gold["codes"]}


def is_right(suggestion: dict, gold: set[tuple[str, int]]) -> bool:
    """Right when gold has the code with the same units (as ``opnote evaluate`` counts it)."""
    return (suggestion["code"], int(suggestion["units"])) in gold


def suggestion_table(notes: list[CorpusNote], bases: dict[str, float]) -> Table:
    rows, labels, groups, external, rule = [], [], [], [], []
    for note in notes:
        gold = gold_codes(note.gold)
        context = NoteContext(note.record)
        for s in note.record["suggestions"]:
            rows.append(suggestion_features(s, note.record, bases, context))
            labels.append(is_right(s, gold))
            groups.append(note.group)
            external.append(note.split == EXTERNAL_TRAINING)
            rule.append(s.get("rule_confidence", s["confidence"]))
    return Table(rows, np.array(labels, dtype=bool), np.array(groups), np.array(external, dtype=bool),
                 np.array(rule, dtype=float))


def fit(x: np.ndarray, labels: np.ndarray, weights: np.ndarray, c: float) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=5000).fit(x, labels, sample_weight=weights)


def body(names: list[str], model: LogisticRegression) -> dict:
    """The stored form: feature name -> weight, and the intercept."""
    return {"weights": {name: float(w) for name, w in zip(names, model.coef_[0])},
            "intercept": float(model.intercept_[0])}


def out_of_fold(table: Table, x: np.ndarray, c: float, own_weight: float, seed: int) -> np.ndarray:
    """Predictions for the external rows, each from a model fitted without its note."""
    ext = np.flatnonzero(table.external)
    weights = np.where(table.external, 1.0, own_weight)
    predictions = np.zeros(len(ext))
    for _, held in GroupKFold(FOLDS, shuffle=True, random_state=seed).split(ext, groups=table.groups[ext]):
        train = np.ones(len(table.labels), dtype=bool)
        train[ext[held]] = False
        predictions[held] = fit(x[train], table.labels[train], weights[train], c).predict_proba(x[ext[held]])[:, 1]
    return predictions


def select(table: Table, x: np.ndarray) -> dict:
    """Grid search of C and the own-notes weight by the mean out-of-fold Brier score on external/dev."""
    y = table.labels[table.external]
    results = []
    for c in GRID_C:
        for own in GRID_OWN_WEIGHT:
            scores = [brier_score_loss(y, out_of_fold(table, x, c, own, SEED + r), pos_label=True) for r in range(REPEATS)]
            results.append({"C": c, "own_notes_weight": own, "brier": float(np.mean(scores))})
    best = min(results, key=lambda r: (round(r["brier"], 6), r["C"]))  # a tie goes to the simpler model
    return {"best": best, "grid": results}


def train(table: Table) -> tuple[dict, dict]:
    """(model body with its auto-accept threshold, cross-validation figures)."""
    names, x = table.matrix()
    chosen = select(table, x)["best"]
    c, own = chosen["C"], chosen["own_notes_weight"]
    oof = out_of_fold(table, x, c, own, SEED)
    y = table.labels[table.external]
    threshold = lowest_threshold(oof, y, confident=True)  # external/dev is small and the rules were tuned on it
    model = fit(x, table.labels, np.where(table.external, 1.0, own), c)
    cv = {"scored_on": EXTERNAL_TRAINING, "folds": FOLDS, "repeats": REPEATS, "seed": SEED,
          "suggestions": int(len(y)), "right": int(y.sum()),
          "brier_learned": chosen["brier"],
          "brier_hand_set": float(brier_score_loss(y, table.rule_confidence[table.external], pos_label=True)),
          "auto_accept_threshold": threshold}
    return {**body(names, model), "auto_accept_threshold": threshold}, {"C": c, "own_notes_weight": own, **cv}
