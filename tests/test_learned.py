"""The learned layer as a user meets it: model files that are plain JSON (a pickle or a tampered file is
refused with a clear message), a safety net that only flags, a document-kind second opinion, the
rule-only output when it is turned off, correct calibration figures, and figures in the READMEs that
match the model files."""
from __future__ import annotations

import json
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import extractor
from extractor.cli import main
from extractor.learned import ModelError, read_models, rules_only
from extractor.learned.safety_net import FAMILIES, net_family
from extractor.learned.training import metrics, report
from extractor.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "models"
SAMPLE = sorted((ROOT / "corpora" / "sample" / "notes").glob("*.txt"))
RADIOLOGY = ("MRI LUMBAR SPINE WITHOUT CONTRAST\nCLINICAL HISTORY: Low back pain radiating to the left leg.\n"
             "TECHNIQUE: Sagittal and axial T1 and T2 images of the lumbar spine.\n"
             "FINDINGS: Mild disc desiccation at L4-5 with a small central protrusion. No fracture.\n"
             "IMPRESSION: Mild degenerative change at L4-5 without stenosis.\n")


def _with_models(folder: Path | str, enabled: bool = True) -> extractor.Extractor:
    data = Settings.load().to_dict()
    return extractor.load(Settings.from_dict({**data, "learned": {"enabled": enabled, "models_dir": str(folder)}}))


def _edited(tmp_path: Path, name: str, edit) -> Path:
    """A copy of the project's models with one model file changed by ``edit(data)``."""
    folder = tmp_path / "models"
    shutil.copytree(MODELS, folder)
    path = folder / name
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))
    return folder


# --------------------------------------------------------------------------- model files


def test_the_project_models_load_and_are_json(tmp_path):
    models = read_models(MODELS)
    assert models.versions == {k: int(v.split(".v")[1].split(".")[0])
                               for k, v in json.loads((MODELS / "manifest.json").read_text())["current"].items()}
    for path in MODELS.glob("*.json"):
        json.loads(path.read_text())


class _Trap:
    """Unpickling this would write a file: a model loader that runs pickle would be caught."""

    def __init__(self, target: Path):
        self.target = target

    def __reduce__(self):
        return (Path.write_text, (self.target, "pickle ran"))


def test_a_pickled_model_is_refused_without_running_it(tmp_path):
    folder = tmp_path / "models"
    shutil.copytree(MODELS, folder)
    trap = tmp_path / "pickle_ran.txt"
    (folder / "confidence.v1.json").write_bytes(pickle.dumps(_Trap(trap)))
    with pytest.raises(ModelError, match="a pickle; model files are plain JSON"):
        read_models(folder)
    assert not trap.exists()
    result = CliRunner().invoke(main, ["models", "check", "--models", str(folder)])
    assert result.exit_code != 0 and "confidence.v1.json: a pickle" in result.output


@pytest.mark.parametrize("name, edit, message", [
    ("confidence.v1.json", lambda d: d.update(format="sklearn-pickle"), "not an opnote model file"),
    ("confidence.v1.json", lambda d: d.update(format_version=99), "model format version 99"),
    ("missed_code.v1.json", lambda d: d.update(kind="confidence"), "holds a 'confidence' model"),
    ("confidence.v1.json", lambda d: d["weights"].update({"family=graft": "1; import os"}), "must be a finite number"),
    ("missed_code.v1.json", lambda d: d["buckets"][0].__setitem__(0, 2 ** 40), "bucket ids must be distinct"),
    ("missed_code.v1.json", lambda d: d.update(featurizer="char5"), "n-gram features 'char5'"),
    ("document_kind.v1.json", lambda d: d.update(classes=["spine_operative", "other"]), "'classes' must be"),
])
def test_a_tampered_model_file_gives_a_clear_error(tmp_path, name, edit, message):
    folder = _edited(tmp_path, name, edit)
    with pytest.raises(ModelError, match=message) as caught:
        _with_models(folder)
    assert name in str(caught.value)


def test_a_models_folder_without_manifest_is_an_error_when_asked_for(tmp_path):
    with pytest.raises(ModelError, match="no manifest.json"):
        _with_models(tmp_path)


# --------------------------------------------------------------------------- rule-only output


def test_learned_layer_off_gives_the_rules_output_with_hand_set_confidence(ex):
    off = _with_models("", enabled=False)
    hand_set = set(vars(Settings.load().confidence).values())
    for path in SAMPLE:
        raw = path.read_bytes()
        learned, rules = ex.extract(raw, path.stem), off.extract(raw, path.stem)
        assert rules == rules_only(learned)
        assert "learned" not in rules and all("rule_confidence" not in s for s in rules["suggestions"])
        assert [s["confidence"] for s in rules["suggestions"]] == [s["rule_confidence"] for s in learned["suggestions"]]
        assert all(s["explanation"]["base_confidence"] in hand_set for s in rules["suggestions"])


