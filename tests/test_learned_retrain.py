"""``opnote models retrain --from-queue``: simulated coders decide the held-out test split's notes in a
real review queue (SQLite in a temporary folder); the refit is kept only when the decisions held out
for judging are predicted at least as well as by the current model."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from coder_simulation import CARELESS, GOOD, load_queue, review_all
from conftest import load_split
from extractor.cli import main
from extractor.learned.training.retrain import BRIER_TOLERANCE
from extractor.learned.training.retrain import held_out

MODELS = Path(__file__).resolve().parents[1] / "models"


@pytest.fixture(scope="module")
def test_split(ex) -> tuple[list[dict], dict[str, dict]]:
    """The test split's results as the extractor writes them (learned layer on), and its gold lines."""
    golds = {g["note_id"]: g for g in load_split("test")}
    records = [ex.extract(g["text"], note_id) for note_id, g in golds.items()]
    return [r for r in records if r["status"] == "ok"], golds


def _queue(tmp_path: Path, test_split, style) -> tuple[str, Path]:
    """A reviewed queue and a copy of the project's models (the copy is what retraining changes)."""
    records, golds = test_split
    models = tmp_path / "models"
    shutil.copytree(MODELS, models)
    db = str(tmp_path / "queue.sqlite3")
    load_queue(db, records, {n: g["text"] for n, g in golds.items()}, tmp_path)
    assert review_all(db, golds, style) >= 0.9 * len(records)
    return db, models


def _retrain(db: str, models: Path):
    return CliRunner().invoke(main, ["models", "retrain", "--from-queue", db, "--models", str(models), "--no-corpus"])


def _current(models: Path) -> str:
    return json.loads((models / "manifest.json").read_text())["current"]["confidence"]


def test_careful_decisions_make_a_new_current_version(tmp_path, test_split):
    db, models = _queue(tmp_path, test_split, lambda note_id: GOOD)
    result = _retrain(db, models)
    assert result.exit_code == 0, result.output
    assert "confidence v2" in result.output and "is now the current confidence model" in result.output
    assert _current(models) == "confidence.v2.json"
    new = json.loads((models / "confidence.v2.json").read_text())
    figures = new["metrics"]["queue_held_out"]
    assert figures["new"]["brier"] <= figures["previous"]["brier"] + BRIER_TOLERANCE
    assert new["parent"] == 1 and new["training_data"]["queue"]["completed_notes"] >= 70
    assert (models / "confidence.v1.json").read_bytes() == (MODELS / "confidence.v1.json").read_bytes()
    listing = CliRunner().invoke(main, ["models", "versions", "--models", str(models)])
    assert "* confidence.v2.json" in listing.output and "  confidence.v1.json" in listing.output


def test_random_decisions_are_refused_and_the_current_model_stays(tmp_path, test_split):
    """The lines a coder decided at random (the notes that train) contradict the careful decisions
    held out to judge: the refit predicts those worse, so it is stored but not used."""
    db, models = _queue(tmp_path, test_split, lambda note_id: GOOD if held_out(note_id) else CARELESS)
    before = (models / "manifest.json").read_bytes()
    result = _retrain(db, models)
    assert result.exit_code == 1
    assert "is NOT used: its held-out calibration is worse than the current model's" in result.output
    assert (models / "manifest.json").read_bytes() == before and _current(models) == "confidence.v1.json"
    refused = json.loads((models / "confidence.v2.json").read_text())
    assert refused["metrics"]["replaced_previous"] is False
    assert refused["metrics"]["queue_held_out"]["new"]["brier"] > refused["metrics"]["queue_held_out"]["previous"]["brier"]
    listing = CliRunner().invoke(main, ["models", "versions", "--models", str(models)])
    assert "* confidence.v1.json" in listing.output and "refused" in listing.output


def test_a_queue_without_enough_decisions_is_a_clear_error(tmp_path, test_split):
    records, golds = test_split
    db = str(tmp_path / "queue.sqlite3")
    load_queue(db, records[:3], {n: g["text"] for n, g in golds.items()}, tmp_path)
    review_all(db, golds, lambda note_id: GOOD)
    models = tmp_path / "models"
    shutil.copytree(MODELS, models)
    result = _retrain(db, models)
    assert result.exit_code != 0 and "held-out ones" in result.output
    assert sorted(p.name for p in models.glob("confidence.v*.json")) == ["confidence.v1.json"]
    missing = _retrain(str(tmp_path / "nowhere.sqlite3"), models)
    assert missing.exit_code != 0 and "no such queue database" in missing.output
