"""`make models` is reproducible: training twice gives byte-identical model files, and they are the
files committed in models/ (so the shipped models are the ones the corpus and rules give)."""
from __future__ import annotations

from pathlib import Path

import pytest

from extractor.learned.store import KINDS, file_name
from extractor.learned.training.build import train

MODELS = Path(__file__).resolve().parents[1] / "models"

pytestmark = pytest.mark.slow


def test_training_twice_gives_identical_files_equal_to_the_committed_ones(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    train(first, log=lambda _: None)
    train(second, log=lambda _: None)
    names = sorted(p.name for p in first.iterdir())
    assert names == sorted(p.name for p in second.iterdir()) == sorted([*(file_name(k, 1) for k in KINDS), "manifest.json"])
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    for kind in KINDS:
        name = file_name(kind, 1)
        assert (first / name).read_bytes() == (MODELS / name).read_bytes(), f"{name} is stale: run `make models`"


def test_an_auto_accept_threshold_that_does_not_hold_on_a_held_out_split_is_withheld():
    """The threshold is chosen on the tuned-on split; a held-out split can only withhold it, never choose it."""
    from extractor.learned.training.build import _withhold_unheld_threshold

    def model(external_precision):
        return {"auto_accept_threshold": 0.992, "metrics": {"held_out": {
            "test": {"auto_accept": {"precision": 0.997}},
            "external/test": {"auto_accept": {"precision": external_precision}}}}}

    held, unheld = model(0.995), model(0.978)
    _withhold_unheld_threshold(held, lambda _: None)
    _withhold_unheld_threshold(unheld, lambda _: None)
    assert held["auto_accept_threshold"] == 0.992 and "auto_accept_withheld" not in held["metrics"]
    assert unheld["auto_accept_threshold"] is None
    assert unheld["metrics"]["auto_accept_withheld"]["threshold"] == 0.992