def test_extract_command_turns_the_layer_off_with_a_setting(tmp_path):
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["extract", str(SAMPLE[0]), "-o", str(out), "--set", "learned.enabled=false"])
    assert result.exit_code == 0, result.output
    record = json.loads(out.read_text().splitlines()[0])
    assert "learned" not in record and all("rule_confidence" not in s for s in record["suggestions"])


def test_calibrated_confidence_keeps_the_hand_set_one_beside_it(ex):
    record = ex.extract(SAMPLE[0].read_bytes(), "s1")
    for s in record["suggestions"]:
        assert 0.0 <= s["confidence"] <= 1.0 and s["rule_confidence"] == s["explanation"]["calibration"]["rule_confidence"]
    assert record["learned"]["models"] == read_models(MODELS).versions


# --------------------------------------------------------------------------- safety net


def _net_threshold(tmp_path: Path, value: float) -> extractor.Extractor:
    return _with_models(_edited(tmp_path, "missed_code.v1.json",
                                lambda d: d.update(thresholds={f: value for f in FAMILIES})))


def test_safety_net_flags_only_families_the_rules_left_empty_and_never_adds_a_code(tmp_path, ex):
    """At threshold 0 the net is as eager as it can be: still only empty families are flagged."""
    eager = _net_threshold(tmp_path, 0.0)
    flagged = 0
    for path in SAMPLE:
        text = path.read_text(encoding="utf-8")
        record, plain = eager.extract(text, path.stem), ex.extract(text, path.stem)
        assert [(s["code"], s["units"]) for s in record["suggestions"]] == \
               [(s["code"], s["units"]) for s in plain["suggestions"]]
        found = {net_family(s["family"]) for s in record["suggestions"]}
        raised = {f["id"].removeprefix("possible_missed_") for f in record["flags"] if f["id"].startswith("possible_")}
        assert raised == set(FAMILIES) - found
        for flag in (f for f in record["flags"] if f["id"].startswith("possible_missed_")):
            flagged += 1
            assert 0.0 <= flag["probability"] <= 1.0 and "no code is suggested" in flag["text"]
            assert len(flag["evidence"]) <= 3 and [e["start"] for e in flag["evidence"]] == \
                   sorted(e["start"] for e in flag["evidence"])
            for e in flag["evidence"]:
                assert text[e["start"]:e["end"]] == e["text"] and e["weight"] > 0
    assert flagged >= 3


def test_safety_net_sentences_are_the_ones_that_weigh(tmp_path):
    """Instrumentation in words the rules do not know: no code, and the net's evidence is led by the
    sentence that describes it."""
    eager = _net_threshold(tmp_path, 0.0)
    text = ("OPERATIVE REPORT\nPROCEDURE: Posterior spinal fusion L3-L5.\nDESCRIPTION OF PROCEDURE: The patient was "
            "positioned prone. The wound was irrigated. Titanium rods were contoured and locked to polyaxial anchors "
            "placed in L3, L4 and L5 on both sides. The fascia was closed with interrupted sutures.\n")
    record = eager.extract(text, "anchors")
    assert record["suggestions"] == []
    flag = next(f for f in record["flags"] if f["id"] == "possible_missed_instrumentation")
    assert "polyaxial anchors" in max(flag["evidence"], key=lambda e: e["weight"])["text"]


def test_a_confident_net_never_flags_at_threshold_one(tmp_path):
    strict = _net_threshold(tmp_path, 1.0)
    for path in SAMPLE:
        assert not [f for f in strict.extract(path.read_bytes(), path.stem)["flags"] if f["id"].startswith("possible_")]


def test_corpus_flags_of_the_safety_net_sit_on_empty_families(corpus_records):
    for record in corpus_records.values():
        found = {net_family(s["family"]) for s in record.get("suggestions") or []}
        for flag in record.get("flags") or []:
            if flag["id"].startswith("possible_missed_"):
                assert flag["id"].removeprefix("possible_missed_") not in found


# --------------------------------------------------------------------------- document kind


def _kind_bias(tmp_path: Path, kind: str) -> extractor.Extractor:
    """A classifier forced to answer ``kind`` for every note (a huge intercept)."""
    from extractor.learned.document_kind import CLASSES

    return _with_models(_edited(tmp_path, "document_kind.v1.json",
                                lambda d: d["intercepts"].__setitem__(CLASSES.index(kind), 1000.0)))


