"""``opnote models retrain --from-queue DB``: refit the confidence model with the coders' completed
decisions, write it as the next version beside the current one, and make it current only when its
calibration on held-out decisions is not worse.

The queue's notes are split once and for all by a hash of their id: a quarter is held out to judge
the previous and the new model on the same decisions (Brier score), the rest is added to the training
rows (the corpus's, when its folder is there) with the hyper-parameters of the current model.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...settings import Settings
from ..confidence import KIND, ConfidenceModel
from ..features import NoteContext, suggestion_features
from ..store import ModelError, file_name, read_manifest, read_model, versions, write_manifest, write_model
from . import calibration
from .corpus import TRAINING_SPLITS, read_split, rules_extractor
from .decisions import Decision, Decisions, read_decisions
from .metrics import calibration as calibration_figures, lowest_threshold

# A refit whose held-out Brier score is worse by less than this is as good: on a few hundred decisions such a
# difference is noise (two near-perfect models differ by 0.0001), a coder deciding at random costs 0.05 or more.
BRIER_TOLERANCE = 0.001

HELD_OUT_SHARE = 4  # one note in four is held out
MIN_HELD_OUT = 20  # held-out decisions needed to judge a model
QUEUE_WEIGHT = 1.0


def held_out(note_id: str) -> bool:
    """Whether a queued note's decisions judge models rather than train them (fixed by its id)."""
    return hashlib.sha256(note_id.encode("utf-8", "surrogatepass")).digest()[0] % HELD_OUT_SHARE == 0


@dataclass
class RetrainResult:
    version: int
    path: Path
    replaced: bool
    previous_brier: float
    new_brier: float
    held_out_decisions: int
    fit_decisions: int

    def message(self) -> str:
        verdict = ("is now the current confidence model" if self.replaced else
                   "is NOT used: its held-out calibration is worse than the current model's")
        return (f"confidence v{self.version} ({self.path.name}) {verdict}; held-out Brier score "
                f"{self.new_brier:.4f} (current {self.previous_brier:.4f}) on {self.held_out_decisions} decisions; "
                f"fitted with {self.fit_decisions} queue decisions")


def _rows(decisions: list[Decision], bases: dict[str, float]) -> tuple[list[dict], np.ndarray]:
    rows, contexts = [], {}
    for d in decisions:
        context = contexts.setdefault(id(d.record), NoteContext(d.record))
        rows.append(suggestion_features(d.suggestion, d.record, bases, context))
    return rows, np.array([d.right for d in decisions], dtype=bool)


def _corpus_table(corpora: Path | None, bases: dict[str, float]) -> calibration.Table | None:
    if corpora is None:
        return None
    extractor = rules_extractor()
    notes = [n for split in TRAINING_SPLITS for n in read_split(split, extractor, corpora)]
    return calibration.suggestion_table(notes, bases)


def _fit(corpus: calibration.Table | None, rows: list[dict], labels: np.ndarray, hyper: dict) -> dict:
    """The new model's body: corpus rows weighted as in the current model, queue rows QUEUE_WEIGHT."""
    all_rows, all_labels, weights = list(rows), list(labels), [QUEUE_WEIGHT] * len(rows)
    if corpus is not None:
        all_rows += corpus.rows
        all_labels += corpus.labels.tolist()
        weights += np.where(corpus.external, 1.0, hyper["own_notes_weight"]).tolist()
    table = calibration.Table(all_rows, np.array(all_labels, dtype=bool), np.zeros(len(all_rows)),
                              np.zeros(len(all_rows), dtype=bool), np.zeros(len(all_rows)))
    names, x = table.matrix()
    if len(set(all_labels)) < 2:
        raise ModelError("the decisions and corpus rows are all right or all wrong: nothing to calibrate")
    return calibration.body(names, calibration.fit(x, table.labels, np.array(weights), hyper["C"]))


def retrain(db: str, folder: Path, corpora: Path | None, log: Callable = print,
            bases: dict[str, float] | None = None) -> RetrainResult:
    """Refit, judge, write the next version; make it current only when it is not worse."""
    folder = Path(folder)
    current_name = read_manifest(folder)[KIND]
    current_data = read_model(folder / current_name, KIND)
    current = ConfidenceModel(current_data, folder / current_name)
    bases = bases or {k: v for k, v in vars(Settings.load().confidence).items() if k != "convention_penalty"}
    decisions = read_decisions(db)
    test = [d for d in decisions.items if held_out(d.note_id)]
    fit = [d for d in decisions.items if not held_out(d.note_id)]
    if len(test) < MIN_HELD_OUT or not fit:
        raise ModelError(f"{len(decisions.items)} decided suggestions in the queue: at least {MIN_HELD_OUT} "
                         f"held-out ones (a quarter of the notes) and some to fit are needed")
    log(f"{len(decisions.items)} decided suggestions from {decisions.notes} completed notes "
        f"({len(fit)} to fit, {len(test)} held out)")
    fit_rows, fit_labels = _rows(fit, bases)
    test_rows, test_labels = _rows(test, bases)
    model_body = _fit(_corpus_table(corpora, bases), fit_rows, fit_labels, current_data["hyperparameters"])
    new = ConfidenceModel({**current_data, **model_body, "auto_accept_threshold": None}, folder / "new")
    before = np.array([current.linear.probability(r) for r in test_rows])
    after = np.array([new.linear.probability(r) for r in test_rows])
    figures = {"previous": calibration_figures(before, test_labels), "new": calibration_figures(after, test_labels)}
    replaced = figures["new"]["brier"] <= figures["previous"]["brier"] + BRIER_TOLERANCE
    version = max(versions(folder, KIND)) + 1
    data = {**current_data, **model_body, "version": version, "created_by": "opnote models retrain",
            "parent": current_data["version"], "auto_accept_threshold": lowest_threshold(after, test_labels),
            "training_data": {**current_data["training_data"], "queue": _queue_summary(decisions, fit, test),
                              "corpus": corpora is not None},
            "metrics": {"queue_held_out": figures, "replaced_previous": replaced}}
    path = write_model(folder, data)
    if replaced:
        write_manifest(folder, {**read_manifest(folder), KIND: file_name(KIND, version)})
    return RetrainResult(version, path, replaced, figures["previous"]["brier"], figures["new"]["brier"],
                         len(test), len(fit))


def _queue_summary(decisions: Decisions, fit: list[Decision], test: list[Decision]) -> dict:
    return {"completed_notes": decisions.notes, "decisions": dict(sorted(decisions.counts.items())),
            "added_by_family": dict(sorted(decisions.added_by_family.items())),
            "fit_suggestions": len(fit), "held_out_suggestions": len(test),
            "held_out_right": int(sum(d.right for d in test))}
