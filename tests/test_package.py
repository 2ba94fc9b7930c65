"""Packaging: factories advertised through entry points, settings validation, JSON-able output."""
import json
import logging
import subprocess
import sys
from importlib.metadata import entry_points

import pytest
import spacy

from extractor.settings import Settings


def test_factories_are_advertised_and_usable():
    names = {ep.name for ep in entry_points(group="spacy_factories")}
    assert {"opnote_sentences", "opnote_targets", "opnote_levels", "opnote_sections", "opnote_context"} <= names
    nlp = spacy.blank("en")
    nlp.add_pipe("opnote_levels")
    doc = nlp("Pontes at T10-11 and T11-12.")
    assert [s._.level["label"] for s in doc.spans["levels"]] == ["T10-11", "T11-12"]


def test_settings_reject_unknown_and_invalid_values(tmp_path):
    with pytest.raises(ValueError, match="unknown setting"):
        Settings.load(overrides=["osteotomy.nope=1"])
    with pytest.raises(ValueError, match="must be one of"):
        Settings.load(overrides=["osteotomy.posterior_counting=per_everything"])
    config = tmp_path / "c.toml"
    config.write_text('[osteotomy]\nsite_region = "caudal"\n')
    assert Settings.load(config).osteotomy.site_region == "caudal"


def test_records_are_plain_json(ex):
    record = ex.extract("DESCRIPTION OF PROCEDURE:\nA PSO was performed at L3 with screws from T10 to the pelvis.")
    assert json.loads(json.dumps(record)) == record


def test_missing_text_is_an_error_record(ex):
    record = ex.extract(None, "missing")
    assert record["status"] == "error" and record["error"] == "missing note text"


def test_logs_carry_no_note_text(ex, caplog):
    caplog.set_level(logging.DEBUG)
    ex.extract("DESCRIPTION OF PROCEDURE:\nPatient Zebediah Quux had a PSO at L3.", "n1")
    ex.extract(b"\xff\xfe Zebediah Quux PSO \x00 at L3", "n2")
    assert "Zebediah" not in caplog.text


def _imported_after(statement: str) -> set[str]:
    """Top-level packages a fresh interpreter has loaded after running ``statement``."""
    code = f"{statement}; import sys; print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    return set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())


def test_facts_and_coding_run_without_spacy_or_medspacy():
    loaded = _imported_after("import extractor.facts, extractor.coding, extractor.evaluate")
    assert not loaded & {"spacy", "medspacy", "thinc"}


def test_command_line_starts_without_building_a_pipeline():
    assert not _imported_after("import extractor.cli") & {"spacy", "medspacy"}
    result = subprocess.run([sys.executable, "-m", "extractor.cli", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "extract" in result.stdout


def test_extracting_leaves_nltk_scipy_and_sklearn_unloaded_until_used():
    """medSpaCy imports QuickUMLS, which imports NLTK, SciPy and scikit-learn: ~200 MB per worker the
    extractor never uses. They stay out of a worker's memory, and NLTK still works when asked for."""
    statement = ("import extractor; extractor.load().extract('DESCRIPTION:\\nA PSO was performed at L3.', 'n')")
    assert not _imported_after(statement) & {"scipy", "sklearn"}
    loaded = _imported_after(statement + "; import nltk; nltk.edit_distance('ab', 'ac')")
    assert "scipy" in loaded  # the real NLTK came in on first use


def test_pipeline_order_is_checked_by_spacy(ex):
    assert not any(ex.nlp.analyze_pipes()["problems"].values())
    nlp = spacy.blank("en")
    nlp.add_pipe("opnote_context")
    nlp.add_pipe("opnote_sentences")
    problems = nlp.analyze_pipes()["problems"]
    assert "token.is_sent_start" in problems["opnote_context"]


def test_the_rule_files_setting_drives_the_triage(tmp_path):
    """A pipeline configured with fewer target rules keeps only the sentences those rules can match."""
    from extractor.pipeline import Extractor

    nlp = spacy.blank("en")
    for name in ("opnote_sentences", "opnote_targets", "opnote_levels", "opnote_sections", "opnote_context"):
        nlp.add_pipe(name, config={"rule_files": ["targets/grafts.json"]} if name == "opnote_targets" else {})
    grafts_only = Extractor(nlp=nlp)
    text = "DESCRIPTION:\nPedicle screws were placed from L2 to L5.\nLocal autograft was packed."
    view = grafts_only.view(text)
    assert "Pedicle screws" not in view.view and "Local autograft" in view.view
    assert [s["code"] for s in grafts_only.extract(text)["suggestions"]] == ["20936"]
