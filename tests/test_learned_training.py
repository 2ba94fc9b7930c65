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