def test_no_disagreement_flag_when_classifier_and_gate_agree(ex):
    coded, skipped = ex.extract(SAMPLE[0].read_bytes(), "s1"), ex.extract(RADIOLOGY, "mri")
    assert coded["learned"]["document_kind"]["kind"] == "spine_operative"
    assert skipped["status"] == "skipped" and skipped["learned"]["document_kind"]["rule_kind"] == "radiology"
    assert not [f for f in coded["flags"] + skipped["flags"] if f["id"] == "document_kind_disagreement"]


def test_disagreement_on_a_coded_note_is_flagged_and_changes_no_code(tmp_path, ex):
    record = _kind_bias(tmp_path, "radiology").extract(SAMPLE[0].read_bytes(), "s1")
    flag = next(f for f in record["flags"] if f["id"] == "document_kind_disagreement")
    assert flag["kind"] == "radiology" and flag["rule_kind"] == "spine_operative"
    assert [s["code"] for s in record["suggestions"]] == [s["code"] for s in ex.extract(SAMPLE[0].read_bytes(), "s1")["suggestions"]]


def test_disagreement_on_a_skipped_note_is_flagged_and_it_stays_skipped(tmp_path):
    record = _kind_bias(tmp_path, "spine_operative").extract(RADIOLOGY, "mri")
    assert record["status"] == "skipped" and record["suggestions"] == []
    flag = next(f for f in record["flags"] if f["id"] == "document_kind_disagreement")
    assert flag["kind"] == "spine_operative" and flag["rule_kind"] == "radiology"


# --------------------------------------------------------------------------- figures


def test_brier_and_ece_on_a_hand_made_example():
    p = np.array([0.9, 0.9, 0.2, 0.6, 1.0])
    y = np.array([True, False, False, True, True])
    figures = metrics.calibration(p, y)
    # Brier: mean squared error (0.01 + 0.81 + 0.04 + 0.16 + 0) / 5
    assert figures["brier"] == pytest.approx(0.204)
    # ECE, 10 equal bins: [0.9, 1.0] holds 0.9, 0.9, 1.0 (mean 0.9333, 2 of 3 right), then 0.2 (none right)
    # and 0.6 (right): (3 * 0.2667 + 0.2 + 0.4) / 5
    bins = {b["low"]: (b["n"], b["confidence"], b["right"]) for b in figures["reliability"]}
    assert bins[0.9] == (3, pytest.approx(2.8 / 3), pytest.approx(2 / 3)) and sorted(bins) == [0.2, 0.6, 0.9]
    assert figures["ece"] == pytest.approx(0.28)


def test_auto_accept_threshold_is_the_lowest_with_the_precision():
    p = np.array([0.5] * 10 + [0.8] * 10 + [0.95] * 20)
    y = np.array([False] * 10 + [True] * 9 + [False] + [True] * 20)
    assert metrics.lowest_threshold(p, y, 0.99, min_count=20) == 0.95
    assert metrics.lowest_threshold(p, y, 0.9, min_count=20) == 0.8
    assert metrics.above(p, y, 0.8) == {"threshold": 0.8, "share": 0.75, "n": 30, "precision": pytest.approx(29 / 30)}
    assert metrics.lowest_threshold(p[:20], y[:20], 0.99, min_count=20) is None
    # To ship, the precision's lower 95% bound must reach it: 20 right of 20 could still be 0.84.
    assert metrics.wilson_lower(20, 20) == pytest.approx(0.839, abs=0.001)
    assert metrics.lowest_threshold(p, y, 0.99, min_count=20, confident=True) is None
    many = np.array([0.99] * 1000)
    assert metrics.lowest_threshold(many, np.ones(1000, dtype=bool), 0.99, confident=True) == 0.99


def test_readmes_show_the_figures_of_the_models_in_use():
    models = read_models(MODELS)
    assert report.summary(models) in (ROOT / "README.md").read_text(encoding="utf-8"), "run `opnote models report --write`"
    cards = (MODELS / "README.md").read_text(encoding="utf-8")
    for model in (models.confidence, models.missed_code, models.document_kind):
        begin, end = report.card_markers(model.info["kind"])
        assert f"{begin}\n{report.card(model)}\n{end}" in cards, "run `opnote models report --write`"
    assert report.summary(models) in cards


def test_models_were_trained_on_the_corpus_as_it_is():
    result = CliRunner().invoke(main, ["models", "check"])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("command", ["extract", "explain"])
def test_a_missing_models_folder_is_one_clear_message(tmp_path, command):
    note = tmp_path / "n.txt"
    note.write_text("PROCEDURE: L3 pedicle subtraction osteotomy.\n")
    result = CliRunner().invoke(main, [command, "--set", f"learned.models_dir={tmp_path / 'nope'}", str(note)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "learned layer:" in result.output and "no manifest.json" in result.output
